"""Bad parameters and bad data: each gives a clear ValueError or TypeError at fit.

Parameters are only stored by the constructor (sklearn's convention) and checked by
fit, partial_fit and gradient_check; every message names the parameter and says what
is allowed.  Bad data gives a ValueError that says what is wrong with it.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning, NotFittedError

from skdeep import MLPClassifier, MLPRegressor, gradient_check

RNG = np.random.RandomState(0)
X = RNG.standard_normal((20, 3))
Y_CLASS = np.arange(20) % 2
Y_REG = RNG.standard_normal(20)


def _transposed_init(fan_in, fan_out, rng):
    return np.zeros((fan_out, fan_in))


def _one_too_wide_init(fan_in, fan_out, rng):
    return np.zeros((fan_in, fan_out + 1))


# (parameter, invalid value, substrings the message must hold: the parameter's name
# and what is allowed).  The estimators use hidden_layer_sizes=(3, 3), so a keep_prob
# sequence must have two values.
COMMON_BAD_PARAMS = [
    ("hidden_layer_sizes", 0, ["hidden_layer_sizes", "[1, inf)"]),
    ("hidden_layer_sizes", (3, 0), ["hidden_layer_sizes", "positive integers"]),
    ("hidden_layer_sizes", (3, -1), ["hidden_layer_sizes", "positive integers"]),
    ("hidden_layer_sizes", (2.5,), ["hidden_layer_sizes", "positive integers"]),
    ("hidden_layer_sizes", "abc", ["hidden_layer_sizes", "int"]),
    ("activation", "softplus", ["activation", "relu", "tanh", "logistic", "identity"]),
    ("solver", "newton", ["solver", "lbfgs", "sgd", "adam"]),
    ("alpha", -1.0, ["alpha", "[0.0, inf)"]),
    ("alpha", np.nan, ["alpha", "[0.0, inf)"]),
    ("batch_size", 0, ["batch_size", "auto", "[1, inf)"]),
    ("batch_size", "big", ["batch_size", "auto"]),
    ("batch_size", 2.5, ["batch_size", "[1, inf)"]),
    ("learning_rate", "fast", ["learning_rate", "constant", "invscaling", "adaptive", "inverse_time", "exponential"]),
    ("learning_rate_init", 0.0, ["learning_rate_init", "(0.0, inf)"]),
    ("learning_rate_init", -0.1, ["learning_rate_init", "(0.0, inf)"]),
    ("learning_rate_init", np.inf, ["learning_rate_init", "(0.0, inf)"]),
    ("power_t", -0.5, ["power_t", "[0.0, inf)"]),
    ("max_iter", 0, ["max_iter", "[1, inf)"]),
    ("max_iter", 2.5, ["max_iter", "int"]),
    ("shuffle", "yes", ["shuffle", "bool"]),
    ("random_state", "seed", ["random_state", "RandomState"]),
    ("tol", -1.0, ["tol", "[0.0, inf)"]),
    ("verbose", -1, ["verbose", "[0, inf)"]),
    ("warm_start", "yes", ["warm_start", "bool"]),
    ("momentum", 1.5, ["momentum", "[0.0, 1.0]"]),
    ("momentum", -0.1, ["momentum", "[0.0, 1.0]"]),
    ("nesterovs_momentum", "yes", ["nesterovs_momentum", "bool"]),
    ("early_stopping", "yes", ["early_stopping", "bool"]),
    ("validation_fraction", 1.0, ["validation_fraction", "[0.0, 1.0)"]),
    ("validation_fraction", -0.1, ["validation_fraction", "[0.0, 1.0)"]),
    ("scoring", "accuracyy", ["scoring", "loss", "callable"]),
    ("scoring", 3, ["scoring", "callable"]),
    ("beta_1", 1.0, ["beta_1", "[0.0, 1.0)"]),
    ("beta_1", -0.1, ["beta_1", "[0.0, 1.0)"]),
    ("beta_2", 1.0, ["beta_2", "[0.0, 1.0)"]),
    ("epsilon", 0.0, ["epsilon", "(0.0, inf)"]),
    ("n_iter_no_change", 0, ["n_iter_no_change", "[1, inf)"]),
    ("max_fun", 0, ["max_fun", "[1, inf)"]),
    ("init", "orthogonal", ["init", "he", "xavier", "glorot_uniform", "random", "zeros", "callable"]),
    ("init", _transposed_init, ["init", "shape", "expected (3, 1)"]),
    ("init", _one_too_wide_init, ["init", "shape", "expected (3, 3)"]),
    ("init_scale", 0.0, ["init_scale", "(0.0, inf)"]),
    ("init_scale", -1.0, ["init_scale", "(0.0, inf)"]),
    ("init_scale", np.inf, ["init_scale", "(0.0, inf)"]),
    ("keep_prob", 0.0, ["keep_prob", "(0.0, 1.0]"]),
    ("keep_prob", 1.5, ["keep_prob", "(0.0, 1.0]"]),
    ("keep_prob", -0.2, ["keep_prob", "(0.0, 1.0]"]),
    ("keep_prob", np.nan, ["keep_prob", "(0.0, 1.0]"]),
    ("keep_prob", "half", ["keep_prob", "(0.0, 1.0]"]),
    ("keep_prob", [0.5, 2.0], ["keep_prob", "(0, 1]"]),
    ("keep_prob", [0.5, 0.0], ["keep_prob", "(0, 1]"]),
    ("keep_prob", [0.5, np.nan], ["keep_prob", "(0, 1]"]),
    ("keep_prob", [0.5, 0.5, 0.5], ["keep_prob", "one value per hidden layer (2)"]),
    ("keep_prob", [], ["keep_prob", "one value per hidden layer (2)"]),
    ("keep_prob", [[0.5, 0.5]], ["keep_prob", "one value per hidden layer (2)"]),
    ("keep_prob", [0.5, "a"], ["keep_prob", "(0, 1]"]),
    ("decay_rate", -1.0, ["decay_rate", "[0.0, inf)"]),
    ("decay_steps", 0, ["decay_steps", "[1, inf)"]),
    ("decay_steps", 1.5, ["decay_steps", "[1, inf)"]),
    ("batch_norm", "yes", ["batch_norm", "bool"]),
]

CLASSIFIER_BAD_PARAMS = [
    ("class_weight", "auto", ["class_weight", "balanced", "dict"]),
    ("class_weight", [1.0, 2.0], ["class_weight", "balanced", "dict"]),
    ("class_weight", {5: 1.0}, ["class_weight", "classes"]),
    # a negative or non-finite class weight is a bad weight, as for sample_weight
    ("class_weight", {0: -1.0, 1: 1.0}, ["class_weight", "negative"]),
    ("class_weight", {0: -1.0, 1: 5.0}, ["class_weight", "negative"]),
    ("class_weight", {0: np.nan, 1: 1.0}, ["class_weight"]),
    ("class_weight", {0: np.inf, 1: 1.0}, ["class_weight"]),
]

REGRESSOR_BAD_PARAMS = [
    ("loss", "hinge", ["loss", "squared_error", "absolute_error", "huber", "quantile", "poisson", "gamma"]),
    ("loss", None, ["loss", "squared_error", "poisson"]),
    ("loss", "log_loss", ["loss", "squared_error"]),  # the classifier's loss
    ("quantile", 0.0, ["quantile", "(0.0, 1.0)"]),
    ("quantile", 1.0, ["quantile", "(0.0, 1.0)"]),
    ("quantile", "median", ["quantile", "(0.0, 1.0)", "None"]),
    ("huber_delta", 0.0, ["huber_delta", "(0.0, inf)"]),
    ("huber_delta", np.nan, ["huber_delta", "(0.0, inf)"]),
]

BAD_PARAMS = [(MLPClassifier, *case) for case in COMMON_BAD_PARAMS + CLASSIFIER_BAD_PARAMS] + [
    (MLPRegressor, *case) for case in COMMON_BAD_PARAMS + REGRESSOR_BAD_PARAMS
]


def _ids(case):
    cls, param, value, _ = case
    return f"{cls.__name__}-{param}={getattr(value, '__name__', repr(value))}"


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_every_parameter_has_a_bad_value_case(cls):
    # a new parameter must come with its validation (and a row in the table above)
    covered = {param for c, param, _, _ in BAD_PARAMS if c is cls}
    assert covered == set(cls().get_params())


def _make(cls, param, value, **overrides):
    """An estimator with one parameter set to ``value``; constructing must not raise."""
    params = dict(hidden_layer_sizes=(3, 3), max_iter=2, random_state=0, solver="sgd")
    params.update(overrides)
    params[param] = value
    return cls(**params)


def _data(cls):
    return (X, Y_CLASS) if cls is MLPClassifier else (X, Y_REG)


def _assert_message(error, substrings):
    message = str(error.value)
    missing = [s for s in substrings if s not in message]
    assert not missing, f"message lacks {missing}: {message!r}"


@pytest.mark.parametrize("case", BAD_PARAMS, ids=[_ids(c) for c in BAD_PARAMS])
def test_bad_parameter_raises_at_fit_naming_it(case):
    cls, param, value, substrings = case
    est = _make(cls, param, value)
    # sklearn's convention: __init__ stores the value as given
    assert est.get_params()[param] is value
    with pytest.raises((ValueError, TypeError)) as error:
        est.fit(*_data(cls))
    _assert_message(error, substrings)


@pytest.mark.parametrize(
    "cls, param, value",
    [
        (MLPClassifier, "alpha", -1.0),  # refused by sklearn's parameter validation
        (MLPClassifier, "keep_prob", [0.5, 0.5, 0.5]),  # refused before the data is read
        (MLPClassifier, "init", _transposed_init),  # refused after the data is read
        (MLPRegressor, "init", _one_too_wide_init),
        (MLPClassifier, "class_weight", {5: 1.0}),
    ],
)
def test_failed_fit_leaves_no_half_fitted_model(cls, param, value):
    est = _make(cls, param, value)
    with pytest.raises(ValueError):
        est.fit(*_data(cls))
    # predict must say the model is not fitted, not fail on a missing coefs_
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize(
    "param, value, substrings",
    [
        ("alpha", -1.0, ["alpha", "[0.0, inf)"]),
        ("keep_prob", [0.5, 0.5, 0.5], ["keep_prob", "one value per hidden layer (2)"]),
        ("decay_steps", 0, ["decay_steps", "[1, inf)"]),
        ("init", _transposed_init, ["init", "shape"]),
    ],
)
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_bad_parameter_raises_at_partial_fit(cls, param, value, substrings):
    est = _make(cls, param, value)
    kwargs = {"classes": [0, 1]} if cls is MLPClassifier else {}
    with pytest.raises((ValueError, TypeError)) as error:
        est.partial_fit(*_data(cls), **kwargs)
    _assert_message(error, substrings)


# parameters valid one by one that do not make sense together: (parameters, substrings
# the message must hold)
BAD_COMBINATIONS = [
    (dict(learning_rate="exponential", decay_rate=0.0), ["decay_rate", "(0, 1]", "exponential", "stop"]),
    (dict(learning_rate="exponential", decay_rate=1.5), ["decay_rate", "(0, 1]", "exponential", "grow"]),
    (dict(batch_norm=True, batch_size=1), ["batch_norm", "at least 2 rows", "batch_size=1"]),
]


@pytest.mark.parametrize("how", ["fit", "partial_fit"])
def test_quantile_loss_needs_its_quantile(how):
    est = MLPRegressor(loss="quantile", hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match="loss='quantile' needs quantile to be set; it is None"):
        getattr(est, how)(X, Y_REG)
    with pytest.raises(NotFittedError):
        est.predict(X)
    # the parameter of another loss is ignored, as HistGradientBoosting's quantile is
    MLPRegressor(loss="huber", quantile=None, hidden_layer_sizes=(3,), max_iter=2).fit(X, Y_REG)


@pytest.mark.parametrize("how", ["fit", "partial_fit"])
@pytest.mark.parametrize("params, substrings", BAD_COMBINATIONS)
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_bad_combination_raises_naming_the_parameters(cls, params, substrings, how):
    est = cls(hidden_layer_sizes=(3, 3), max_iter=2, random_state=0, solver="sgd", **params)
    kwargs = {"classes": [0, 1]} if cls is MLPClassifier and how == "partial_fit" else {}
    with pytest.raises(ValueError) as error:
        getattr(est, how)(*_data(cls), **kwargs)
    _assert_message(error, substrings)
    with pytest.raises(NotFittedError):
        est.predict(X)


@pytest.mark.parametrize(
    "param, value, substrings",
    [
        ("alpha", -1.0, ["alpha", "[0.0, inf)"]),
        ("init_scale", -1.0, ["init_scale", "(0.0, inf)"]),
        ("activation", "softplus", ["activation", "relu"]),
        ("keep_prob", 2.0, ["keep_prob", "(0"]),
    ],
)
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_bad_parameter_raises_at_gradient_check(cls, param, value, substrings):
    # gradient_check initializes the network as fit would, so it must refuse the same
    # parameters; otherwise it checks a model that fit could never train
    est = _make(cls, param, value, init="random")
    with pytest.raises((ValueError, TypeError)) as error:
        gradient_check(est, *_data(cls))
    _assert_message(error, substrings)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize(
    "param, value",
    [
        ("batch_size", True),  # an int to sklearn's validation, as for sklearn's MLP
        ("batch_size", np.int64(4)),
        ("max_iter", np.int32(2)),
        ("hidden_layer_sizes", np.array([3, 2])),
        ("hidden_layer_sizes", 4),
        ("keep_prob", np.array([0.5, 1.0])),
        ("n_iter_no_change", np.inf),
    ],
)
def test_valid_edge_parameters_fit(cls, param, value):
    est = _make(cls, param, value, hidden_layer_sizes=(3, 3) if param != "hidden_layer_sizes" else value)
    est.fit(*_data(cls))
    assert all(np.isfinite(c).all() for c in est.coefs_)


@pytest.mark.parametrize("init", ["zeros", "random", "he", "xavier", "glorot_uniform", "auto"])
def test_named_initializers_are_valid(init):
    est = MLPClassifier(hidden_layer_sizes=(3,), init=init, max_iter=1, random_state=0)
    est.fit(X, Y_CLASS)
    assert [c.shape for c in est.coefs_] == [(3, 3), (3, 1)]


# ---------------------------------------------------------------------- bad data

X_NAN = X.copy()
X_NAN[3, 1] = np.nan
X_INF = X.copy()
X_INF[5, 0] = np.inf
X_NEG_INF = X.copy()
X_NEG_INF[5, 2] = -np.inf



def _first_set(y, value):
    """A float copy of y with its first entry set to value."""
    y = np.array(y, dtype=float)
    y.flat[0] = value
    return y


# (case, X, y for the classifier, y for the regressor, pattern of the message)
BAD_DATA = [
    ("nan in X", X_NAN, Y_CLASS, Y_REG, "NaN"),
    ("inf in X", X_INF, Y_CLASS, Y_REG, "infinity"),
    ("-inf in X", X_NEG_INF, Y_CLASS, Y_REG, "infinity"),
    ("nan in sparse X", sp.csr_matrix(X_NAN), Y_CLASS, Y_REG, "NaN"),
    ("empty X", np.empty((0, 3)), np.empty(0), np.empty(0), "0 sample"),
    ("no features", np.empty((20, 0)), Y_CLASS, Y_REG, "0 feature"),
    ("1-D X", X[:, 0], Y_CLASS, Y_REG, "2D array"),
    ("3-D X", X.reshape(20, 3, 1), Y_CLASS, Y_REG, "dim 3"),
    ("X None", None, Y_CLASS, Y_REG, "2D array"),
    ("y shorter", X, Y_CLASS[:10], Y_REG[:10], "inconsistent numbers of samples"),
    ("X shorter", X[:15], Y_CLASS, Y_REG, "inconsistent numbers of samples"),
    ("string X", np.array([["a", "b", "c"]] * 20), Y_CLASS, Y_REG, "string"),
    ("mixed object X", np.array([["a", 1.0, 2.0]] * 20, dtype=object), Y_CLASS, Y_REG, "string"),
    ("complex X", X + 1j, Y_CLASS, Y_REG, "Complex"),
    ("nan in y", X, _first_set(Y_CLASS, np.nan), _first_set(Y_REG, np.nan), "NaN"),
    ("inf in y", X, _first_set(Y_CLASS, np.inf), _first_set(Y_REG, np.inf), "infinity"),
    ("nan in 2-D y", X, _first_set(np.c_[Y_CLASS, Y_CLASS], np.nan), _first_set(np.c_[Y_REG, Y_REG], np.nan), "NaN"),
    ("y None", X, None, None, "requires y"),
]


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("case, X_bad, y_class, y_reg, pattern", BAD_DATA, ids=[c[0] for c in BAD_DATA])
def test_bad_data_raises_value_error(cls, case, X_bad, y_class, y_reg, pattern):
    est = cls(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.raises(ValueError, match=pattern):
        est.fit(X_bad, y_class if cls is MLPClassifier else y_reg)


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
@pytest.mark.parametrize(
    "y", [np.zeros(20), np.full(20, "spam"), np.ones((20, 1))], ids=["zeros", "str", "column"]
)
def test_single_class_raises_value_error_mentioning_class(solver, y):
    with warnings.catch_warnings(record=True) as caught, pytest.raises(ValueError, match="class"):
        warnings.simplefilter("always")
        MLPClassifier(hidden_layer_sizes=(3,), solver=solver, max_iter=2).fit(X, y)
    # a column of labels gets sklearn's DataConversionWarning first, nothing else does
    expected = [DataConversionWarning] if y.ndim == 2 else []
    assert [w.category for w in caught] == expected


def test_single_class_in_partial_fit_classes_raises():
    with pytest.raises(ValueError, match="class"):
        MLPClassifier(hidden_layer_sizes=(3,), max_iter=2).partial_fit(X, np.zeros(20), classes=[0])


def test_continuous_target_for_classifier_raises():
    with pytest.raises(ValueError, match="continuous"):
        MLPClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(X, Y_REG)


@pytest.mark.parametrize(
    "y", [np.full(20, "a"), np.array(["a"] * 20, dtype=object), np.array(["x", 1.0] * 10, dtype=object)],
    ids=["str", "object str", "mixed object"],
)
def test_non_numeric_target_for_regressor_raises_value_error(y):
    with pytest.raises(ValueError, match="(?i)(numeric|float|string)") as error:
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    assert "ufunc" not in str(error.value)


@pytest.mark.parametrize(
    "sample_weight, pattern",
    [
        (np.ones(3), "shape"),
        (np.where(np.arange(20) == 0, np.nan, 1.0), "NaN"),
        (np.where(np.arange(20) == 0, np.inf, 1.0), "infinity"),
        (np.where(np.arange(20) == 0, -1.0, 1.0), "Negative"),
        (np.zeros(20), "non-zero"),
        (np.full(20, "a"), "string"),
    ],
    ids=["length", "nan", "inf", "negative", "zeros", "str"],
)
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_bad_sample_weight_raises_value_error(cls, solver, sample_weight, pattern):
    est = cls(hidden_layer_sizes=(3,), solver=solver, max_iter=2)
    with pytest.raises(ValueError, match=pattern):
        est.fit(*_data(cls), sample_weight=sample_weight)


def test_a_split_holding_out_only_zero_weights_raises_a_clear_error():
    # one row has a weight: where the split holds it out, the training set has none;
    # elsewhere the validation set has none, and its loss would be 0 / 0
    X, y = _data(MLPClassifier)
    weights = np.zeros(len(y))
    weights[0] = 1.0
    est = MLPClassifier(hidden_layer_sizes=(3,), early_stopping=True, validation_fraction=0.5, max_iter=2)
    messages = set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning on the way
        for seed in range(10):
            with pytest.raises(ValueError) as error:
                est.set_params(random_state=seed).fit(X, y, sample_weight=weights)
            messages.add(str(error.value).split(",")[0].split(" samples")[0])
    assert messages == {"The validation set's 10", "sample_weight must have a positive sum over the training"}


def test_early_stopping_with_too_few_samples_raises():
    est = MLPRegressor(hidden_layer_sizes=(3,), early_stopping=True, max_iter=2)
    with pytest.raises(ValueError, match="validation set is too small"):
        est.fit(X[:5], Y_REG[:5])


# ------------------------------------------------------------ bad data at predict


@pytest.fixture(scope="module")
def fitted():
    clf = MLPClassifier(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=5, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):  # lbfgs stops at max_iter=5
        clf.fit(X, Y_CLASS)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, Y_REG)
    return {"predict": reg, "predict_proba": clf, "predict_log_proba": clf, "classify": clf}


PREDICT_BAD = [
    ("fewer features", X[:, :2], "2 features.*expecting 3"),
    ("more features", np.ones((4, 4)), "4 features.*expecting 3"),
    ("fewer features sparse", sp.csr_matrix(X[:, :2]), "2 features.*expecting 3"),
    ("nan", X_NAN, "NaN"),
    ("inf", X_INF, "infinity"),
    ("empty", np.empty((0, 3)), "0 sample"),
    ("1-D", X[0], "2D array"),
    ("3-D", X.reshape(20, 3, 1), "dim 3"),
    ("string", np.array([["a", "b", "c"]]), "string"),
]


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba", "classify"])
@pytest.mark.parametrize("case, X_bad, pattern", PREDICT_BAD, ids=[c[0] for c in PREDICT_BAD])
def test_bad_data_at_predict_raises_value_error(fitted, method, case, X_bad, pattern):
    est = fitted[method]
    call = est.predict if method == "classify" else getattr(est, method)
    with pytest.raises(ValueError, match=pattern):
        call(X_bad)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_different_number_of_features_at_partial_fit_raises(cls):
    kwargs = {"classes": [0, 1]} if cls is MLPClassifier else {}
    est = cls(hidden_layer_sizes=(3,), random_state=0).partial_fit(*_data(cls), **kwargs)
    with pytest.raises(ValueError, match="2 features.*expecting 3"):
        est.partial_fit(X[:, :2], _data(cls)[1])


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_unfitted_predict_raises_not_fitted(cls):
    with pytest.raises(NotFittedError):
        cls().predict(X)


def test_new_class_in_partial_fit_raises():
    est = MLPClassifier(hidden_layer_sizes=(3,), random_state=0).partial_fit(X, Y_CLASS, classes=[0, 1])
    with pytest.raises(ValueError, match="classes"):
        est.partial_fit(X, np.full(20, 2))


def test_partial_fit_first_call_needs_classes():
    with pytest.raises(ValueError, match="classes"):
        MLPClassifier(hidden_layer_sizes=(3,)).partial_fit(X, Y_CLASS)


# ------------------------------------------- prediction's shortcut through validation


def _validated(est, X_in):
    """What sklearn's validate_data makes of X_in for prediction."""
    from sklearn.utils.validation import validate_data

    return validate_data(est, X_in, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False)


