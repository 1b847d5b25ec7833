"""TabularMLPClassifier and TabularMLPRegressor: sklearn's column transformers in front of
skdeep's MLP, with defaults chosen on a benchmark of real tabular data sets."""

import copy
import inspect
import numbers
import warnings
import weakref
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.interpolate import BSpline
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    KBinsDiscretizer,
    OneHotEncoder,
    QuantileTransformer,
    SplineTransformer,
    StandardScaler,
)
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _assert_all_finite, _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from ._docs import PARAMETERS, estimator_docstring
from ._mlp import _BATCH_NORM_ATTRIBUTES, MLPClassifier, MLPRegressor

#: numeric_encoding -> what the numeric columns become (see _numeric_pipeline)
NUMERIC_ENCODINGS = ("spline", "quantile", "standard", "kbins")

#: np.reshape's keyword for the new shape ('newshape' before NumPy 2.1)
_RESHAPE_SHAPE = "shape" if np.lib.NumpyVersion(np.__version__) >= "2.1.0" else "newshape"

_KBINS_HAS_QUANTILE_METHOD = "quantile_method" in inspect.signature(KBinsDiscretizer).parameters

#: c in the input scale s = 1 + c u of input_scaling: the optimizer's steps in s are c
#: times its steps in the weights (RealMLP-TD's learning-rate factor for its scaling
#: layer)
INPUT_SCALE_RATE = 6.0

#: fewer rows than this leave no validation set worth the name: no early stopping
MIN_ROWS_FOR_EARLY_STOPPING = 20


# ----------------------------------------------------------------- the columns


def _is_missing(value):
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType", "NaTType")


def _column_kind(name, values):
    """'numeric' or 'categorical' for one column of an object array, from its values:
    all numbers (or missing) is numeric, all strings (or missing) categorical.
    Raises a TypeError naming the column for values of any other type, or a mix."""
    kinds = set()
    for value in values:
        if _is_missing(value):
            continue
        if isinstance(value, (str, np.str_)):
            kinds.add("str")
        elif isinstance(value, (numbers.Real, np.bool_)):
            kinds.add("number")
        else:
            raise TypeError(
                f"Column {name!r} holds a value of type {type(value).__name__} ({value!r:.40}): "
                "each argument must be a string or a number (or missing). Convert the "
                "column, or drop it."
            )
    if kinds == {"str", "number"}:
        raise TypeError(
            f"Column {name!r} mixes strings and numbers: each argument must be a string or a "
            "number, one or the other in a column. Convert it, e.g. with .astype(str) for "
            "a categorical column."
        )
    return "categorical" if kinds == {"str"} else "numeric"


def _columns(X):
    """(names, list of 1-D arrays) of the columns of a DataFrame or 2-D array-like,
    and whether X is a DataFrame."""
    if hasattr(X, "columns") and hasattr(X, "iloc"):  # pandas
        return [str(c) for c in X.columns], [X.iloc[:, i] for i in range(X.shape[1])], True
    X = np.asarray(X) if not hasattr(X, "dtype") else X
    return [f"x{i}" for i in range(X.shape[1])], [X[:, i] for i in range(X.shape[1])], False


def _dtype_kind(name, column):
    """'numeric', 'categorical' or 'object' (decide by the values) for a column by its
    dtype; raises for dtypes that cannot be used, naming the column."""
    dtype = column.dtype
    kind = getattr(dtype, "kind", "O")
    if isinstance(dtype, np.dtype) and kind in "biuf":
        return "numeric"
    name_of_dtype = str(dtype)
    if name_of_dtype == "category":
        return "categorical"
    if name_of_dtype in ("string", "str") or name_of_dtype.startswith("string["):
        return "categorical"
    if name_of_dtype.lower() in ("boolean", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                 "uint64", "float32", "float64"):  # pandas' nullable numbers
        return "numeric"
    if kind == "O":
        return "object"
    if kind == "c":
        raise ValueError(f"Column {name!r} is complex ({dtype}): Complex data not supported.")
    raise TypeError(
        f"Column {name!r} has dtype {dtype}, which {{estimator}} cannot use: convert it to "
        "numbers (for dates, e.g. .dt.year, .dt.dayofyear) or to strings, or drop it."
    )


def _resolve_categorical(categorical_features, names, is_frame, n_features):
    """The user's categorical_features as a boolean mask, or None for 'from_dtype'."""
    if isinstance(categorical_features, str) and categorical_features == "from_dtype":
        return None
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    values = np.asarray(categorical_features)
    if values.size == 0:
        return np.zeros(n_features, dtype=bool)
    if values.dtype.kind == "b":
        if values.shape != (n_features,):
            raise ValueError(
                f"categorical_features as a boolean mask needs one value per column ({n_features}), "
                f"got {values.shape[0]}."
            )
        return values.copy()
    mask = np.zeros(n_features, dtype=bool)
    if values.dtype.kind in "iu":
        if values.min() < -n_features or values.max() >= n_features:
            raise ValueError(f"categorical_features indices must lie in [0, {n_features - 1}], got {values.tolist()}.")
        mask[values] = True
        return mask
    if values.dtype.kind in "UO" and all(isinstance(v, str) for v in values.ravel()):
        if not is_frame:
            raise ValueError(
                "categorical_features given by name needs X with column names (a DataFrame); "
                "pass indices or a boolean mask for an array."
            )
        for value in map(str, values.ravel()):
            if value not in names:
                raise ValueError(f"categorical_features names {value!r}, which is not a column of X: {names}.")
            mask[names.index(value)] = True
        return mask
    raise ValueError(
        f"categorical_features must be 'from_dtype', None, or column names, indices or a "
        f"boolean mask; got {categorical_features!r}."
    )


def _categorical_mask(X, categorical_features, estimator_name):
    """Which columns of X are categorical, from categorical_features and the dtypes,
    having checked that every column can be used (a clear error naming the column
    otherwise)."""
    names, columns, is_frame = _columns(X)
    forced = _resolve_categorical(categorical_features, names, is_frame, len(columns))
    mask = np.zeros(len(columns), dtype=bool)
    for i, (name, column) in enumerate(zip(names, columns)):
        try:
            kind = _dtype_kind(name, column)
            if kind == "object":
                kind = _column_kind(name, np.asarray(column, dtype=object))
        except TypeError as error:
            raise TypeError(str(error).replace("{estimator}", estimator_name)) from None
        if forced is None:
            mask[i] = kind == "categorical"
        else:
            if kind == "categorical" and not forced[i]:
                raise ValueError(
                    f"Column {name!r} holds strings but categorical_features does not list it: "
                    "add it, or use categorical_features='from_dtype'."
                )
            mask[i] = forced[i]
    return mask


