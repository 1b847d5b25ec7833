"""Output layers with their matched losses, and the L2 penalty.

Each output activation is paired with the loss whose gradient with respect to the
output pre-activation Z is simply

    delta_out = P - Y        (P = output activation of Z)

softmax with the multiclass log loss, logistic with the binary log loss (per output,
so it also serves multilabel targets), identity with the squared error and exp with
the Poisson deviance.  Per-sample losses are summed over the outputs and averaged over
the samples with weights ``w`` (which sum to one over the training set), so the
reported loss and its gradient always agree, for any number of outputs.

Losses are computed from the logits Z, never from the probabilities, so huge logits
give neither overflow nor log(0).
"""

import numpy as np
from scipy.special import expit, xlogy


def softmax(Z):
    """Row-wise softmax, in place, stable for any finite Z. Shape (n, k)."""
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def log_softmax(Z):
    """Row-wise log of the softmax. Returns a new array of shape (n, k)."""
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def log_expit(Z, *, negated=False):
    """log(1 / (1 + exp(-z))), or with ``negated`` log(1 - 1 / (1 + exp(-z))), without
    overflow or cancellation. Returns a new array.

    log expit(z) = min(z, 0) - log(1 + e^-|z|): one exp and one log1p per entry
    (logaddexp would take two of each), and no difference of nearly equal numbers.
    """
    return _log_expit_from(Z, _log1p_exp_minus_abs(Z), negated)


def log_expit_pair(z):
    """The columns log(1 - expit(z)) and log(expit(z)) of a vector z: a binary
    classifier's log-probabilities, shape (n, 2), sharing their log(1 + e^-|z|)."""
    t = _log1p_exp_minus_abs(z)
    L = np.empty((z.shape[0], 2), dtype=z.dtype)
    L[:, 0] = _log_expit_from(z, t, negated=True)
    L[:, 1] = _log_expit_from(z, t, negated=False)
    return L


def _log1p_exp_minus_abs(Z):
    """log(1 + e^-|z|), in (0, log 2]: the part the two log-probabilities share."""
    t = np.abs(Z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    return np.log1p(t, out=t)


def _log_expit_from(Z, t, negated):
    """min(+-z, 0) - t."""
    out = np.negative(Z) if negated else np.array(Z, copy=True)
    np.minimum(out, 0, out=out)
    out -= t
    return out


def softmax_log_loss(Z, Y, w):
    """Multiclass log loss: loss_i = log(sum_k exp z_ik) - sum_k y_ik z_ik.

    Overwrites Z of shape (n, k) with w_i (P - Y) and returns sum_i w_i loss_i.
    With m_i = max_k z_ik, loss_i = log1p(r_i) - sum_k y_ik (z_ik - m_i) where r_i sums
    exp(z_ik - m_i) over the classes other than the maximum: a confident sample's
    tiny loss keeps full relative precision (log of a sum near 1 would not).
    """
    rows = np.arange(Z.shape[0])
    top = Z.argmax(axis=1)
    Z -= Z[rows, top][:, None]
    wY = w[:, None] * Y
    loss = -np.vdot(wY, Z)
    np.exp(Z, out=Z)
    Z[rows, top] = 0.0
    rest = np.add.reduce(Z, axis=1)
    Z[rows, top] = 1.0
    loss += np.dot(w, np.log1p(rest))
    Z *= (w / (1.0 + rest))[:, None]  # w P
    Z -= wY
    return float(loss)


def logistic_log_loss(Z, Y, w):
    """Binary log loss per output: loss_ik = log(1 + exp z_ik) - y_ik z_ik.

    Overwrites Z of shape (n, k) with w_i (P - Y) and returns sum_i w_i sum_k loss_ik.
    Written as (1 - y) log(1 + e^z) + y log(1 + e^-z), which keeps a confident
    sample's tiny loss to full relative precision (no cancellation).
    """
    per_entry = np.logaddexp(0, Z)
    per_entry *= 1 - Y
    per_entry += Y * np.logaddexp(0, -Z)
    loss = np.einsum("ij,i->", per_entry, w)
    expit(Z, out=Z)
    Z -= Y
    Z *= w[:, None]
    return float(loss)


def squared_error(Z, Y, w):
    """Half squared error summed over outputs: loss_i = sum_k (z_ik - y_ik)^2 / 2.

    Overwrites Z of shape (n, k) with w_i (P - Y) and returns sum_i w_i loss_i.
    """
    Z -= Y
    loss = 0.5 * np.einsum("ij,ij,i->", Z, Z, w)
    Z *= w[:, None]
    return float(loss)


def poisson_deviance(Z, Y, w):
    """Half Poisson deviance with log link: loss_ik = y log(y / p) - y + p, p = exp(z).

    Overwrites Z of shape (n, k) with w_i (P - Y) and returns sum_i w_i sum_k loss_ik.
    """
    per_entry = xlogy(Y, Y) - Y - Y * Z
    np.exp(Z, out=Z)
    per_entry += Z
    loss = np.einsum("ij,i->", per_entry, w)
    Z -= Y
    Z *= w[:, None]
    return float(loss)


#: output activation name -> (loss_and_delta(Z, Y, w), predict(Z) in place)
OUTPUTS = {
    "softmax": (softmax_log_loss, softmax),
    "logistic": (logistic_log_loss, lambda Z: expit(Z, out=Z)),
    "identity": (squared_error, lambda Z: Z),
    "exp": (poisson_deviance, lambda Z: np.exp(Z, out=Z)),
}


def l2_penalty(weights, alpha, n_samples):
    """The L2 term of the cost: alpha / (2 n) * sum of squared weights (not biases).

    Parameters
    ----------
    weights : ndarray of shape (n_weights,)
        Every layer's weights, flat (the leading slice of the parameter vector).
    alpha : float
    n_samples : float
        The training-set size (the sum of the sample weights when there are any),
        so alpha means the same for every batch size.
    """
    if alpha == 0:
        return 0.0
    return 0.5 * alpha / n_samples * float(np.dot(weights, weights))
