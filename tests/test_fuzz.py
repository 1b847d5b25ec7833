"""Fuzzing with hypothesis: random small data sets and random parameter combinations.

Whatever the draw, fit either succeeds, and then every prediction is finite, or it
raises one of skdeep's documented ValueErrors (docs/troubleshooting.rst); nothing
else: no other exception, no NumPy RuntimeWarning, no raw NumPy message.
"""

import re
import warnings

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skdeep import DivergenceError, MLPClassifier, MLPRegressor

# The ValueErrors a valid-looking random draw may legitimately meet; each is listed in
# docs/troubleshooting.rst with what to do about it.
EXPECTED_ERRORS = [
    r"needs samples of at least 2 classes",  # one class drawn
    r"validation set is too small",  # early stopping on too few rows
    r"solver='lbfgs' cannot be used with keep_prob < 1",
    r"batch_norm=True normalizes each hidden unit over the rows of a batch and needs at least 2",
]

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _log_uniform(low, high):
    return st.floats(np.log10(low), np.log10(high)).map(lambda e: float(10.0**e))


@st.composite
def common_params(draw):
    """Any combination of architecture, solver, dropout, batch normalization, L2,
    batch, init and schedule."""
    hidden = tuple(draw(st.lists(st.integers(1, 6), min_size=0, max_size=3)))
    keep_prob = draw(
        st.one_of(
            st.just(1.0),
            st.floats(0.2, 1.0),
            st.lists(st.floats(0.2, 1.0), min_size=len(hidden), max_size=len(hidden)),
        )
    )
    if isinstance(keep_prob, list) and not keep_prob:
        keep_prob = 1.0  # no hidden layer: an empty sequence is a scalar's job
    return dict(
        hidden_layer_sizes=hidden,
        activation=draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        solver=draw(st.sampled_from(["lbfgs", "sgd", "rmsprop", "adam"])),
        batch_norm=draw(st.booleans()),
        keep_prob=keep_prob,
        alpha=draw(st.one_of(st.just(0.0), _log_uniform(1e-5, 10.0))),
        batch_size=draw(st.one_of(st.just("auto"), st.integers(1, 40))),
        init=draw(st.sampled_from(["auto", "zeros", "random", "he", "xavier", "glorot_uniform"])),
        init_scale=draw(_log_uniform(1e-3, 10.0)),
        learning_rate=draw(st.sampled_from(["constant", "invscaling", "adaptive", "inverse_time", "exponential"])),
        decay_rate=draw(st.sampled_from([0.5, 1.0])),
        learning_rate_init=draw(_log_uniform(1e-4, 1.0)),
        momentum=draw(st.sampled_from([0.0, 0.5, 0.9])),
        nesterovs_momentum=draw(st.booleans()),
        early_stopping=draw(st.booleans()),
        shuffle=draw(st.booleans()),
        max_iter=draw(st.integers(1, 5)),
        n_iter_no_change=draw(st.integers(1, 3)),
        random_state=draw(st.integers(0, 2**16)),
    )


def make_features(seed, n_samples, n_features, scale, offset=0.0, dtype=np.float64, weighted=False):
    """X, sample_weight (or None) and a seed for drawing y (examples are reused, so
    they hold no generator whose state would change)."""
    rng = np.random.RandomState(seed)
    X = (rng.standard_normal((n_samples, n_features)) + offset) * scale
    sample_weight = rng.uniform(0.1, 10.0, n_samples) if weighted else None
    return X.astype(dtype), sample_weight, seed + 1


@st.composite
def features(draw):
    """X of 1 to 30 rows and 1 to 5 features, values from 1e-3 to 1e3 in scale."""
    return make_features(
        seed=draw(st.integers(0, 2**16)),
        n_samples=draw(st.integers(1, 30)),
        n_features=draw(st.integers(1, 5)),
        scale=draw(_log_uniform(1e-3, 1e3)),
        offset=draw(st.sampled_from([0.0, 1.0, -5.0])),
        dtype=draw(st.sampled_from([np.float64, np.float32])),
        weighted=draw(st.booleans()),
    )


def example_params(**overrides):
    """Plain parameters for the pinned examples below (the shrunk falsifying ones)."""
    params = dict(
        hidden_layer_sizes=(), activation="identity", solver="sgd", keep_prob=1.0, alpha=0.0,
        batch_size="auto", init="auto", init_scale=1.0, learning_rate="constant",
        learning_rate_init=1.0, momentum=0.0, nesterovs_momentum=False, early_stopping=False,
        shuffle=False, max_iter=1, n_iter_no_change=1, random_state=0,
    )  # fmt: skip
    params.update(overrides)
    return params