def _numeric_pipeline(encoding, n_knots, n_samples, n_features, random_state, linear=True):
    """Median imputation, then the numeric columns' encoding: each column
    standardized (StandardScaler), beside (``linear``) its expansion:

    - 'spline': the column's quantile (uniform on [0, 1]) expanded into cubic
      B-splines on n_knots evenly spaced knots, so a unit of the first layer sees a
      smooth, piecewise function of the column's rank;
    - 'quantile': the quantile mapped to a standard normal;
    - 'kbins': one-hot of n_knots quantile bins;
    - 'standard': none.
    """
    # a column missing in every row is kept, as zeros: a constant, which the network
    # ignores, and the features' count stays what the encodings were built for
    imputer = SimpleImputer(strategy="median", keep_empty_features=True)
    n_quantiles = max(min(1000, n_samples), 2)
    if encoding == "standard":
        return Pipeline([("impute", imputer), ("scale", StandardScaler())])
    if encoding == "quantile":
        expansion = QuantileTransformer(n_quantiles=n_quantiles, output_distribution="normal", random_state=random_state)
    elif encoding == "kbins":
        # quantile_method came in scikit-learn 1.7 (its default then changed in 1.9)
        method = {"quantile_method": "averaged_inverted_cdf"} if _KBINS_HAS_QUANTILE_METHOD else {}
        expansion = KBinsDiscretizer(n_bins=n_knots, encode="onehot-dense", strategy="quantile", **method)
    else:
        uniform = QuantileTransformer(n_quantiles=n_quantiles, random_state=random_state)
        # fixed knots on [0, 1], where the quantiles lie: a constant column needs no
        # special case, and no value ever needs extrapolating ('continue' is the
        # cheapest option to predict with). Every column has the same knots, so one
        # SplineTransformer on the columns stacked into one computes them all: the
        # same values as one spline per column (a test checks), in one call where
        # sklearn would loop over the columns, which cost most of a small predict
        spline = SplineTransformer(degree=3, knots=np.linspace(0.0, 1.0, n_knots)[:, None], extrapolation="continue")
        n_basis = n_knots + 2  # cubic: n_knots + degree - 1 B-splines
        expansion = Pipeline([
            ("quantile", uniform),
            ("stack", FunctionTransformer(np.reshape, kw_args={_RESHAPE_SHAPE: (-1, 1)})),
            ("spline", spline),
            ("unstack", FunctionTransformer(np.reshape, kw_args={_RESHAPE_SHAPE: (-1, n_features * n_basis)})),
        ])  # fmt: skip
    if not linear:
        return Pipeline([("impute", imputer), (encoding, expansion)])
    both = FeatureUnion([("scale", StandardScaler()), (encoding, expansion)])
    return Pipeline([("impute", imputer), ("encode", both)])


# ----------------------------------------------------------------- the estimators


