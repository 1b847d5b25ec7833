"""The NumPy core: parameter layout and initialization, forward, batch normalization
and loss_and_grads.

All parameters live in one flat vector ``theta``: first every layer's weights, then
every layer's biases (sklearn's packing order), then, with batch normalization, every
hidden layer's scales gamma and shifts beta.  ``coefs`` and ``intercepts`` are views
into it, so the optimizers step one array, L-BFGS and the gradient checker see the
vector they need, and the L2 term touches one contiguous slice.

Notation: layer i maps A_i (n, n_i) to Z_{i+1} = A_i W_i + b_i; A_0 = X.  Hidden layers
apply an activation and, in training, inverted dropout A <- A * D / keep_prob.  The
loss (see ``_losses``) starts backprop with delta_out = w * dloss/dZ, which for a loss
matched with its link (log losses, squared error, Poisson) is

    delta_out = w * (P - Y)                       (w: per-sample weights)
    dW_i = A_i^T delta_{i+1} + alpha / n * W_i     db_i = sum over rows of delta_{i+1}
    delta_i = (delta_{i+1} W_i^T) * D_i / keep_prob * f'(Z_i)

with n the training-set size (sum of sample weights), so the cost is
    J = sum_j w_j loss_j + alpha / (2 n) * sum W^2.

With batch normalization each hidden layer normalizes Z = A W over the batch's rows
and applies f to gamma Z_hat + beta instead (batch_norm_forward); its bias is left
out, since subtracting the batch mean cancels any bias and beta takes its place.

With an input scale (RealMLP-TD's scaling layer, Holzmueller et al. 2024) the first
layer sees each feature j multiplied by a learned s_j = 1 + c u_j: Z_1 = X diag(s) W_1
+ b_1, with u (starting at 0) a parameter outside the L2 term. Then

    dW_1 = diag(s) (X^T delta_1) + alpha / n W_1     du_j = c sum_k W_1jk (X^T delta_1)_jk

and c multiplies the step the optimizer takes in s (Adam's step in u does not depend
on the gradient's scale). An MLP folds s into W_1 at the end of fit (see
fold_input_scale): prediction and export see a plain MLP.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn import get_config

from ._activations import ACTIVATIONS
from ._losses import Loss, l2_penalty


class Layout:
    """Where each layer's parameters sit in the flat parameter vector.

    In order: every layer's weights (the leading n_coefs entries, the L2 term's
    slice), every layer's bias, then with an input scale its n_features entries u,
    then with batch normalization every hidden layer's scale gamma and then every
    hidden layer's shift beta. A hidden layer under batch
    normalization has no bias: the batch mean it subtracts cancels any bias, and beta
    takes its place; so with batch normalization only the output layer has one.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input and output included: (n_features, *hidden, n_outputs).
    batch_norm : bool, default=False
        Whether the hidden layers are batch-normalized.
    input_scale : float, default=0.0
        c > 0: the first layer's inputs are scaled by s = 1 + c u, u learned (see the
        module's docstring); 0: no input scale.
    """

    def __init__(self, layer_sizes, batch_norm=False, input_scale=0.0):
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.coef_shapes = shapes
        self.n_coefs = sum(a * b for a, b in shapes)
        self.batch_norm = bool(batch_norm)
        # layer i has a bias unless batch norm normalizes it (every layer but the output)
        self.has_bias = [not self.batch_norm or i == len(shapes) - 1 for i in range(len(shapes))]
        self.hidden_sizes = self.layer_sizes[1:-1]
        self.n_normalized = sum(self.hidden_sizes) if self.batch_norm else 0  # one gamma, one beta each
        n_biases = sum(fan_out for (_, fan_out), bias in zip(shapes, self.has_bias) if bias)
        self.input_scale = float(input_scale)
        self.n_scaled = self.layer_sizes[0] if self.input_scale else 0  # entries of u
        self.scale_start = self.n_coefs + n_biases
        self.size = self.n_coefs + n_biases + self.n_scaled + 2 * self.n_normalized

    def arrays(self, flat):
        """Views of ``flat`` in packing order: weights, biases, input scale, batch norm's
        scales, shifts."""
        arrays, start = [], 0
        shapes = list(self.coef_shapes)
        shapes += [(fan_out,) for (_, fan_out), bias in zip(self.coef_shapes, self.has_bias) if bias]
        if self.n_scaled:
            shapes.append((self.n_scaled,))
        if self.batch_norm:
            shapes += [(units,) for units in self.hidden_sizes] * 2
        for shape in shapes:
            size = int(np.prod(shape))
            arrays.append(flat[start : start + size].reshape(shape))
            start += size
        return arrays

    def names(self):
        """Each array's name in packing order, counting layers from 1: 'W1', ...,
        'b1', ..., then 'u0' with an input scale, then 'gamma1', ..., 'beta1', ...
        with batch normalization."""
        n_layers = len(self.coef_shapes)
        names = [f"W{i + 1}" for i in range(n_layers)]
        names += [f"b{i + 1}" for i in range(n_layers) if self.has_bias[i]]
        if self.n_scaled:
            names.append("u0")
        if self.batch_norm:
            names += [f"gamma{i + 1}" for i in range(len(self.hidden_sizes))]
            names += [f"beta{i + 1}" for i in range(len(self.hidden_sizes))]
        return names

    def unpack(self, theta):
        """Views (coefs, intercepts) into ``theta`` of shape (size,); a layer without a
        bias (batch-normalized) has None for its intercept."""
        arrays = iter(self.arrays(theta))
        coefs = [next(arrays) for _ in self.coef_shapes]
        intercepts = [next(arrays) if bias else None for bias in self.has_bias]
        return coefs, intercepts

    def unpack_input_scale(self, flat):
        """The view of u in ``flat`` (shape (n_features,)), or None without an input
        scale."""
        if not self.n_scaled:
            return None
        return flat[self.scale_start : self.scale_start + self.n_scaled]

    def unpack_batch_norm(self, flat):
        """Views (scales, shifts) of theta's gamma and beta, one (units,) array per
        hidden layer; empty lists without batch normalization.

        Any vector that ends with 2 * n_normalized entries in this order unpacks the
        same way: the running statistics (means, variances) and the workspace's
        batch statistics are stored so.
        """
        if not self.batch_norm:
            return [], []
        tail = flat[flat.shape[0] - 2 * self.n_normalized :]
        pairs, start = [], 0
        for units in self.hidden_sizes * 2:
            pairs.append(tail[start : start + units])
            start += units
        n_hidden = len(self.hidden_sizes)
        return pairs[:n_hidden], pairs[n_hidden:]

    def pack(self, coefs, intercepts, dtype, scales=(), shifts=()):
        """A new flat vector of ``dtype`` holding copies of the arrays given; the
        intercepts of layers without a bias are not read. An input scale starts at
        s = 1 (u = 0): a fitted MLP holds it folded into its first layer."""
        theta = np.empty(self.size, dtype=dtype)
        sources = list(coefs) + [b for b, bias in zip(intercepts, self.has_bias) if bias]
        if self.n_scaled:
            sources.append(0.0)
        sources += list(scales) + list(shifts)
        targets = self.arrays(theta)
        if len(sources) != len(targets):
            raise ValueError(f"expected {len(targets)} arrays to pack, got {len(sources)}")
        for dst, src in zip(targets, sources):
            dst[...] = src
        return theta


class Network(NamedTuple):
    """What loss_and_grads needs to know besides the parameters and the data."""

    layout: Layout
    activation: str  # a key of ACTIVATIONS
    loss: Loss  # an entry of _losses.LOSSES with its parameters' values; its link is the output's


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
        With batch normalization, every gamma starts at 1 and every beta at 0 (the
        layer starts as the plain normalization), and the biases the initializer
        draws for batch-normalized layers, which have none, are dropped.
    """
    theta = np.zeros(layout.size, dtype=dtype)
    for scale in layout.unpack_batch_norm(theta)[0]:
        scale.fill(1)
    for W, b in zip(*layout.unpack(theta)):
        fan_in, fan_out = W.shape
        values = initializer(fan_in, fan_out, rng)
        weights, biases = values if isinstance(values, tuple) else (values, None)
        for name, target, drawn in (("weights", W, weights), ("biases", b, biases)):
            if drawn is None or target is None:
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