def _fit_or_expected_error(est, X, y, sample_weight):
    """Fit under "RuntimeWarning is an error"; return True when fitted, False when
    fit raised one of the expected, clear ValueErrors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning, batch_size clipping
        warnings.simplefilter("error", RuntimeWarning)
        try:
            est.fit(X, y, sample_weight=sample_weight)
        except DivergenceError as error:
            assert "learning_rate_init" in str(error) and "init_scale" in str(error), str(error)
            return False
        except ValueError as error:
            message = str(error)
            assert message.strip(), "a ValueError without a message"
            assert any(re.search(p, message) for p in EXPECTED_ERRORS), f"unexpected ValueError: {message!r}"
            return False
    return True


def _predict(est, method, X):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return getattr(est, method)(X)


@SETTINGS
@given(
    params=common_params(),
    data=features(),
    n_classes=st.integers(1, 4),
    labels=st.sampled_from(["int", "str", "multilabel"]),
)
# float32 weights grow to ~1e13 in three epochs; the logits then overflow float32
@example(
    params=example_params(hidden_layer_sizes=(1, 1), max_iter=3),
    data=make_features(1, 4, 1, 100.0, dtype=np.float32),
    n_classes=3,
    labels="int",
)
def test_fuzz_classifier(params, data, n_classes, labels):
    X, sample_weight, y_seed = data
    rng = np.random.RandomState(y_seed)
    codes = rng.randint(n_classes, size=X.shape[0])
    if labels == "multilabel" and n_classes > 1:
        y = (rng.uniform(size=(X.shape[0], n_classes)) < 0.5).astype(int)
    elif labels == "str":
        y = np.array(["cat", "dog", "emu", "gnu"])[codes]
    else:
        y = codes
    est = MLPClassifier(**params)
    if not _fit_or_expected_error(est, X, y, sample_weight):
        return
    P = _predict(est, "predict_proba", X)
    log_P = _predict(est, "predict_log_proba", X)
    multilabel = y.ndim == 2
    assert P.shape == (X.shape[0], n_classes if multilabel else len(est.classes_))
    assert np.isfinite(P).all() and ((P >= 0) & (P <= 1)).all()
    assert np.isfinite(log_P).all() and (log_P <= 0).all()
    predicted = _predict(est, "predict", X)
    if multilabel:
        assert set(np.unique(predicted)) <= {0, 1}
    else:
        assert set(predicted) <= set(est.classes_)
    assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)


@SETTINGS
@given(
    params=common_params(),
    data=features(),
    n_outputs=st.integers(1, 3),
    loss=st.sampled_from(["squared_error", "absolute_error", "huber", "quantile", "poisson", "gamma"]),
    y_scale=_log_uniform(1e-3, 1e3),
    loss_params=st.fixed_dictionaries({"quantile": st.floats(0.01, 0.99), "huber_delta": _log_uniform(1e-3, 1e3)}),
)
# one sample and early stopping: nothing to hold out
@example(
    params=example_params(early_stopping=True),
    data=make_features(0, 1, 1, 1.0),
    n_outputs=1,
    loss="squared_error",
    y_scale=1.0,
    loss_params={},
)
# the validation predictions exp(z) overflow during early stopping
@example(
    params=example_params(early_stopping=True),
    data=make_features(0, 11, 1, 1.0),
    n_outputs=1,
    loss="poisson",
    y_scale=1000.0,
    loss_params={},
)
# one step leaves finite weights whose predictions exp(z) overflow
@example(
    params=example_params(),
    data=make_features(0, 1, 1, 1.0),
    n_outputs=1,
    loss="poisson",
    y_scale=1000.0,
    loss_params={},
)
# the gamma deviance's exp output overflows alike; its y e^-z overflows the other way
@example(
    params=example_params(early_stopping=True),
    data=make_features(0, 11, 1, 1.0),
    n_outputs=1,
    loss="gamma",
    y_scale=1000.0,
    loss_params={},
)
@example(
    params=example_params(learning_rate_init=1.0, max_iter=3),
    data=make_features(0, 5, 1, 1.0),
    n_outputs=2,
    loss="gamma",
    y_scale=1e-3,
    loss_params={},
)
# a pinball loss at an extreme quantile, and a huge Huber threshold (the squared error)
@example(
    params=example_params(solver="lbfgs", max_iter=5),
    data=make_features(0, 8, 2, 1000.0),
    n_outputs=1,
    loss="quantile",
    y_scale=1000.0,
    loss_params={"quantile": 0.99},
)
@example(
    params=example_params(solver="adam", max_iter=5),
    data=make_features(0, 8, 2, 1.0),
    n_outputs=2,
    loss="huber",
    y_scale=1e-3,
    loss_params={"huber_delta": 1000.0},
)
def test_fuzz_regressor(params, data, n_outputs, loss, y_scale, loss_params):
    X, sample_weight, y_seed = data
    y = np.random.RandomState(y_seed).standard_normal((X.shape[0], n_outputs)) * y_scale
    if loss == "poisson":
        y = np.abs(y)
    elif loss == "gamma":
        y = np.abs(y) + 1e-3 * y_scale  # y > 0
    if n_outputs == 1:
        y = y.ravel()
    est = MLPRegressor(loss=loss, **loss_params, **params)
    if not _fit_or_expected_error(est, X, y, sample_weight):
        return
    predicted = _predict(est, "predict", X)
    assert predicted.shape == (X.shape[0],) + (() if n_outputs == 1 else (n_outputs,))
    assert np.isfinite(predicted).all()
    assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)