class _BaseTabularMLP(BaseEstimator):
    """The preprocessing, the members and their fit, shared by both estimators."""

    _parameter_constraints: dict = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "numeric_encoding": [StrOptions(set(NUMERIC_ENCODINGS))],
        "n_knots": [Interval(Integral, 2, None, closed="left")],
        "missing_indicator": ["boolean"],
        "linear_numeric": ["boolean"],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"relu", "tanh", "logistic", "identity"})],
        "solver": [StrOptions({"adam", "rmsprop", "sgd"})],
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "inverse_time", "exponential", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "decay_rate": [Interval(Real, 0, None, closed="left")],
        "init": [StrOptions({"auto", "he", "xavier", "glorot_uniform"})],
        "keep_prob": [Interval(Real, 0, 1, closed="right")],
        "batch_norm": ["boolean"],
        "input_scaling": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "n_standard_members": [Interval(Integral, 0, None, closed="left")],
        "standard_share": [Interval(Real, 0, 1, closed="both")],
        "dtype": [Options(type, {np.float32, np.float64})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        categorical_features="from_dtype",
        numeric_encoding="spline",
        n_knots=8,
        missing_indicator=False,
        linear_numeric=True,
        hidden_layer_sizes=(256,),
        activation="relu",
        solver="adam",
        alpha=(1.0, 10.0),
        batch_size=64,
        learning_rate="constant",
        learning_rate_init=3e-3,
        decay_rate=1.0,
        init="auto",
        keep_prob=1.0,
        batch_norm=False,
        input_scaling=True,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        n_members=3,
        n_standard_members=3,
        standard_share=1 / 3,
        dtype=np.float32,
        random_state=None,
        verbose=False,
    ):
        self.categorical_features = categorical_features
        self.numeric_encoding = numeric_encoding
        self.n_knots = n_knots
        self.missing_indicator = missing_indicator
        self.linear_numeric = linear_numeric
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.decay_rate = decay_rate
        self.init = init
        self.keep_prob = keep_prob
        self.batch_norm = batch_norm
        self.input_scaling = input_scaling
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.n_members = n_members
        self.n_standard_members = n_standard_members
        self.standard_share = standard_share
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ preprocessing

    def _make_preprocessor(self, X, is_categorical, seed):
        n_samples = X.shape[0]
        # columns by name for a DataFrame, else by (Python int) index: the forms
        # skl2onnx's ColumnTransformer parser maps to ONNX inputs
        # (a DataFrame's labels only when they are strings: the ColumnTransformer
        # reads integers as positions)
        by_name = hasattr(X, "columns") and all(isinstance(column, str) for column in X.columns)
        names = list(X.columns) if by_name else list(range(X.shape[1]))
        numeric = [names[i] for i in np.flatnonzero(~is_categorical)]
        categorical = [names[i] for i in np.flatnonzero(is_categorical)]
        transformers = []
        if len(numeric):
            pipeline = _numeric_pipeline(
                self.numeric_encoding, self.n_knots, n_samples, len(numeric), seed, self._keeps_standardized_columns()
            )
            transformers.append(("numeric", pipeline, numeric))
            if self.missing_indicator and _has_missing(X, numeric):
                indicator = MissingIndicator(features="missing-only", error_on_new=False)
                transformers.append(("missing", indicator, numeric))
        if len(categorical):
            encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
            transformers.append(("categorical", encoder, categorical))
        preprocessor = ColumnTransformer(transformers, sparse_threshold=0.0, verbose_feature_names_out=False)
        return preprocessor.set_output(transform="default")

    def _check_input(self, X, reset):
        """Feature names and counts as sklearn checks them; X as it is otherwise
        (the ColumnTransformer takes DataFrames and arrays)."""
        if sp.issparse(X):
            raise TypeError(f"{type(self).__name__} does not take sparse input; pass a DataFrame or a dense array.")
        if not (hasattr(X, "columns") and hasattr(X, "iloc")) and not hasattr(X, "shape"):
            X = np.asarray(X, dtype=object)
            if X.dtype == object:
                try:
                    X = X.astype(np.float64)
                except (TypeError, ValueError):
                    pass
        if getattr(X, "ndim", 2) != 2:
            raise ValueError(
                f"Expected a 2D array, got an array of {X.ndim} dimension(s). Reshape your data "
                "either using array.reshape(-1, 1) if your data has a single feature or "
                "array.reshape(1, -1) if it contains a single sample."
            )
        if reset or not self._has_the_fitted_columns(X):
            validate_data(self, X, reset=reset, skip_check_array=True)
        if X.shape[0] < 1:
            raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
        if X.shape[1] < 1:
            raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
        return X

    def _has_the_fitted_columns(self, X):
        """Whether X is a DataFrame with exactly the columns fit saw, in their order:
        what validate_data accepts without a word, checked without its cost (0.4 ms,
        a twentieth of a one-row predict). Anything else goes to validate_data, for
        its errors and warnings."""
        names = getattr(self, "feature_names_in_", None)
        columns = getattr(X, "columns", None)
        return (
            names is not None
            and columns is not None
            and len(columns) == len(names)
            and all(isinstance(column, str) and column == name for column, name in zip(columns, names))
        )

    def _numbers_as_array(self, X):
        """A DataFrame without categorical columns as one float array, as sklearn's
        own estimators take a DataFrame (the feature names are checked above):
        pandas' per-column checks in each transformer of the ColumnTransformer cost
        more than the transforms themselves on a few rows, and the values are the
        same (float32 where every column is float32, as SimpleImputer keeps it)."""
        if not hasattr(X, "iloc") or self.is_categorical_.any():
            return X
        dtype = np.float32 if all(dtype == np.float32 for dtype in X.dtypes) else np.float64
        return X.to_numpy(dtype=dtype, na_value=np.nan)

    def _transform(self, X):
        check_is_fitted(self, "preprocessor_")
        X = self._numbers_as_array(self._check_input(X, reset=False))
        # not cast to dtype: the networks then answer in the wider float64, so an
        # answer does not move in the last float32 bits with the rows' order or
        # number (BLAS rounds a row by its place among the others)
        if not isinstance(X, np.ndarray):
            return self.preprocessor_.transform(X)
        if hasattr(self, "feature_names_in_") and self.is_categorical_.any():
            # the ColumnTransformer was built on that DataFrame, its columns by name
            raise ValueError(
                f"This {type(self).__name__} was fitted on a DataFrame with categorical columns, "
                "which it finds by name: pass X as a DataFrame with the columns of fit "
                f"({list(self.feature_names_in_)[:5]}{', ...' if self.n_features_in_ > 5 else ''})."
            )
        return _transform_tree(self.preprocessor_, X)

    def _members_mean(self, X, method):
        """The members' ``method`` on X's preprocessing, each member on its columns of
        it (``member_columns_``), weighted by ``member_weights_``: in float64, as the
        members hold their weights (see _hold_in_float64). Equal weights are a plain
        mean, summed then divided."""
        Xt = self._transform(X)  # checks the fit first
        weights = self.member_weights_
        equal = bool(np.all(weights == weights[0]))
        inputs = {}  # a column set -> the members' input, sliced once
        P = None
        for member, columns, weight in zip(self.members_, self.member_columns_, weights):
            key = None if columns is None else columns.tobytes()
            if key not in inputs:
                inputs[key] = _columns_of(Xt, columns)
            out = getattr(member, method)(inputs[key])
            if not equal:
                out *= weight
            if P is None:
                P = out
            else:
                P += out
        if equal and len(self.members_) > 1:
            P /= len(self.members_)
        return P

    def _keeps_standardized_columns(self):
        """Whether the numeric pipeline keeps each column standardized beside its
        expansion: for linear_numeric, or for the standard members to take."""
        return self.linear_numeric or (self.n_standard_members > 0 and self.numeric_encoding != "standard")

    def _member_columns(self, Xt):
        """The columns of the preprocessing's output Xt that the expansion's members
        and the standard members take (None: all of them), from the
        ColumnTransformer's layout: its numeric block holds the standardized columns
        (one per numeric column, when kept) first, then the expansion. No standard
        members (None for them) where there is no expansion to leave out: no numeric
        column, or numeric_encoding 'standard'.

        Neither takes a column that is zero in every row of Xt: it would move
        nothing in training (its weights see the L2 penalty alone, whose optimum for
        them is 0), and it costs products (digits: 83 of its 704 columns, basis
        functions where no pixel's rank falls)."""
        everything = np.arange(Xt.shape[1])
        block = self.preprocessor_.output_indices_.get("numeric", slice(0, 0))
        expansion_columns, standard_columns = everything, None
        if self.numeric_encoding != "standard" and block.stop > block.start:
            n_scaled = int(np.count_nonzero(~self.is_categorical_)) if self._keeps_standardized_columns() else 0
            if not self.linear_numeric:  # the standardized columns are the standard members' alone
                expansion_columns = np.setdiff1d(everything, np.arange(block.start, block.start + n_scaled))
            if self.n_standard_members > 0:
                standard_columns = np.setdiff1d(everything, np.arange(block.start + n_scaled, block.stop))
        used = np.any(Xt != 0, axis=0)
        return _used_columns(expansion_columns, used), _used_columns(standard_columns, used)

    # ------------------------------------------------------------ fitting

    def _fit(self, X, y, sample_weight):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        X = self._check_input(X, reset=True)
        self.is_categorical_ = _categorical_mask(X, self.categorical_features, type(self).__name__)
        X = self._numbers_as_array(X)
        y = self._validate_targets(y, X.shape[0])
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, np.empty((X.shape[0], 0)), ensure_non_negative=True)
        alphas = self._alphas()
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_members + 1)
        with warnings.catch_warnings():
            # a column with fewer distinct values than n_quantiles (or than the bins of
            # 'kbins', which merges the empty ones) is no news
            warnings.filterwarnings("ignore", message="n_quantiles", category=UserWarning)
            warnings.filterwarnings("ignore", message="Bins whose width are too small", category=UserWarning)
            self.preprocessor_ = self._make_preprocessor(X, self.is_categorical_, int(seeds[-1]))
            Xt = self.preprocessor_.fit_transform(X).astype(self.dtype, copy=False)
        # the members: n_members on the expansion (and the standardized columns, with
        # linear_numeric), then n_standard_members on the standardized columns alone,
        # each group's mean weighted by standard_share; each member its own seed
        expansion_columns, standard_columns = self._member_columns(Xt)
        n_standard = self.n_standard_members if standard_columns is not None else 0
        standard_seeds = rng.randint(np.iinfo(np.int32).max, size=n_standard)
        X_expansion = _columns_of(Xt, expansion_columns)
        X_standard = _columns_of(Xt, standard_columns) if n_standard else None
        plan = [(int(seed), expansion_columns, X_expansion) for seed in seeds[:-1]]
        plan += [(int(seed), standard_columns, X_standard) for seed in standard_seeds]
        Y = self._encode_y(y, sample_weight)
        early = self.early_stopping and Xt.shape[0] >= MIN_ROWS_FOR_EARLY_STOPPING
        # a search over alpha: every member trains with each value, and the value
        # whose members have the lowest data loss on all their validation rows
        # together is kept (each member holds out its own tenth: pooled, the search
        # measures on three tenths of the rows for three members, not on one).
        # Without validation rows nothing measures: the strongest L2 alone.
        searched = range(len(alphas)) if early else [int(np.argmax(alphas))]
        losses = np.full(len(alphas), np.nan)
        best, kept = None, None
        for i in searched:
            fitted = [
                self._fit_member(X_member, Y, sample_weight, seed, alphas[i], early) for seed, _, X_member in plan
            ]
            if early:
                # a member's loss at the epoch it kept, as its early stopping measured
                # it: the mean data loss (no L2 term) over its weighted validation rows
                weight_sum = sum(weight for _, weight in fitted)
                loss_sum = sum(-member.best_validation_score_ * weight for member, weight in fitted)
                losses[i] = loss_sum / weight_sum if weight_sum > 0 else np.nan
            # strictly lower wins: the first value keeps ties (and NaN losses)
            if best is None or losses[i] < losses[best]:
                best, kept = i, [member for member, _ in fitted]
        self.members_ = kept
        self.member_columns_ = [columns for _, columns, _ in plan]
        expansion_share = 1.0 - self.standard_share if n_standard else 1.0
        weights = [expansion_share / self.n_members] * self.n_members
        if n_standard:
            weights += [self.standard_share / n_standard] * n_standard
        self.member_weights_ = np.array(weights)
        for member in self.members_:
            _hold_in_float64(member)
        self.alpha_ = alphas[best]
        self.validation_losses_ = losses
        self.n_iter_ = [member.n_iter_ for member in self.members_]
        return self

    def _fit_member(self, Xt, Y, sample_weight, seed, alpha, early):
        """One member, with its own validation split (from its seed) for early
        stopping, and the sum of its validation rows' weights (0 without them)."""
        train, weight_sum = np.arange(Xt.shape[0]), 0.0
        fit_params = {}
        if early:
            train, val = self._split(Y, seed)
            fit_params = dict(X_val=Xt[val], y_val=Y[val])
            weights_val = self._validation_weights(Y, sample_weight)
            if weights_val is not None:
                fit_params["sample_weight_val"] = weights_val[val]
            weight_sum = float(len(val) if weights_val is None else weights_val[val].sum())
        weights = None if sample_weight is None else sample_weight[train]
        member = self._make_member(seed, alpha, early, len(train))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            member.fit(Xt[train], Y[train], sample_weight=weights, **fit_params)
        return member, weight_sum

    def _validation_weights(self, Y, sample_weight):
        """The weights of the rows in the validation loss: the training loss's."""
        return sample_weight

    def _alphas(self):
        alphas = np.atleast_1d(np.asarray(self.alpha, dtype=float))
        if alphas.ndim != 1 or not len(alphas) or not (np.isfinite(alphas) & (alphas >= 0)).all():
            raise ValueError(f"alpha must be a non-negative float or a sequence of them, got {self.alpha!r}.")
        return [float(a) for a in alphas]

    def _make_member(self, seed, alpha, early, n_train):
        # batches of at most the training rows: small data is one batch, without the
        # MLP's warning about clipping batch_size
        batch_size = self.batch_size if self.batch_size == "auto" else min(self.batch_size, n_train)
        params = dict(
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            solver=self.solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=self.learning_rate,
            learning_rate_init=self.learning_rate_init,
            decay_rate=self.decay_rate,
            init=self.init,
            keep_prob=self.keep_prob,
            batch_norm=self.batch_norm,
            max_iter=self.max_iter,
            early_stopping=early,
            scoring="loss" if early else None,
            n_iter_no_change=self.n_iter_no_change,
            random_state=seed,
            verbose=self.verbose,
        )
        member = self._member_class(**params, **self._member_params())
        if self.input_scaling:
            member._input_scale = INPUT_SCALE_RATE
        return member

    def _member_params(self):
        return {}

    def _split(self, Y, seed):
        """Training and validation rows for early stopping: validation_fraction of
        them, stratified by class where each class has two rows or more; a class
        whose rows all landed in the validation set goes back to training."""
        n = Y.shape[0]
        rng = np.random.RandomState(seed)
        order = rng.permutation(n)
        n_val = max(int(round(self.validation_fraction * n)), 1)
        if self._stratify:
            labels = Y if Y.ndim == 1 else Y[:, 0]
            # each class's rows in random order, then every class interleaved by rank
            # within the class: the first n_val of that order are a stratified sample
            _, codes = np.unique(labels[order], return_inverse=True)
            ranks = np.empty(n)
            for c in range(codes.max() + 1):
                rows = np.flatnonzero(codes == c)
                ranks[rows] = (np.arange(len(rows)) + rng.uniform()) / len(rows)
            order = order[np.argsort(ranks, kind="stable")]
        val = np.zeros(n, dtype=bool)
        val[order[:n_val]] = True
        if self._stratify:
            labels = Y if Y.ndim == 1 else Y[:, 0]
            missing = np.setdiff1d(labels, labels[~val])
            val[np.isin(labels, missing)] = False
        return np.flatnonzero(~val), np.flatnonzero(val)

    # ------------------------------------------------------------ saving

    def __getstate__(self):
        """The state pickle, joblib and skops save, with each SplineTransformer's
        B-splines as plain arrays: scipy's BSpline objects would make skops ask to
        trust scipy's private modules."""
        state = dict(super().__getstate__())  # object's may be __dict__ itself
        preprocessor = state.get("preprocessor_")
        if preprocessor is not None and _spline_transformers(preprocessor):
            preprocessor = copy.deepcopy(preprocessor)
            for spline in _spline_transformers(preprocessor):
                spline.bsplines_ = [
                    {"t": b.t, "c": b.c, "k": int(b.k), "extrapolate": b.extrapolate} for b in spline.bsplines_
                ]
            state["preprocessor_"] = preprocessor
        return state

    def __setstate__(self, state):
        preprocessor = state.get("preprocessor_")
        if preprocessor is not None:
            for spline in _spline_transformers(preprocessor):
                spline.bsplines_ = [BSpline(**b) if isinstance(b, dict) else b for b in spline.bsplines_]
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.non_deterministic = False
        return tags


