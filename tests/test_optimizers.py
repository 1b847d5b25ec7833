"""Tests of the optimizers: steps of SGD, momentum, Nesterov, RMSprop and Adam against
their closed forms; the course's momentum as skdeep's; and one estimator step by hand."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPClassifier
from skdeep._losses import LOSSES
from skdeep._network import Layout, Network, full_batch_objective
from skdeep._optimizers import OPTIMIZERS, SGD, Adam, RMSprop


def _params():
    rng = np.random.RandomState(0)
    return [rng.standard_normal((3, 2)), rng.standard_normal(4)]


def _grads(n_steps):
    """A different gradient for each step, so the state (velocity, moments) matters."""
    rng = np.random.RandomState(1)
    return [[rng.standard_normal((3, 2)), rng.standard_normal(4)] for _ in range(n_steps)]


def _copy(arrays):
    return [a.copy() for a in arrays]


def test_sgd_without_momentum_is_one_gradient_step():
    params, (g,) = _params(), _grads(1)
    start = _copy(params)
    SGD(params, learning_rate=0.3, momentum=0.0).step(params, g)
    for p, p0, gi in zip(params, start, g):
        np.testing.assert_allclose(p, p0 - 0.3 * gi, rtol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_steps_match_the_closed_form(nesterov):
    lr, beta = 0.1, 0.8
    params = _params()
    opt = SGD(params, learning_rate=lr, momentum=beta, nesterov=nesterov)
    expected = _copy(params)
    v = [np.zeros_like(p) for p in params]
    for g in _grads(3):
        for k in range(len(params)):
            v[k] = beta * v[k] - lr * g[k]
            # classical: theta += v;  Nesterov: theta += beta v - lr g, with the new v
            expected[k] = expected[k] + (beta * v[k] - lr * g[k] if nesterov else v[k])
        opt.step(params, g)
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p, e, rtol=1e-13, atol=1e-15)


def test_nesterov_and_classical_differ():
    plain, nesterov = _params(), _params()
    opt_plain = SGD(plain, learning_rate=0.1, momentum=0.8, nesterov=False)
    opt_nesterov = SGD(nesterov, learning_rate=0.1, momentum=0.8, nesterov=True)
    for g in _grads(2):
        opt_plain.step(plain, g)
        opt_nesterov.step(nesterov, g)
    assert not np.allclose(plain[0], nesterov[0])


@pytest.mark.parametrize("epsilon", [1e-8, 0.5])
def test_adam_steps_match_the_closed_form(epsilon):
    lr, b1, b2 = 0.01, 0.9, 0.999
    params, grads = _params(), _grads(3)
    opt = Adam(params, learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=epsilon)
    expected = _copy(params)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t, g in enumerate(grads, start=1):
        for k in range(len(params)):
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
            # sklearn's form: the bias corrections folded into the step size, so
            # epsilon is added to sqrt(v), not to sqrt(v / (1 - b2^t))
            lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            expected[k] = expected[k] - lr_t * m[k] / (np.sqrt(v[k]) + epsilon)
        opt.step(params, g)
        assert opt.t == t
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p, e, rtol=1e-13, atol=1e-15)


def test_adam_first_step_is_about_lr_times_the_sign():
    # m_hat / sqrt(v_hat) = g / |g| on the first step
    params, (g,) = _params(), _grads(1)
    start = _copy(params)
    Adam(params, learning_rate=0.01, epsilon=1e-12).step(params, g)
    for p, p0, gi in zip(params, start, g):
        np.testing.assert_allclose(p, p0 - 0.01 * np.sign(gi), rtol=1e-9)


@pytest.mark.parametrize("epsilon", [1e-8, 0.5])
@pytest.mark.parametrize("beta_2", [0.9, 0.999])
def test_rmsprop_steps_match_the_closed_form(epsilon, beta_2):
    lr = 0.01
    params, grads = _params(), _grads(3)
    opt = RMSprop(params, learning_rate=lr, beta_2=beta_2, epsilon=epsilon)
    expected = _copy(params)
    s = [np.zeros_like(p) for p in params]
    for g in grads:
        for k in range(len(params)):
            # the course's RMSprop: no bias correction, epsilon added to sqrt(s)
            s[k] = beta_2 * s[k] + (1 - beta_2) * g[k] ** 2
            expected[k] = expected[k] - lr * g[k] / (np.sqrt(s[k]) + epsilon)
        opt.step(params, g)
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p, e, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("beta_2", [0.0, 0.9, 0.999])
def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_beta2(beta_2):
    # from s = 0: s = (1 - beta2) g^2, so the step is lr g / (sqrt(1 - beta2) |g|):
    # lr / sqrt(1 - beta2) against the gradient's sign wherever |g| >> epsilon
    params, (g,) = _params(), _grads(1)
    start = _copy(params)
    RMSprop(params, learning_rate=0.01, beta_2=beta_2, epsilon=1e-12).step(params, g)
    for p, p0, gi in zip(params, start, g):
        np.testing.assert_allclose(p - p0, -0.01 / np.sqrt(1 - beta_2) * np.sign(gi), rtol=1e-9)


def test_rmsprop_divides_each_step_by_its_own_gradient_scale():
    # two parameters whose gradients differ by a factor 1000 in every step move by the
    # same amount: the lesson's point, one step size per parameter
    params = [np.zeros(2)]
    opt = RMSprop(params, learning_rate=0.01, beta_2=0.9, epsilon=1e-12)
    for g in np.random.RandomState(0).uniform(0.5, 1.5, 5):
        opt.step(params, [np.array([1000.0 * g, g])])
    # (equal up to epsilon / sqrt(s) ~ 1e-12 relative, and rounding)
    np.testing.assert_allclose(params[0][0], params[0][1], rtol=1e-10)
    sgd_params = [np.zeros(2)]
    SGD(sgd_params, learning_rate=0.01, momentum=0.0).step(sgd_params, [np.array([1000.0, 1.0])])
    assert sgd_params[0][0] == 1000 * sgd_params[0][1]  # where plain steps differ 1000-fold


def test_course_momentum_equals_sgd_with_scaled_learning_rate():
    # the course: v = beta v + (1 - beta) g; theta = theta - a v.  skdeep's SGD with
    # lr = a (1 - beta) takes the same steps, on a gradient that depends on theta
    a, beta = 0.2, 0.9
    rng = np.random.RandomState(0)
    M = rng.standard_normal((4, 4))
    H, c = M @ M.T + np.eye(4), rng.standard_normal(4)

    def gradient(theta):  # of the quadratic theta H theta / 2 - c theta
        return H @ theta - c

    course = rng.standard_normal(4)
    ours = [course.copy()]
    v = np.zeros(4)
    opt = SGD(ours, learning_rate=a * (1 - beta), momentum=beta, nesterov=False)
    for _ in range(8):
        v = beta * v + (1 - beta) * gradient(course)
        course = course - a * v
        opt.step(ours, [gradient(ours[0])])
        np.testing.assert_allclose(ours[0], course, rtol=1e-12, atol=1e-14)
        # theta += V and theta -= a v take the same step: the velocities are V = -a v
        np.testing.assert_allclose(opt.velocities[0], -a * v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_step_updates_in_place_and_keeps_dtype(name):
    params = [p.astype(np.float32) for p in _params()]
    arrays = list(params)
    opt = OPTIMIZERS[name](params, learning_rate=0.1)
    opt.step(params, [g.astype(np.float32) for g in _grads(1)[0]])
    assert all(p is q for p, q in zip(params, arrays))
    assert all(p.dtype == np.float32 for p in params)


def _fixed_init(fan_in, fan_out, rng):
    """Known starting weights, independent of skdeep's initializers."""
    return np.random.RandomState(fan_in * 100 + fan_out).uniform(-0.5, 0.5, (fan_in, fan_out))


