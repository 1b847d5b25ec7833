"""Tests of the losses by name: values and deltas against direct formulas, sklearn's
metrics and finite differences; links, kinks, parameters and target checks;
stability with huge logits; and the L2 penalty."""

import math
import warnings

import numpy as np
import pytest

from skdeep import numerical_gradient
from skdeep._losses import LOSSES, OUTPUTS, l2_penalty, log_expit, log_expit_pair, log_softmax


VALUES = {"huber": dict(huber_delta=0.7), "quantile": dict(quantile=0.8)}  # parameters in tests


def _bound(name, **values):
    return LOSSES[name].with_values(**(values or VALUES.get(name, {})))


def _data(name, n=6, k=3, seed=0):
    """Logits Z, targets Y valid for the loss ``name``, and positive weights w."""
    rng = np.random.RandomState(seed)
    Z = rng.standard_normal((n, k))
    if name == "log_loss":
        Y = np.eye(k)[rng.randint(k, size=n)]
        Y[0] = [0.2, 0.3, 0.5]  # soft labels that sum to one are valid too
    elif name == "binary_log_loss":
        Y = rng.randint(2, size=(n, k)).astype(float)
    elif name == "poisson":
        Y = rng.poisson(2.0, size=(n, k)).astype(float)
        Y[0, 0] = 0.0  # y log y = 0 at y = 0
    elif name == "gamma":
        Y = rng.gamma(2.0, size=(n, k))
    else:
        Y = rng.standard_normal((n, k))
        # residuals on both sides of Huber's threshold (0.7), none at a kink
        Z[0, 0], Y[0, 0] = 3.0, 0.5
    w = rng.uniform(0.5, 1.5, size=n)
    return Z, Y, w / w.sum()


# name -> (P(Z), per-entry loss(Z, Y) summed over outputs, dloss/dz per entry), from
# the textbook definitions on the predictions; a new loss needs its formulas here.
def _softmax(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def _sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def _poisson(Z, Y):
    P = np.exp(Z)
    y_log_y_over_p = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0) / P), 0.0)
    return (y_log_y_over_p - Y + P).sum(axis=1)


def _huber(Z, Y, d=VALUES["huber"]["huber_delta"]):
    r = np.abs(Z - Y)
    return np.where(r <= d, 0.5 * r**2, d * (r - 0.5 * d)).sum(axis=1)


def _pinball(Z, Y, q=VALUES["quantile"]["quantile"]):
    # sklearn's mean_pinball_loss: q (y - z) where y >= z, (1 - q) (z - y) where y < z
    return np.where(Y >= Z, q * (Y - Z), (1 - q) * (Z - Y)).sum(axis=1)