def _used_columns(columns, used):
    """The index array ``columns`` without those ``used`` marks False, or None when
    that is every column ``used`` has. Kept whole when none is used: a network
    needs an input. None stays None (no such members)."""
    if columns is None:
        return None
    kept = columns[used[columns]]
    if len(kept) == 0:
        kept = columns
    return None if len(kept) == len(used) else kept


def _hold_in_float64(member):
    """A member's weights (and batch-norm parameters) in float64, the same values:
    prediction computes in float64 (see _transform), and would otherwise cast them at
    every call (0.2 ms a member for 704 x 256 weights)."""
    for name in ("coefs_", "intercepts_", *_BATCH_NORM_ATTRIBUTES):
        arrays = getattr(member, name, None)
        if arrays is not None:
            setattr(member, name, [a.astype(np.float64) for a in arrays])


def _transform_tree(estimator, X):
    """``estimator.transform(X)`` for the fitted preprocessing of an array: each of
    its scikit-learn transformers transforms what the ColumnTransformer, Pipeline or
    FeatureUnion around it would give it, and their outputs are stacked as those
    stack them (np.hstack, in their order), with the same values bit for bit (a
    test compares). The meta-estimators' own transform adds a joblib dispatch, a
    copy of the configuration and output wrapping at every level: about 3 ms a
    call, more than the transforms of 100 rows of 64 columns. X's features were
    checked already (validate_data on the estimator), and the ColumnTransformer's
    columns are positions (it was built on an array, see _transform)."""
    if isinstance(estimator, ColumnTransformer):
        parts = [
            _columns_of(X, columns) if isinstance(transformer, str) else _transform_tree(transformer, _columns_of(X, columns))
            for _, transformer, columns in estimator.transformers_
            if not (isinstance(transformer, str) and transformer == "drop") and len(columns)
        ]  # fmt: skip
        return parts[0] if len(parts) == 1 and parts[0] is not X else np.hstack(parts)
    if isinstance(estimator, Pipeline):
        for step in _children(estimator):
            if step is not None and not (isinstance(step, str) and step == "passthrough"):
                X = _transform_tree(step, X)
        return X
    if isinstance(estimator, FeatureUnion) and estimator.transformer_weights is None:
        return np.hstack([
            _transform_tree(transformer, X) for transformer in _children(estimator)
            if not (isinstance(transformer, str) and transformer == "drop")
        ])  # fmt: skip
    if _quantile_uniform_applies(estimator, X):
        return _quantile_uniform(estimator, X)
    if _splines_apply(estimator, X):
        return _splines(estimator, X)
    return estimator.transform(X)


