"""Tests of the NumPy core: a forward/backward pass worked by hand, the exact L2
terms, inverted dropout, batch normalization, the parameter layout, the Workspace,
and the forward pass in chunks of rows."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skdeep import MLPClassifier, numerical_gradient
from skdeep._losses import LOSSES
from skdeep._network import (
    BATCH_NORM_EPSILON,
    BATCH_NORM_MOMENTUM,
    CHUNK_ALIGN,
    MAX_CHUNK_BYTES,
    MIN_CHUNK_ROWS,
    Layout,
    Network,
    RunningStatistics,
    Workspace,
    chunk_bounds,
    chunk_rows,
    draw_dropout_masks,
    fold_batch_norm,
    fold_input_scale,
    forward,
    inference_layers,
    init_params,
    loss_and_grads,
)


def _theta(layout, seed=0):
    return np.random.RandomState(seed).standard_normal(layout.size)


# ---------------------------------------------------------------- worked by hand


def test_one_pass_worked_by_hand_with_literal_numbers():
    # 2 inputs -> 2 relu units -> 1 logistic output, one sample x = (1, 2), y = 1.
    layout = Layout((2, 2, 1))
    W0, b0 = [[1.0, -1.0], [0.5, 1.0]], [0.5, -2.0]
    W1, b1 = [[0.4], [0.3]], [-1.0]
    theta = layout.pack([np.array(W0), np.array(W1)], [np.array(b0), np.array(b1)], float)
    # forward: z1 = (1 + 1 + 0.5, -1 + 2 - 2) = (2.5, -1), a1 = (2.5, 0)
    #          z2 = 0.4 * 2.5 + 0 - 1 = 0, p = 1/2, loss = -log(1/2) = log 2
    # backward: delta2 = p - y = -1/2;  dW1 = a1 * delta2 = (-1.25, 0);  db1 = -1/2
    #           delta1 = delta2 * W1 * relu'(z1) = (-0.2, -0.15) * (1, 0) = (-0.2, 0)
    #           dW0 = x outer delta1 = [[-0.2, 0], [-0.4, 0]];  db0 = (-0.2, 0)
    loss, grad = loss_and_grads(
        theta, np.array([[1.0, 2.0]]), np.array([[1.0]]), np.array([1.0]),
        Network(layout, "relu", LOSSES["binary_log_loss"]), alpha=0.0, n_samples=1,
    )  # fmt: skip
    assert loss == pytest.approx(math.log(2), rel=1e-15)
    (dW0, dW1), (db0, db1) = layout.unpack(grad)
    np.testing.assert_allclose(dW0, [[-0.2, 0.0], [-0.4, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(db0, [-0.2, 0.0], rtol=1e-15)
    np.testing.assert_allclose(dW1, [[-1.25], [0.0]], rtol=1e-15)
    np.testing.assert_allclose(db1, [-0.5], rtol=1e-15)


def _by_hand(X, y, w, W0, b0, W1, b1, f, f_prime):
    """Loss and gradient of a 2-2-1 network, one scalar at a time in plain Python."""
    loss = 0.0
    dW0 = [[0.0, 0.0], [0.0, 0.0]]
    db0 = [0.0, 0.0]
    dW1 = [0.0, 0.0]
    db1 = 0.0
    for x, t, wt in zip(X, y, w):
        z1 = [x[0] * W0[0][j] + x[1] * W0[1][j] + b0[j] for j in range(2)]
        a1 = [f(z) for z in z1]
        z2 = a1[0] * W1[0] + a1[1] * W1[1] + b1
        p = 1.0 / (1.0 + math.exp(-z2))
        loss += wt * -(t * math.log(p) + (1 - t) * math.log(1 - p))
        d2 = wt * (p - t)  # dloss/dz2 for the logistic output and its log loss
        db1 += d2
        for j in range(2):
            dW1[j] += a1[j] * d2
            d1 = d2 * W1[j] * f_prime(z1[j])
            db0[j] += d1
            for i in range(2):
                dW0[i][j] += x[i] * d1
    return loss, dW0, db0, dW1, db1


@pytest.mark.parametrize(
    "activation, f, f_prime",
    [
        ("tanh", math.tanh, lambda z: 1.0 - math.tanh(z) ** 2),
        ("relu", lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    ],
)
def test_one_pass_by_hand_two_samples(activation, f, f_prime):
    X = [[0.5, -1.0], [2.0, 0.3]]
    y = [1.0, 0.0]
    w = [0.5, 0.5]
    W0, b0 = [[0.2, -0.4], [0.7, 0.1]], [0.1, 0.3]
    W1, b1 = [0.6, -0.8], 0.05
    loss, dW0, db0, dW1, db1 = _by_hand(X, y, w, W0, b0, W1, b1, f, f_prime)

    layout = Layout((2, 2, 1))
    theta = layout.pack([np.array(W0), np.array(W1)[:, None]], [np.array(b0), np.array([b1])], float)
    got_loss, grad = loss_and_grads(
        theta, np.array(X), np.array(y)[:, None], np.array(w),
        Network(layout, activation, LOSSES["binary_log_loss"]), alpha=0.0, n_samples=2,
    )  # fmt: skip
    assert got_loss == pytest.approx(loss, rel=1e-13)
    (gW0, gW1), (gb0, gb1) = layout.unpack(grad)
    np.testing.assert_allclose(gW0, dW0, rtol=1e-13)
    np.testing.assert_allclose(gb0, db0, rtol=1e-13)
    np.testing.assert_allclose(gW1[:, 0], dW1, rtol=1e-13)
    np.testing.assert_allclose(gb1, [db1], rtol=1e-13)
    # forward gives the same logits as the hand computation
    coefs, intercepts = layout.unpack(theta)
    z2 = [sum(f(x[0] * W0[0][j] + x[1] * W0[1][j] + b0[j]) * W1[j] for j in range(2)) + b1 for x in X]
    np.testing.assert_allclose(forward(coefs, intercepts, np.array(X), activation)[:, 0], z2, rtol=1e-13)


# ---------------------------------------------------------------- the whole core


# (hidden activation, loss, n_outputs): every loss of LOSSES once
CORE_CASES = [
    ("tanh", "log_loss", 3), ("logistic", "binary_log_loss", 2), ("relu", "squared_error", 2),
    ("identity", "poisson", 1), ("tanh", "absolute_error", 2), ("logistic", "huber", 2),
    ("relu", "quantile", 1), ("tanh", "gamma", 2),
]  # fmt: skip
LOSS_VALUES = {"huber": dict(huber_delta=0.3), "quantile": dict(quantile=0.8)}


def test_core_cases_cover_every_loss():
    assert sorted(loss for _, loss, _ in CORE_CASES) == sorted(LOSSES)


def _loss(name):
    return LOSSES[name].with_values(**LOSS_VALUES.get(name, {}))


def _targets(loss, rng, n_rows, n_outputs, dtype=float):
    """Targets valid for ``loss``: one-hot rows for the log loss, halves in [0, 1]
    otherwise (in (0, 1.5] for the gamma deviance, which needs y > 0)."""
    if loss == "log_loss":
        return np.eye(n_outputs, dtype=dtype)[rng.randint(n_outputs, size=n_rows)]
    Y = rng.randint(3, size=(n_rows, n_outputs)).astype(dtype) / 2
    return Y + 0.5 if loss == "gamma" else Y


@pytest.mark.parametrize("activation, loss, n_outputs", CORE_CASES)
def test_gradient_matches_finite_differences_with_l2_and_dropout(activation, loss, n_outputs):
    rng = np.random.RandomState(0)
    layout = Layout((3, 4, 3, n_outputs))
    net = Network(layout, activation, _loss(loss))
    X = rng.standard_normal((5, 3))
    Y = _targets(loss, rng, 5, n_outputs)
    w = np.full(5, 1 / 20)  # a batch of 5 out of n = 20 samples
    masks = draw_dropout_masks(rng, 5, (4, 3), (0.5, 0.7), float)
    theta = 0.5 * _theta(layout)

    def cost(t):
        return loss_and_grads(t, X, Y, w, net, alpha=0.3, n_samples=20, masks=masks)[0]

    _, grad = loss_and_grads(theta, X, Y, w, net, alpha=0.3, n_samples=20, masks=masks)
    np.testing.assert_allclose(grad, numerical_gradient(cost, theta, epsilon=1e-6), rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------- L2


@pytest.mark.parametrize("alpha", [0.1, 3.0])
def test_l2_terms_are_exact(alpha):
    # a batch of 3 rows from a training set of n = 10: the terms use n, not 3
    rng = np.random.RandomState(0)
    layout = Layout((2, 3, 1))
    net = Network(layout, "tanh", LOSSES["binary_log_loss"])
    theta = _theta(layout)
    X, Y, w = rng.standard_normal((3, 2)), np.array([[1.0], [0.0], [1.0]]), np.full(3, 1 / 3)
    n = 10

    loss0, grad0 = loss_and_grads(theta, X, Y, w, net, alpha=0.0, n_samples=n)
    grad0 = grad0.copy()
    loss, grad = loss_and_grads(theta, X, Y, w, net, alpha=alpha, n_samples=n)

    coefs, intercepts = layout.unpack(theta)
    squares = sum(x * x for W in coefs for x in W.ravel())
    assert loss - loss0 == pytest.approx(alpha / (2 * n) * squares, rel=1e-12)
    (dW0, dW1), (db0, db1) = layout.unpack(grad - grad0)
    np.testing.assert_allclose(dW0, alpha / n * coefs[0], rtol=1e-12)
    np.testing.assert_allclose(dW1, alpha / n * coefs[1], rtol=1e-12)
    np.testing.assert_array_equal(db0, 0.0)
    np.testing.assert_array_equal(db1, 0.0)


# ---------------------------------------------------------------- dropout


@pytest.mark.parametrize("keep_prob", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_masks_keep_the_expected_activation(keep_prob, dtype):
    n_rows, units = 4000, 50
    (mask,) = draw_dropout_masks(np.random.RandomState(0), n_rows, (units,), (keep_prob,), dtype)
    assert mask.shape == (n_rows, units) and mask.dtype == dtype
    kept = mask != 0
    np.testing.assert_allclose(mask[kept], 1 / keep_prob, rtol=1e-6)
    # each entry has mean 1 and variance 1 / keep_prob - 1; test within 5 standard errors
    sd = np.sqrt(1 / keep_prob - 1)
    assert abs(mask.mean() - 1) <= 5 * sd / np.sqrt(mask.size)
    # so does each unit's mean over the rows: E[a D] = a for every unit
    assert np.all(np.abs(mask.mean(axis=0) - 1) <= 5 * sd / np.sqrt(n_rows))
    assert abs(kept.mean() - keep_prob) <= 5 * np.sqrt(keep_prob * (1 - keep_prob) / mask.size)


def test_dropout_masks_are_none_where_keep_prob_is_one():
    rng = np.random.RandomState(0)
    masks = draw_dropout_masks(rng, 3, (4, 5, 6), (1.0, 0.5, 1.0), float)
    assert masks[0] is None and masks[2] is None and masks[1].shape == (3, 5)
    assert draw_dropout_masks(rng, 3, (4, 5), (1.0, 1.0), float) is None


def test_dropped_unit_contributes_nothing_forward_and_gets_no_gradient():
    rng = np.random.RandomState(0)
    layout = Layout((2, 3, 2))
    net = Network(layout, "tanh", LOSSES["log_loss"])
    X, Y, w = rng.standard_normal((4, 2)), np.eye(2)[[0, 1, 1, 0]], np.full(4, 0.25)
    theta = _theta(layout)
    column = np.array([2.0, 0.0, 2.0])  # keep_prob = 1/2; unit 1 dropped for every row
    masks = [np.tile(column, (4, 1))]
    loss, grad = loss_and_grads(theta, X, Y, w, net, alpha=0.0, n_samples=4, masks=masks)
    (dW0, dW1), (db0, _) = layout.unpack(grad)
    # the dropped unit's incoming weights, bias and outgoing weights get no gradient
    assert not np.any(dW0[:, 1]) and db0[1] == 0 and not np.any(dW1[1])

    # forward: the same as a network whose outgoing weights are scaled by the mask
    coefs, intercepts = layout.unpack(theta)
    scaled = layout.pack([coefs[0], column[:, None] * coefs[1]], intercepts, float)
    loss_scaled, grad_scaled = loss_and_grads(scaled, X, Y, w, net, alpha=0.0, n_samples=4)
    assert loss == pytest.approx(loss_scaled, rel=1e-14)
    (sW0, sW1), (sb0, _) = layout.unpack(grad_scaled)
    np.testing.assert_allclose(dW0[:, [0, 2]], sW0[:, [0, 2]], rtol=1e-13)
    np.testing.assert_allclose(db0[[0, 2]], sb0[[0, 2]], rtol=1e-13)
    # d/dW1 of (A D) W1 is D times d/dW1' of A W1' at W1' = D W1
    np.testing.assert_allclose(dW1[[0, 2]], 2.0 * sW1[[0, 2]], rtol=1e-13)

    # changing the dropped unit's outgoing weights changes nothing
    moved = theta.copy()
    layout.unpack(moved)[0][1][1] += 10.0
    assert loss_and_grads(moved, X, Y, w, net, alpha=0.0, n_samples=4, masks=masks)[0] == loss


def test_dropout_is_off_at_predict():
    X, y = make_classification(n_samples=80, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=3, random_state=0)  # fmt: skip
    params = dict(hidden_layer_sizes=(16, 8), max_iter=5, learning_rate_init=0.05, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf = MLPClassifier(keep_prob=0.5, **params).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        plain = MLPClassifier(**params).fit(X, y)
    assert not np.allclose(clf.coefs_[0], plain.coefs_[0])  # training did drop units

    P = clf.predict_proba(X)
    np.testing.assert_array_equal(P, clf.predict_proba(X))
    # a forward pass without masks, written out
    A = X
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1]):
        A = np.maximum(A @ W + b, 0)
    Z = A @ clf.coefs_[-1] + clf.intercepts_[-1]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(P, E / E.sum(axis=1, keepdims=True), rtol=1e-12)


# ---------------------------------------------------------------- layout and workspace


def test_layout_sizes_and_packing_order():
    layout = Layout((4, 3, 2))
    assert layout.coef_shapes == [(4, 3), (3, 2)]
    assert layout.n_coefs == 12 + 6
    assert layout.size == 12 + 6 + 3 + 2
    theta = np.arange(layout.size, dtype=float)
    (W0, W1), (b0, b1) = layout.unpack(theta)
    # sklearn's order: every layer's weights (row-major), then every layer's biases
    np.testing.assert_array_equal(W0, np.arange(12).reshape(4, 3))
    np.testing.assert_array_equal(W1, np.arange(12, 18).reshape(3, 2))
    np.testing.assert_array_equal(b0, [18, 19, 20])
    np.testing.assert_array_equal(b1, [21, 22])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layout_pack_unpack_round_trip(dtype):
    layout = Layout((3, 5, 4, 2))
    theta = _theta(layout).astype(dtype)
    coefs, intercepts = layout.unpack(theta)
    packed = layout.pack(coefs, intercepts, dtype)
    assert packed.dtype == dtype and not np.shares_memory(packed, theta)
    np.testing.assert_array_equal(packed, theta)
    coefs2, intercepts2 = layout.unpack(packed)
    for a, b in zip(coefs + intercepts, coefs2 + intercepts2):
        np.testing.assert_array_equal(a, b)


def test_unpack_gives_views_of_theta():
    layout = Layout((3, 5, 2))
    theta = np.zeros(layout.size)
    coefs, intercepts = layout.unpack(theta)
    for k, array in enumerate(coefs + intercepts, start=1):
        assert np.shares_memory(array, theta)
        array[...] = k
    # writing every view filled theta, with no gap and no overlap
    np.testing.assert_array_equal(theta, np.repeat([1, 2, 3, 4], [15, 10, 5, 2]))


def test_init_params_draws_every_layer_with_the_initializer():
    calls = []

    def init(fan_in, fan_out, rng):
        calls.append((fan_in, fan_out))
        return np.full((fan_in, fan_out), float(len(calls)))

    layout = Layout((3, 5, 2))
    theta = init_params(layout, init, np.random.RandomState(0), np.float32)
    assert theta.dtype == np.float32 and calls == [(3, 5), (5, 2)]
    np.testing.assert_array_equal(theta, np.repeat([1, 2, 0], [15, 10, 7]))


@pytest.mark.parametrize("keep_prob", [1.0, 0.6])
def test_workspace_gives_the_same_result_as_none(keep_prob):
    rng = np.random.RandomState(0)
    layout = Layout((4, 6, 5, 3))
    net = Network(layout, "relu", LOSSES["log_loss"])
    theta = _theta(layout)
    ws = Workspace(layout, 7, np.float64, dropout=keep_prob < 1)
    # batches smaller than max_rows, and of changing sizes, reuse the same buffers
    for n_rows in (7, 3, 5):
        X = rng.standard_normal((n_rows, 4))
        Y = np.eye(3)[rng.randint(3, size=n_rows)]
        w = np.full(n_rows, 1 / n_rows)
        masks = draw_dropout_masks(rng, n_rows, (6, 5), (keep_prob, keep_prob), np.float64)
        expected_loss, expected = loss_and_grads(theta, X, Y, w, net, alpha=0.2, n_samples=30, masks=masks)
        loss, grad = loss_and_grads(theta, X, Y, w, net, alpha=0.2, n_samples=30, masks=masks, ws=ws)
        assert grad is ws.grad
        assert loss == expected_loss
        np.testing.assert_array_equal(grad, expected)


def test_sparse_input_gives_the_same_result_as_dense():
    rng = np.random.RandomState(0)
    layout = Layout((6, 4, 1))
    net = Network(layout, "tanh", LOSSES["binary_log_loss"])
    theta = _theta(layout)
    X = rng.standard_normal((5, 6)) * (rng.uniform(size=(5, 6)) < 0.4)
    Y, w = np.array([[1.0], [0.0], [0.0], [1.0], [1.0]]), np.full(5, 0.2)
    loss, grad = loss_and_grads(theta, X, Y, w, net, alpha=0.1, n_samples=5)
    grad = grad.copy()
    loss_sp, grad_sp = loss_and_grads(theta, sp.csr_matrix(X), Y, w, net, alpha=0.1, n_samples=5)
    assert loss_sp == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(grad_sp, grad, rtol=1e-13, atol=1e-15)


def test_workspace_gathers_only_for_mini_batches():
    layout = Layout((4, 6, 3))
    full = Workspace(layout, 1000, np.float64)
    assert full.X is None and full.Y is None and full.w is None  # nothing of X's size
    dense = Workspace(layout, 8, np.float32, gather=True, n_features=4)
    assert dense.X.shape == (8, 4) and dense.Y.shape == (8, 3) and dense.w.shape == (8,)
    assert dense.X.dtype == np.float32
    sparse = Workspace(layout, 8, np.float64, gather=True)  # scipy slices sparse X itself
    assert sparse.X is None and sparse.Y.shape == (8, 3)


# ---------------------------------------------------------------- batch normalization


@pytest.mark.parametrize("alpha", [0.1, 3.0])
def test_l2_terms_with_batch_norm_leave_gamma_and_beta_alone(alpha):
    net, X, Y, theta, _ = _batch_norm_problem()
    w, n = np.full(7, 1 / 7), 10
    loss0, grad0 = loss_and_grads(theta, X, Y, w, net, alpha=0.0, n_samples=n)
    grad0 = grad0.copy()
    loss, grad = loss_and_grads(theta, X, Y, w, net, alpha=alpha, n_samples=n)
    weights = theta[: net.layout.n_coefs]
    assert loss - loss0 == pytest.approx(alpha / (2 * n) * np.sum(weights**2), rel=1e-12)
    np.testing.assert_allclose((grad - grad0)[: net.layout.n_coefs], alpha / n * weights, rtol=1e-12)
    np.testing.assert_array_equal((grad - grad0)[net.layout.n_coefs :], 0.0)  # b, gamma, beta


def test_batch_norm_layout_and_packing_order():
    layout = Layout((4, 3, 2, 1), batch_norm=True)
    # the weights first (the L2 slice), then the output layer's bias: the hidden layers
    # have none, beta takes its place; then every gamma, then every beta
    assert layout.names() == ["W1", "W2", "W3", "b3", "gamma1", "gamma2", "beta1", "beta2"]
    assert layout.n_coefs == 12 + 6 + 2 and layout.n_normalized == 5
    assert layout.size == 20 + 1 + 5 + 5
    theta = np.arange(layout.size, dtype=float)
    coefs, intercepts = layout.unpack(theta)
    np.testing.assert_array_equal(coefs[2], [[18], [19]])
    assert intercepts[0] is None and intercepts[1] is None
    np.testing.assert_array_equal(intercepts[2], [20])
    scales, shifts = layout.unpack_batch_norm(theta)
    np.testing.assert_array_equal(scales[0], [21, 22, 23])
    np.testing.assert_array_equal(scales[1], [24, 25])
    np.testing.assert_array_equal(shifts[0], [26, 27, 28])
    np.testing.assert_array_equal(shifts[1], [29, 30])
    assert all(np.shares_memory(a, theta) for a in scales + shifts)
    # pack reads every array back in place, and ignores the hidden layers' intercepts
    packed = layout.pack(coefs, [np.full(3, 7.0), np.full(2, 7.0), intercepts[2]], float, scales, shifts)
    np.testing.assert_array_equal(packed, theta)
    # a statistics vector (means, then variances) unpacks as theta's tail does
    means, variances = layout.unpack_batch_norm(np.arange(10.0))
    np.testing.assert_array_equal(means[1], [3, 4])
    np.testing.assert_array_equal(variances[0], [5, 6, 7])


def test_batch_norm_without_hidden_layers_is_the_plain_layout():
    plain, normalized = Layout((4, 2)), Layout((4, 2), batch_norm=True)
    assert normalized.size == plain.size and normalized.names() == plain.names() == ["W1", "b1"]
    assert normalized.unpack_batch_norm(np.zeros(normalized.size)) == ([], [])


def test_init_params_with_batch_norm_starts_at_the_plain_normalization():
    layout = Layout((3, 4, 2), batch_norm=True)
    drawn = init_params(layout, lambda i, o, rng: (np.full((i, o), 0.5), np.full(o, 9.0)), None, np.float32)
    coefs, intercepts = layout.unpack(drawn)
    scales, shifts = layout.unpack_batch_norm(drawn)
    assert drawn.dtype == np.float32
    np.testing.assert_array_equal(scales[0], 1.0)
    np.testing.assert_array_equal(shifts[0], 0.0)
    np.testing.assert_array_equal(intercepts[1], 9.0)  # the output layer keeps its drawn bias
    np.testing.assert_array_equal(coefs[0], 0.5)


def test_batch_norm_forward_worked_by_hand():
    # one hidden unit with W = 1 on one feature, so Z = x; gamma = 2, beta = 0.5
    # unweighted rows 1, 3: mu = 2, var = 1, Z_hat = -+1 / sqrt(1 + eps)
    # weighted 1/4, 3/4: mu = 2.5, var = (1/4)(1.5^2) + (3/4)(0.5^2) = 0.75
    layout = Layout((1, 1, 1), batch_norm=True)
    theta = layout.pack(
        [np.ones((1, 1)), np.ones((1, 1))], [None, np.zeros(1)], float, [np.full(1, 2.0)], [np.full(1, 0.5)]
    )
    net = Network(layout, "identity", LOSSES["squared_error"])
    X, Y = np.array([[1.0], [3.0]]), np.zeros((2, 1))
    for w, mu, var in (([0.5, 0.5], 2.0, 1.0), ([0.25, 0.75], 2.5, 0.75)):
        ws = Workspace(layout, 2, float)
        loss, _ = loss_and_grads(theta, X, Y, np.array(w), net, alpha=0.0, n_samples=2, ws=ws)
        (cache,) = ws.batch_norm
        assert cache.mean[0] == pytest.approx(mu, rel=1e-15)
        assert cache.variance[0] == pytest.approx(var, rel=1e-15)
        z_hat = (X[:, 0] - mu) / math.sqrt(var + BATCH_NORM_EPSILON)
        np.testing.assert_allclose(cache.normalized[:, 0], z_hat, rtol=1e-14)
        # identity hidden and output layers: the output is gamma Z_hat + beta (+ b = 0)
        P = 2.0 * z_hat + 0.5
        assert loss == pytest.approx(sum(wj * p**2 / 2 for wj, p in zip(w, P)), rel=1e-14)
        np.testing.assert_array_equal(ws.statistics, [mu, var])
        assert ws.weighted_rows == 2


def _batch_norm_problem(activation="tanh", loss="log_loss", seed=0, n_rows=7, dtype=np.float64):
    rng = np.random.RandomState(seed)
    layout = Layout((3, 4, 5, 3), batch_norm=True)
    net = Network(layout, activation, _loss(loss))
    X = rng.standard_normal((n_rows, 3)).astype(dtype)
    Y = _targets(loss, rng, n_rows, 3, dtype)
    theta = (0.7 * _theta(layout, seed)).astype(dtype)
    return net, X, Y, theta, rng


@pytest.mark.parametrize("activation, loss", [case[:2] for case in CORE_CASES])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("keep_prob", [1.0, 0.6])
def test_batch_norm_gradient_matches_finite_differences(activation, loss, weighted, keep_prob):
    # gamma, beta, the weights before and after the normalization, with L2, dropout
    # after the activation, and weighted batch statistics
    net, X, Y, theta, rng = _batch_norm_problem(activation, loss)
    w = rng.uniform(0.1, 3.0, 7) / 20 if weighted else np.full(7, 1 / 20)  # 7 of n = 20 rows
    masks = draw_dropout_masks(rng, 7, (4, 5), (keep_prob, keep_prob), float)

    def cost(t):
        return loss_and_grads(t, X, Y, w, net, alpha=0.3, n_samples=20, masks=masks)[0]

    _, grad = loss_and_grads(theta, X, Y, w, net, alpha=0.3, n_samples=20, masks=masks)
    np.testing.assert_allclose(grad, numerical_gradient(cost, theta, epsilon=1e-6), rtol=1e-6, atol=1e-8)


def _reference_batch_norm_loss(theta, X, Y, w, layout):
    """tanh hidden layers with batch norm and a softmax log loss, plainly, from the
    formulas in the docstring of batch_norm_forward."""
    coefs, intercepts = layout.unpack(theta)
    scales, shifts = layout.unpack_batch_norm(theta)
    omega = w / w.sum()
    A = X
    for i, W in enumerate(coefs[:-1]):
        Z = A @ W
        mu = omega @ Z
        var = omega @ (Z - mu) ** 2
        A = np.tanh(scales[i] * (Z - mu) / np.sqrt(var + BATCH_NORM_EPSILON) + shifts[i])
    Z = A @ coefs[-1] + intercepts[-1]
    log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.sum(w[:, None] * Y * log_p)


def test_batch_norm_loss_matches_a_plain_reference():
    net, X, Y, theta, rng = _batch_norm_problem()
    w = rng.uniform(0.1, 3.0, 7)
    loss, _ = loss_and_grads(theta, X, Y, w, net, alpha=0.0, n_samples=7)
    assert loss == pytest.approx(_reference_batch_norm_loss(theta, X, Y, w, net.layout), rel=1e-13)


def test_batch_norm_weights_equal_repeated_and_removed_rows():
    # integer weights: a row of weight 2 counts twice in the statistics and the loss,
    # a row of weight 0 not at all
    net, X, Y, theta, _ = _batch_norm_problem(n_rows=6)
    counts = np.array([1, 2, 0, 1, 3, 1])
    ws = Workspace(net.layout, 6, float)
    loss, grad = loss_and_grads(theta, X, Y, counts / counts.sum(), net, alpha=0.1, n_samples=8, ws=ws)
    X_rep, Y_rep = np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0)
    ws_rep = Workspace(net.layout, 8, float)
    loss_rep, grad_rep = loss_and_grads(theta, X_rep, Y_rep, np.full(8, 1 / 8), net, alpha=0.1, n_samples=8, ws=ws_rep)
    assert loss == pytest.approx(loss_rep, rel=1e-13)
    np.testing.assert_allclose(grad, grad_rep, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(ws.statistics, ws_rep.statistics, rtol=1e-13)
    assert ws.weighted_rows == 5


def test_batch_norm_normalizes_each_unit_over_the_batch():
    net, X, Y, theta, rng = _batch_norm_problem(n_rows=50)
    X = 10 * X + 3  # far from normalized
    w = rng.uniform(0.1, 3.0, 50)
    omega = w / w.sum()
    ws = Workspace(net.layout, 50, float)
    loss_and_grads(theta, X, Y, w, net, alpha=0.0, n_samples=50, ws=ws)
    for cache in ws.batch_norm:
        np.testing.assert_allclose(omega @ cache.normalized, 0, atol=1e-14)
        shrink = cache.variance / (cache.variance + BATCH_NORM_EPSILON)
        np.testing.assert_allclose(omega @ cache.normalized**2, shrink, rtol=1e-13)


def test_batch_norm_gradient_into_each_unit_sums_to_zero_over_the_batch():
    # so a bias before the normalization would get a zero gradient: why it is left out
    net, X, Y, theta, rng = _batch_norm_problem()
    coefs, intercepts = net.layout.unpack(theta)
    ws = Workspace(net.layout, 7, float)
    _, grad = loss_and_grads(theta, X, Y, np.full(7, 1 / 7), net, alpha=0.0, n_samples=7, ws=ws)
    # dJ/dW1 = X^T dZ1; with a column of ones in X, its row of dW1 is the sum of dZ1
    X1 = np.c_[X, np.ones(7)]
    layout1 = Layout((4, 4, 5, 3), batch_norm=True)
    theta1 = layout1.pack([np.r_[coefs[0], rng.standard_normal((1, 4))], *coefs[1:]], intercepts, float,
                          *net.layout.unpack_batch_norm(theta))  # fmt: skip
    _, grad1 = loss_and_grads(theta1, X1, Y, np.full(7, 1 / 7), net._replace(layout=layout1), alpha=0.0, n_samples=7)
    np.testing.assert_allclose(layout1.unpack(grad1)[0][0][3], 0, atol=1e-15)


def test_batch_norm_workspace_reuse_and_float32():
    net, X, Y, theta, rng = _batch_norm_problem(n_rows=9)
    ws = Workspace(net.layout, 9, np.float32)
    for n_rows in (9, 4, 6):
        rows = rng.choice(9, n_rows, replace=False)
        w = np.full(n_rows, 1 / n_rows)
        expected_loss, expected = loss_and_grads(theta, X[rows], Y[rows], w, net, alpha=0.2, n_samples=9)
        loss, grad = loss_and_grads(
            theta.astype(np.float32), X[rows].astype(np.float32), Y[rows].astype(np.float32),
            w.astype(np.float32), net, alpha=0.2, n_samples=9, ws=ws,
        )  # fmt: skip
        assert grad.dtype == np.float32 and ws.statistics.dtype == np.float32
        assert loss == pytest.approx(expected_loss, rel=1e-5)
        np.testing.assert_allclose(grad, expected, rtol=1e-3, atol=1e-5)


def test_batch_norm_degenerate_batches_stay_finite():
    net, X, Y, theta, _ = _batch_norm_problem(n_rows=3)
    # one row: no variance, Z_hat = 0, and the weights before each layer learn nothing
    ws = Workspace(net.layout, 3, float)
    loss, grad = loss_and_grads(theta, X[:1], Y[:1], np.ones(1), net, alpha=0.0, n_samples=1, ws=ws)
    assert np.isfinite(loss) and np.isfinite(grad).all() and ws.weighted_rows == 1
    coef_grads, _ = net.layout.unpack(grad)
    np.testing.assert_array_equal(coef_grads[0], 0)
    np.testing.assert_array_equal(coef_grads[1], 0)
    # every weight zero: no loss, no gradient, and no NaN from normalizing by 0
    loss, grad = loss_and_grads(theta, X, Y, np.zeros(3), net, alpha=0.0, n_samples=3, ws=ws)
    assert loss == 0 and not grad.any() and ws.weighted_rows == 0


def test_running_statistics_are_the_bias_corrected_average():
    layout = Layout((2, 3, 2, 1), batch_norm=True)
    running = RunningStatistics(layout, np.float64)
    assert [m.tolist() for m in running.means] == [[0, 0, 0], [0, 0]]
    assert [v.tolist() for v in running.variances] == [[1, 1, 1], [1, 1]]
    ws = Workspace(layout, 4, float)
    batches = np.random.RandomState(0).uniform(0, 2, (6, 10))
    beta = BATCH_NORM_MOMENTUM
    seen = []
    for t, statistics in enumerate(batches):
        ws.statistics[...] = statistics
        ws.weighted_rows = 1 if t == 2 else 4  # a batch with one weighted row is left out
        running.update(ws)
        if t != 2:
            seen.append(statistics)
        k = np.arange(len(seen))
        weights = (1 - beta) * beta ** (len(seen) - 1 - k) / (1 - beta ** len(seen))
        np.testing.assert_allclose(running.values, weights @ np.array(seen), rtol=1e-14)
        assert running.count == len(seen)
        np.testing.assert_allclose(weights.sum(), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(running.means[1], running.values[3:5])  # views
    # the first batch is taken as it is, and set() takes lbfgs's full batch as it is
    fresh = RunningStatistics(layout, np.float64)
    ws.statistics[...], ws.weighted_rows = batches[0], 4
    fresh.update(ws)
    np.testing.assert_array_equal(fresh.values, batches[0])
    running.set(ws)
    np.testing.assert_array_equal(running.values, batches[0])
    assert running.count == 1
    continued = RunningStatistics(layout, np.float32, running.means, running.variances, running.count)
    assert continued.values.dtype == np.float32 and not np.shares_memory(continued.values, running.values)
    np.testing.assert_allclose(continued.values, running.values, rtol=1e-7)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_folded_network_is_batch_norm_with_fixed_statistics(activation):
    # the plain forward of fold_batch_norm's layers equals normalizing each hidden
    # layer with the given statistics, written out; one row at a time as all at once
    rng = np.random.RandomState(0)
    layout = Layout((3, 4, 5, 2), batch_norm=True)
    theta = _theta(layout)
    coefs, intercepts = layout.unpack(theta)
    scales, shifts = layout.unpack_batch_norm(theta)
    means = [rng.standard_normal(n) for n in (4, 5)]
    variances = [rng.uniform(0.1, 3, n) for n in (4, 5)]
    X = rng.standard_normal((6, 3))
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[activation]
    A = X
    for i in range(2):
        Z = A @ coefs[i]
        A = f(scales[i] * (Z - means[i]) / np.sqrt(variances[i] + BATCH_NORM_EPSILON) + shifts[i])
    expected = A @ coefs[2] + intercepts[2]
    folded = fold_batch_norm(coefs, intercepts, scales, shifts, means, variances)
    np.testing.assert_allclose(forward(*folded, X, activation), expected, rtol=1e-12, atol=1e-14)
    for row in range(6):
        np.testing.assert_allclose(forward(*folded, X[row : row + 1], activation)[0], expected[row], rtol=1e-12)
    # a bias given for a normalized layer is folded too (b - mu)
    biases = [np.full(4, 0.5), np.full(5, -0.25), intercepts[2]]
    shifted = fold_batch_norm(coefs, biases, scales, shifts, [means[0] + 0.5, means[1] - 0.25], variances)
    np.testing.assert_allclose(forward(*shifted, X, activation), expected, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- forward in chunks


@pytest.mark.parametrize("rows", [MIN_CHUNK_ROWS, 5 * CHUNK_ALIGN])
@pytest.mark.parametrize("remainder", [0, 1, 2, CHUNK_ALIGN - 1, CHUNK_ALIGN, 1000])
def test_chunk_bounds_cover_the_rows_without_a_small_last_chunk(rows, remainder):
    n = 3 * rows + remainder
    bounds = chunk_bounds(n, rows)
    sizes = np.diff(bounds)
    assert bounds[0] == 0 and bounds[-1] == n and (sizes > 0).all()
    # every chunk starts at a multiple of `rows` (so of CHUNK_ALIGN): where a tile of
    # the product in one piece starts
    assert all(start % rows == 0 for start in bounds[:-1])
    assert (sizes[:-1] == rows).all()
    # a remainder smaller than a tile, a single row above all, joins the chunk before
    joined = 0 < remainder < CHUNK_ALIGN
    assert len(sizes) == (3 if joined or remainder == 0 else 4)
    assert sizes[-1] == (rows + remainder if joined else remainder or rows)
    assert chunk_bounds(rows + CHUNK_ALIGN - 1, rows) == [0, rows + CHUNK_ALIGN - 1]
    assert chunk_bounds(1, rows) == [0, 1]


def test_chunk_rows_follow_working_memory():
    # (100, 256, 1) in float32: a chunk row holds a 256-unit hidden buffer and the
    # logits with the output functions' temporaries, (256 + 4) * 4 + 16 = 1,056 bytes
    sizes = (100, 256, 1)
    assert chunk_rows(sizes, 4, working_memory=4) == 3840  # 4 MiB / 1056 = 3971, down to 10 * 384
    with sklearn.config_context(working_memory=2):
        assert chunk_rows(sizes, 4) == 1920  # 1985 rows fit
    # working_memory is an upper bound: at most MAX_CHUNK_BYTES are used
    assert chunk_rows(sizes, 4, working_memory=1024) == chunk_rows(sizes, 4, working_memory=MAX_CHUNK_BYTES / 2**20)
    assert chunk_rows(sizes, 4, working_memory=1024) * 1056 <= MAX_CHUNK_BYTES
    # never fewer than MIN_CHUNK_ROWS
    assert chunk_rows(sizes, 4, working_memory=0.01) == MIN_CHUNK_ROWS
    # two hidden layers take two buffers of the wider; a cast X takes its own
    assert chunk_rows((10, 300, 20, 3), 8, working_memory=8) == 8 * 2**20 // (8 * (600 + 12) + 16) // 384 * 384
    assert chunk_rows(sizes, 4, extra_row_bytes=400, working_memory=4) == 4 * 2**20 // 1456 // 384 * 384


def _network_and_data(sizes, n, dtype, x_dtype, layout, seed=0):
    rng = np.random.RandomState(seed)
    coefs = [(rng.standard_normal((a, b)) / np.sqrt(a)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    intercepts = [rng.standard_normal(b).astype(dtype) for b in sizes[1:]]
    X = rng.standard_normal((n, sizes[0])).astype(x_dtype)
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout in ("csr", "csc"):
        X[np.abs(X) < 1] = 0
        X = sp.csr_matrix(X) if layout == "csr" else sp.csc_matrix(X)
    return coefs, intercepts, X


@pytest.mark.parametrize("layout", ["C", "F", "csr", "csc"])
@pytest.mark.parametrize(
    "dtype, x_dtype",
    [(np.float64, np.float64), (np.float32, np.float32), (np.float32, np.float64), (np.float64, np.float32)],
)
def test_forward_in_chunks_is_bitwise_the_forward_in_one_piece(layout, dtype, x_dtype):
    # chunks start where BLAS's tiles of the one-piece product do, and no chunk is a
    # single row (gemv): so, with one BLAS thread, every value is the same, bit for
    # bit, including the rows of a remainder joined to the last chunk. Unaligned
    # chunks of 1,000 rows differ here in the last bits of float32 products, and a
    # last chunk of one row in its row.
    rows = MIN_CHUNK_ROWS
    with threadpool_limits(limits=1, user_api="blas"):
        for sizes in [(30, 64, 1), (20, 50, 40, 7), (12, 3)]:  # gemv out, two hidden layers, none
            for remainder in (1, 5, CHUNK_ALIGN - 1, CHUNK_ALIGN + 7):
                coefs, intercepts, X = _network_and_data(sizes, 3 * rows + remainder, dtype, x_dtype, layout)
                whole = forward(coefs, intercepts, X, "relu", rows=10**9)
                chunked = forward(coefs, intercepts, X, "relu", rows=rows)
                assert chunked.dtype == whole.dtype == np.promote_types(dtype, x_dtype)
                np.testing.assert_array_equal(chunked, whole, err_msg=f"{sizes}, {remainder}")


def test_forward_writes_each_chunks_answer_into_the_whole():
    # finish sees each chunk's logits once, in order, and writes its rows; the first
    # chunk's answer (returned) sets the whole's dtype and row shape
    coefs, intercepts, X = _network_and_data((6, 8, 3), 2 * MIN_CHUNK_ROWS + CHUNK_ALIGN, np.float64, np.float64, "C")
    logits = forward(coefs, intercepts, X, "tanh", rows=MIN_CHUNK_ROWS)
    seen = []

    def labels(Z, answer):
        seen.append(Z.shape[0])
        names = np.array(["ant", "bee", "cat"])[Z.argmax(axis=1)]
        if answer is None:
            return names
        answer[...] = names
        return answer

    answer = forward(coefs, intercepts, X, "tanh", finish=labels, rows=MIN_CHUNK_ROWS)
    assert seen == [MIN_CHUNK_ROWS, MIN_CHUNK_ROWS, CHUNK_ALIGN]
    assert answer.shape == (len(X),) and answer.dtype == np.dtype("<U3")
    np.testing.assert_array_equal(answer, np.array(["ant", "bee", "cat"])[logits.argmax(axis=1)])
    # in one piece, finish is called once, with no answer to write into
    seen.clear()
    small = forward(coefs, intercepts, X[:100], "tanh", finish=labels)
    assert seen == [100]
    np.testing.assert_array_equal(small, answer[:100])


# ---------------------------------------------------------------- input scale


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_input_scale_gradient_matches_finite_differences(batch_norm, sparse):
    # u, the weights and biases (and gamma, beta) by two-sided differences; L2 and
    # dropout on, so the L2 term is seen to leave u out
    rng = np.random.RandomState(1)
    layout = Layout((4, 5, 3, 2), batch_norm=batch_norm, input_scale=6.0)
    names = layout.names()
    assert names[len(names) - 1 - 4 * batch_norm] == "u0"  # before batch norm's 2 x 2 arrays
    net = Network(layout, "tanh", LOSSES["log_loss"])
    X = rng.standard_normal((6, 4))
    X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0)) if sparse else X
    Y = np.eye(2)[rng.randint(2, size=6)]
    w = np.full(6, 1 / 30)
    masks = draw_dropout_masks(rng, 6, (5, 3), (0.6, 1.0), float)
    theta = 0.5 * _theta(layout)

    def cost(t):
        return loss_and_grads(t, X, Y, w, net, alpha=0.7, n_samples=30, masks=masks)[0]

    _, grad = loss_and_grads(theta, X, Y, w, net, alpha=0.7, n_samples=30, masks=masks)
    numeric = numerical_gradient(cost, theta, epsilon=1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    u_grad = layout.unpack_input_scale(grad)
    assert np.abs(u_grad).max() > 1e-3  # the check above saw a gradient in u


def test_input_scale_computes_x_times_s_and_stays_out_of_l2():
    # the network with u equals the plain one on X diag(s), s = 1 + c u, in cost
    # (data term and L2 on W alone), outputs, and inference_layers' folded weights
    rng = np.random.RandomState(2)
    scaled, plain = Layout((3, 4, 1), input_scale=2.0), Layout((3, 4, 1))
    assert scaled.size == plain.size + 3
    theta = _theta(scaled)
    u = scaled.unpack_input_scale(theta)
    s = 1 + 2.0 * u
    coefs, intercepts = scaled.unpack(theta)
    X, Y, w = rng.standard_normal((5, 3)), rng.standard_normal((5, 1)), np.full(5, 0.2)
    net_scaled = Network(scaled, "relu", LOSSES["squared_error"])
    loss_scaled, _ = loss_and_grads(theta, X, Y, w, net_scaled, alpha=0.5, n_samples=5)
    theta_plain = plain.pack(coefs, intercepts, float)
    net_plain = Network(plain, "relu", LOSSES["squared_error"])
    loss_plain, _ = loss_and_grads(theta_plain, X * s, Y, w, net_plain, alpha=0.5, n_samples=5)
    assert loss_scaled == pytest.approx(loss_plain, rel=1e-13)
    folded, _ = inference_layers(scaled, theta)
    np.testing.assert_allclose(folded[0], coefs[0] * s[:, None], rtol=1e-15)
    before = forward(*inference_layers(scaled, theta), X, "relu")
    fold_input_scale(scaled, theta)
    np.testing.assert_array_equal(u, 0.0)
    np.testing.assert_allclose(forward(*inference_layers(scaled, theta), X, "relu"), before, rtol=1e-13)
    # packing from fitted arrays starts the scale at 1
    packed = scaled.pack(coefs, intercepts, float)
    np.testing.assert_array_equal(scaled.unpack_input_scale(packed), 0.0)
    assert Layout((3, 4, 1)).unpack_input_scale(theta_plain) is None
