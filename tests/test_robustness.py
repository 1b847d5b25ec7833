"""Robustness: divergence, numerics, no leaked warnings, untouched inputs, pickling,
threads and Ctrl-C.

Whatever happens in training, skdeep either returns a usable model or raises a clear
error: a non-finite loss or non-finite weights raise DivergenceError (with early
stopping the best finite weights may be kept, with a warning), no NumPy
RuntimeWarning ever reaches the caller, and the caller's arrays are never written to.
"""

import _thread
import pickle
import signal
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skdeep import DivergenceError, MLPClassifier, MLPRegressor, gradient_check

from _helpers import assert_same_model

RNG = np.random.RandomState(0)
X_SMALL = RNG.standard_normal((30, 3))
Y_BINARY = np.arange(30) % 2
Y_MULTI = np.arange(30) % 3
Y_MULTILABEL = np.c_[Y_BINARY, 1 - Y_BINARY, Y_MULTI == 0].astype(int)
Y_REG = RNG.standard_normal(30)

# unscaled data: features in [0, 1000), as a user forgetting StandardScaler has them
X_UNSCALED = RNG.uniform(0, 1000, (60, 4))
Y_UNSCALED_CLASS = (X_UNSCALED[:, 0] > 500).astype(int)
Y_UNSCALED_REG = X_UNSCALED @ np.array([1.0, 2.0, 3.0, 4.0])

DIVERGENCE_MESSAGE = ["diverged", "non-finite", "learning_rate_init", "init_scale"]