def _quantile_uniform_applies(estimator, X):
    return (
        type(estimator) is QuantileTransformer
        and estimator.output_distribution == "uniform"
        and estimator.quantiles_.shape[0] >= 2
        and isinstance(X, np.ndarray)
        and X.dtype.char in "fd"  # float32, float64
    )


def _quantile_uniform(transformer, X):
    """``transformer.transform(X)`` for a fitted QuantileTransformer with uniform
    output and a dense float X, the same values bit for bit (a test compares), for
    all the columns at once: sklearn loops over the columns, with two np.interp
    calls and five masks each (15 µs a column, half the preprocessing of 100 rows
    of 64 numeric columns). X was checked by the imputer before it (finite or NaN).

    sklearn maps x to 0.5 (interp(x, q, r) - interp(-x, -q[::-1], -r[::-1])) with
    q a column's quantiles and r the references (0 to 1), then sets x == q[0] to 0
    and x == q[-1] to 1. np.interp finds j, the last quantile q[j] <= x, and gives
    r[j] when x == q[j], else s (x - q[j]) + r[j] with the slope
    s = (r[j+1] - r[j]) / (q[j+1] - q[j]). The reversed call meets the same
    segment from its other end, with the same slope (negation is exact), and gives
    -(s (q[j+1] - x) - r[j+1]), or -r[i] for x == q[i] with i the first quantile
    equal to x (a run of equal quantiles: a value repeated in fit). Values below
    q[0] or above q[-1] take r's ends both ways, so 0 and 1; NaN stays NaN.

    On digits (64 columns of 17 values), 100 rows: 0.32 ms against sklearn's 1.02."""
    quantiles, references = transformer.quantiles_, transformer.references_
    n_quantiles, n_features = quantiles.shape
    x = X.astype(np.float64, copy=False)
    above = np.empty(x.shape[::-1], dtype=np.intp)  # per column, the count of quantiles <= x
    for column, values, count in zip(quantiles.T, np.ascontiguousarray(x.T), above):
        count[:] = column.searchsorted(values, side="right")
    j = np.clip(above.T - 1, 0, n_quantiles - 2)  # x's segment [q0, q1]; the ends clip
    at = j * n_features + np.arange(n_features)
    q0, q1 = quantiles.ravel().take(at), quantiles.ravel().take(at + n_features)
    r0, r1 = references.take(j), references.take(j + 1)
    with np.errstate(all="ignore"):  # a run of equal quantiles: 0/0, not taken below
        slope = (r1 - r0) / (q1 - q0)
        Xt = 0.5 * ((slope * (x - q0) + r0) - (slope * (q1 - x) - r1))
    # x is a quantile: q0 is the last of its run
    on_run = 0.5 * (r0 + references.take(_run_starts(transformer).ravel().take(at)))
    Xt = np.where(x == q0, on_run, Xt)
    Xt[x >= quantiles[-1]] = 1.0
    Xt[x <= quantiles[0]] = 0.0
    return Xt.astype(X.dtype, copy=False)


def _splines_apply(estimator, X):
    return (
        type(estimator) is SplineTransformer
        and estimator.extrapolation == "continue"
        and not estimator.sparse_output
        and estimator.order == "C"
        and isinstance(X, np.ndarray)
        and X.dtype.char in "fd"  # float32, float64
        and X.shape[1] == len(estimator.bsplines_)
        and all(np.all(np.diff(spline.t) > 0) for spline in estimator.bsplines_)
        and not np.isnan(X).any()  # sklearn's error, or its handle_missing
    )


