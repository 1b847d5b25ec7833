"""Tests of the gradient checker: hypothesis properties of numerical_gradient,
relative_difference and gradient_check (a correct network passes, a wrong gradient
fails, the estimator is left alone), with and without batch normalization, and the
ReLU kinks where a finite difference means nothing."""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import approx_fprime
from scipy.special import expit, logsumexp, softmax
from sklearn.base import clone

import skdeep._gradient_check as gradient_check_module
import skdeep._network as network_module
import skdeep._training as training_module
from skdeep import DivergenceError, MLPClassifier, MLPRegressor, gradient_check, numerical_gradient, relative_difference
from skdeep._activations import ACTIVATIONS
from skdeep._initializers import INITIALIZERS
from skdeep._network import BATCH_NORM_EPSILON, Layout, loss_and_grads

THRESHOLD = 2e-7  # the bar for a correct network, and gradient_check's default
EPSILON = 1e-7
U = np.finfo(np.float64).eps

# derandomized or not as conftest.py's profile says (CI sees the same examples on
# every run); no deadline and no speed health check: some examples fit an
# estimator, and a loaded machine must not fail them
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FEW = settings(SETTINGS, max_examples=12)

REGRESSION_LOSSES = ["squared_error", "absolute_error", "huber", "quantile", "poisson", "gamma"]
OUTPUT_TYPES = ["binary", "multiclass", "multilabel", *REGRESSION_LOSSES]
KINKED_LOSSES = ("absolute_error", "huber", "quantile")  # their kinks are left out, as ReLU's


# ---------------------------------------------------------------- strategies


@dataclass
class Problem:
    """An estimator, the data to check it on, and its layer sizes."""

    estimator: object
    X: object
    y: np.ndarray
    sample_weight: object
    layer_sizes: tuple
    batch_norm: bool = False

    def check(self, **kwargs):
        return gradient_check(self.estimator, self.X, self.y, sample_weight=self.sample_weight, **kwargs)


def _targets(kind, rng, X):
    n = X.shape[0]
    if kind == "binary":
        return rng.permutation(np.arange(n) % 2), 1
    if kind == "multiclass":
        return rng.permutation(np.arange(n) % 3), 3
    if kind == "multilabel":
        return rng.randint(0, 2, (n, 3)), 3
    if kind == "poisson":
        return rng.poisson(np.exp(X[:, 0])).astype(float), 1
    if kind == "gamma":
        return rng.gamma(2.0, np.exp(X[:, 0]) / 2), 1
    n_outputs = rng.randint(1, 3)
    y = rng.standard_normal((n, n_outputs))
    return (y.ravel() if n_outputs == 1 else y), n_outputs


@st.composite
def problems(
    draw,
    fitted=st.booleans(),
    alpha=st.sampled_from([0.0, 1e-4, 0.1, 3.0]),
    keep_prob=None,
    init=st.sampled_from(sorted(INITIALIZERS)),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    batch_norm=st.booleans(),
):
    """A small network of any output type, with or without batch normalization,
    unfitted or after two epochs of adam, with 3 to 8 samples of 1 to 3 features in
    float32 or float64, dense or sparse, with or without sample weights."""
    kind = draw(st.sampled_from(OUTPUT_TYPES))
    hidden = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
    if keep_prob is None:
        keep_prob = st.one_of(
            st.just(1.0),
            st.floats(0.3, 0.95),
            st.lists(st.floats(0.3, 1.0), min_size=len(hidden), max_size=len(hidden)),
        )
    seed = draw(st.integers(0, 2**16))
    n_samples = draw(st.integers(3, 8))
    n_features = draw(st.integers(1, 3))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    weighted = draw(st.booleans())
    sparse = draw(st.booleans())

    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_samples, n_features))
    y, n_outputs = _targets(kind, rng, X)
    sample_weight = rng.uniform(0.1, 3.0, n_samples).astype(dtype) if weighted else None
    X = X.astype(dtype)
    if sparse:
        X = sp.csr_matrix(X)

    params = dict(
        hidden_layer_sizes=hidden,
        activation=draw(activation),
        alpha=draw(alpha),
        keep_prob=draw(keep_prob),
        init=draw(init),
        batch_norm=draw(batch_norm),
        solver="adam",
        max_iter=2,
        learning_rate_init=0.01,
        random_state=seed,
    )
    if kind in REGRESSION_LOSSES:
        # a threshold near the residuals' size, so that both Huber pieces are met
        loss_params = dict(huber_delta=draw(st.sampled_from([0.1, 1.0])), quantile=draw(st.floats(0.05, 0.95)))
        estimator = MLPRegressor(loss=kind, **loss_params, **params)
    else:
        estimator = MLPClassifier(class_weight=draw(st.sampled_from([None, "balanced"])), **params)
    if draw(fitted):
        try:
            estimator.fit(X, y, sample_weight=sample_weight)
        except DivergenceError:
            # some draws really diverge in two epochs (e.g. He weights, identity units
            # and dropout feeding the Poisson loss's exp): no fitted network to check
            reject()
    return Problem(estimator, X, y, sample_weight, (n_features, *hidden, n_outputs), estimator.batch_norm)