@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_one_estimator_epoch_is_one_manual_step(solver):
    X, y = make_classification(n_samples=40, n_features=5, random_state=0)
    n, lr, alpha = len(X), 0.1, 0.01
    clf = MLPClassifier(
        hidden_layer_sizes=(4,), activation="tanh", solver=solver, momentum=0.0,
        batch_size=n, shuffle=False, max_iter=1, learning_rate_init=lr, alpha=alpha,
        init=_fixed_init, random_state=0,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)

    layout = Layout((5, 4, 1))
    theta = layout.pack(
        [_fixed_init(5, 4, None), _fixed_init(4, 1, None)], [np.zeros(4), np.zeros(1)], np.float64
    )
    objective, _ = full_batch_objective(
        X, y[:, None].astype(float), None, Network(layout, "tanh", LOSSES["binary_log_loss"]), alpha=alpha
    )
    loss, g = objective(theta)
    if solver == "sgd":
        step = lr * g
    elif solver == "rmsprop":  # s = (1 - b2) g^2
        b2, eps = 0.999, 1e-8
        step = lr * g / (np.sqrt((1 - b2) * g**2) + eps)
    else:  # Adam's first step: m = (1 - b1) g, v = (1 - b2) g^2
        b1, b2, eps = 0.9, 0.999, 1e-8
        step = lr * np.sqrt(1 - b2) / (1 - b1) * (1 - b1) * g / (np.sqrt((1 - b2) * g**2) + eps)
    coefs, intercepts = layout.unpack(theta - step)
    assert clf.loss_ == pytest.approx(loss, rel=1e-12)
    for got, expected in zip(clf.coefs_ + clf.intercepts_, coefs + intercepts):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