def _splines(transformer, X):
    """``transformer.transform(X)`` for a fitted SplineTransformer with
    extrapolation='continue' and distinct knots, and a dense float X without NaN:
    the same values bit for bit (a test compares), each feature's B-splines for all
    rows at once. sklearn evaluates a scipy BSpline whose coefficients are the
    identity, so each basis function's value is de Boor's recursion for x's knot
    interval, which is repeated here step for step on arrays, the interval clipped
    to the end ones outside the knots as scipy extrapolates (digits, 6,400 values:
    0.16 ms against 0.41).

    In the interval t[l] <= x < t[l+1], the degree-j functions h[0..j] come from
    those of degree j - 1 (hh): with w = hh[m-1] / (t[l+m] - t[l+m-j]),
    h[m-1] += w (t[l+m] - x) and h[m] = w (x - t[l+m-j]); they are the basis
    functions l-k ... l, the others 0."""
    n_rows = X.shape[0]
    n_splines = transformer.bsplines_[0].c.shape[1]
    out = np.zeros((n_rows, X.shape[1] * n_splines))
    flat = out.ravel()
    for feature, spline in enumerate(transformer.bsplines_):
        t, k = spline.t, spline.k
        x = X[:, feature].astype(np.float64)
        interval = np.clip(np.searchsorted(t, x, side="right") - 1, k, len(t) - k - 2)
        h = [np.ones(n_rows)]
        for j in range(1, k + 1):
            hh, h = h, [np.zeros(n_rows)] + [None] * j
            for m in range(1, j + 1):
                right, left = t.take(interval + m), t.take(interval + m - j)
                w = hh[m - 1] / (right - left)
                h[m - 1] = h[m - 1] + w * (right - x)
                h[m] = w * (x - left)
        first = np.arange(n_rows) * out.shape[1] + feature * n_splines + interval - k
        for m in range(k + 1):
            flat[first + m] = h[m]
    if not transformer.include_bias:  # sklearn drops each feature's last function
        out = out[:, [j for j in range(out.shape[1]) if (j + 1) % n_splines != 0]]
    return out.astype(X.dtype, copy=False)


#: QuantileTransformer -> (its quantiles_, their run starts): computed at its first
#: prediction, kept while it lives and its quantiles_ stay the same array
_RUN_STARTS = weakref.WeakKeyDictionary()


def _run_starts(transformer):
    """For each of a fitted QuantileTransformer's quantiles, the row of the first
    quantile of its column equal to it, shape of quantiles_ (a value repeated in
    fit makes a run of equal quantiles)."""
    quantiles = transformer.quantiles_
    cached = _RUN_STARTS.get(transformer)
    if cached is not None and cached[0] is quantiles:
        return cached[1]
    starts = np.ones(quantiles.shape, dtype=bool)
    starts[1:] = quantiles[1:] != quantiles[:-1]
    runs = np.maximum.accumulate(np.where(starts, np.arange(len(quantiles))[:, None], 0), axis=0)
    _RUN_STARTS[transformer] = (quantiles, runs)
    return runs


def _columns_of(X, columns):
    """X[:, columns], or X itself for None or all of X's columns in order (a
    member that takes every column; a table of numbers alone at the
    ColumnTransformer). Nothing downstream writes into it: the transformers copy
    what they change."""
    if columns is None or (len(columns) == X.shape[1] and all(i == column for i, column in enumerate(columns))):
        return X
    return X[:, columns]


def _children(estimator):
    """The transformers directly inside a (fitted) ColumnTransformer, Pipeline or
    FeatureUnion, strings ('drop', 'passthrough') included; none for a transformer."""
    if isinstance(estimator, ColumnTransformer):
        return [t for _, t, _ in getattr(estimator, "transformers_", [])]
    if isinstance(estimator, Pipeline):
        return [t for _, t in estimator.steps]
    if isinstance(estimator, FeatureUnion):
        return [t for _, t in estimator.transformer_list]
    return []


def _pieces(estimator):
    """The estimator and every transformer inside it, depth first."""
    inner = [child for child in _children(estimator) if child is not None and not isinstance(child, str)]
    return [estimator] + [piece for child in inner for piece in _pieces(child)]


def _spline_transformers(estimator):
    """The fitted SplineTransformers inside a ColumnTransformer, Pipeline or FeatureUnion."""
    return [piece for piece in _pieces(estimator) if isinstance(piece, SplineTransformer) and hasattr(piece, "bsplines_")]


def _has_missing(X, columns):
    if hasattr(X, "iloc"):
        return bool(X[columns].isna().to_numpy().any())
    values = np.asarray(X)[:, columns]
    if values.dtype == object:
        return any(_is_missing(v) for v in values.ravel())
    return bool(np.isnan(values.astype(float)).any())


def _mlp_entry(name, type_line):
    """The MLP's description of a parameter the tabular estimators pass on unchanged,
    under the tabular estimators' own type line (their defaults differ)."""
    return type_line, PARAMETERS[name][1]