def _layer_slices(layer_sizes, batch_norm=False):
    """name -> (slice of the flat vector, shape), in Layout's packing order: the
    weights, the biases (only the output layer's with batch norm), the gammas, the
    betas."""
    n, hidden = len(layer_sizes) - 1, layer_sizes[1:-1]
    shapes = {f"W{i + 1}": (layer_sizes[i], layer_sizes[i + 1]) for i in range(n)}
    shapes.update({f"b{i + 1}": (layer_sizes[i + 1],) for i in range(n) if not batch_norm or i == n - 1})
    if batch_norm:
        shapes.update({f"gamma{i + 1}": (units,) for i, units in enumerate(hidden)})
        shapes.update({f"beta{i + 1}": (units,) for i, units in enumerate(hidden)})
    slices, start = {}, 0
    for name, shape in shapes.items():
        size = int(np.prod(shape))
        slices[name] = (slice(start, start + size), shape)
        start += size
    assert start == Layout(layer_sizes, batch_norm).size
    return slices


# ---------------------------------------------------------------- relative_difference

# values a gradient holds: zero, or 1e-3 to 1e3 in size (the extremes get their own test)
moderate = st.one_of(st.just(0.0), st.floats(1e-3, 1e3), st.floats(-1e3, -1e-3))


@st.composite
def vector_pairs(draw):
    n = draw(st.integers(1, 6))
    vector = hnp.arrays(np.float64, n, elements=moderate)
    return draw(vector), draw(vector)


@SETTINGS
@given(pair=vector_pairs())
def test_relative_difference_is_symmetric(pair):
    a, b = pair
    assert relative_difference(a, b) == relative_difference(b, a)


@SETTINGS
@given(pair=vector_pairs())
def test_relative_difference_is_zero_exactly_when_equal(pair):
    a, b = pair
    assert relative_difference(a, a.copy()) == 0.0
    if np.array_equal(a, b):
        assert relative_difference(a, b) == 0.0
    else:
        assert relative_difference(a, b) > 0.0


@SETTINGS
@given(pair=vector_pairs(), c=st.floats(0.01, 100))
def test_relative_difference_lies_in_zero_one(pair, c):
    a, b = pair
    assert 0.0 <= relative_difference(a, b) <= 1.0
    # the bound is reached when b points opposite to a
    assume(np.any(a))
    assert relative_difference(a, -c * a) == pytest.approx(1.0, rel=1e-12)
    assert relative_difference(a, -c * a) <= 1.0


@SETTINGS
@given(pair=vector_pairs(), k=st.integers(-40, 40), sign=st.sampled_from([-1.0, 1.0]))
def test_relative_difference_is_scale_invariant_exactly_for_powers_of_two(pair, k, sign):
    a, b = pair
    c = sign * 2.0**k  # multiplying by a power of two rounds nothing
    assert relative_difference(c * a, c * b) == relative_difference(a, b)


@SETTINGS
@given(pair=vector_pairs(), c=st.one_of(st.floats(1e-3, 1e3), st.floats(-1e3, -1e-3)))
def test_relative_difference_is_scale_invariant(pair, c):
    a, b = pair
    # rounding c * a and c * b moves ||a - b|| by at most a few ulps of ||a|| + ||b||
    scaled = relative_difference(c * a, c * b)
    np.testing.assert_allclose(scaled, relative_difference(a, b), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e200, 1e300])
def test_relative_difference_at_extreme_scales(scale):
    # squaring these under- or overflows; the result must not depend on the units
    a, b = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    expected = 1.0 / (np.sqrt(5.0) + np.sqrt(10.0))
    assert relative_difference(scale * a, scale * b) == pytest.approx(expected, rel=1e-12)
    assert relative_difference(scale * a, np.zeros(2)) == 1.0


def test_relative_difference_of_zero_vectors_is_zero():
    assert relative_difference(np.zeros(4), np.zeros(4)) == 0.0
    assert relative_difference([0.0], [-0.0]) == 0.0


def test_relative_difference_closed_form():
    # ||(3, 4) - (0, 0)|| / (5 + 0) = 1;  ||(3, 4) - (3, 0)|| / (5 + 3) = 1 / 2
    assert relative_difference([3.0, 4.0], [0.0, 0.0]) == 1.0
    assert relative_difference([3.0, 4.0], [3.0, 0.0]) == 0.5


# ---------------------------------------------------------------- numerical_gradient

points = hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-2, 2))


def _roundoff_bound(magnitude, epsilon=EPSILON):
    """What rounding alone can move a two-sided difference by: each evaluation of f
    is off by a few ulps of the size of its terms, and the difference is divided by
    2 epsilon. The factor 100 covers the ulps of a handful of summed terms."""
    return 100 * U * (1 + magnitude) / epsilon