@pytest.fixture
def no_runtime_warning():
    """Turn every RuntimeWarning (overflow, invalid value, divide by zero) into an error
    inside the test, whatever the pytest configuration says."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def _assert_divergence_message(error):
    message = str(error.value)
    missing = [s for s in DIVERGENCE_MESSAGE if s not in message]
    assert not missing, f"message lacks {missing}: {message!r}"


def _all_params(est):
    return est.coefs_ + est.intercepts_


def _assert_finite_model(est, X):
    assert all(np.isfinite(p).all() for p in _all_params(est))
    assert np.isfinite(est.predict(X).astype(float)).all()


# --------------------------------------------------------------------- divergence


def test_divergence_error_is_a_value_error():
    assert issubclass(DivergenceError, ValueError)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize(
    "cls, y", [(MLPClassifier, Y_UNSCALED_CLASS), (MLPRegressor, Y_UNSCALED_REG)], ids=["clf", "reg"]
)
def test_too_high_learning_rate_raises_divergence_error(no_runtime_warning, cls, y, activation):
    # Training until the weights overflow: the loss becomes inf or NaN
    est = cls(
        activation=activation, solver="sgd", learning_rate_init=1e10, n_iter_no_change=np.inf,
        max_iter=100, random_state=0,
    )  # fmt: skip
    with pytest.raises(DivergenceError) as error:
        est.fit(X_UNSCALED, y)
    _assert_divergence_message(error)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize(
    "cls, y", [(MLPClassifier, Y_UNSCALED_CLASS), (MLPRegressor, Y_UNSCALED_REG)], ids=["clf", "reg"]
)
def test_too_high_learning_rate_with_default_stopping_is_not_silent(no_runtime_warning, cls, y, activation):
    # With the default n_iter_no_change the loss grows by orders of magnitude each
    # epoch (to ~1e100-1e280) and the no-improvement rule stops it before it
    # overflows: such a model must not come back as a normal fit
    est = cls(activation=activation, solver="sgd", learning_rate_init=1e10, random_state=0)
    with pytest.raises(DivergenceError) as error:
        est.fit(X_UNSCALED, y)
    _assert_divergence_message(error)


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
@pytest.mark.parametrize("activation", ["relu", "identity"])
def test_huge_initial_weights_raise_divergence_error_regressor(no_runtime_warning, solver, activation):
    # predictions ~1e300: their squared error overflows
    est = MLPRegressor(
        hidden_layer_sizes=(4,), activation=activation, solver=solver, init="random",
        init_scale=1e150, max_iter=3, random_state=0,
    )  # fmt: skip
    with pytest.raises(DivergenceError) as error:
        est.fit(X_SMALL, Y_REG)
    _assert_divergence_message(error)


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
@pytest.mark.parametrize("y", [Y_BINARY, Y_MULTI, Y_MULTILABEL], ids=["binary", "multiclass", "multilabel"])
def test_huge_initial_weights_raise_divergence_error_classifier(no_runtime_warning, solver, y):
    # two relu layers of weights ~1e150: the logits overflow to inf
    est = MLPClassifier(
        hidden_layer_sizes=(5, 5), solver=solver, init="random", init_scale=1e150, max_iter=3,
        random_state=0,
    )  # fmt: skip
    with pytest.raises(DivergenceError) as error:
        est.fit(X_SMALL, y)
    _assert_divergence_message(error)


def test_divergence_with_early_stopping_keeps_best_weights(no_runtime_warning):
    params = dict(
        hidden_layer_sizes=(10,), solver="sgd", learning_rate_init=1e10, early_stopping=True,
        max_iter=30, random_state=0,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="diverged.*best validation"):
        est = MLPRegressor(**params).fit(X_UNSCALED, Y_UNSCALED_REG)
    _assert_finite_model(est, X_UNSCALED)
    # the same fit stopped right after its best epoch ends with the same weights: the
    # random stream is the same up to there, and both restore the best epoch
    best_epoch = int(np.argmax(est.validation_scores_)) + 1
    shorter = MLPRegressor(**{**params, "max_iter": best_epoch}).fit(X_UNSCALED, Y_UNSCALED_REG)
    assert_same_model(est, shorter)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_model_after_divergence_error_is_not_usable(cls):
    # a model whose fit raised must not predict with the diverged weights
    y = Y_UNSCALED_CLASS if cls is MLPClassifier else Y_UNSCALED_REG
    est = cls(hidden_layer_sizes=(10, 10), solver="sgd", learning_rate_init=1e10, random_state=0)
    with pytest.raises(DivergenceError):
        est.fit(X_UNSCALED, y)
    with pytest.raises(NotFittedError):
        est.predict(X_UNSCALED)


def test_diverging_partial_fit_raises_divergence_error(no_runtime_warning):
    est = MLPRegressor(hidden_layer_sizes=(10, 10), solver="sgd", learning_rate_init=1e10, random_state=0)
    with pytest.raises(DivergenceError):
        for _ in range(20):
            est.partial_fit(X_UNSCALED, Y_UNSCALED_REG)


# ----------------------------------------------------------------------- numerics


def _check_probabilities(est, X, multilabel):
    P = est.predict_proba(X)
    log_P = est.predict_log_proba(X)
    assert np.isfinite(P).all() and np.isfinite(log_P).all()
    assert ((P >= 0) & (P <= 1)).all() and (log_P <= 0).all()
    np.testing.assert_allclose(np.exp(log_P), P, rtol=1e-12, atol=1e-300)
    if not multilabel:
        np.testing.assert_allclose(P.sum(axis=1), 1)
        np.testing.assert_allclose(np.logaddexp.reduce(log_P, axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("y", [Y_BINARY, Y_MULTI, Y_MULTILABEL], ids=["binary", "multiclass", "multilabel"])
def test_huge_weights_and_inputs_give_finite_probabilities(no_runtime_warning, activation, y):
    est = MLPClassifier(
        hidden_layer_sizes=(4,), activation=activation, init="random", init_scale=1e150,
        max_iter=1, random_state=0,
    )  # fmt: skip
    est.fit(X_SMALL, y)
    assert np.isfinite(est.loss_)
    multilabel = y.ndim == 2
    _check_probabilities(est, X_SMALL, multilabel)
    _check_probabilities(est, X_SMALL * 1e6, multilabel)


@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
@pytest.mark.parametrize("y", [Y_BINARY, Y_MULTI, Y_MULTILABEL], ids=["binary", "multiclass", "multilabel"])
def test_fit_on_huge_inputs_has_finite_loss_and_probabilities(no_runtime_warning, solver, y):
    est = MLPClassifier(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
    try:
        est.fit(X_SMALL * 1e6, y)
    except DivergenceError:
        # plain sgd at the default rate really diverges on unscaled 1e6 inputs
        # (sklearn's loss goes 24 -> 1.8e17 in 5 epochs): saying so is the contract
        assert solver == "sgd"
        return
    assert np.isfinite(est.loss_) and np.isfinite(est.loss_curve_).all()
    _check_probabilities(est, X_SMALL * 1e6, y.ndim == 2)


def _huge_model(y):
    est = MLPClassifier(hidden_layer_sizes=(4,), init="random", init_scale=1e150, max_iter=1, random_state=0)
    return est.fit(X_SMALL, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
@pytest.mark.parametrize("y", [Y_BINARY, Y_MULTI, Y_MULTILABEL], ids=["binary", "multiclass", "multilabel"])
def test_overflowing_logits_at_predict_leak_no_runtime_warning(no_runtime_warning, method, y):
    # weights ~1e150 times inputs ~1e300: the logits overflow to inf (or inf - inf)
    est = _huge_model(y)
    try:
        getattr(est, method)(X_SMALL * 1e300)
    except ValueError:  # a clear error is fine; a RuntimeWarning is not
        pass


def test_regressor_predict_on_huge_inputs_leaks_no_runtime_warning(no_runtime_warning):
    est = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5, random_state=0)
    est.fit(X_SMALL, Y_REG)
    for scale in (1e6, 1e300):
        try:
            est.predict(X_SMALL * scale)
        except ValueError:
            pass


@pytest.mark.parametrize(
    "cls, params, y",
    [
        (MLPRegressor, dict(loss="poisson", solver="sgd", learning_rate_init=1e3, max_iter=20), "poisson"),
        (MLPRegressor, dict(loss="poisson", solver="lbfgs", max_iter=20), "poisson"),
        (MLPRegressor, dict(solver="sgd", learning_rate_init=1e10), "reg"),
        (MLPRegressor, dict(solver="lbfgs", init="random", init_scale=1e150), "reg"),
        (MLPRegressor, dict(solver="adam", learning_rate_init=1e10, max_iter=20), "reg"),
        (MLPClassifier, dict(solver="sgd", learning_rate_init=1e10, max_iter=20), "clf"),
        (MLPClassifier, dict(solver="lbfgs", init="random", init_scale=1e150), "clf"),
    ],
    ids=["poisson-sgd", "poisson-lbfgs", "reg-sgd", "reg-lbfgs-init", "reg-adam", "clf-sgd", "clf-lbfgs-init"],
)
def test_diverging_fit_leaks_no_runtime_warning(no_runtime_warning, cls, params, y):
    # sklearn's MLPRegressor leaks "overflow encountered in square" here; skdeep
    # either fits or raises DivergenceError, silently otherwise
    est = cls(random_state=0, **params)
    target = {"poisson": np.abs(Y_UNSCALED_REG), "reg": Y_UNSCALED_REG, "clf": Y_UNSCALED_CLASS}[y]
    try:
        est.fit(X_UNSCALED * 1e3, target)
    except DivergenceError:
        return
    for method in ("predict", "predict_proba", "predict_log_proba"):
        if hasattr(est, method):
            getattr(est, method)(X_UNSCALED * 1e3)


@pytest.mark.parametrize(
    "cls, params, X, y",
    [
        (MLPClassifier, dict(init="random", init_scale=1e150), X_SMALL[:8], Y_BINARY[:8]),
        (MLPClassifier, dict(), X_SMALL[:8] * 1e6, Y_MULTI[:8]),
        (MLPRegressor, dict(), X_SMALL[:8] * 1e6, Y_REG[:8] * 1e6),
        (MLPRegressor, dict(loss="poisson"), X_SMALL[:8] * 1e3, np.abs(Y_REG[:8])),
        (MLPRegressor, dict(init="random", init_scale=1e150), X_SMALL[:8], Y_REG[:8]),
    ],
    ids=["clf-huge-init", "clf-huge-X", "reg-huge-X", "poisson-overflow", "reg-huge-init"],
)
def test_gradient_check_leaks_no_runtime_warning(no_runtime_warning, cls, params, X, y):
    gradient_check(cls(hidden_layer_sizes=(3,), random_state=0, **params), X, y)


@pytest.mark.parametrize(
    "params, X, y",
    [
        (dict(init="random", init_scale=1e150), X_SMALL[:8], Y_REG[:8]),
        # logits in the thousands: exp overflows
        (dict(loss="poisson"), X_SMALL[:8] * 1e4, np.abs(Y_REG[:8])),
    ],
    ids=["squared-error-overflow", "poisson-overflow"],
)
def test_gradient_check_does_not_pass_on_a_non_finite_loss(no_runtime_warning, params, X, y):
    # every finite difference is inf - inf = NaN: nothing was compared, so the check
    # must fail, never report "passed"
    est = MLPRegressor(hidden_layer_sizes=(3,), random_state=0, **params)
    result = gradient_check(est, X, y)
    assert not result.passed, str(result)


# ---------------------------------------------------------- inputs are not modified


def _assert_same(A, B):
    assert type(A) is type(B) and A.dtype == B.dtype and A.shape == B.shape
    if sp.issparse(A):
        assert A.format == B.format
        for attr in ("data", "indices", "indptr"):
            np.testing.assert_array_equal(getattr(A, attr), getattr(B, attr))
    else:
        np.testing.assert_array_equal(A, B)
        assert A.flags.c_contiguous == B.flags.c_contiguous


@pytest.mark.parametrize("container", [np.asarray, sp.csr_matrix, sp.csc_matrix], ids=["dense", "csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "cls, params",
    [
        (MLPClassifier, dict(solver="lbfgs")),
        (MLPClassifier, dict(solver="adam", shuffle=False, keep_prob=0.8, class_weight={0: 1, 1: 2, 2: 0.5})),
        (MLPClassifier, dict(solver="sgd", early_stopping=True)),
        (MLPRegressor, dict(solver="lbfgs")),
        (MLPRegressor, dict(solver="adam", shuffle=False, keep_prob=0.8)),
        (MLPRegressor, dict(solver="sgd", early_stopping=True, loss="poisson")),
    ],
    ids=["clf-lbfgs", "clf-adam", "clf-sgd-es", "reg-lbfgs", "reg-adam", "reg-sgd-es-poisson"],
)
def test_inputs_are_not_modified(container, dtype, cls, params):
    X = container(X_SMALL.astype(dtype))
    y = Y_MULTI.astype(dtype) if cls is MLPClassifier else np.abs(Y_REG).astype(dtype)
    sample_weight = np.linspace(0.5, 2.0, 30).astype(dtype)
    saved = [X.copy(), y.copy(), sample_weight.copy()]
    est = cls(hidden_layer_sizes=(4,), max_iter=3, random_state=0, **params)
    est.fit(X, y, sample_weight=sample_weight)
    if params["solver"] != "lbfgs":
        # partial_fit holds no validation set, so it refuses early stopping
        incremental = cls(hidden_layer_sizes=(4,), random_state=0, **{**params, "early_stopping": False})
        extra = {"classes": np.unique(y)} if cls is MLPClassifier else {}
        incremental.partial_fit(X, y, sample_weight=sample_weight, **extra)
        incremental.partial_fit(X, y, sample_weight=sample_weight)
    est.predict(X)
    if cls is MLPClassifier:
        est.predict_proba(X)
        est.predict_log_proba(X)
    est.score(X, y, sample_weight=sample_weight)
    for original, now in zip(saved, [X, y, sample_weight]):
        _assert_same(now, original)


def test_multioutput_target_and_gradient_check_inputs_are_not_modified():
    X = X_SMALL.copy()
    Y = np.c_[Y_REG, 2 * Y_REG]
    sample_weight = np.linspace(0.5, 2, 30)
    saved = [X.copy(), Y.copy(), sample_weight.copy()]
    est = MLPRegressor(hidden_layer_sizes=(3,), solver="sgd", shuffle=False, max_iter=2, random_state=0)
    est.fit(X, Y, sample_weight=sample_weight)
    gradient_check(est, X, Y, sample_weight=sample_weight)
    for original, now in zip(saved, [X, Y, sample_weight]):
        np.testing.assert_array_equal(now, original)


# ---------------------------------------------------------------------- pickling


def _fitted_attributes(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


def _assert_equal_values(a, b):
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_equal_values(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["lbfgs", "sgd", "adam"])
@pytest.mark.parametrize(
    "cls, y", [(MLPClassifier, Y_MULTI), (MLPClassifier, Y_MULTILABEL), (MLPRegressor, Y_REG)],
    ids=["multiclass", "multilabel", "regressor"],
)
def test_pickle_round_trips_exactly(dtype, solver, cls, y):
    X = X_SMALL.astype(dtype)
    keep_prob = 1.0 if solver == "lbfgs" else 0.8
    est = cls(hidden_layer_sizes=(4, 3), solver=solver, keep_prob=keep_prob, max_iter=3, random_state=0)
    est.fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert type(restored) is cls
    assert repr(restored.get_params()) == repr(est.get_params())
    attributes = _fitted_attributes(est)
    assert attributes.keys() == _fitted_attributes(restored).keys()
    for name, value in attributes.items():
        _assert_equal_values(value, getattr(restored, name))
    methods = ["predict"] + (["predict_proba", "predict_log_proba"] if cls is MLPClassifier else [])
    for method in methods:
        np.testing.assert_array_equal(getattr(restored, method)(X), getattr(est, method)(X))
    if solver != "lbfgs":
        # the optimizer's moments and the random state travel too: training goes on
        # exactly as it would have
        for model in (est, restored):
            model.partial_fit(X, y)
        assert_same_model(est, restored)


def _small_normal_init(fan_in, fan_out, rng):
    return 0.1 * rng.standard_normal((fan_in, fan_out))


def test_pickle_of_unfitted_estimator_round_trips():
    est = MLPClassifier(
        hidden_layer_sizes=(4,), init=_small_normal_init, keep_prob=[0.5], max_iter=2, random_state=0
    )
    restored = pickle.loads(pickle.dumps(est))
    assert repr(restored.get_params()) == repr(est.get_params())
    for model in (est, restored):
        model.fit(X_SMALL, Y_MULTI)
    assert_same_model(est, restored)


# ----------------------------------------------------------------------- threads


@pytest.mark.parametrize(
    "cls, y", [(MLPClassifier, np.arange(600) % 4), (MLPRegressor, None)], ids=["classifier", "regressor"]
)
def test_predict_from_eight_threads_gives_identical_results(cls, y):
    rng = np.random.RandomState(1)
    X = rng.standard_normal((600, 8))
    y = X @ rng.standard_normal(8) if y is None else y
    est = cls(hidden_layer_sizes=(32, 32), solver="lbfgs", max_iter=5, random_state=0)
    est.fit(X, y)
    methods = ["predict"] + (["predict_proba", "predict_log_proba"] if cls is MLPClassifier else [])
    expected = {m: getattr(est, m)(X) for m in methods}
    barrier = threading.Barrier(8)

    def work(_):
        barrier.wait()  # start together, so the calls really overlap
        return [(m, getattr(est, m)(X)) for _ in range(5) for m in methods]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for result in results:
        for method, value in result:
            np.testing.assert_array_equal(value, expected[method])


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_fit_in_worker_threads_matches_fit_in_main_thread(solver):
    # off the main thread no SIGINT handler can be installed; fit must still work, and
    # concurrent fits must not share state
    params = dict(hidden_layer_sizes=(5,), solver=solver, keep_prob=1.0, max_iter=5, random_state=0)

    def fit(_):
        return MLPClassifier(**params).fit(X_SMALL, Y_MULTI)

    expected = fit(None)
    with ThreadPoolExecutor(max_workers=8) as pool:
        models = list(pool.map(fit, range(8)))
    for model in models:
        assert_same_model(model, expected)


# -------------------------------------------------------------------- Ctrl-C


class _InterruptingRandomState(np.random.RandomState):
    """A RandomState that raises SIGINT in the ``at``-th epoch shuffle drawn while
    skdeep's SIGINT handler is installed, so an interrupt lands mid-fit at a known
    point (after the shuffle, before that epoch's first batch)."""

    def __init__(self, seed, at):
        super().__init__(seed)
        self.at = at
        self.shuffles = 0
        self.outer_handler = signal.getsignal(signal.SIGINT)

    def permutation(self, x):
        if signal.getsignal(signal.SIGINT) is not self.outer_handler:
            self.shuffles += 1
            if self.shuffles == self.at:
                signal.raise_signal(signal.SIGINT)
        return super().permutation(x)


def _fit_expecting_interrupt_warning(est, X, y):
    handler = signal.getsignal(signal.SIGINT)
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user."):
            est.fit(X, y)
    except KeyboardInterrupt:  # caught so that a failure does not end the session
        pytest.fail("KeyboardInterrupt escaped fit")
    assert signal.getsignal(signal.SIGINT) is handler
    return est


X_LONG = RNG.standard_normal((200, 3))
Y_LONG = (X_LONG[:, 0] + X_LONG[:, 1] > 0).astype(int)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("at", [1, 3])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_interrupt_stops_after_current_batch_with_usable_model(solver, at, early_stopping):
    est = MLPClassifier(
        hidden_layer_sizes=(5,), solver=solver, batch_size=20, max_iter=50, n_iter_no_change=np.inf,
        early_stopping=early_stopping, random_state=_InterruptingRandomState(0, at),
    )  # fmt: skip
    _fit_expecting_interrupt_warning(est, X_LONG, Y_LONG)
    assert at - 1 <= est.n_iter_ <= at
    assert len(est.loss_curve_) == est.n_iter_
    assert np.isfinite(est.loss_curve_).all()
    _assert_finite_model(est, X_LONG)
    assert set(est.predict(X_LONG)) <= {0, 1}


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_interrupt_from_another_thread_stops_fit(solver):
    # a realistic Ctrl-C: it arrives from outside, at no particular point
    est = MLPClassifier(
        hidden_layer_sizes=(5,), solver=solver, batch_size=20, max_iter=5000, n_iter_no_change=np.inf,
        random_state=0,
    )  # fmt: skip

    def interrupt_once_training():
        while len(getattr(est, "loss_curve_", ())) < 2:
            time.sleep(0.001)
        _thread.interrupt_main()

    thread = threading.Thread(target=interrupt_once_training, daemon=True)
    thread.start()
    _fit_expecting_interrupt_warning(est, X_LONG, Y_LONG)
    thread.join()
    assert 2 <= est.n_iter_ < est.max_iter
    _assert_finite_model(est, X_LONG)


def test_sigint_handler_is_restored_after_divergence():
    handler = signal.getsignal(signal.SIGINT)
    est = MLPRegressor(hidden_layer_sizes=(10, 10), solver="sgd", learning_rate_init=1e10, random_state=0)
    with pytest.raises(DivergenceError):
        est.fit(X_UNSCALED, Y_UNSCALED_REG)
    assert signal.getsignal(signal.SIGINT) is handler