#: parameter -> (its numpydoc type line, its description), see _docs
TABULAR_PARAMETERS = {
    "categorical_features": (
        "'from_dtype', None, or array-like of str, int or bool, default='from_dtype'",
        """
        The categorical columns, one-hot encoded (a missing value is a category of its
        own; a category unseen in fit encodes as all zeros). 'from_dtype': the
        columns of a DataFrame whose dtype is category, string or object, and the
        columns of an object array that hold strings. Otherwise the columns' names,
        their indices, or a boolean mask; None, no categorical column.
        """,
    ),
    "numeric_encoding": (
        "{'spline', 'quantile', 'standard', 'kbins'}, default='spline'",
        """
        The numeric columns, after median imputation: 'spline', each column's quantile
        (sklearn's QuantileTransformer, uniform) expanded into cubic B-splines
        (SplineTransformer) on ``n_knots`` evenly spaced knots; 'quantile', the
        quantile mapped to a standard normal; 'standard', StandardScaler alone;
        'kbins', one-hot of ``n_knots`` quantile bins (KBinsDiscretizer).
        """,
    ),
    "n_knots": ("int, default=8", "Knots of 'spline' (n_knots + 2 features per column); bins of 'kbins'."),
    "missing_indicator": (
        "bool, default=False",
        """
        Add a 0/1 column for each numeric column with missing values in fit
        (sklearn's MissingIndicator), so the network can tell an imputed value. Off
        by default: on the benchmark it did not help on the data sets with missing
        values.
        """,
    ),
    "linear_numeric": (
        "bool, default=True",
        """
        Keep each numeric column, standardized (StandardScaler), beside its
        ``numeric_encoding`` expansion, so the network also sees the value itself
        (for 'standard', the expansion is that column already).
        """,
    ),
    "hidden_layer_sizes": _mlp_entry("hidden_layer_sizes", "array-like of shape (n_layers - 2,), default=(256,)"),
    "activation": _mlp_entry("activation", "{'identity', 'logistic', 'tanh', 'relu'}, default='relu'"),
    "solver": (
        "{'adam', 'rmsprop', 'sgd'}, default='adam'",
        "The members' stochastic optimizer, as skdeep's MLP's (mini-batches, early stopping).",
    ),
    "alpha": (
        "float or sequence of float, default={default}",
        """
        L2 strength, as skdeep's MLP: the cost carries alpha / (2 n) times the sum
        of squared weights, n the number of training rows. A sequence is a search:
        every member trains with each value on its own split, and the value whose
        members have the lowest data loss over all their validation rows together
        (without the L2 term) is kept for all of them (``alpha_``,
        ``validation_losses_``). Each value costs a fit. Without a validation set
        (``early_stopping=False``, or fewer than 20 rows) nothing measures the
        values, and the largest is used. The regressor searches (1, 10) by
        default, the classifier takes 10: on the benchmark the search raised the
        regressors' scores and left the classifiers' where they were, at twice
        the fit (see the Tabular data page).
        """,
    ),
    "batch_size": _mlp_entry("batch_size", "int or 'auto', default=64"),
    "learning_rate": _mlp_entry(
        "learning_rate", "{'constant', 'invscaling', 'adaptive', 'inverse_time', 'exponential'}, default='constant'"
    ),
    "learning_rate_init": _mlp_entry("learning_rate_init", "float, default=3e-3"),
    "decay_rate": _mlp_entry("decay_rate", "float, default=1.0"),
    "init": (
        "{'auto', 'he', 'xavier', 'glorot_uniform'}, default='auto'",
        "The members' initialization, as skdeep's MLP: 'auto' is sklearn's Glorot-uniform scheme.",
    ),
    "keep_prob": (
        "float, default=1.0",
        "Inverted dropout's keep probability on the hidden layers during training (1: no dropout).",
    ),
    "batch_norm": ("bool, default=False", "Batch normalization of the hidden layers, as skdeep's MLP's."),
    "input_scaling": (
        "bool, default=True",
        """
        Learn a scale per input feature in front of the first layer (RealMLP-TD's
        scaling layer): the first layer sees feature j times s_j, s_j starting at 1,
        outside the L2 term and stepped 6 times as far as the weights. The L2 term
        then shrinks the weights of the features that do not help more than those of
        the features that do. At the end of fit s is folded into the first layer's
        weights, so the members are plain MLPs. On the benchmark it raised the
        mean score a little (higher on 12 of 16 sets) at 1.1 times the fit, and
        was level on the data sets kept out of the tuning (see the Tabular data
        page).
        """,
    ),
    "max_iter": ("int, default=200", "The most epochs each member trains."),
    "early_stopping": (
        "bool, default=True",
        """
        Hold out ``validation_fraction`` of the rows (stratified for a classifier),
        stop once the validation data loss has not improved for ``n_iter_no_change``
        epochs, and keep the weights of its best epoch. Below 20 rows, no rows are
        held out and every one of ``max_iter`` epochs runs.
        """,
    ),
    "validation_fraction": ("float, default=0.1", "The share of the rows each member holds out for early stopping."),
    "n_iter_no_change": (
        "int, default=10",
        "Epochs in a row without a lower validation data loss (by tol=1e-4) after which a member stops.",
    ),
    "n_members": (
        "int, default=3",
        """
        Networks trained on the whole encoding, each from its own initial weights and
        on its own validation split; their predictions are averaged.
        """,
    ),
    "n_standard_members": (
        "int, default=3",
        """
        More networks, which see the numeric columns only standardized (as
        ``numeric_encoding='standard'`` encodes them), without the expansion; the
        other columns as the first ones do. Their mean is averaged with the first
        networks' by ``standard_share``. Smoother than the expansion's networks,
        they temper them where a column's effect is close to linear: on the
        benchmark the two together scored higher than either (see the Tabular data
        page). None are trained where there is no expansion to leave out
        (``numeric_encoding='standard'``, or no numeric column).
        """,
    ),
    "standard_share": (
        "float, default=1/3",
        """
        The weight of the standard networks' mean in the prediction; the first
        networks' mean weighs 1 - standard_share.
        """,
    ),
    "dtype": (
        "{np.float32, np.float64}, default=np.float32",
        """
        The precision the networks train in: the preprocessing's output (float64
        for float64 input) is cast to it for fit. float32 cut the median fit time by
        a quarter at the same scores on the benchmark. The trained weights are then
        held in float64 (the same values), and prediction computes in float64, so
        an answer is the same whatever rows come with it.
        """,
    ),
    "class_weight": _mlp_entry("class_weight", "dict, 'balanced' or None, default=None"),
    "random_state": (
        "int, RandomState instance or None, default=None",
        "Draws every member's seed and the quantile transformer's subsample: an int gives identical fits.",
    ),
    "verbose": ("bool, default=False", "Print each member's training loss after each epoch, as skdeep's MLP."),
}

#: fitted attribute -> (its numpydoc type line, its description)
TABULAR_ATTRIBUTES = {
    "preprocessor_": ("ColumnTransformer", "The fitted preprocessing, from X to the networks' input."),
    "members_": (
        "list of MLPClassifier or MLPRegressor",
        "The fitted networks: the n_members on the whole encoding, then the standard ones.",
    ),
    "member_columns_": (
        "list of ndarray of int or None",
        """
        For each member, the columns of ``preprocessor_``'s output it takes (None:
        all of them): the standard members' leave out the expansion, and no member
        takes a column that was zero in every row of fit.
        """,
    ),
    "member_weights_": (
        "ndarray of shape (n_members_trained,)",
        "Each member's weight in the prediction, a weighted mean of the members' (the weights sum to 1).",
    ),
    "is_categorical_": (
        "ndarray of bool of shape (n_features,)",
        "Which columns of X were one-hot encoded.",
    ),
    "n_iter_": ("list of int", "Epochs each member trained."),
    "alpha_": ("float", "The members' alpha: the search's choice when alpha is a sequence."),
    "validation_losses_": (
        "ndarray of shape (n_alphas,)",
        (
            "For each value of alpha, its members' data loss on all their validation rows "
            "at the epochs they kept (the MLPs' validation data loss: log loss, or half the "
            "squared error of the standardized target); NaN where it was not measured (no "
            "validation set)."
        ),
    ),
    "classes_": ("ndarray of shape (n_classes,)", "The class labels."),
    "target_mean_": (
        "ndarray of shape (n_outputs,)",
        "The target's (weighted) mean, which the standardized target is centred by.",
    ),
    "target_scale_": (
        "ndarray of shape (n_outputs,)",
        """
        The target's (weighted) standard deviation (1 for a constant output):
        predictions are the networks' mean times ``target_scale_`` plus
        ``target_mean_``.
        """,
    ),
    "n_features_in_": ("int", "Number of features seen during fit."),
    "feature_names_in_": (
        "ndarray of shape (n_features,)",
        "Names of the features seen during fit; only for X with column names, such as a DataFrame.",
    ),
}