@SETTINGS
@given(x=points, seed=st.integers(0, 2**16))
def test_numerical_gradient_of_a_quadratic(x, seed):
    rng = np.random.RandomState(seed)
    M = rng.uniform(-1, 1, (x.size, x.size))
    A, b = M + M.T, rng.uniform(-1, 1, x.size)

    def f(v):
        return 0.5 * v @ A @ v + b @ v

    # a two-sided difference of a quadratic has no truncation error: only rounding
    magnitude = 0.5 * np.abs(x) @ np.abs(A) @ np.abs(x) + np.abs(b) @ np.abs(x)
    np.testing.assert_allclose(numerical_gradient(f, x), A @ x + b, rtol=0, atol=_roundoff_bound(magnitude))


@SETTINGS
@given(x=points)
def test_numerical_gradient_of_sin(x):
    # truncation error epsilon^2 / 6 * |cos| < 2e-15, far below rounding
    grad = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_allclose(grad, np.cos(x), rtol=0, atol=_roundoff_bound(x.size))


@SETTINGS
@given(x=points)
def test_numerical_gradient_of_log_sum_exp(x):
    grad = numerical_gradient(logsumexp, x)
    bound = _roundoff_bound(np.abs(x).max() + np.log(x.size))
    np.testing.assert_allclose(grad, softmax(x), rtol=0, atol=bound)


@SETTINGS
@given(x=points, seed=st.integers(0, 2**16))
def test_numerical_gradient_agrees_with_scipy_approx_fprime(x, seed):
    A = np.random.RandomState(seed).uniform(-1, 1, (3, x.size))

    def f(v):
        return logsumexp(A @ v) + np.sum(np.sin(v))

    # approx_fprime takes forward differences with step sqrt(machine eps) ~ 1.5e-8: its
    # error is about that step times the curvature (< 10 here) and the size of f
    np.testing.assert_allclose(numerical_gradient(f, x), approx_fprime(x, f), rtol=0, atol=1e-6)


@SETTINGS
@given(x=points)
def test_numerical_gradient_is_two_sided(x):
    # for f = sum x^3: (f(x + e) - f(x - e)) / 2e = 3 x^2 + e^2 exactly, whereas a
    # forward difference would add 3 x e
    epsilon = 1e-3
    grad = numerical_gradient(lambda v: np.sum(v**3), x, epsilon=epsilon)
    np.testing.assert_allclose(grad, 3 * x**2 + epsilon**2, rtol=0, atol=_roundoff_bound(8 * x.size, epsilon))


def test_numerical_gradient_leaves_theta_alone_and_passes_a_flat_float64_vector():
    theta = np.array([[1, 2], [3, 4]])  # integers, two-dimensional
    seen = []

    def f(v):
        seen.append((v.dtype, v.shape))
        return float(np.sum(v**2))

    grad = numerical_gradient(f, theta)
    np.testing.assert_array_equal(theta, [[1, 2], [3, 4]])
    assert set(seen) == {(np.dtype(np.float64), (4,))}
    assert len(seen) == 2 * 4  # two evaluations per entry
    assert grad.dtype == np.float64 and grad.shape == (4,)
    np.testing.assert_allclose(grad, [2, 4, 6, 8], rtol=0, atol=_roundoff_bound(30))


# ---------------------------------------------------------------- a correct network passes


def _assert_consistent(result, layer_sizes, batch_norm=False):
    """The result's fields agree with one another and with its per-layer breakdown."""
    checked = ~np.isnan(result.numerical)
    assert result.gradient.dtype == result.numerical.dtype == np.float64
    assert result.gradient.shape == result.numerical.shape == (Layout(layer_sizes, batch_norm).size,)
    assert np.isfinite(result.gradient).all()
    g, num = result.gradient[checked], result.numerical[checked]
    # the relative difference, its denominator held above the finite differences' noise
    floor = result.noise_floor
    assert result.difference == pytest.approx(
        min(1.0, np.linalg.norm(g - num) / max(np.linalg.norm(g) + np.linalg.norm(num), floor)), rel=1e-12
    )
    assert result.difference <= relative_difference(g, num) or result.difference == pytest.approx(
        relative_difference(g, num), rel=1e-12
    )
    assert result.passed == (result.difference < result.threshold)
    assert result.skipped == int((~checked).sum()) == sum(layer.skipped for layer in result.layers)

    slices = _layer_slices(layer_sizes, batch_norm)
    assert [layer.name for layer in result.layers] == list(slices)
    for layer in result.layers:
        where, shape = slices[layer.name]
        g, num = result.gradient[where].reshape(shape), result.numerical[where].reshape(shape)
        ok = ~np.isnan(num)
        assert layer.skipped == int((~ok).sum())
        assert layer.difference <= relative_difference(g[ok], num[ok]) + 1e-15
        assert len(layer.worst) == min(3, int(ok.sum()))
        errors = [abs(backprop - numerical) for _, backprop, numerical in layer.worst]
        assert errors == sorted(errors, reverse=True)
        if ok.any():
            assert errors[0] == np.abs(g[ok] - num[ok]).max()
        for index, backprop, numerical in layer.worst:
            assert backprop == g[index] and numerical == num[index]