SHORTCUT_INPUTS = {
    "float64": X,
    "float32": X.astype(np.float32),
    "fortran": np.asfortranarray(X),
    "strided": np.repeat(X, 2, axis=1)[:, ::2],
    "int": np.arange(12).reshape(4, 3),
    "float16": X.astype(np.float16),
    "list": X.tolist(),
    "huge but finite": np.full((2, 3), np.finfo(np.float64).max),  # the sum overflows
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", sorted(SHORTCUT_INPUTS))
def test_prediction_validates_as_validate_data_does(name, dtype):
    # the shortcut for float ndarrays must accept exactly what validate_data accepts
    # and return the same array
    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X.astype(dtype), Y_REG)
    X_in = SHORTCUT_INPUTS[name]
    got = est._check_X(X_in)
    expected = _validated(est, X_in)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    if name == "huge but finite":  # valid input, yet the forward pass overflows
        with pytest.raises(ValueError, match="outputs overflowed"):
            est.predict(X_in)
    else:
        assert np.isfinite(est.predict(X_in)).all()


def test_prediction_keeps_the_feature_name_checks():
    pd = pytest.importorskip("pandas")
    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(pd.DataFrame(X, columns=["a", "b", "c"]), Y_REG)
    # a plain array after a fit with names: sklearn's warning, through validate_data
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(pd.DataFrame(X, columns=["a", "c", "b"]))


def test_prediction_honours_assume_finite():
    # sklearn's global switch skips the finiteness check; an overflowing forward
    # pass then still gets skdeep's clear error instead of a NaN
    from sklearn import config_context

    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, Y_CLASS)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(X_NAN)
    with config_context(assume_finite=True), pytest.raises(ValueError, match="outputs overflowed"):
        clf.predict(X_NAN)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("new_sizes", [(5,), (3, 3)])
def test_continuing_with_other_hidden_layers_is_refused(how, new_sizes):
    est = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0, warm_start=how == "warm_start")
    fit = est.fit if how == "warm_start" else (lambda X_, y_: est.partial_fit(X_, y_, classes=[0, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(X, Y_CLASS)
    before = [W.copy() for W in est.coefs_]
    est.set_params(hidden_layer_sizes=new_sizes)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes=.*fitted with hidden layers of \[3\] units"):
        est.fit(X, Y_CLASS) if how == "warm_start" else est.partial_fit(X, Y_CLASS)
    assert all(np.array_equal(a, b) for a, b in zip(before, est.coefs_, strict=True))
