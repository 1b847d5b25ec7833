"""ONNX export of TabularMLPClassifier and TabularMLPRegressor (registered by
:mod:`skdeep.onnx`): the fitted ColumnTransformer and network as the scikit-learn
Pipeline they compute, converted by skl2onnx's own parsers.

A model converts when skl2onnx converts every piece of its preprocessing and it has one
member; otherwise the conversion raises NotImplementedError naming the piece.
"""

import copy

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from skl2onnx import update_registered_converter
from skl2onnx._parse import _parse_sklearn

from ._tabular import TabularMLPClassifier, TabularMLPRegressor, _pieces

#: skl2onnx has no converter for these; the parameters that avoid each
_UNSUPPORTED = {
    "SplineTransformer": "numeric_encoding='spline' (use 'standard' or 'kbins')",
    "MissingIndicator": "missing_indicator=True (use missing_indicator=False)",
}


def _as_pipeline(model):
    """The Pipeline that computes model's predictions: its preprocessor, then its one
    network (for the regressor, with the target's standardization folded into the
    output layer)."""
    check_is_fitted(model, "members_")
    name = type(model).__name__
    for piece in _pieces(model.preprocessor_):
        kind = type(piece).__name__
        if kind == "QuantileTransformer" and piece.output_distribution == "normal":
            raise NotImplementedError(
                f"Cannot convert {name} to ONNX: its preprocessing holds a QuantileTransformer "
                "with output_distribution='normal', which skl2onnx cannot convert; it comes from "
                "numeric_encoding='quantile' (use 'standard' or 'kbins')."
            )
        if kind in _UNSUPPORTED:
            raise NotImplementedError(
                f"Cannot convert {name} to ONNX: its preprocessing holds a {kind}, which "
                f"skl2onnx cannot convert; it comes from {_UNSUPPORTED[kind]}."
            )
    if len(model.members_) != 1:
        raise NotImplementedError(
            f"Cannot convert {name} to ONNX: it averages {len(model.members_)} networks "
            "(n_members and n_standard_members); the export takes one. Refit with "
            "n_members=1 and n_standard_members=0."
        )
    network = model.members_[0]
    columns = model.member_columns_[0]
    if columns is not None or isinstance(model, TabularMLPRegressor):
        network = copy.deepcopy(network)
    if columns is not None:
        # the network left out the columns that were zero in every row of fit: it
        # computes what it would with weights of 0 on them, so it takes the
        # preprocessing's whole output with those
        n_columns = max(block.stop for block in model.preprocessor_.output_indices_.values())
        first = np.zeros((n_columns, network.coefs_[0].shape[1]), dtype=network.coefs_[0].dtype)
        first[columns] = network.coefs_[0]
        network.coefs_[0] = first
        network.n_features_in_ = n_columns
    if isinstance(model, TabularMLPRegressor):
        if network.batch_norm:
            raise NotImplementedError(f"Cannot convert {name} to ONNX with batch_norm=True.")
        network.coefs_[-1] = network.coefs_[-1] * model.target_scale_
        network.intercepts_[-1] = network.intercepts_[-1] * model.target_scale_ + model.target_mean_
    return Pipeline([("preprocessor", model.preprocessor_), ("network", network)])


def _parse(scope, model, inputs, custom_parsers=None):
    pipeline = _as_pipeline(model)
    # the options given for the tabular estimator (zipmap, ...) are its network's
    options = (scope.options or {}).get(id(model))
    if options:
        scope.options[id(pipeline[-1])] = options
    return _parse_sklearn(scope, pipeline, inputs, custom_parsers=custom_parsers)


def _shapes(operator):  # pragma: no cover - the parser hands over to the Pipeline
    raise RuntimeError("skdeep's tabular estimators convert through their Pipeline")


def _convert(scope, operator, container):  # pragma: no cover - as _shapes
    raise RuntimeError("skdeep's tabular estimators convert through their Pipeline")


for _cls in (TabularMLPClassifier, TabularMLPRegressor):
    update_registered_converter(
        _cls, f"Skdeep{_cls.__name__}", _shapes, _convert, parser=_parse,
        options={"zipmap": [True, False, "columns"]} if _cls is TabularMLPClassifier else None,
    )  # fmt: skip
