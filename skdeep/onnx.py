"""ONNX export through skl2onnx: importing this module registers skdeep's estimators.

After ``import skdeep.onnx``, skl2onnx's own :func:`skl2onnx.to_onnx` and
:func:`skl2onnx.convert_sklearn` convert a fitted :class:`~skdeep.MLPClassifier` or
:class:`~skdeep.MLPRegressor`, alone or inside a scikit-learn Pipeline, and
onnxruntime then serves it without skdeep, scikit-learn or NumPy's training code.
Install the two with ``pip install ".[onnx]"`` from the skdeep checkout.

The graph computes in float64 for float64 input, and in float32 for any other
(float32, int64, bool): train as usual and export with float32 rows for a graph that
agrees with ``predict_proba`` to about 1e-7. Its outputs are skl2onnx's:

* a classifier gives ``label``, of shape (n_samples,) (int64 for numeric labels,
  string for string labels) or (n_samples, n_labels) int64 for multilabel targets,
  and ``probabilities``, predict_proba's (n_samples, n_classes), which skl2onnx turns
  into a list of dicts unless the conversion passes ``options={"zipmap": False}``.
  skl2onnx's classifier options ``zipmap``, ``output_class_labels`` and ``nocl``
  (class indices for labels) apply.
* a regressor gives ``variable``, of shape (n_samples, n_outputs), also for one
  output: the network's output through the inverse of the loss's link, the identity
  or, for the log link of ``loss='poisson'`` and ``loss='gamma'``, exp.

Dropout is a training technique and leaves no trace in the graph. A fitted estimator
that ONNX cannot represent raises :class:`NotImplementedError` (a RuntimeError, as
skl2onnx's conversion errors are) naming what is unsupported: a hidden activation
without an ONNX operator, or class labels that skl2onnx cannot write (floats with a
fractional part, integers beyond 32 bits, bytes).
"""

from types import SimpleNamespace

import numpy as np
from sklearn.utils.validation import check_is_fitted

try:
    from skl2onnx import update_registered_converter
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise ImportError('skdeep.onnx needs skl2onnx: pip install ".[onnx]" from the skdeep checkout') from error
from skl2onnx._parse import _parse_sklearn_classifier
from skl2onnx.common._apply_operation import apply_cast, apply_identity, apply_reshape
from skl2onnx.common.data_types import Int64TensorType, guess_proto_type
from skl2onnx.common.shape_calculator import (
    calculate_linear_classifier_output_shapes,
    calculate_linear_regressor_output_shapes,
)
# its MLP converter, and the forward pass inside it (private, but the one its own
# converters call) for the outputs that converter lacks
from skl2onnx.operator_converters.multilayer_perceptron import _predict, convert_sklearn_mlp_classifier
from skl2onnx.proto import onnx_proto

from ._mlp import MLPClassifier, MLPRegressor

__all__ = []

#: hidden activations skl2onnx's MLP forward pass writes (Identity, Sigmoid, Tanh, Relu)
HIDDEN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
#: regressor output activation (the inverse of its loss's link) -> the ONNX operator
#: applied to the network's output
REGRESSION_OUTPUTS = {"identity": None, "exp": "Exp"}


def _plain_mlp(estimator):
    """The plain MLP that skl2onnx's converter reads (coefs_, intercepts_, n_layers_,
    activation, out_activation_), built from ``_inference_layers()`` alone."""
    check_is_fitted(estimator)
    name = type(estimator).__name__
    if estimator.activation not in HIDDEN_ACTIVATIONS:
        raise NotImplementedError(
            f"Cannot convert {name} to ONNX: activation={estimator.activation!r} has no "
            f"ONNX export; skdeep.onnx exports the activations {', '.join(map(repr, HIDDEN_ACTIVATIONS))}."
        )
    coefs, intercepts = estimator._inference_layers()
    return SimpleNamespace(
        coefs_=list(coefs),
        intercepts_=list(intercepts),
        n_layers_=len(coefs) + 1,
        activation=estimator.activation,
        out_activation_=estimator.out_activation_,
    )


class _Operator:
    """skl2onnx's operator with ``raw_operator`` standing in for the estimator."""

    def __init__(self, operator, raw_operator):
        self._operator, self.raw_operator = operator, raw_operator

    def __getattr__(self, name):
        return getattr(self._operator, name)


def _proto_dtype(operator):
    """The graph's float type: double for double input, float for any other."""
    proto_dtype = guess_proto_type(operator.inputs[0].type)
    return proto_dtype if proto_dtype == onnx_proto.TensorProto.DOUBLE else onnx_proto.TensorProto.FLOAT


def _is_multilabel(estimator):
    return estimator._label_binarizer.y_type_ == "multilabel-indicator"


# ---------------------------------------------------------------------- classifier