FORMULAS = {
    "log_loss": (_softmax, lambda Z, Y: -(Y * np.log(_softmax(Z))).sum(axis=1), lambda Z, Y: _softmax(Z) - Y),
    "binary_log_loss": (
        _sigmoid,
        lambda Z, Y: -(Y * np.log(_sigmoid(Z)) + (1 - Y) * np.log(1 - _sigmoid(Z))).sum(axis=1),
        lambda Z, Y: _sigmoid(Z) - Y,
    ),
    "squared_error": (lambda Z: Z, lambda Z, Y: 0.5 * ((Z - Y) ** 2).sum(axis=1), lambda Z, Y: Z - Y),
    "poisson": (np.exp, _poisson, lambda Z, Y: np.exp(Z) - Y),
    "absolute_error": (lambda Z: Z, lambda Z, Y: np.abs(Z - Y).sum(axis=1), lambda Z, Y: np.sign(Z - Y)),
    "huber": (lambda Z: Z, _huber, lambda Z, Y: np.clip(Z - Y, -0.7, 0.7)),
    "quantile": (lambda Z: Z, _pinball, lambda Z, Y: np.where(Z > Y, 0.2, -0.8)),
    # half the gamma deviance, y / p - log(y / p) - 1 with p = exp(z)
    "gamma": (np.exp, lambda Z, Y: (Y / np.exp(Z) - np.log(Y / np.exp(Z)) - 1).sum(axis=1), lambda Z, Y: 1 - Y / np.exp(Z)),
}
MATCHED = ["log_loss", "binary_log_loss", "squared_error", "poisson"]  # delta = w (P - Y)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_matches_its_formula(name):
    assert name in FORMULAS, f"add the formulas of {name!r} to FORMULAS"
    Z, Y, w = _data(name)
    loss = _bound(name)(Z.copy(), Y, w)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, np.dot(w, FORMULAS[name][1](Z, Y)), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_inverse_link_matches_its_formula(name):
    Z, _, _ = _data(name)
    np.testing.assert_allclose(LOSSES[name].inverse_link(Z.copy()), FORMULAS[name][0](Z), rtol=1e-13)
    # and it is the output activation's, by the name the estimator reports
    np.testing.assert_allclose(OUTPUTS[LOSSES[name].out_activation](Z.copy()), FORMULAS[name][0](Z), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_delta_is_weighted_derivative(name):
    Z, Y, w = _data(name)
    delta = Z.copy()
    _bound(name)(delta, Y, w)  # overwrites its Z with delta
    np.testing.assert_allclose(delta, w[:, None] * FORMULAS[name][2](Z, Y), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", MATCHED)
def test_matched_loss_delta_is_weighted_residual(name):
    Z, Y, w = _data(name)
    delta = Z.copy()
    _bound(name)(delta, Y, w)
    np.testing.assert_allclose(delta, w[:, None] * (FORMULAS[name][0](Z) - Y), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_delta_matches_finite_differences(name):
    Z, Y, w = _data(name)
    loss_of = _bound(name)
    delta = Z.copy()
    loss_of(delta, Y, w)
    # the loss overwrites its Z argument, so each evaluation gets a copy
    numeric = numerical_gradient(lambda z: loss_of(z.reshape(Z.shape).copy(), Y, w), Z, epsilon=1e-6)
    numeric = numeric.reshape(Z.shape)
    # error O(h^2) from truncation plus O(eps / h) from rounding: below 1e-9
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_delta_keeps_the_dtype(name, dtype):
    Z, Y, w = (a.astype(dtype) for a in _data(name))
    delta = Z.copy()
    _bound(name)(delta, Y, w)
    assert delta.dtype == dtype
    np.testing.assert_allclose(delta, w[:, None] * FORMULAS[name][2](Z, Y), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- against sklearn's metrics


def _metric_cases():
    from sklearn.metrics import (
        mean_absolute_error,
        mean_gamma_deviance,
        mean_pinball_loss,
        mean_poisson_deviance,
        mean_squared_error,
    )

    return {
        "squared_error": lambda y, p, w: 0.5 * mean_squared_error(y, p, sample_weight=w),
        "absolute_error": lambda y, p, w: mean_absolute_error(y, p, sample_weight=w),
        "quantile": lambda y, p, w: mean_pinball_loss(y, p, sample_weight=w, alpha=0.8),
        "poisson": lambda y, p, w: 0.5 * mean_poisson_deviance(y, p, sample_weight=w),
        "gamma": lambda y, p, w: 0.5 * mean_gamma_deviance(y, p, sample_weight=w),
    }


@pytest.mark.parametrize("name", ["squared_error", "absolute_error", "quantile", "poisson", "gamma"])
def test_one_output_loss_is_sklearns_metric(name):
    # the data loss that scoring='loss' follows is sklearn's metric of the same name
    # (half the squared error and half the deviances, as sklearn's MLP and
    # HistGradientBoosting minimize them)
    Z, Y, w = _data(name, n=40, k=1)
    P = FORMULAS[name][0](Z)
    expected = _metric_cases()[name](Y.ravel(), P.ravel(), w)
    assert _bound(name)(Z.copy(), Y, w) == pytest.approx(expected, rel=1e-12)


def test_huber_is_sklearns_huber_loss():
    from sklearn._loss.loss import HuberLoss  # private; its closs holds the threshold as given

    Z, Y, w = _data("huber", n=40, k=1)
    sklearn_loss = HuberLoss(delta=0.7)
    expected = np.dot(w, sklearn_loss.loss(y_true=Y.ravel(), raw_prediction=Z.ravel()))
    assert _bound("huber")(Z.copy(), Y, w) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- kinks, parameters, targets


@pytest.mark.parametrize("name", ["absolute_error", "quantile"])
def test_delta_is_zero_at_the_kink(name):
    # z = y exactly: the subgradient 0, as ReLU's derivative at its own kink
    Y = np.array([[1.5, -2.0]])
    delta = Y.copy()
    assert _bound(name)(delta, Y, np.ones(1)) == 0.0
    np.testing.assert_array_equal(delta, 0.0)


@pytest.mark.parametrize(
    "name, Z, pieces",
    [
        ("absolute_error", [[-1.0, 0.0, 2.0]], [[-1, 0, 1]]),
        ("quantile", [[-1.0, 0.0, 2.0]], [[-1, 0, 1]]),
        ("huber", [[-1.0, -0.5, 0.0, 0.7, 0.71]], [[-1, 0, 0, 0, 1]]),
    ],
)
def test_pieces_tell_which_side_of_each_kink(name, Z, pieces):
    Z = np.array(Z)
    np.testing.assert_array_equal(_bound(name).pieces(Z, np.zeros_like(Z), **_bound(name).values), pieces)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_smooth_losses_have_no_pieces(name):
    assert (LOSSES[name].pieces is None) == (name not in ("absolute_error", "huber", "quantile"))


def test_huber_is_squared_error_within_its_threshold_and_scaled_absolute_error_beyond():
    Y = np.zeros((4, 1))
    w = np.full(4, 0.25)
    near = np.array([[0.1], [-0.2], [0.3], [-0.05]])
    assert _bound("huber", huber_delta=1.0)(near.copy(), Y, w) == pytest.approx(
        _bound("squared_error")(near.copy(), Y, w), rel=1e-15
    )
    far = np.array([[5.0], [-7.0], [3.0], [-2.0]])
    assert _bound("huber", huber_delta=1.0)(far.copy(), Y, w) == pytest.approx(
        _bound("absolute_error")(far.copy(), Y, w) - 0.5, rel=1e-15
    )


def test_pinball_at_the_median_is_half_the_absolute_error():
    Z, Y, w = _data("quantile")
    assert _bound("quantile", quantile=0.5)(Z.copy(), Y, w) == pytest.approx(
        0.5 * _bound("absolute_error")(Z.copy(), Y, w), rel=1e-14
    )


def test_gamma_keeps_its_precision_at_the_minimum():
    # p = y (1 + 1e-9): the loss is about (1e-9)^2 / 2 = 5e-19, which y / p - log(y / p) - 1
    # would lose to rounding (it gives 0 or ~1e-16)
    Y = np.array([[2.0]])
    Z = np.log(Y) + 1e-9
    assert _bound("gamma")(Z.copy(), Y, np.ones(1)) == pytest.approx(0.5e-18, rel=1e-6)


def test_a_loss_parameter_left_unset_is_named():
    with pytest.raises(ValueError, match="loss='quantile' needs quantile to be set.*0.5 for the median"):
        LOSSES["quantile"].with_values(quantile=None)
    assert LOSSES["quantile"].with_values(quantile=0.3).values == {"quantile": 0.3}
    assert LOSSES["squared_error"].with_values(quantile=0.3).values == {}  # only its own


@pytest.mark.parametrize(
    "name, y, message",
    [
        ("poisson", [0.0, 1.0, -1.0], "loss='poisson' needs y >= 0; some values of y are negative"),
        ("gamma", [1.0, 0.0], "loss='gamma' needs y > 0; some values of y are zero or negative"),
        ("gamma", [1.0, -2.0], "loss='gamma' needs y > 0"),
    ],
)
def test_targets_outside_the_loss_domain_are_named(name, y, message):
    with pytest.raises(ValueError, match=message):
        LOSSES[name].check_targets(np.array(y))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_valid_targets_pass(name):
    _, Y, _ = _data(name)
    LOSSES[name].check_targets(Y)


@pytest.mark.parametrize(
    "name, activation",
    [("log_loss", "softmax"), ("binary_log_loss", "logistic"), ("squared_error", "identity"),
     ("absolute_error", "identity"), ("huber", "identity"), ("quantile", "identity"), ("poisson", "exp"),
     ("gamma", "exp")],
)  # fmt: skip
def test_output_activation_derives_from_the_link(name, activation):
    assert LOSSES[name].out_activation == activation
    assert set(OUTPUTS) == {loss.out_activation for loss in LOSSES.values()}


@pytest.mark.parametrize("name", ["log_loss", "binary_log_loss"])
def test_huge_logits_give_exact_finite_losses(name):
    Z = np.array([[1e6, -1e6], [-1e6, 1e6], [1e6, -1e6]])
    if name == "log_loss":
        Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
        # log sum exp z - z_y: 0 where the huge logit is the label, 2e6 where not
        expected_per_row = [0.0, 0.0, 2e6]
    else:
        Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        # log(1 + e^z) - y z per entry: 0 when right, |z| = 1e6 when wrong
        expected_per_row = [0.0, 0.0, 1e6]
    w = np.full(3, 1 / 3)
    delta = Z.copy()
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = LOSSES[name](delta, Y, w)
        P = LOSSES[name].inverse_link(Z.copy())
    np.testing.assert_allclose(loss, np.mean(expected_per_row), rtol=1e-12)
    assert np.all(np.isfinite(delta)) and np.all(np.isfinite(P))
    np.testing.assert_allclose(delta, w[:, None] * (P - Y), atol=1e-300)
    np.testing.assert_array_equal(P, Z > 0)


def test_log_softmax_and_log_expit():
    Z, _, _ = _data("log_loss")
    np.testing.assert_allclose(log_softmax(Z), np.log(_softmax(Z)), rtol=1e-13)
    np.testing.assert_allclose(log_expit(Z), np.log(_sigmoid(Z)), rtol=1e-13)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        np.testing.assert_allclose(log_softmax(np.array([[1e6, -1e6]])), [[0.0, -2e6]])
        np.testing.assert_allclose(log_expit(np.array([1e6, -1e6])), [0.0, -1e6])


@pytest.mark.parametrize("alpha, n_samples", [(0.0, 10), (0.3, 10), (2.0, 7.5)])
def test_l2_penalty_formula(alpha, n_samples):
    rng = np.random.RandomState(0)
    weights = rng.standard_normal(20)  # every layer's weights, flat
    squares = sum(x * x for x in weights)
    assert l2_penalty(weights, alpha, n_samples) == pytest.approx(alpha / (2 * n_samples) * squares, rel=1e-13)


def test_log_expit_keeps_tiny_log_probabilities():
    # log(1 - expit(z)) and log(expit(z)), computed without 1 - p: for |z| = 40 the
    # near-certain side is -log1p(e^-40), about -4e-18, not 0; the other side -40
    z = np.array([-800.0, -40.0, -1e-20, 0.0, 3.0, 40.0, 800.0])
    # logaddexp is another exact route to the same numbers (slower: it takes two
    # exp and two log1p per entry); math.log1p gives the tiny values independently
    np.testing.assert_allclose(log_expit(z), -np.logaddexp(0, -z), rtol=1e-15)
    np.testing.assert_allclose(log_expit(z, negated=True), -np.logaddexp(0, z), rtol=1e-15)
    assert log_expit(np.array([40.0]))[0] == pytest.approx(-math.log1p(math.exp(-40.0)), rel=1e-15)
    assert log_expit(np.array([-40.0]), negated=True)[0] == pytest.approx(-math.log1p(math.exp(-40.0)), rel=1e-15)
    pair = log_expit_pair(z)
    np.testing.assert_array_equal(pair[:, 1], log_expit(z))
    np.testing.assert_array_equal(pair[:, 0], log_expit(z, negated=True))
    assert pair.dtype == z.dtype and log_expit_pair(z.astype(np.float32)).dtype == np.float32
