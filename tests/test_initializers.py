"""Tests of the weight initializers: each one's statistics against its formula, and
the estimator's use of them (zero biases for the named schemes, sklearn's draws for
'auto', callables, reproducibility and the notes' symmetry lesson)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from skdeep import MLPClassifier
from skdeep._activations import ACTIVATIONS
from skdeep._initializers import INITIALIZERS
from skdeep._losses import LOSSES
from skdeep._network import Layout, Network, init_params

from _helpers import assert_same_model

# Large enough that a few standard errors are a tight check of each formula.
BIG = [(400, 250), (100, 1000)]

def _glorot_std(fan_in, fan_out, scale, act):
    """Uniform on +-sqrt(f / (fan_in + fan_out)): standard deviation bound / sqrt(3)."""
    return np.sqrt((2.0 if act == "logistic" else 6.0) / (fan_in + fan_out) / 3.0)


def _weights(values):
    """An initializer's weights, whether it returns them alone or with biases."""
    return values[0] if isinstance(values, tuple) else values


# name -> (std(fan_in, fan_out, init_scale, activation), kurtosis E[x^4] / std^4)
# The kurtosis sets the sampling error of the sample std; a new initializer needs
# its formula here before its statistics can be checked.
EXPECTED = {
    "zeros": (lambda fan_in, fan_out, scale, act: 0.0, 3.0),
    "random": (lambda fan_in, fan_out, scale, act: scale, 3.0),
    "he": (lambda fan_in, fan_out, scale, act: np.sqrt(2.0 / fan_in), 3.0),
    "xavier": (lambda fan_in, fan_out, scale, act: np.sqrt(1.0 / fan_in), 3.0),
    # uniform on +-bound: variance bound^2 / 3, kurtosis 9 / 5
    "glorot_uniform": (_glorot_std, 1.8),
    "auto": (_glorot_std, 1.8),  # its weights; its biases are checked below
}

N_SE = 5  # tolerance in standard errors: a false failure has probability < 1e-6


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (7, 3)])
def test_shape_and_dtype(name, shape):
    values = INITIALIZERS[name](*shape, np.random.RandomState(0))
    W = _weights(values)
    assert W.shape == shape
    assert W.dtype == np.float64
    if isinstance(values, tuple):
        assert values[1].shape == (shape[1],)
        assert values[1].dtype == np.float64


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
@pytest.mark.parametrize("fan_in, fan_out", BIG)
@pytest.mark.parametrize("init_scale", [0.01, 10.0])
@pytest.mark.parametrize("activation", ["relu", "logistic"])
def test_mean_and_std_match_the_formula(name, fan_in, fan_out, init_scale, activation):
    assert name in EXPECTED, f"add the statistics of init={name!r} to EXPECTED"
    std_of, kurtosis = EXPECTED[name]
    std = std_of(fan_in, fan_out, init_scale, activation)
    W = _weights(
        INITIALIZERS[name](fan_in, fan_out, np.random.RandomState(0), init_scale=init_scale, activation=activation)
    )
    n = W.size
    # standard errors of the sample mean and (delta method) of the sample std
    se_mean = std / np.sqrt(n)
    se_std = std * np.sqrt((kurtosis - 1) / (4 * n))
    assert abs(W.mean()) <= N_SE * se_mean
    assert abs(W.std() - std) <= N_SE * se_std


@pytest.mark.parametrize("name, factor", [("he", 2.0), ("xavier", 1.0)])
def test_he_and_xavier_scale_with_fan_in_only(name, factor):
    # the same fan_in with very different fan_out: same std sqrt(factor / fan_in)
    rng = np.random.RandomState(1)
    for fan_out in (50, 2000):
        W = INITIALIZERS[name](200, fan_out, rng)
        std = np.sqrt(factor / 200)
        assert abs(W.std() - std) <= N_SE * std / np.sqrt(2 * W.size)


@pytest.mark.parametrize("init_scale", [1e-3, 0.01, 1.0, 10.0])
def test_random_std_is_init_scale(init_scale):
    W = INITIALIZERS["random"](300, 300, np.random.RandomState(2), init_scale=init_scale)
    assert abs(W.std() - init_scale) <= N_SE * init_scale / np.sqrt(2 * W.size)


