"""Tests of the output layers and their matched losses: values against direct
formulas, delta = w (P - Y) against finite differences, stability with huge logits,
and the L2 penalty."""

import math
import warnings

import numpy as np
import pytest

from skdeep import numerical_gradient
from skdeep._losses import OUTPUTS, l2_penalty, log_expit, log_expit_pair, log_softmax


def _data(name, n=4, k=3, seed=0):
    """Logits Z, targets Y valid for the output ``name``, and positive weights w."""
    rng = np.random.RandomState(seed)
    Z = rng.standard_normal((n, k))
    if name == "softmax":
        Y = np.eye(k)[rng.randint(k, size=n)]
        Y[0] = [0.2, 0.3, 0.5]  # soft labels that sum to one are valid too
    elif name == "logistic":
        Y = rng.randint(2, size=(n, k)).astype(float)
    elif name == "exp":
        Y = rng.poisson(2.0, size=(n, k)).astype(float)
        Y[0, 0] = 0.0  # y log y = 0 at y = 0
    else:
        Y = rng.standard_normal((n, k))
    w = rng.uniform(0.5, 1.5, size=n)
    return Z, Y, w / w.sum()


# name -> (P(Z), per-entry loss(Z, Y) summed over outputs), from the textbook
# definitions on the probabilities; a new output needs its formulas here.
def _softmax(Z):
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def _sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def _poisson(Z, Y):
    P = np.exp(Z)
    y_log_y_over_p = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0) / P), 0.0)
    return (y_log_y_over_p - Y + P).sum(axis=1)


FORMULAS = {
    "softmax": (_softmax, lambda Z, Y: -(Y * np.log(_softmax(Z))).sum(axis=1)),
    "logistic": (
        _sigmoid,
        lambda Z, Y: -(Y * np.log(_sigmoid(Z)) + (1 - Y) * np.log(1 - _sigmoid(Z))).sum(axis=1),
    ),
    "identity": (lambda Z: Z, lambda Z, Y: 0.5 * ((Z - Y) ** 2).sum(axis=1)),
    "exp": (np.exp, _poisson),
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_loss_matches_its_formula(name):
    assert name in FORMULAS, f"add the formulas of {name!r} to FORMULAS"
    Z, Y, w = _data(name)
    loss = OUTPUTS[name][0](Z.copy(), Y, w)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, np.dot(w, FORMULAS[name][1](Z, Y)), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_activation_matches_its_formula(name):
    Z, _, _ = _data(name)
    np.testing.assert_allclose(OUTPUTS[name][1](Z.copy()), FORMULAS[name][0](Z), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_delta_is_weighted_residual(name):
    Z, Y, w = _data(name)
    delta = Z.copy()
    OUTPUTS[name][0](delta, Y, w)  # overwrites its Z with delta
    np.testing.assert_allclose(delta, w[:, None] * (FORMULAS[name][0](Z) - Y), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_delta_matches_finite_differences(name):
    Z, Y, w = _data(name)
    loss_of = OUTPUTS[name][0]
    delta = Z.copy()
    loss_of(delta, Y, w)
    # the loss overwrites its Z argument, so each evaluation gets a copy
    numeric = numerical_gradient(lambda z: loss_of(z.reshape(Z.shape).copy(), Y, w), Z, epsilon=1e-6)
    numeric = numeric.reshape(Z.shape)
    # error O(h^2) from truncation plus O(eps / h) from rounding: below 1e-9
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["softmax", "logistic"])
def test_huge_logits_give_exact_finite_losses(name):
    Z = np.array([[1e6, -1e6], [-1e6, 1e6], [1e6, -1e6]])
    if name == "softmax":
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
        loss = OUTPUTS[name][0](delta, Y, w)
        P = OUTPUTS[name][1](Z.copy())
    np.testing.assert_allclose(loss, np.mean(expected_per_row), rtol=1e-12)
    assert np.all(np.isfinite(delta)) and np.all(np.isfinite(P))
    np.testing.assert_allclose(delta, w[:, None] * (P - Y), atol=1e-300)
    np.testing.assert_array_equal(P, Z > 0)


def test_log_softmax_and_log_expit():
    Z, _, _ = _data("softmax")
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