class TabularMLPClassifier(ClassifierMixin, _BaseTabularMLP):
    __module__ = "skdeep"

    _parameter_constraints: dict = {
        **_BaseTabularMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _member_class = MLPClassifier
    _stratify = True

    def __init__(
        self,
        *,
        categorical_features="from_dtype",
        numeric_encoding="spline",
        n_knots=8,
        missing_indicator=False,
        linear_numeric=True,
        hidden_layer_sizes=(256,),
        activation="relu",
        solver="adam",
        alpha=10.0,
        batch_size=64,
        learning_rate="constant",
        learning_rate_init=3e-3,
        decay_rate=1.0,
        init="auto",
        keep_prob=1.0,
        batch_norm=False,
        input_scaling=True,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        n_members=3,
        n_standard_members=3,
        standard_share=1 / 3,
        dtype=np.float32,
        class_weight=None,
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            categorical_features=categorical_features,
            numeric_encoding=numeric_encoding,
            n_knots=n_knots,
            missing_indicator=missing_indicator,
            linear_numeric=linear_numeric,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            decay_rate=decay_rate,
            init=init,
            keep_prob=keep_prob,
            batch_norm=batch_norm,
            input_scaling=input_scaling,
            max_iter=max_iter,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            n_members=n_members,
            n_standard_members=n_standard_members,
            standard_share=standard_share,
            dtype=dtype,
            random_state=random_state,
            verbose=verbose,
        )
        self.class_weight = class_weight

    def _member_params(self):
        return {"class_weight": self.class_weight}

    def _validation_weights(self, y, sample_weight):
        """sample_weight times class_weight, as the training loss weighs the rows."""
        if self.class_weight is None:
            return sample_weight
        weights = compute_sample_weight(self.class_weight, y)
        return weights if sample_weight is None else weights * sample_weight

    def _validate_targets(self, y, n_samples):
        y = column_or_1d(np.asarray(y) if not hasattr(y, "shape") else y, warn=True)
        if len(y) != n_samples:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: [{n_samples}, {len(y)}]"
            )
        if y.dtype.kind in "fc":
            _assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {self.classes_[0]!r}."
            )
        return y

    def _encode_y(self, y, sample_weight):
        return y

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the preprocessing and the networks.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes): the members' mean."""
        return self._members_mean(X, "predict_proba")

    def predict(self, X):
        """Class labels, shape (n_samples,)."""
        check_is_fitted(self, "members_")
        if len(self.members_) == 1:
            return self.members_[0].predict(_columns_of(self._transform(X), self.member_columns_[0]))
        return self.classes_.take(self.predict_proba(X).argmax(axis=1))

    def predict_log_proba(self, X):
        """Log of predict_proba."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class TabularMLPRegressor(RegressorMixin, _BaseTabularMLP):
    __module__ = "skdeep"

    _member_class = MLPRegressor
    _stratify = False

    def _validate_targets(self, y, n_samples):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{type(self).__name__} needs numeric y; got values of dtype {y.dtype}.") from None
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
        if len(y) != n_samples:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: [{n_samples}, {len(y)}]"
            )
        _assert_all_finite(y, input_name="y")
        return y

    def _encode_y(self, y, sample_weight):
        weights = None if sample_weight is None else sample_weight
        columns = y.reshape(len(y), -1)
        self.target_mean_ = np.average(columns, axis=0, weights=weights)
        scale = np.sqrt(np.average((columns - self.target_mean_) ** 2, axis=0, weights=weights))
        self.target_scale_ = np.where(scale > 0, scale, 1.0)
        return ((columns - self.target_mean_) / self.target_scale_).reshape(y.shape)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the preprocessing and the networks.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X):
        """Predictions, shape (n_samples,) or (n_samples, n_outputs)."""
        P = self._members_mean(X, "predict")
        if P.ndim == 1:
            return P * self.target_scale_[0] + self.target_mean_[0]
        return P * self.target_scale_ + self.target_mean_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


def _tabular_docstring(cls, summary, attributes):
    signature = inspect.signature(cls.__init__).parameters
    parameters = [name for name in signature if name != "self"]
    type_line, description = TABULAR_PARAMETERS["alpha"]
    entries = {**TABULAR_PARAMETERS, "alpha": (type_line.format(default=signature["alpha"].default), description)}
    return estimator_docstring(
        summary, parameters, attributes, parameter_entries=entries, attribute_entries=TABULAR_ATTRIBUTES
    )


_FITTED = [
    "preprocessor_", "members_", "member_columns_", "member_weights_", "is_categorical_", "n_iter_", "alpha_",
    "validation_losses_", "n_features_in_", "feature_names_in_",
]

TabularMLPClassifier.__doc__ = _tabular_docstring(
    TabularMLPClassifier,
    """MLP classifier for tabular data: raw DataFrames in, tuned defaults.

    A ColumnTransformer of scikit-learn's transformers (imputation, a spline encoding
    of the numeric columns beside their standardized values, one-hot categories) in front
    of skdeep's :class:`~skdeep.MLPClassifier`, with early stopping on the
    validation data loss. Every default was chosen
    on a benchmark of real data sets (see the Tabular data page of the user guide).""",
    ["classes_", *_FITTED],
)
TabularMLPRegressor.__doc__ = _tabular_docstring(
    TabularMLPRegressor,
    """MLP regressor for tabular data: raw DataFrames in, tuned defaults.

    A ColumnTransformer of scikit-learn's transformers (imputation, a spline encoding
    of the numeric columns beside their standardized values, one-hot categories) in front
    of skdeep's :class:`~skdeep.MLPRegressor`, with early stopping on the
    validation data loss and the L2 strength chosen on it. The target is standardized
    inside (each output to mean 0 and standard deviation 1, weighted by sample_weight)
    and predictions are mapped back. Every default was chosen on a benchmark of real
    data sets (see the Tabular data page of the user guide).""",
    [*_FITTED, "target_mean_", "target_scale_"],
)