def _class_labels(estimator, nocl):
    """classes_ as skl2onnx's converter can write them: strings, bools, or whole
    numbers in int32's range (it casts numeric labels to int32, then int64); class
    indices with the option nocl."""
    classes = estimator.classes_
    if nocl:
        return np.arange(len(classes))
    if classes.dtype == object:  # strings, e.g. from a pandas object column
        classes = np.asarray(classes.tolist())
    kind = classes.dtype.kind
    if kind in "Ub":
        return classes
    if kind in "iuf":
        with np.errstate(invalid="ignore"):
            whole = np.all(np.isfinite(classes) & (classes == np.round(classes)))
            small = np.all(np.abs(classes) <= np.iinfo(np.int32).max)
        if whole and small:
            return classes
    raise NotImplementedError(
        f"Cannot convert {type(estimator).__name__} to ONNX: its class labels "
        f"{estimator.classes_!r} cannot be ONNX labels, which skl2onnx writes as strings "
        "or as integers in the int32 range. Refit with string labels or integers (for "
        "example from sklearn.preprocessing.LabelEncoder), or convert with "
        "options={'nocl': True} to get each class's index as the label."
    )


def _nocl(scope, estimator):
    return scope.get_options(estimator, dict(nocl=False))["nocl"]


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser (it handles the options zipmap and
    output_class_labels), once the estimator is known to convert: the parser is the
    first to read it."""
    _plain_mlp(model)
    if not _is_multilabel(model):
        _class_labels(model, _nocl(scope, model))
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


def _classifier_shapes(operator):
    """skl2onnx's classifier shapes, with a multilabel label of shape (N, n_labels)."""
    estimator = operator.raw_operator
    calculate_linear_classifier_output_shapes(operator)
    if _is_multilabel(estimator):
        n_rows = operator.inputs[0].get_first_dimension()
        operator.outputs[0].type = Int64TensorType([n_rows, len(estimator.classes_)])


def _convert_classifier(scope, operator, container):
    """skl2onnx's MLP classifier converter for binary and multiclass targets; for
    multilabel targets, where it would pad two labels' probabilities with 1 - p,
    its forward pass with logistic outputs and label = (probability > 0.5)."""
    estimator = operator.raw_operator
    mlp = _plain_mlp(estimator)
    if not _is_multilabel(estimator):
        mlp.classes_ = _class_labels(estimator, _nocl(scope, estimator))
        mlp._label_binarizer = SimpleNamespace(y_type_=estimator._label_binarizer.y_type_)
        convert_sklearn_mlp_classifier(scope, _Operator(operator, mlp), container)
        return

    proto_dtype = _proto_dtype(operator)
    probabilities = _predict(scope, operator.inputs[0].full_name, container, mlp, proto_dtype)
    apply_identity(scope, probabilities, operator.outputs[1].full_name, container)
    half = scope.get_unique_variable_name("half")
    container.add_initializer(half, proto_dtype, [], [0.5])
    above = scope.get_unique_variable_name("above_half")
    container.add_node("Greater", [probabilities, half], above, name=scope.get_unique_operator_name("Greater"))
    apply_cast(scope, above, operator.outputs[0].full_name, container, to=onnx_proto.TensorProto.INT64)


# ---------------------------------------------------------------------- regressor


def _regressor_shapes(operator):
    """skl2onnx's regressor shapes, with one column per output; the first to read
    the estimator, so it checks that it converts."""
    estimator = operator.raw_operator
    mlp = _plain_mlp(estimator)
    if estimator.out_activation_ not in REGRESSION_OUTPUTS:
        raise NotImplementedError(
            f"Cannot convert {type(estimator).__name__} to ONNX: its output activation "
            f"{estimator.out_activation_!r} has no ONNX export."
        )
    calculate_linear_regressor_output_shapes(operator)
    output = operator.outputs[0]
    output.type = output.type.__class__([operator.inputs[0].get_first_dimension(), mlp.coefs_[-1].shape[1]])


def _convert_regressor(scope, operator, container):
    """skl2onnx's MLP forward pass to the output layer's pre-activation, then the
    output activation (exp for a log link) and shape (n_samples, n_outputs).
    (skl2onnx's own MLP regressor converter writes every output into one column and
    knows no exp output.)"""
    estimator = operator.raw_operator
    mlp = _plain_mlp(estimator)
    mlp.out_activation_ = "identity"
    outputs = _predict(scope, operator.inputs[0].full_name, container, mlp, _proto_dtype(operator))
    onnx_op = REGRESSION_OUTPUTS[estimator.out_activation_]
    if onnx_op is not None:
        activated = scope.get_unique_variable_name(onnx_op.lower())
        container.add_node(onnx_op, outputs, activated, name=scope.get_unique_operator_name(onnx_op))
        outputs = activated
    n_outputs = mlp.coefs_[-1].shape[1]
    apply_reshape(scope, outputs, operator.outputs[0].full_name, container, desired_shape=(-1, n_outputs))


update_registered_converter(
    MLPClassifier,
    "SkdeepMLPClassifier",
    _classifier_shapes,
    _convert_classifier,
    parser=_parse_classifier,
    options={"zipmap": [True, False, "columns"], "output_class_labels": [False, True], "nocl": [True, False]},
)
update_registered_converter(MLPRegressor, "SkdeepMLPRegressor", _regressor_shapes, _convert_regressor)

# the tabular estimators convert as the Pipeline they compute, where every piece converts
from . import _onnx_tabular  # noqa: E402, F401
