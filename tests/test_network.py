"""Tests of the NumPy core: a forward/backward pass worked by hand, the exact L2
terms, inverted dropout, the parameter layout and the Workspace."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPClassifier, numerical_gradient
from skdeep._network import (
    Layout,
    Network,
    Workspace,
    draw_dropout_masks,
    forward,
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
        Network(layout, "relu", "logistic"), alpha=0.0, n_samples=1,
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
        Network(layout, activation, "logistic"), alpha=0.0, n_samples=2,
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


@pytest.mark.parametrize(
    "activation, output, n_outputs",
    [("tanh", "softmax", 3), ("logistic", "logistic", 2), ("relu", "identity", 2), ("identity", "exp", 1)],
)
def test_gradient_matches_finite_differences_with_l2_and_dropout(activation, output, n_outputs):
    rng = np.random.RandomState(0)
    layout = Layout((3, 4, 3, n_outputs))
    net = Network(layout, activation, output)
    X = rng.standard_normal((5, 3))
    Y = np.eye(3)[rng.randint(3, size=5)] if output == "softmax" else rng.randint(3, size=(5, n_outputs)) / 2
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
    net = Network(layout, "tanh", "logistic")
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
    net = Network(layout, "tanh", "softmax")
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
    net = Network(layout, "relu", "softmax")
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
    net = Network(layout, "tanh", "logistic")
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