def _assert_uniform_on(values, bound):
    """values look uniform on [-bound, bound]: inside it, reaching both ends, with the
    variance bound^2 / 3."""
    n = values.size
    assert np.all(np.abs(values) <= bound)
    # the extremes reach the bound: P(max < bound - 40 bound / n) = (1 - 20 / n)^n ~ e^-20
    assert values.max() > bound * (1 - 40 / n)
    assert values.min() < -bound * (1 - 40 / n)
    # sample variance of uniform(-b, b): mean b^2 / 3, standard error 2 b^2 / sqrt(45 n)
    assert abs(values.var() - bound**2 / 3) <= N_SE * 2 * bound**2 / np.sqrt(45 * n)


@pytest.mark.parametrize("name", ["glorot_uniform", "auto"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_glorot_uniform_bounds_and_variance(name, activation):
    fan_in, fan_out = 300, 500
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    _assert_uniform_on(_weights(INITIALIZERS[name](fan_in, fan_out, np.random.RandomState(3), activation=activation)), bound)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_auto_draws_biases_from_the_weights_range(activation):
    # many layers' bias vectors of 500 units: enough values to check the distribution
    factor = 2.0 if activation == "logistic" else 6.0
    rng = np.random.RandomState(4)
    biases = np.concatenate([INITIALIZERS["auto"](100, 500, rng, activation=activation)[1] for _ in range(20)])
    _assert_uniform_on(biases, np.sqrt(factor / 600))


def test_zeros_is_all_zero():
    assert not np.any(INITIALIZERS["zeros"](20, 30, np.random.RandomState(0)))


# ---------------------------------------------------------------- the estimator's init


def _network(activation="relu", sizes=(5, 4, 3, 2)):
    return Network(Layout(sizes), activation, LOSSES["log_loss"])


def _record_calls(calls):
    """A callable init that records its calls and returns distinct known values."""

    def init(fan_in, fan_out, rng):
        calls.append((fan_in, fan_out))
        return np.arange(fan_in * fan_out, dtype=float).reshape(fan_in, fan_out) + len(calls)

    return init


# the course's named schemes start the biases at zero; 'auto' draws them as sklearn
NAMED = sorted(set(INITIALIZERS) - {"auto"})


@pytest.mark.parametrize("init", NAMED + ["callable"])
def test_named_schemes_start_the_biases_at_zero(init):
    if init == "callable":
        init = _record_calls([])
    net = _network()
    theta = MLPClassifier(init=init, init_scale=10.0)._init_theta(net, check_random_state(0), np.float64)
    coefs, intercepts = net.layout.unpack(theta)
    assert [W.shape for W in coefs] == [(5, 4), (4, 3), (3, 2)]
    for b in intercepts:
        assert np.array_equal(b, np.zeros_like(b))
    if init != "zeros":
        assert all(np.any(W) for W in coefs)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_auto_draws_what_sklearn_draws(activation):
    # layer after layer, weights then biases, from the same generator: sklearn's own
    # _init_coef on a RandomState of the same seed gives the same numbers
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    net = _network(activation)
    theta = MLPClassifier(activation=activation)._init_theta(net, check_random_state(0), np.float64)
    coefs, intercepts = net.layout.unpack(theta)
    reference = SklearnMLP(activation=activation)
    if not hasattr(reference, "_init_coef"):  # pragma: no cover - a future sklearn
        pytest.skip("this sklearn has no _init_coef to compare with")
    reference._random_state = check_random_state(0)
    for W, b in zip(coefs, intercepts, strict=True):
        W_expected, b_expected = reference._init_coef(*W.shape, np.float64)
        np.testing.assert_array_equal(W, W_expected)
        np.testing.assert_array_equal(b, b_expected)


def test_auto_in_float32_is_the_float64_draw_rounded():
    net = _network()
    wide = MLPClassifier()._init_theta(net, check_random_state(0), np.float64)
    narrow = MLPClassifier()._init_theta(net, check_random_state(0), np.float32)
    assert narrow.dtype == np.float32
    np.testing.assert_array_equal(narrow, wide.astype(np.float32))


def test_callable_init_may_give_the_biases_too():
    def init(fan_in, fan_out, rng):
        return np.full((fan_in, fan_out), 0.5), np.arange(fan_out, dtype=float)

    net = _network()
    coefs, intercepts = net.layout.unpack(MLPClassifier(init=init)._init_theta(net, check_random_state(0), np.float64))
    for W, b in zip(coefs, intercepts, strict=True):
        np.testing.assert_array_equal(W, 0.5)
        np.testing.assert_array_equal(b, np.arange(b.size))


def test_init_params_rejects_biases_of_a_wrong_shape():
    def init(fan_in, fan_out, rng):
        return np.ones((fan_in, fan_out)), np.ones(fan_out + 1)

    with pytest.raises(ValueError, match="biases of shape \\(5,\\)"):
        init_params(Layout((3, 4, 1)), init, np.random.RandomState(0), float)


def test_callable_init_gives_the_weights():
    calls = []
    net = _network()
    theta = MLPClassifier(init=_record_calls(calls))._init_theta(net, check_random_state(0), np.float64)
    assert calls == [(5, 4), (4, 3), (3, 2)]
    coefs, _ = net.layout.unpack(theta)
    for k, W in enumerate(coefs, start=1):
        np.testing.assert_array_equal(W, np.arange(W.size).reshape(W.shape) + k)


def test_callable_init_is_used_by_fit():
    calls = []
    X, y = make_classification(n_samples=30, n_features=5, random_state=0)
    # one tiny step from the callable's weights: fit must start from them
    clf = MLPClassifier(
        hidden_layer_sizes=(4, 3), init=_record_calls(calls), solver="sgd",
        learning_rate_init=1e-12, max_iter=1, random_state=0,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert calls == [(5, 4), (4, 3), (3, 1)]
    for k, W in enumerate(clf.coefs_, start=1):
        np.testing.assert_allclose(W, np.arange(W.size).reshape(W.shape) + k, rtol=1e-9)


def test_init_params_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match="fan_in=5 and fan_out=4"):
        init_params(Layout((5, 4, 1)), lambda fan_in, fan_out, rng: np.ones((4, 5)), np.random.RandomState(0), float)


def _fit(init, activation="relu", random_state=0, **params):
    X, y = make_classification(
        n_samples=60, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=0
    )
    clf = MLPClassifier(
        hidden_layer_sizes=(3, 4), activation=activation, init=init, solver="sgd",
        learning_rate_init=0.5, batch_size=16, max_iter=15, n_iter_no_change=100,
        random_state=random_state, **params,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning):
        return clf.fit(X, y)


@pytest.mark.parametrize("init", sorted(INITIALIZERS))
def test_same_random_state_gives_identical_coefs(init):
    a, b = _fit(init, keep_prob=0.8), _fit(init, keep_prob=0.8)
    assert_same_model(a, b)


def test_different_random_state_gives_different_coefs():
    a, b = _fit("he", random_state=0), _fit("he", random_state=1)
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


def _assert_hidden_units_identical(clf):
    """Every hidden layer's units: equal incoming columns, biases and outgoing rows."""
    n_hidden = clf.n_layers_ - 2
    for i in range(n_hidden):
        W_in, b, W_out = clf.coefs_[i], clf.intercepts_[i], clf.coefs_[i + 1]
        np.testing.assert_allclose(W_in, np.repeat(W_in[:, :1], W_in.shape[1], axis=1), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(b, np.full_like(b, b[0]), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(W_out, np.repeat(W_out[:1], W_out.shape[0], axis=0), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_zeros_leaves_hidden_units_identical(activation):
    clf = _fit("zeros", activation)
    _assert_hidden_units_identical(clf)
    if activation == "logistic":
        # logistic(0) = 1/2 != 0, so the weights did move, yet stayed symmetric
        assert all(np.any(W) for W in clf.coefs_)


def test_he_breaks_the_symmetry():
    clf = _fit("he")
    for i in range(clf.n_layers_ - 2):
        W_in = clf.coefs_[i]
        for j in range(1, W_in.shape[1]):
            assert np.max(np.abs(W_in[:, j] - W_in[:, 0])) > 1e-3