def _check_and_loss(problem):
    """The result of checking ``problem``, and the loss J at the check point."""
    results = []
    calls = _recorded_calls(lambda: results.append(problem.check()))
    return results[0], calls[0][2]


def _assume_not_stationary(gradient, loss):
    """Rounding in J(theta +- epsilon) puts noise of order u |J| / epsilon ~ 1e-9 |J|
    into every numerical entry, so near a stationary point no relative check can pass
    (test_zero_gradient_is_not_a_false_alarm is that case). The properties below are
    claimed where the gradient is not tiny against the loss."""
    assume(np.linalg.norm(gradient) >= 1e-2 * (1 + abs(loss)))


@SETTINGS
@given(problem=problems())
def test_numerical_gradient_is_within_rounding_of_backprop(problem):
    # everywhere, stationary points included: each checked entry differs from backprop
    # by no more than rounding, a few u (1 + |J|) / epsilon (truncation, epsilon^2 / 6 times
    # a third derivative ~ 1e-14, is far below)
    result, loss = _check_and_loss(problem)
    checked = ~np.isnan(result.numerical)
    error = np.abs(result.numerical[checked] - result.gradient[checked])
    assert error.max() <= 50 * U * (1 + abs(loss)) / EPSILON, str(result)


@SETTINGS
@given(problem=problems())
def test_correct_network_passes(problem):
    result, loss = _check_and_loss(problem)
    _assume_not_stationary(result.gradient, loss)
    assert result.difference < THRESHOLD, str(result)
    assert result.passed
    assert result.threshold == THRESHOLD
    _assert_consistent(result, problem.layer_sizes, problem.batch_norm)
    if problem.estimator.activation != "relu" and getattr(problem.estimator, "loss", None) not in KINKED_LOSSES:
        assert result.skipped == 0  # only a kink (ReLU's or the loss's) excuses an entry


def test_checks_the_loss_and_gradient_that_fit_uses():
    # one loss_and_grads for every solver; the checker evaluates it through the same
    # full-batch objective that lbfgs minimizes
    assert training_module.loss_and_grads is network_module.loss_and_grads is loss_and_grads
    assert gradient_check_module.full_batch_objective is training_module.full_batch_objective
    assert training_module.full_batch_objective is network_module.full_batch_objective


# ---------------------------------------------------------------- a wrong gradient fails


def _check_with(corrupt, problem):
    """gradient_check with backprop's gradient passed through ``corrupt``.

    Returns the result, and the loss and the right and wrong gradients at the check
    point (the first evaluation). The loss is untouched: only the gradient is wrong.
    """
    at_check_point = {}

    def wrong_loss_and_grads(theta, X, Y, w, net, *, alpha, n_samples, masks=None, ws=None):
        loss, grad = loss_and_grads(theta, X, Y, w, net, alpha=alpha, n_samples=n_samples, masks=masks, ws=ws)
        right = grad.copy()
        state = dict(theta=theta, X=X, Y=Y, w=w, net=net, alpha=alpha, n_samples=n_samples, masks=masks)
        wrong = corrupt(right.copy(), **state)
        at_check_point.setdefault("loss", loss)
        at_check_point.setdefault("right", right)
        at_check_point.setdefault("wrong", wrong)
        return loss, wrong

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(network_module, "loss_and_grads", wrong_loss_and_grads)
        result = problem.check()
    right, wrong = at_check_point["right"], at_check_point["wrong"]
    np.testing.assert_array_equal(result.gradient, wrong)  # it checks what backprop gave
    return result, at_check_point["loss"], right, wrong


def _assume_visible(result, loss, right, wrong):
    """The bug changes the checked entries by far more than the threshold, at a point
    where the gradient stands above the rounding noise; elsewhere (a zero gradient
    scaled, the L2 term of zero weights, a bug in the entries left out) no check can
    see it."""
    _assume_not_stationary(right, loss)
    checked = ~np.isnan(result.numerical)
    assume(relative_difference(wrong[checked], right[checked]) > 1e-4)


unfitted = problems(fitted=st.just(False))


@SETTINGS
@given(problem=unfitted, factor=st.one_of(st.floats(-2, 0.999), st.floats(1.001, 3)))
def test_scaled_gradient_fails(problem, factor):
    result, loss, right, wrong = _check_with(lambda grad, **_: factor * grad, problem)
    _assume_visible(result, loss, right, wrong)
    assert not result.passed, str(result)


@SETTINGS
@given(
    problem=unfitted,
    position=st.floats(0, 1, exclude_max=True),
    size=st.one_of(st.floats(1e-3, 1.0), st.floats(-1.0, -1e-3)),
)
def test_one_perturbed_entry_fails_and_is_the_worst_of_its_layer(problem, position, size):
    n_params = Layout(problem.layer_sizes, problem.batch_norm).size
    k = int(position * n_params)

    def perturb(grad, **_):
        grad[k] += size * np.linalg.norm(grad)
        return grad

    result, loss, right, wrong = _check_with(perturb, problem)
    _assume_visible(result, loss, right, wrong)
    assert not result.passed, str(result)
    # the breakdown points at the bug: its layer fails, and its worst entry is entry k
    for name, (where, shape) in _layer_slices(problem.layer_sizes, problem.batch_norm).items():
        if where.start <= k < where.stop:
            break
    layer = {layer.name: layer for layer in result.layers}[name]
    assert layer.difference >= THRESHOLD
    assert layer.worst[0][0] == np.unravel_index(k - where.start, shape)


