"""ONNX export: after ``import skdeep.onnx``, skl2onnx converts skdeep's estimators
and onnxruntime reproduces predict and predict_proba.

Skips, with the reason, when skl2onnx or onnxruntime is not installed (``pip install
".[onnx]"``). Every comparison is against the estimator's own predictions on the
same rows: within 1e-5 when the graph computes in float32, to rounding in float64.
"""

import importlib
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REASON = 'skl2onnx and onnxruntime are not installed: pip install ".[onnx]"'
pytest.importorskip("skl2onnx", reason=REASON)
rt = pytest.importorskip("onnxruntime", reason=REASON)

from skl2onnx import convert_sklearn, to_onnx  # noqa: E402
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType  # noqa: E402

import skdeep.onnx  # noqa: E402  (registers skdeep's estimators with skl2onnx)
from skdeep import MLPClassifier, MLPRegressor  # noqa: E402
from skdeep._activations import ACTIVATIONS  # noqa: E402
from skdeep._losses import LOSSES  # noqa: E402

RNG = np.random.RandomState(0)
X = RNG.standard_normal((60, 5))
Y = {
    "binary": (X[:, 0] + X[:, 1] > 0).astype(int),
    "multiclass": np.array(["cat", "dog", "emu"])[np.argmax(X[:, :3], axis=1)],
    # two labels: skl2onnx's own MLP converter pads their probabilities to 4 columns
    "multilabel-2": np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int),
    "multilabel-3": np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0].astype(int),
    "regression": X @ [1.0, -2.0, 0.5, 0.0, 1.0],
    "multioutput": np.c_[X[:, 0] - X[:, 1], X[:, 2] * X[:, 3], X[:, 4]],
    "poisson": RNG.poisson(np.exp(0.5 * X[:, 0])),
}
TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}


def _estimator(kind, **params):
    params = {"hidden_layer_sizes": (6, 4), "max_iter": 30, "learning_rate_init": 0.01, "random_state": 0, **params}
    if kind in ("regression", "multioutput", "poisson"):
        params.setdefault("loss", "poisson" if kind == "poisson" else "squared_error")
        return MLPRegressor(**params)
    return MLPClassifier(**params)


def _session(onx):
    return rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])


def _run(onx, X):
    """onnxruntime's outputs by name."""
    session = _session(onx)
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def _convert(model, X):
    options = {"zipmap": False} if hasattr(model, "predict_proba") else None
    return to_onnx(model, X[:1], options=options)