class BatchNormCache(NamedTuple):
    """What batch_norm_forward keeps of one hidden layer for batch_norm_backward."""

    mean: np.ndarray  # (units,) the batch's weighted mean of Z
    variance: np.ndarray  # (units,) its weighted (biased) variance
    inv_std: np.ndarray  # (units,) 1 / sqrt(variance + BATCH_NORM_EPSILON)
    normalized: np.ndarray  # (max_rows, units) Z_hat, the first rows of a batch


class Workspace:
    """Buffers reused by loss_and_grads for batches of up to ``max_rows`` rows.

    A fit allocates one Workspace; every batch then runs its matrix products,
    activations and gradients into these arrays. Mini-batch training (``gather``) also
    gathers each shuffled batch of Y and w into it, and of X when X is dense
    (``n_features`` given); full-batch callers gather nothing, so no buffer of X's
    size is made for them.

    With batch normalization (``layout.batch_norm``) it also holds each hidden layer's
    BatchNormCache, whose means and variances are views of one flat ``statistics``
    vector (every layer's means, then every layer's variances): after loss_and_grads
    it holds the last batch's statistics, and ``weighted_rows`` how many of its rows
    had a weight.
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
        self.scale_grads, self.shift_grads = layout.unpack_batch_norm(self.grad)
        self.input_scale_grad = layout.unpack_input_scale(self.grad)
        if layout.n_scaled:  # s, and the first layer's weights times s
            self.input_scale = np.empty(layout.n_scaled, dtype)
            self.scaled_coefs = np.empty(layout.coef_shapes[0], dtype)
        self.decay = np.empty(layout.n_coefs, dtype)  # the L2 term alpha / n W
        self.ones = np.ones(max_rows, dtype)  # bias gradients as ones @ delta (BLAS)
        self._views = (None, None, None, None, None)  # theta and its unpacked views
        self.X = np.empty((max_rows, n_features), dtype) if gather and n_features is not None else None
        self.Y = np.empty((max_rows, sizes[-1]), dtype) if gather else None
        self.w = np.empty(max_rows, dtype) if gather else None
        self.batch_norm = None
        if layout.batch_norm:
            self.statistics = np.empty(2 * layout.n_normalized, dtype)
            means, variances = layout.unpack_batch_norm(self.statistics)
            hidden = layout.hidden_sizes
            self.batch_norm = [
                BatchNormCache(mu, var, np.empty(n, dtype), np.empty((max_rows, n), dtype))
                for mu, var, n in zip(means, variances, hidden)
            ]
            self.row_weights = np.empty(max_rows, dtype)  # the batch's w, normalized to sum to one
            self.scratch = np.empty(max_rows * max(hidden, default=0), dtype)
            self.weighted_rows = 0

    def views(self, layout, theta):
        """(coefs, intercepts, scales, shifts) of layout.unpack and unpack_batch_norm,
        remembered while theta stays the same array."""
        if self._views[0] is not theta:
            self._views = (theta, *layout.unpack(theta), *layout.unpack_batch_norm(theta))
        return self._views[1:]


#: batch normalization's epsilon, added to the variance before its square root
BATCH_NORM_EPSILON = 1e-5
#: the running statistics' beta: each batch's statistics weigh 1 - 0.9 in the average
BATCH_NORM_MOMENTUM = 0.9


def batch_norm_forward(Z, omega, gamma, beta, cache):
    """Batch normalization of one layer's pre-activations over a batch's rows, in place.

        mu = sum_j omega_j Z_j            var = sum_j omega_j (Z_j - mu)^2
        Z_hat = (Z - mu) / sqrt(var + eps)
        Z <- gamma Z_hat + beta

    per unit (column), with the rows weighted by omega (1 / m each without sample
    weights) and eps = BATCH_NORM_EPSILON.

    Parameters
    ----------
    Z : ndarray of shape (m, units)
        The pre-activations A W of the batch; overwritten with gamma Z_hat + beta.
    omega : ndarray of shape (m,)
        Row weights summing to one.
    gamma, beta : ndarray of shape (units,)
    cache : BatchNormCache
        Receives mu, var, 1 / sqrt(var + eps) and, in its first m rows, Z_hat.
    """
    Z_hat = cache.normalized[: Z.shape[0]]
    np.dot(omega, Z, out=cache.mean)
    Z -= cache.mean
    np.multiply(Z, Z, out=Z_hat)
    np.dot(omega, Z_hat, out=cache.variance)  # two passes: no cancellation
    inv_std = np.add(cache.variance, BATCH_NORM_EPSILON, out=cache.inv_std)
    np.sqrt(inv_std, out=inv_std)
    np.reciprocal(inv_std, out=inv_std)
    np.multiply(Z, inv_std, out=Z_hat)
    np.multiply(Z_hat, gamma, out=Z)
    Z += beta


def batch_norm_backward(G, omega, gamma, cache, d_gamma, d_beta, ones, scratch):
    """The gradients of batch_norm_forward, from G = dJ/d(gamma Z_hat + beta):

        d_beta = sum_j G_j        d_gamma = sum_j G_j Z_hat_j
        dJ/dZ_j = gamma / sqrt(var + eps) * (G_j - omega_j (d_beta + Z_hat_j d_gamma))

    (the mean and the variance depend on every row, hence the terms in omega_j; with
    omega_j = 1 / m this is the course's formula).  Every row's dJ/dZ sums to zero over
    the batch, which is why a bias before the normalization would learn nothing.

    Parameters
    ----------
    G : ndarray of shape (m, units)
        Overwritten with dJ/dZ.
    omega : ndarray of shape (m,)
    gamma : ndarray of shape (units,)
    cache : BatchNormCache
        From batch_norm_forward on this batch (left as it is).
    d_gamma, d_beta : ndarray of shape (units,)
        Receive the two parameter gradients.
    ones : ndarray of shape (m,)
        Ones (the sums over rows as BLAS products).
    scratch : ndarray of at least m * units entries
    """
    Z_hat = cache.normalized[: G.shape[0]]
    T = scratch[: G.size].reshape(G.shape)
    np.dot(ones, G, out=d_beta)
    np.multiply(G, Z_hat, out=T)
    np.dot(ones, T, out=d_gamma)
    np.multiply(Z_hat, d_gamma, out=T)
    T += d_beta
    T *= omega[:, None]
    G -= T
    G *= gamma * cache.inv_std


class RunningStatistics:
    """Batch normalization's running averages of each hidden layer's batch means and
    variances, over the batches of training: what prediction normalizes with.

    After the t-th batch, whose means and variances are x_t,

        r <- r + rate_t (x_t - r),     rate_t = (1 - beta) / (1 - beta^t)

    with beta = BATCH_NORM_MOMENTUM: the course's exponentially weighted average with
    its bias correction. r is then the average of every batch so far, batch k weighing
    beta^(t - k), with weights that sum to one: the first batch is taken as it is
    (rate_1 = 1) rather than averaged with a starting guess.

    Parameters
    ----------
    layout : Layout
    dtype : numpy dtype
    means, variances : lists of ndarray of shape (units,), optional
        Statistics to continue from (copied); else means 0 and variances 1.
    count : int, default=0
        The number t of batches behind ``means`` and ``variances``.

    Attributes
    ----------
    values : ndarray of shape (2 * layout.n_normalized,)
        Every hidden layer's running mean, then every hidden layer's running variance.
    means, variances : lists of ndarray of shape (units,)
        Views of ``values``, one per hidden layer.
    count : int
    """

    def __init__(self, layout, dtype, means=None, variances=None, count=0):
        self.values = np.zeros(2 * layout.n_normalized, dtype)
        self.means, self.variances = layout.unpack_batch_norm(self.values)
        if means is None:
            for variance in self.variances:
                variance.fill(1)
        else:
            for target, given in zip(self.means + self.variances, list(means) + list(variances)):
                target[...] = given
        self.count = int(count)

    def update(self, ws):
        """Average in the statistics of the batch that loss_and_grads last computed in
        ``ws``.  A batch with fewer than two rows of positive weight has no variance
        to measure (it would count as zero) and is left out."""
        if ws.weighted_rows < 2:
            return
        self.count += 1
        rate = (1 - BATCH_NORM_MOMENTUM) / (1 - BATCH_NORM_MOMENTUM**self.count)
        self.values *= 1 - rate
        self.values += rate * ws.statistics

    def set(self, ws):
        """Take the statistics in ``ws`` as they are: lbfgs's full-batch statistics,
        which are exactly the ones its fit normalized with."""
        self.values[...] = ws.statistics
        self.count = 1


def fold_batch_norm(coefs, intercepts, scales, shifts, means, variances):
    """The plain network that batch normalization with fixed statistics computes.

    With the statistics fixed (at prediction, the running averages), a normalized
    layer is an affine map of its input:

        gamma (A W + b - mu) / sqrt(var + eps) + beta = A W' + b'
        W' = W s,   b' = (b - mu) s + beta,   s = gamma / sqrt(var + eps)

    per unit (column of W). So each row's prediction depends on that row alone, and
    the result is a plain MLP (what forward and export compute).

    Parameters
    ----------
    coefs, intercepts : lists of ndarray
        Every layer's; a batch-normalized layer's intercept may be None (b = 0).
    scales, shifts, means, variances : lists of ndarray of shape (units,)
        One per hidden layer.

    Returns
    -------
    coefs, intercepts : lists of ndarray
        New arrays for the hidden layers; the output layer's are the ones given.
    """
    folded_coefs, folded_intercepts = [], []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if i < len(scales):
            s = scales[i] / np.sqrt(variances[i] + BATCH_NORM_EPSILON)
            W = W * s
            b = (-means[i] if b is None else b - means[i]) * s + shifts[i]
        folded_coefs.append(W)
        folded_intercepts.append(b)
    return folded_coefs, folded_intercepts


def fold_input_scale(layout, theta):
    """Fold the input scale s = 1 + c u into the first layer's weights, in place: W_1
    becomes diag(s) W_1 and u becomes 0 (s = 1), so theta computes what it computed,
    as a plain MLP. Nothing to do without an input scale."""
    u = layout.unpack_input_scale(theta)
    if u is None:
        return
    W = layout.unpack(theta)[0][0]
    W *= (1 + layout.input_scale * u)[:, None]
    u.fill(0)


def inference_layers(layout, theta, running=None):
    """(coefs, intercepts) of the plain MLP that the parameters ``theta`` compute at
    inference: views of theta, or with batch normalization new arrays with the
    running statistics folded in (see fold_batch_norm), and with an input scale a
    new first layer with s folded in (see fold_input_scale).

    Parameters
    ----------
    layout : Layout
    theta : ndarray of shape (layout.size,)
    running : RunningStatistics or None
        With batch normalization, the statistics to normalize with.
    """
    coefs, intercepts = layout.unpack(theta)
    u = layout.unpack_input_scale(theta)
    if u is not None:
        coefs = [coefs[0] * (1 + layout.input_scale * u)[:, None], *coefs[1:]]
    if not layout.batch_norm:
        return coefs, intercepts
    scales, shifts = layout.unpack_batch_norm(theta)
    return fold_batch_norm(coefs, intercepts, scales, shifts, running.means, running.variances)


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

    Notes
    -----
    With batch normalization (``net.layout.batch_norm``) this is training mode: each
    hidden layer is normalized with the statistics of these rows, weighted by w (so
    a row of weight 0 does not count, and a weight of 2 counts as the row twice), and
    ``ws.statistics`` holds them afterwards, for RunningStatistics.
    """
    n_rows = X.shape[0]
    if ws is None:
        ws = Workspace(net.layout, n_rows, theta.dtype, dropout=masks is not None)
    coefs, intercepts, scales, shifts = ws.views(net.layout, theta)
    u = net.layout.unpack_input_scale(theta)
    layers = coefs  # the weights the forward pass multiplies by
    if u is not None:  # the first layer sees X diag(s): its weights times s, row by row
        s = np.multiply(u, net.layout.input_scale, out=ws.input_scale)
        s += 1
        layers = [np.multiply(coefs[0], s[:, None], out=ws.scaled_coefs), *coefs[1:]]
    activate, derivative = ACTIVATIONS[net.activation]
    n_layers = len(coefs)
    # only X can be sparse; deciding once saves a check per product and batch
    matmul_x = _sparse_matmul if sp.issparse(X) else np.matmul
    normalize = net.layout.batch_norm
    if normalize:  # the batch statistics weigh the rows as the loss does
        total = w.sum()
        omega = np.multiply(w, 1.0 / total if total > 0 else 0.0, out=ws.row_weights[:n_rows])
        ws.weighted_rows = int(np.count_nonzero(w))

    # forward: inputs[i] is what layer i sees (after dropout); ws.outputs[i] keeps
    # the hidden activation before dropout, which the derivative needs.
    inputs = [X]
    for i in range(n_layers):
        matmul = matmul_x if i == 0 else np.matmul
        Z = matmul(inputs[i], layers[i], out=ws.outputs[i][:n_rows])
        if i == n_layers - 1:
            Z += intercepts[i]
            break
        if normalize:
            batch_norm_forward(Z, omega, scales[i], shifts[i], ws.batch_norm[i])
        else:
            Z += intercepts[i]
        activate(Z)
        if masks is not None and masks[i] is not None:
            Z = np.multiply(Z, masks[i], out=ws.dropped[i][:n_rows])
        inputs.append(Z)

    weights = theta[: net.layout.n_coefs]
    loss = net.loss(Z, Y, w)  # Z becomes delta_out = w * dloss/dZ (w * (P - Y) for a matched link)
    loss += l2_penalty(weights, alpha, n_samples)

    delta = Z
    ones = ws.ones[:n_rows]
    for i in range(n_layers - 1, -1, -1):
        matmul = matmul_x if i == 0 else np.matmul
        matmul(inputs[i].T, delta, out=ws.coef_grads[i])
        if ws.intercept_grads[i] is not None:
            np.dot(ones, delta, out=ws.intercept_grads[i])  # 3x np.sum's speed
        if i == 0:
            if u is not None:  # G = X^T delta is the gradient of X diag(s) W's weights
                G = ws.coef_grads[0]
                np.einsum("jk,jk->j", coefs[0], G, out=ws.input_scale_grad)
                ws.input_scale_grad *= net.layout.input_scale  # ds/du = c
                G *= s[:, None]
            break
        previous = np.matmul(delta, coefs[i].T, out=ws.deltas[i - 1][:n_rows])
        if masks is not None and masks[i - 1] is not None:
            previous *= masks[i - 1]
        derivative(ws.outputs[i - 1][:n_rows], previous)
        if normalize:
            batch_norm_backward(
                previous, omega, scales[i - 1], ws.batch_norm[i - 1],
                ws.scale_grads[i - 1], ws.shift_grads[i - 1], ones, ws.scratch,
            )  # fmt: skip
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


#: Prediction chunks start at multiples of this many rows. A BLAS kernel computes a
#: product's rows in tiles of a few rows (OpenBLAS's float32 kernel on AVX2 machines:
#: 6), and a row's last bits can depend on its place in its tile; chunks that start
#: at multiples of 384 = 2**7 * 3 put every row where the product in one piece puts
#: it, for tiles of 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, ..., 128 rows.
CHUNK_ALIGN = 384
#: The fewest rows a chunk has (a multiple of CHUNK_ALIGN), whatever working_memory
#: says: an input of up to this many rows always goes in one piece, and smaller
#: chunks would cost more in calls (and in BLAS threads waiting) than they save.
MIN_CHUNK_ROWS = 4 * CHUNK_ALIGN
#: The most a chunk's buffers take, in bytes, within working_memory (sklearn's
#: default is 1 GiB): buffers this size are reused from call to call, where a
#: gigabyte one is faulted in afresh every time, and chunks this large keep the
#: calls into a multithreaded BLAS few (measured on the performance page).
MAX_CHUNK_BYTES = 32 * 2**20


def chunk_rows(layer_sizes, itemsize, *, extra_row_bytes=0, working_memory=None):
    """Rows per chunk of the forward pass, from scikit-learn's ``working_memory``.

    As many rows as working_memory MiB hold, as sklearn's ``get_chunk_n_rows``
    counts them for ``pairwise_distances_chunked``, and at most MAX_CHUNK_BYTES,
    rounded down to a multiple of CHUNK_ALIGN but never below MIN_CHUNK_ROWS. A row
    of a chunk takes the two hidden-layer buffers the layers alternate between (one
    for a single hidden layer), the logits, the output functions' temporaries (three
    more times the logits, and 16 bytes for a class label's index),
    and ``extra_row_bytes``.

    Parameters
    ----------
    layer_sizes : sequence of int
        (n_features, *hidden, n_outputs).
    itemsize : int
        Bytes per value of the dtype the pass computes in.
    extra_row_bytes : float, default=0
        What else a chunk holds per row (a cast copy of X, a sparse X's rows).
    working_memory : float, optional
        MiB; by default ``sklearn.get_config()["working_memory"]``.

    Returns
    -------
    int
    """
    if working_memory is None:
        working_memory = get_config()["working_memory"]
    hidden = layer_sizes[1:-1]
    values = min(len(hidden), 2) * max(hidden, default=0) + 4 * layer_sizes[-1]
    row_bytes = itemsize * values + 16 + extra_row_bytes
    rows = min(working_memory * 2**20, MAX_CHUNK_BYTES) // row_bytes
    return max(MIN_CHUNK_ROWS, int(rows) // CHUNK_ALIGN * CHUNK_ALIGN)


def chunk_bounds(n_rows, rows):
    """Where the chunks of ``rows`` rows start, then n_rows: [0, rows, 2 rows, ...,
    n_rows]. A last chunk of fewer than CHUNK_ALIGN rows joins the one before, so no
    chunk is a single row (which BLAS computes with another kernel, gemv, whose
    last bits differ) or smaller than a tile."""
    bounds = list(range(0, n_rows, rows))
    if len(bounds) > 1 and n_rows - bounds[-1] < CHUNK_ALIGN:
        bounds.pop()
    bounds.append(n_rows)
    return bounds


def forward(coefs, intercepts, X, activation, *, finish=None, rows=None):
    """The output layer's pre-activations (logits) for X, without dropout, or what
    ``finish`` makes of them, computed chunk of rows by chunk of rows into buffers
    reused from chunk to chunk.

    Each chunk's answer goes straight into its rows of the answer, so the memory a
    call takes beyond its answer is a chunk's (see chunk_rows), however many rows X
    has. The values are the same, bit for bit, as in one piece with a
    single-threaded BLAS: chunks start where the BLAS kernel's tiles of the product
    in one piece do, and none is a single row. A multithreaded BLAS splits each
    product among its threads at rows that depend on the product's size, so there a
    value's last bit can depend on the rows around it, in one piece as in chunks.

    Parameters
    ----------
    coefs, intercepts : lists of ndarray
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    activation : str, a key of ACTIVATIONS
    finish : callable, optional
        ``finish(Z, answer)`` turns a chunk's logits Z, an array of shape
        (m, n_outputs) that it may overwrite, into the answer for its m rows: into
        ``answer``, that chunk's rows of the whole answer, or, when answer is None,
        into an array it returns (Z itself, if it likes). It is called so for the
        first chunk, whose answer gives the whole answer's dtype and the shape of
        its rows. By default the answer is the logits.
    rows : int, optional
        Rows per chunk; by default chunk_rows's, from sklearn's working_memory. An
        input of at most MIN_CHUNK_ROWS rows (or one that chunk_bounds leaves in one
        chunk) goes in one piece, the products allocating their outputs, with no
        buffers to set up: the small inputs' fast path.

    Returns
    -------
    answer : ndarray of shape (n_samples, ...)
        The logits are computed in the wider of X's and the parameters' dtypes (as
        sklearn's MLP): a float32 model answers float64 X in float64.
    """
    dtype = X.dtype
    if dtype is not coefs[0].dtype and dtype != coefs[0].dtype:  # (`is`: quicker)
        dtype = np.promote_types(dtype, coefs[0].dtype)
        coefs = [W.astype(dtype, copy=False) for W in coefs]
        intercepts = [b.astype(dtype, copy=False) for b in intercepts]
    activate = ACTIVATIONS[activation][0]
    n_rows, n_features = X.shape
    last = len(coefs) - 1
    if rows is None and n_rows > MIN_CHUNK_ROWS:
        extra = n_features * dtype.itemsize if X.dtype != dtype else 0  # X's rows cast
        if sp.issparse(X):  # a chunk's slice of X, and the product scipy allocates
            extra = X.nnz / n_rows * (X.dtype.itemsize + X.indices.dtype.itemsize) + coefs[0].shape[1] * dtype.itemsize
        rows = chunk_rows([n_features] + [W.shape[1] for W in coefs], dtype.itemsize, extra_row_bytes=extra)
    if rows is None or n_rows < rows + CHUNK_ALIGN:  # one chunk (see chunk_bounds)
        A = X if X.dtype is dtype else X.astype(dtype)
        for i, (W, b) in enumerate(zip(coefs, intercepts)):
            A = A @ W
            A += b
            if i < last:
                activate(A)
        return A if finish is None else finish(A, None)

    bounds = chunk_bounds(n_rows, rows)
    largest = max(b - a for a, b in zip(bounds, bounds[1:]))
    sparse = sp.issparse(X)
    if sparse and X.format != "csr":
        X = X.tocsr()  # slicing rows of a csc matrix reads all of it, for every chunk
    hidden = [W.shape[1] for W in coefs[:-1]]
    buffers = [np.empty(largest * max(hidden), dtype) for _ in hidden[:2]]  # layers alternate
    X_cast = np.empty((largest, n_features), dtype) if not sparse and X.dtype != dtype else None
    n_outputs = coefs[-1].shape[1]
    answer = np.empty((n_rows, n_outputs), dtype) if finish is None else None
    logits = np.empty((largest, n_outputs), dtype) if finish is not None else None
    for start, stop in zip(bounds[:-1], bounds[1:]):
        m = stop - start
        A = X[start:stop]
        if X_cast is not None:
            A = X_cast[:m]
            A[...] = X[start:stop]
        for i, (W, b) in enumerate(zip(coefs, intercepts)):
            if i < last:
                Z = buffers[i % 2][: m * W.shape[1]].reshape(m, W.shape[1])
            else:
                Z = answer[start:stop] if finish is None else logits[:m]
            (_sparse_matmul if sparse and i == 0 else np.matmul)(A, W, out=Z)
            Z += b
            if i < last:
                activate(Z)
            A = Z
        if answer is None:  # the first chunk's answer: its dtype and row shape are the whole's
            first = finish(A, None)
            answer = np.empty((n_rows, *first.shape[1:]), first.dtype)
            answer[:stop] = first
        elif finish is not None:
            finish(A, answer[start:stop])
    return answer