@SETTINGS
@given(problem=problems(fitted=st.just(False), alpha=st.floats(0.01, 10)))
def test_missing_l2_term_fails(problem):
    def forget_l2(grad, *, theta, net, alpha, n_samples, **_):
        n_coefs = net.layout.n_coefs
        grad[:n_coefs] -= alpha / n_samples * theta[:n_coefs]
        return grad

    result, loss, right, wrong = _check_with(forget_l2, problem)
    _assume_visible(result, loss, right, wrong)
    assert not result.passed, str(result)


# Hidden activations and their derivatives in terms of the activation's output H,
# written out again here so the reference below shares no code with the one tested.
_HIDDEN = {
    "identity": (lambda Z: Z, lambda H: np.ones_like(H)),
    "logistic": (expit, lambda H: H * (1 - H)),
    "tanh": (np.tanh, lambda H: 1 - H**2),
    "relu": (lambda Z: np.maximum(Z, 0), lambda H: (H > 0).astype(H.dtype)),
}
# each loss's derivative dloss/dz per entry, 0 at a kink (the subgradient backprop takes)
_LOSS_DERIVATIVE = {
    "log_loss": lambda Z, Y: softmax(Z, axis=1) - Y,
    "binary_log_loss": lambda Z, Y: expit(Z) - Y,
    "squared_error": lambda Z, Y: Z - Y,
    "poisson": lambda Z, Y: np.exp(Z) - Y,
    "absolute_error": lambda Z, Y: np.sign(Z - Y),
    "huber": lambda Z, Y, huber_delta: np.clip(Z - Y, -huber_delta, huber_delta),
    "quantile": lambda Z, Y, quantile: np.where(Z > Y, 1 - quantile, np.where(Z < Y, -quantile, 0.0)),
    "gamma": lambda Z, Y: 1 - Y * np.exp(-Z),
}


def _reference_gradient(theta, X, Y, w, net, *, alpha, n_samples, masks, mask_in_backward=True):
    """Backprop from the formulas in skdeep._network, plainly: with
    mask_in_backward=False the dropout masks are applied going forward but not coming
    back, the bug the notes warn of. With batch normalization each hidden layer
    normalizes Z = A W with the batch's statistics weighted by w, then scales by
    gamma and shifts by beta."""
    layout = net.layout
    coefs, intercepts = layout.unpack(theta)
    scales, shifts = layout.unpack_batch_norm(theta)
    activate, derivative = _HIDDEN[net.activation]
    omega = w / w.sum()
    inputs, hidden, normalized, A = [X], [], [], X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = np.asarray(A @ W) + (0 if b is None else b)
        if i == len(coefs) - 1:
            break
        if layout.batch_norm:
            mu = omega @ Z
            inv_std = 1 / np.sqrt(omega @ (Z - mu) ** 2 + BATCH_NORM_EPSILON)
            normalized.append(((Z - mu) * inv_std, inv_std))
            Z = scales[i] * normalized[i][0] + shifts[i]
        H = activate(Z)
        hidden.append(H)
        A = H if masks is None or masks[i] is None else H * masks[i]
        inputs.append(A)
    delta = w[:, None] * _LOSS_DERIVATIVE[net.loss.name](Z, Y, **net.loss.values)
    n = len(coefs)
    grad_W, grad_b, grad_gamma, grad_beta = [None] * n, [None] * n, [None] * (n - 1), [None] * (n - 1)
    for i in reversed(range(n)):
        grad_W[i] = np.asarray(inputs[i].T @ delta) + alpha / n_samples * coefs[i]
        grad_b[i] = delta.sum(axis=0)
        if i:
            delta = delta @ coefs[i].T
            if mask_in_backward and masks is not None and masks[i - 1] is not None:
                delta = delta * masks[i - 1]
            delta = delta * derivative(hidden[i - 1])
            if layout.batch_norm:
                Z_hat, inv_std = normalized[i - 1]
                grad_gamma[i - 1], grad_beta[i - 1] = (delta * Z_hat).sum(axis=0), delta.sum(axis=0)
                # through Z_hat = (Z - mu) / sigma, whose mu and sigma depend on every row
                delta = scales[i - 1] * inv_std * (
                    delta - omega[:, None] * (grad_beta[i - 1] + Z_hat * grad_gamma[i - 1])
                )
    grad_b = [g for g, bias in zip(grad_b, layout.has_bias) if bias]
    if not layout.batch_norm:
        grad_gamma = grad_beta = []
    return np.concatenate([g.ravel() for g in grad_W + grad_b + grad_gamma + grad_beta])