def _assert_matches(model, X, tolerance=None):
    """onnxruntime's outputs on X equal model's predict (and predict_proba), within
    the tolerance of X's dtype unless given."""
    out = _run(_convert(model, X), X)
    tolerance = tolerance or TOLERANCE[X.dtype.type]
    if hasattr(model, "predict_proba"):
        np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), **tolerance)
        np.testing.assert_array_equal(out["label"], model.predict(X))
    else:
        expected = model.predict(X)
        np.testing.assert_allclose(out["variable"], expected.reshape(len(X), -1), **tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("kind", list(Y))
def test_onnxruntime_reproduces_the_predictions(kind, activation, dtype):
    # every activation of the registry: a new one fails here until it exports
    model = _estimator(kind, activation=activation).fit(X, Y[kind])
    _assert_matches(model, X.astype(dtype))


REGRESSION_LOSSES = sorted(name for name, loss in LOSSES.items() if loss.kind == "regression")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_every_regression_loss_exports_its_link(loss, dtype):
    # every loss of the registry: the identity or the exp output, as its link says;
    # two outputs, positive targets for every loss (the deviances need them)
    y = np.exp(0.5 * np.c_[X[:, 0], X[:, 1] - X[:, 2]]) + 0.1
    model = _estimator("multioutput", loss=loss, quantile=0.8, huber_delta=0.5).fit(X, y)
    assert model.out_activation_ == LOSSES[loss].out_activation
    onx = _convert(model, X.astype(dtype))
    assert any(node.op_type == "Exp" for node in onx.graph.node) == (model.out_activation_ == "exp")
    _assert_matches(model, X.astype(dtype))


@pytest.mark.parametrize("kind", ["multiclass", "multilabel-2", "multioutput"])
def test_a_model_trained_with_dropout(kind):
    model = _estimator(kind, keep_prob=(0.5, 0.8)).fit(X, Y[kind])
    _assert_matches(model, X.astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel-3", "multioutput", "poisson"])
def test_batch_norm_exports_as_a_plain_mlp(kind, solver, dtype):
    # each normalization by the running statistics is folded into its layer's weights
    # and biases: the graph is a plain MLP with predict's outputs
    model = _estimator(kind, batch_norm=True, solver=solver, batch_size=16).fit(X, Y[kind])
    assert all(np.any(m != 0) for m in model.batch_norm_means_)  # statistics were learned
    onx = _convert(model, X)
    assert not any(node.op_type == "BatchNormalization" for node in onx.graph.node)
    _assert_matches(model, X.astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["binary", "poisson"])
def test_a_model_trained_in_float32(kind, dtype):
    model = _estimator(kind).fit(X.astype(np.float32), Y[kind])
    assert model.coefs_[0].dtype == np.float32
    # predict computes in the wider of X's and the model's dtypes; a float64 graph
    # holds the same weights, exactly
    _assert_matches(model, X.astype(dtype), tolerance=TOLERANCE[np.float32])


@pytest.mark.parametrize("kind", ["multiclass", "multioutput"])
def test_a_pipeline_with_a_scaler(kind):
    pipeline = make_pipeline(StandardScaler(), _estimator(kind)).fit(100 * X + 50, Y[kind])
    _assert_matches(pipeline, (100 * X + 50).astype(np.float32))


@pytest.mark.parametrize("kind", ["multiclass", "regression"])
def test_convert_sklearn_with_initial_types(kind):
    model = _estimator(kind).fit(X, Y[kind])
    options = {"zipmap": False} if kind == "multiclass" else None
    if kind == "multiclass":
        name, expected = "probabilities", model.predict_proba(X)
    else:
        name, expected = "variable", model.predict(X)[:, None]
    for tensor_type, dtype in ((FloatTensorType, np.float32), (DoubleTensorType, np.float64)):
        onx = convert_sklearn(model, initial_types=[("X", tensor_type([None, X.shape[1]]))], options=options)
        np.testing.assert_allclose(_run(onx, X.astype(dtype))[name], expected, **TOLERANCE[dtype])


def test_zipmap_gives_a_dict_per_row():
    # skl2onnx's default for classifiers
    model = _estimator("multiclass").fit(X, Y["multiclass"])
    X32 = X.astype(np.float32)
    out = _run(to_onnx(model, X32[:1]), X32)
    rows = out["output_probability"]
    assert [sorted(row) for row in rows] == [list(model.classes_)] * len(X)
    as_array = np.array([[row[c] for c in model.classes_] for row in rows])
    np.testing.assert_allclose(as_array, model.predict_proba(X32), **TOLERANCE[np.float32])


@pytest.mark.parametrize("kind", list(Y))
def test_declared_output_shapes_are_the_outputs_shapes(kind):
    # a wrong declaration makes onnxruntime warn and fall back at every session
    model = _estimator(kind).fit(X, Y[kind])
    onx = _convert(model, X.astype(np.float32))
    outputs = _run(onx, X.astype(np.float32))
    for declared in onx.graph.output:
        dims = [d.dim_value if d.HasField("dim_value") else None for d in declared.type.tensor_type.shape.dim]
        actual = outputs[declared.name].shape
        assert len(dims) == len(actual), declared.name
        assert all(d in (None, a) for d, a in zip(dims, actual)), (declared.name, dims, actual)


def test_the_network_is_read_from_inference_layers():
    # what predict computes is what ONNX computes, even where the two differ from
    # coefs_ and intercepts_ (batch normalization folds itself in there)
    model = _estimator("multiclass").fit(X, Y["multiclass"])
    coefs, intercepts = model._inference_layers()
    before = model.predict_proba(X)
    model._inference_layers = lambda: ([2 * W for W in coefs], [b + 1 for b in intercepts])
    assert not np.allclose(model.predict_proba(X), before)
    _assert_matches(model, X.astype(np.float32))


def test_converting_leaves_the_estimator_alone():
    model = _estimator("multilabel-2").fit(X, Y["multilabel-2"])
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(model).items()}
    layers = [a.copy() for a in model.coefs_ + model.intercepts_]
    to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False})
    assert vars(model).keys() == before.keys()
    assert model.out_activation_ == before["out_activation_"] and model.activation == before["activation"]
    for now, then in zip(model.coefs_ + model.intercepts_, layers, strict=True):
        np.testing.assert_array_equal(now, then)


# ---------------------------------------------------------------------- what cannot convert


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_an_unfitted_estimator(cls):
    with pytest.raises(NotFittedError):
        to_onnx(cls(), X[:1].astype(np.float32))


@pytest.mark.parametrize("kind", ["binary", "regression"])
def test_an_activation_without_onnx_export_is_named(kind, monkeypatch):
    model = _estimator(kind, activation="tanh").fit(X, Y[kind])
    monkeypatch.setattr(skdeep.onnx, "HIDDEN_ACTIVATIONS", ("identity", "logistic", "relu"))
    with pytest.raises(NotImplementedError, match=r"activation='tanh' has no ONNX export"):
        to_onnx(model, X[:1].astype(np.float32))


def test_labels_beyond_int32_are_refused_and_nocl_gives_their_indices():
    # skl2onnx writes numeric labels as int32: 2**40 would come back as 0
    y = np.where(Y["binary"] == 1, 2**40, 7)
    model = _estimator("binary").fit(X, y)
    X32 = X.astype(np.float32)
    with pytest.raises(NotImplementedError, match=r"class labels .*1099511627776.*int32.*'nocl': True"):
        to_onnx(model, X32[:1], options={"zipmap": False})
    out = _run(to_onnx(model, X32[:1], options={"zipmap": False, "nocl": True}), X32)
    np.testing.assert_array_equal(out["label"], np.searchsorted(model.classes_, model.predict(X32)))
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X32), **TOLERANCE[np.float32])


def test_import_without_skl2onnx_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # import skl2onnx now fails
    monkeypatch.delitem(sys.modules, "skdeep.onnx")
    with pytest.raises(ImportError, match=r'pip install "\.\[onnx\]" from the skdeep checkout'):
        importlib.import_module("skdeep.onnx")
