"""The NumPy core: parameter layout and initialization, forward, and loss_and_grads.

All parameters live in one flat vector ``theta``: first every layer's weights, then
every layer's biases (sklearn's packing order).  ``coefs`` and ``intercepts`` are views
into it, so the optimizers step one array, L-BFGS and the gradient checker see the
vector they need, and the L2 term touches one contiguous slice.

Notation: layer i maps A_i (n, n_i) to Z_{i+1} = A_i W_i + b_i; A_0 = X.  Hidden layers
apply an activation and, in training, inverted dropout A <- A * D / keep_prob.  The
output layer's activation is matched with its loss (see ``_losses``) so that

    delta_out = w * (P - Y)                       (w: per-sample weights)
    dW_i = A_i^T delta_{i+1} + alpha / n * W_i     db_i = sum over rows of delta_{i+1}
    delta_i = (delta_{i+1} W_i^T) * D_i / keep_prob * f'(Z_i)

with n the training-set size (sum of sample weights), so the cost is
    J = sum_j w_j loss_j + alpha / (2 n) * sum W^2.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._activations import ACTIVATIONS
from ._losses import OUTPUTS, l2_penalty


class Layout:
    """Where each layer's weights and biases sit in the flat parameter vector.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input and output included: (n_features, *hidden, n_outputs).
    """

    def __init__(self, layer_sizes):
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.coef_shapes = shapes
        self.n_coefs = sum(a * b for a, b in shapes)
        self.size = self.n_coefs + sum(self.layer_sizes[1:])

    def unpack(self, theta):
        """Views (coefs, intercepts) into ``theta`` of shape (size,)."""
        coefs, intercepts, start = [], [], 0
        for fan_in, fan_out in self.coef_shapes:
            coefs.append(theta[start : start + fan_in * fan_out].reshape(fan_in, fan_out))
            start += fan_in * fan_out
        for _, fan_out in self.coef_shapes:
            intercepts.append(theta[start : start + fan_out])
            start += fan_out
        return coefs, intercepts

    def pack(self, coefs, intercepts, dtype):
        """A new flat vector of ``dtype`` holding copies of coefs and intercepts."""
        theta = np.empty(self.size, dtype=dtype)
        for dst, src in zip(sum(self.unpack(theta), []), list(coefs) + list(intercepts)):
            dst[...] = src
        return theta


class Network(NamedTuple):
    """What loss_and_grads needs to know besides the parameters and the data."""

    layout: Layout
    activation: str  # a key of ACTIVATIONS
    output: str  # a key of OUTPUTS


def init_params(layout, initializer, rng, dtype):
    """Draw every layer's parameters with ``initializer``, layer after layer.

    Parameters
    ----------
    layout : Layout
    initializer : callable
        ``initializer(fan_in, fan_out, rng)`` returns the layer's weights, an array
        of shape (fan_in, fan_out), whose biases then start at zero; or the pair
        (weights, biases of shape (fan_out,)).
    rng : numpy.random.RandomState
    dtype : numpy dtype of the parameters.

    Returns
    -------
    theta : ndarray of shape (layout.size,)
    """
    theta = np.zeros(layout.size, dtype=dtype)
    for W, b in zip(*layout.unpack(theta)):
        fan_in, fan_out = W.shape
        values = initializer(fan_in, fan_out, rng)
        weights, biases = values if isinstance(values, tuple) else (values, None)
        for name, target, drawn in (("weights", W, weights), ("biases", b, biases)):
            if drawn is None:
                continue
            drawn = np.asarray(drawn)
            if drawn.shape != target.shape:
                raise ValueError(
                    f"init returned {name} of shape {drawn.shape} for a layer with "
                    f"fan_in={fan_in} and fan_out={fan_out}; expected {target.shape}."
                )
            if not np.isfinite(drawn).all():
                raise ValueError(f"init returned non-finite {name} (inf or NaN) for a layer of shape {W.shape}.")
            target[...] = drawn
    return theta


def draw_dropout_masks(rng, n_rows, hidden_sizes, keep_probs, dtype):
    """Inverted-dropout masks for one batch, one per hidden layer.

    Each is None where keep_prob is 1, else an array of shape (n_rows, units) holding
    0 (dropped) or 1 / keep_prob (kept), so the expected activation is unchanged.
    """
    masks = []
    for units, keep in zip(hidden_sizes, keep_probs):
        if keep >= 1:
            masks.append(None)
            continue
        mask = rng.random_sample((n_rows, units))
        np.less(mask, keep, out=mask)  # 1.0 where kept, in the draw's own buffer
        mask = mask.astype(dtype, copy=False)
        mask *= 1.0 / keep
        masks.append(mask)
    return masks if any(m is not None for m in masks) else None


def objective_weights(sample_weight, n_rows, dtype):
    """Row weights w of the whole training set in loss_and_grads, and their scale S.

    w_j = s_j / S with S = sum of the sample weights (s_j = 1 and S = n_rows when
    there are none), so sum_j w_j loss_j is the weighted mean loss and S is the n of
    the L2 term alpha / (2 n).

    Returns
    -------
    w : ndarray of shape (n_rows,) of dtype
    total : float
    """
    if sample_weight is None:
        return np.full(n_rows, 1.0 / n_rows, dtype=dtype), float(n_rows)
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    total = float(sample_weight.sum())
    return (sample_weight / total).astype(dtype, copy=False), total


class Workspace:
    """Buffers reused by loss_and_grads for batches of up to ``max_rows`` rows.

    A fit allocates one Workspace; every batch then runs its matrix products,
    activations and gradients into these arrays. Mini-batch training (``gather``) also
    gathers each shuffled batch of Y and w into it, and of X when X is dense
    (``n_features`` given); full-batch callers gather nothing, so no buffer of X's
    size is made for them.
    """

    def __init__(self, layout, max_rows, dtype, *, dropout=False, gather=False, n_features=None):
        sizes = layout.layer_sizes
        # Z, then A in place, per layer; the last one becomes delta_out
        self.outputs = [np.empty((max_rows, n), dtype) for n in sizes[1:]]
        self.deltas = [np.empty((max_rows, n), dtype) for n in sizes[1:-1]]
        self.dropped = (
            [np.empty((max_rows, n), dtype) for n in sizes[1:-1]] if dropout else None
        )
        self.grad = np.empty(layout.size, dtype)
        self.coef_grads, self.intercept_grads = layout.unpack(self.grad)
        self.decay = np.empty(layout.n_coefs, dtype)  # the L2 term alpha / n W
        self.ones = np.ones(max_rows, dtype)  # bias gradients as ones @ delta (BLAS)
        self._views = (None, None, None)  # theta and its unpacked (coefs, intercepts)
        self.X = np.empty((max_rows, n_features), dtype) if gather and n_features is not None else None
        self.Y = np.empty((max_rows, sizes[-1]), dtype) if gather else None
        self.w = np.empty(max_rows, dtype) if gather else None

    def views(self, layout, theta):
        """layout.unpack(theta), remembered while theta stays the same array."""
        if self._views[0] is not theta:
            self._views = (theta, *layout.unpack(theta))
        return self._views[1:]


def _sparse_matmul(A, B, out):
    """np.matmul(A, B, out=out) for a sparse A (scipy's product allocates; copy it in)."""
    out[...] = A @ B
    return out


def loss_and_grads(theta, X, Y, w, net, *, alpha, n_samples, masks=None, ws=None):
    """The cost and its gradient with respect to every parameter, by backprop.

    Parameters
    ----------
    theta : ndarray of shape (net.layout.size,)
        Flat parameters (see Layout).
    X : ndarray or sparse matrix of shape (n_rows, n_features)
    Y : ndarray of shape (n_rows, n_outputs)
        Encoded targets, same dtype as theta.
    w : ndarray of shape (n_rows,)
        Weight of each row in the data term; over the whole training set they sum to
        one (1 / n for unweighted data), so sum_j w_j loss_j is the mean loss.  For a
        mini-batch, w_j = s_j * n_train / (S * n_rows): the batch's unbiased estimate.
    net : Network
    alpha : float
        L2 strength.
    n_samples : float
        n in alpha / (2 n): the training-set size, or the sum S of its sample weights.
    masks : list of (ndarray of shape (n_rows, units) or None), optional
        Dropout masks from draw_dropout_masks, held fixed for forward and backward.
    ws : Workspace, optional
        Buffers to compute into; a new one is made when None.

    Returns
    -------
    loss : float
        sum_j w_j loss_j + alpha / (2 n_samples) * sum W^2.
    grad : ndarray of shape (net.layout.size,)
        Gradient of ``loss``.  It lives in ``ws`` and is overwritten by the next call.
    """
    n_rows = X.shape[0]
    if ws is None:
        ws = Workspace(net.layout, n_rows, theta.dtype, dropout=masks is not None)
    coefs, intercepts = ws.views(net.layout, theta)
    activate, derivative = ACTIVATIONS[net.activation]
    n_layers = len(coefs)
    # only X can be sparse; deciding once saves a check per product and batch
    matmul_x = _sparse_matmul if sp.issparse(X) else np.matmul

    # forward: inputs[i] is what layer i sees (after dropout); ws.outputs[i] keeps
    # the hidden activation before dropout, which the derivative needs.
    inputs = [X]
    for i in range(n_layers):
        matmul = matmul_x if i == 0 else np.matmul
        Z = matmul(inputs[i], coefs[i], out=ws.outputs[i][:n_rows])
        Z += intercepts[i]
        if i == n_layers - 1:
            break
        activate(Z)
        if masks is not None and masks[i] is not None:
            Z = np.multiply(Z, masks[i], out=ws.dropped[i][:n_rows])
        inputs.append(Z)

    weights = theta[: net.layout.n_coefs]
    loss = OUTPUTS[net.output][0](Z, Y, w)  # Z becomes delta_out = w * (P - Y)
    loss += l2_penalty(weights, alpha, n_samples)

    delta = Z
    for i in range(n_layers - 1, -1, -1):
        matmul = matmul_x if i == 0 else np.matmul
        matmul(inputs[i].T, delta, out=ws.coef_grads[i])
        np.dot(ws.ones[:n_rows], delta, out=ws.intercept_grads[i])  # 3x np.sum's speed
        if i == 0:
            break
        previous = np.matmul(delta, coefs[i].T, out=ws.deltas[i - 1][:n_rows])
        if masks is not None and masks[i - 1] is not None:
            previous *= masks[i - 1]
        derivative(ws.outputs[i - 1][:n_rows], previous)
        delta = previous

    if alpha:
        decay = np.multiply(weights, alpha / n_samples, out=ws.decay)
        ws.grad[: net.layout.n_coefs] += decay  # + alpha / n W
    return loss, ws.grad


def full_batch_objective(X, Y, sample_weight, net, *, alpha, masks=None):
    """The cost over all rows at once, as a function of the parameters: what lbfgs
    minimizes and what gradient_check checks.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets, in the dtype to compute in.
    sample_weight : ndarray of shape (n_samples,) or None
    net : Network
    alpha : float
    masks : list of (ndarray or None), optional
        Dropout masks held fixed (see draw_dropout_masks).

    Returns
    -------
    fun : callable
        ``fun(theta) -> (loss, grad)`` by loss_and_grads; grad is overwritten by the
        next call.
    ws : Workspace
        Where fun computes: after a call its ``outputs`` hold that call's activations.
    """
    w, total = objective_weights(sample_weight, X.shape[0], Y.dtype)
    ws = Workspace(net.layout, X.shape[0], Y.dtype, dropout=masks is not None)

    def fun(theta):
        return loss_and_grads(theta, X, Y, w, net, alpha=alpha, n_samples=total, masks=masks, ws=ws)

    return fun, ws


def forward(coefs, intercepts, X, activation):
    """The output layer's pre-activation (logits) for X, without dropout.

    Parameters
    ----------
    coefs, intercepts : lists of ndarray
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    activation : str, a key of ACTIVATIONS

    Returns
    -------
    Z : ndarray of shape (n_samples, n_outputs), a new array.
    """
    activate = ACTIVATIONS[activation][0]
    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        A = A @ W
        A += b
        if i < len(coefs) - 1:
            activate(A)
    return np.asarray(A)