@SETTINGS
@given(
    problem=problems(
        fitted=st.just(False),
        keep_prob=st.floats(0.2, 0.9),
        init=st.sampled_from(["auto", "he", "xavier", "glorot_uniform"]),
    )
)
def test_dropout_mask_left_out_of_backward_fails(problem):
    def forget_mask(grad, **state):
        # the reference with the masks is backprop itself, so the only bug is the one
        np.testing.assert_allclose(_reference_gradient(**state), grad, rtol=1e-9, atol=1e-12)
        return _reference_gradient(**state, mask_in_backward=False)

    result, loss, right, wrong = _check_with(forget_mask, problem)
    _assume_visible(result, loss, right, wrong)
    assert not result.passed, str(result)


# ---------------------------------------------------------------- what is checked, and where


def _recorded_calls(run):
    """Run ``run()`` with loss_and_grads recording, for each call (from the full-batch
    objective or the mini-batch loop), a copy of the parameters and dropout masks, and
    the loss."""
    calls = []

    def recording(theta, *args, masks=None, **kwargs):
        loss, grad = loss_and_grads(theta, *args, masks=masks, **kwargs)
        masks_copy = None if masks is None else [m if m is None else m.copy() for m in masks]
        calls.append((theta.copy(), masks_copy, loss))
        return loss, grad

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(network_module, "loss_and_grads", recording)
        patch.setattr(training_module, "loss_and_grads", recording)
        run()
    return calls


def _fit_briefly(estimator, problem):
    estimator.set_params(max_iter=1).fit(problem.X, problem.y, sample_weight=problem.sample_weight)


@FEW
@given(problem=unfitted)
def test_unfitted_check_point_is_the_first_point_fit_evaluates(problem):
    check_calls = _recorded_calls(problem.check)
    fit_calls = _recorded_calls(lambda: _fit_briefly(clone(problem.estimator), problem))
    check_point, fit_point = check_calls[0][0], fit_calls[0][0]
    assert check_point.dtype == np.float64
    np.testing.assert_array_equal(check_point, fit_point.astype(np.float64))


@FEW
@given(problem=problems(fitted=st.just(True)))
def test_fitted_check_point_is_coefs_and_intercepts(problem):
    est = problem.estimator
    check_point = _recorded_calls(problem.check)[0][0]
    if est.batch_norm:  # the hidden layers have no bias; gamma and beta come last
        arrays = est.coefs_ + est.intercepts_[-1:] + est.batch_norm_scales_ + est.batch_norm_shifts_
    else:
        arrays = est.coefs_ + est.intercepts_
    expected = np.concatenate([a.ravel() for a in arrays]).astype(np.float64)
    np.testing.assert_array_equal(check_point, expected)


@FEW
@given(problem=problems(keep_prob=st.floats(0.2, 0.9)))
def test_dropout_masks_are_drawn_once_and_held_fixed(problem):
    calls = _recorded_calls(problem.check)
    keep = problem.estimator.keep_prob
    first = calls[0][1]
    assert first is not None and len(first) == len(problem.layer_sizes) - 2
    for mask, units in zip(first, problem.layer_sizes[1:-1]):
        assert mask.dtype == np.float64 and mask.shape == (problem.X.shape[0], units)
        assert set(np.unique(mask)) <= {0.0, 1.0 / keep}
    for _, masks, _ in calls[1:]:
        for mask, fixed in zip(masks, first):
            np.testing.assert_array_equal(mask, fixed)


# ---------------------------------------------------------------- the estimator is left alone


def _fitted_arrays(est):
    names = ("coefs_", "intercepts_", "loss_curve_", "batch_norm_scales_", "batch_norm_shifts_",
             "batch_norm_means_", "batch_norm_vars_")  # fmt: skip
    return {
        name: [np.array(a, copy=True) for a in getattr(est, name)]
        for name in names
        if getattr(est, name, None) is not None
    }


@FEW
@given(problem=problems())
def test_estimator_is_left_unchanged(problem):
    est = problem.estimator
    params = est.get_params(deep=False)
    attributes = dict(vars(est))
    arrays = _fitted_arrays(est)
    problem.check()
    assert est.get_params(deep=False) == params
    assert vars(est).keys() == attributes.keys()
    for name, value in attributes.items():
        assert vars(est)[name] is value, name
    for name, saved in arrays.items():
        for now, before in zip(getattr(est, name), saved):
            assert np.asarray(now).dtype == before.dtype
            np.testing.assert_array_equal(now, before)


@pytest.mark.parametrize("fitted", [False, True])
@pytest.mark.parametrize("keep_prob", [1.0, 0.5])
def test_random_state_instance_is_not_advanced(fitted, keep_prob):
    X = np.random.RandomState(0).standard_normal((6, 2))
    y = np.arange(6) % 2
    rng = np.random.RandomState(3)
    est = MLPClassifier((3,), activation="tanh", keep_prob=keep_prob, random_state=rng, max_iter=1)
    if fitted:
        est.fit(X, y)
    before = rng.get_state(legacy=False)
    gradient_check(est, X, y)
    after = rng.get_state(legacy=False)
    np.testing.assert_array_equal(after["state"]["key"], before["state"]["key"])
    assert after["state"]["pos"] == before["state"]["pos"]
    assert (after["has_gauss"], after["gauss"]) == (before["has_gauss"], before["gauss"])


def test_unfitted_random_state_instance_checks_the_point_fit_would_start_from():
    X = np.random.RandomState(0).standard_normal((6, 2))
    y = np.arange(6) % 3

    def make():
        return MLPClassifier((4, 3), activation="logistic", random_state=np.random.RandomState(11))

    problem = Problem(make(), X, y, None, (2, 4, 3, 3))
    check_point = _recorded_calls(problem.check)[0][0]
    fit_point = _recorded_calls(lambda: _fit_briefly(make(), problem))[0][0]
    np.testing.assert_array_equal(check_point, fit_point)


# ---------------------------------------------------------------- ReLU kinks


def _negative_first_layer(fan_in, fan_out, rng):
    """Negative weights from the 3 inputs: on positive X every first-layer unit is dead."""
    weights = rng.standard_normal((fan_in, fan_out))
    return -np.abs(weights) if fan_in == 3 else weights


@pytest.mark.parametrize("cls", [MLPRegressor, MLPClassifier])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dead_layer_gives_exact_kinks_that_are_skipped(cls, dtype):
    # layer 1 is dead for every sample, so layer 2's pre-activations are 0 W2 + b2 =
    # exactly 0: moving b2_j by +-epsilon crosses the kink, moving anything else does not
    rng = np.random.RandomState(0)
    X = rng.uniform(0.5, 2.0, (5, 3)).astype(dtype)
    y = np.arange(5) % 2 if cls is MLPClassifier else rng.standard_normal(5)
    est = cls(
        hidden_layer_sizes=(4, 2), activation="relu", init=_negative_first_layer, alpha=0.1, random_state=0
    )
    result = gradient_check(est, X, y)
    layers = {layer.name: layer for layer in result.layers}
    assert result.skipped == layers["b2"].skipped == 2
    assert result.passed and result.difference < THRESHOLD, str(result)
    _assert_consistent(result, (3, 4, 2, 1))


def test_dropped_layer_gives_exact_kinks_that_are_skipped():
    # keep_prob 0.05 drops the one unit of layer 1 for some samples; for those, layer
    # 2's pre-activations are exactly b2 = 0 (He starts the biases at zero)
    rng = np.random.RandomState(0)
    X = rng.standard_normal((6, 2))
    y = rng.standard_normal(6)
    est = MLPRegressor(
        hidden_layer_sizes=(1, 3), activation="relu", init="he", keep_prob=[0.05, 1.0], random_state=0
    )
    result = gradient_check(est, X, y)
    assert {layer.name: layer.skipped for layer in result.layers}["b2"] == 3
    assert result.passed and result.difference < THRESHOLD, str(result)


@pytest.mark.parametrize(
    "loss, params, y0",
    [("absolute_error", {}, 0.0), ("quantile", {"quantile": 0.3}, 0.0), ("huber", {"huber_delta": 0.5}, -0.5)],
)
def test_a_loss_kink_is_skipped_as_a_relu_kink(loss, params, y0):
    # init='zeros': every output is exactly b = 0, so the first row's residual sits on
    # the loss's kink (z = y, or |z - y| = huber_delta): moving the output bias by
    # +-epsilon crosses it, moving any weight does not (the hidden units are all 0)
    rng = np.random.RandomState(0)
    X = rng.standard_normal((5, 2))
    y = np.r_[y0, rng.standard_normal(4) + 2.0]
    est = MLPRegressor(hidden_layer_sizes=(3,), activation="tanh", init="zeros", loss=loss, **params)
    result = gradient_check(est, X, y)
    assert {layer.name: layer.skipped for layer in result.layers} == {"W1": 0, "W2": 0, "b1": 0, "b2": 1}
    assert result.passed, str(result)
    assert "kink" in str(result)
    # at a point off every kink nothing is left out
    off = gradient_check(est, X, y + 0.25)
    assert off.skipped == 0 and off.passed, str(off)


# the course's named schemes, which start the biases at zero ('auto' draws them)
ZERO_BIAS_INITS = sorted(set(INITIALIZERS) - {"auto"})


@SETTINGS
@given(
    problem=problems(
        fitted=st.just(False), activation=st.just("relu"), init=st.sampled_from(ZERO_BIAS_INITS),
        batch_norm=st.just(False),  # batch norm has no first-layer biases, and no kink at a zero row
    )
)
def test_relu_on_a_zero_sample_skips_first_layer_biases_and_passes(problem):
    # a zero row of X meets zero initial biases: every first-layer pre-activation is
    # exactly 0 for it, so each b1_j crosses the kink; the output biases never can
    X = problem.X.toarray() if sp.issparse(problem.X) else problem.X.copy()
    X[0] = 0
    problem.X = sp.csr_matrix(X) if sp.issparse(problem.X) else X
    result, loss = _check_and_loss(problem)
    layers = {layer.name: layer for layer in result.layers}
    assert layers["b1"].skipped == problem.layer_sizes[1]
    assert layers[f"b{len(problem.layer_sizes) - 1}"].skipped == 0
    _assume_not_stationary(result.gradient, loss)
    assert result.passed and result.difference < THRESHOLD, str(result)
    _assert_consistent(result, problem.layer_sizes)


# ---------------------------------------------------------------- numerics


@pytest.mark.parametrize("n_classes", [2, 3])
def test_confident_fitted_classifier_passes(n_classes):
    # A well-trained classifier: logits of size ~10, a loss and a gradient of ~1e-3.
    # The finite differences resolve the loss only as finely as it is computed: as
    # log(1 + e^z) - y z (logistic), a difference of numbers of size ~10, or as the log
    # of a sum of exponentials within 1e-3 of 1 (softmax), rounding swamps its changes;
    # computed without cancellation it does not.
    rng = np.random.RandomState(0)
    X = rng.standard_normal((12, 3))
    y = np.arange(12) % n_classes
    est = MLPClassifier(
        (4,), activation="tanh", learning_rate_init=0.05, max_iter=1000, n_iter_no_change=1000, random_state=0
    )
    est.fit(X, y)
    assert est.loss_ < 1e-2  # confident: the case this test is about
    result = gradient_check(est, X, y)
    assert result.passed and result.difference < THRESHOLD, str(result)


def test_zero_gradient_is_not_a_false_alarm():
    # init='zeros' and balanced classes: every logit is 0, every probability 1/3 and the
    # gradient exactly zero. Backprop returns it up to rounding (~1e-17), the finite
    # differences up to theirs (~u |J| / epsilon); that is agreement, yet the relative
    # difference of two roundings is about 1.
    X = np.random.RandomState(0).standard_normal((6, 2))
    y = np.arange(6) % 3
    est = MLPClassifier((3,), activation="tanh", init="zeros", alpha=0.0, random_state=0)
    result = gradient_check(est, X, y)
    assert np.abs(result.gradient).max() < 1e-15  # the point is stationary
    assert result.passed, str(result)


def test_non_finite_loss_does_not_pass():
    # exp output with logits ~1e4 overflows: there is no gradient to check, and NaN
    # finite differences are not ReLU kinks
    rng = np.random.RandomState(0)
    X = 100 * rng.standard_normal((5, 2))
    y = rng.poisson(2.0, 5).astype(float)
    est = MLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(3,),
        activation="identity",
        init="random",
        init_scale=30.0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = gradient_check(est, X, y)
    assert not result.passed
    assert result.skipped == 0
    assert [layer.skipped for layer in result.layers] == [0] * 4  # the layers say the same
    assert "not finite" in str(result) and "left out" not in str(result)


@pytest.mark.parametrize("epsilon", [0.0, np.nan, np.inf])
def test_epsilon_must_be_positive_and_finite(epsilon):
    X = np.random.RandomState(0).standard_normal((4, 2))
    est = MLPRegressor(hidden_layer_sizes=(2,), random_state=0)
    with pytest.raises(ValueError, match="epsilon"):
        gradient_check(est, X, np.arange(4.0), epsilon=epsilon)


def test_float32_input_is_checked_in_float64():
    # a float32 loss has rounding ~1e-7 relative, so its finite differences would be
    # wrong by ~1; in float64 the check passes at 2e-7
    rng = np.random.RandomState(0)
    X = rng.standard_normal((6, 3)).astype(np.float32)
    y = rng.standard_normal(6).astype(np.float32)
    est = MLPRegressor(hidden_layer_sizes=(4, 3), activation="tanh", alpha=0.5, keep_prob=0.7, random_state=0)
    result = gradient_check(est, X, y)
    assert result.gradient.dtype == np.float64
    assert result.passed and result.difference < THRESHOLD, str(result)


def test_epsilon_and_threshold_are_used():
    rng = np.random.RandomState(0)
    X = rng.standard_normal((5, 2))
    y = rng.standard_normal(5)
    est = MLPRegressor(hidden_layer_sizes=(3,), activation="tanh", random_state=0)
    # with large steps the truncation error (epsilon^2 / 6) f''' of two-sided
    # differences dominates rounding: ten times the step, a hundred times the difference
    coarse = gradient_check(est, X, y, epsilon=1e-2).difference
    fine = gradient_check(est, X, y, epsilon=1e-3).difference
    assert coarse / fine == pytest.approx(100, rel=0.05)
    # passed means difference < threshold, strictly; at epsilon=1e-3 the truncation
    # error stands far above the rounding noise, so the noise floor (which scales with
    # 1 / threshold) stays out of the way
    difference = gradient_check(est, X, y, epsilon=1e-3).difference
    assert not gradient_check(est, X, y, epsilon=1e-3, threshold=difference).passed
    assert gradient_check(est, X, y, epsilon=1e-3, threshold=np.nextafter(difference, 1.0)).passed
