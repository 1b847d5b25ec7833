"""The losses by name, their links, and the L2 penalty.

Each loss takes the output layer's pre-activations Z and returns its value and its
delta = dloss/dZ, the start of backprop. The log losses, the squared error and the
Poisson deviance are each paired with the link whose inverse makes that delta simply

    delta_out = P - Y        (P = inverse link of Z)

softmax with the multiclass log loss, logistic with the binary log loss (per output,
so it also serves multilabel targets), identity with the squared error and exp with
the Poisson deviance. The robust and quantile losses (absolute error, Huber,
pinball) keep the identity link with a delta of their own, and the gamma deviance
the log link. Per-sample losses are summed over the outputs and averaged over the
samples with weights ``w`` (which sum to one over the training set), so the reported
loss and its gradient always agree, for any number of outputs.

Losses are computed from the logits Z, never from the probabilities, so huge logits
give neither overflow nor log(0).
"""

from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Callable, NamedTuple

import numpy as np
from scipy.special import expit, xlogy
from sklearn.utils._param_validation import Interval


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


def absolute_error(Z, Y, w):
    """Absolute error summed over outputs: loss_ik = |z_ik - y_ik|.

    Overwrites Z of shape (n, k) with w_i sign(z_ik - y_ik) and returns
    sum_i w_i loss_i. At z = y, the kink, the delta is 0: the subgradient that
    ReLU's derivative takes at its own kink.
    """
    Z -= Y
    loss = np.einsum("ij,i->", np.abs(Z), w)
    np.sign(Z, out=Z)
    Z *= w[:, None]
    return float(loss)


def huber(Z, Y, w, *, huber_delta):
    """Huber loss summed over outputs, with r = z - y and d = huber_delta:
    loss = r^2 / 2 where |r| <= d, d (|r| - d / 2) beyond: the squared error near the
    target, the absolute error (times d) far from it, joined with a continuous slope.

    Overwrites Z of shape (n, k) with w_i clip(r_ik, -d, d) and returns
    sum_i w_i sum_k loss_ik. Computed as m (|r| - m / 2) with m = min(|r|, d).
    """
    Z -= Y
    R = np.abs(Z)
    M = np.minimum(R, huber_delta)
    R -= 0.5 * M
    R *= M
    loss = np.einsum("ij,i->", R, w)
    np.clip(Z, -huber_delta, huber_delta, out=Z)
    Z *= w[:, None]
    return float(loss)


def pinball(Z, Y, w, *, quantile):
    """Pinball loss of the quantile q, summed over outputs, with r = z - y:
    loss = (1 - q) r where r > 0 (above the target), -q r where r < 0: minimized by
    the q-quantile of y given x. sklearn's mean_pinball_loss and
    HistGradientBoosting's loss='quantile'.

    Overwrites Z of shape (n, k) with w_i (1 - q) where r > 0, -w_i q where r < 0 and
    0 at r = 0 (the kink, as ReLU's), and returns sum_i w_i sum_k loss_ik.
    """
    Z -= Y
    per_entry = np.maximum((1 - quantile) * Z, -quantile * Z)  # each entry's own branch, no cancellation
    loss = np.einsum("ij,i->", per_entry, w)
    np.sign(Z, out=Z)  # s in {-1, 0, 1}
    S = np.abs(Z)
    Z += S
    Z *= 0.5  # 1 where r > 0, else 0
    S *= quantile
    Z -= S  # 1 - q, -q or 0
    Z *= w[:, None]
    return float(loss)


def gamma_deviance(Z, Y, w):
    """Half gamma deviance with log link: loss_ik = y / p - log(y / p) - 1, p = exp(z),
    for y > 0 (HistGradientBoosting's loss='gamma').

    Overwrites Z of shape (n, k) with w_i (1 - y / p) and returns
    sum_i w_i sum_k loss_ik. With u = log y - z the loss is expm1(u) - u, which keeps
    its precision near the minimum p = y, where y / p - log(y / p) - 1 cancels.
    """
    U = np.log(Y)
    U -= Z
    np.expm1(U, out=Z)  # y / p - 1
    U -= Z
    loss = -np.einsum("ij,i->", U, w)
    Z *= -w[:, None]
    return float(loss)


def _sign_pieces(Z, Y, **params):
    """The smooth pieces of a loss whose derivative jumps at z = y: sign(z - y)."""
    return np.sign(Z - Y)


def _huber_pieces(Z, Y, *, huber_delta):
    """The three smooth pieces of the Huber loss: r < -d, |r| <= d, r > d."""
    R = Z - Y
    return np.sign(R) * (np.abs(R) > huber_delta)


class Link(NamedTuple):
    """A link between the network's output Z and the prediction P: P = inverse(Z)."""

    out_activation: str  # the output activation's name, the estimator's out_activation_
    inverse: Callable  # P from Z, in place


#: link name -> Link, as sklearn._loss names its links
LINKS = {
    "identity": Link("identity", lambda Z: Z),
    "log": Link("exp", lambda Z: np.exp(Z, out=Z)),
    "logit": Link("logistic", lambda Z: expit(Z, out=Z)),
    "multinomial_logit": Link("softmax", softmax),
}

#: output activation (an estimator's out_activation_) -> P from Z, in place
OUTPUTS = {link.out_activation: link.inverse for link in LINKS.values()}


@dataclass(frozen=True)
class Loss:
    """A loss by name: its value and delta, its link, its parameters and the targets
    it takes, as HistGradientBoosting builds sklearn._loss objects by name.

    Parameters
    ----------
    name : str
        Its key in LOSSES: the public name (``MLPRegressor(loss=name)``).
    function : callable
        ``function(Z, Y, w, **values) -> float``: the weighted loss sum_i w_i loss_i of
        the output pre-activations Z (n, k) against the encoded targets Y, with Z
        overwritten by delta = dloss/dZ (w_i times each entry's derivative).
    link : str
        A key of LINKS: the output activation is its inverse.
    kind : {'regression', 'classification'}
        Which estimator takes it.
    parameters : dict
        Estimator parameter -> its constraints (sklearn's ``_parameter_constraints``
        form); the fit passes their values to ``function``. None means unset: a loss
        that needs it says so.
    y_min : float or None
        The least target allowed (None: any real target), itself allowed when
        ``y_min_allowed``.
    y_min_allowed : bool
    pieces : callable or None
        ``pieces(Z, Y, **values) -> ndarray``: a label of the smooth piece of the loss
        that each entry of Z lies on, for a loss whose derivative (or, for Huber, second
        derivative) jumps somewhere; gradient_check leaves out a finite difference
        whose two points lie on different pieces, as it does across a ReLU's kink.
        None for a smooth loss.
    values : dict
        The parameters' values, set by ``with_values``.
    """

    name: str
    function: Callable
    link: str
    kind: str = "regression"
    parameters: dict = field(default_factory=dict)
    y_min: float | None = None
    y_min_allowed: bool = True
    pieces: Callable | None = None
    values: dict = field(default_factory=dict)

    def __call__(self, Z, Y, w):
        """The loss and delta of ``function`` with the parameters' values."""
        return self.function(Z, Y, w, **self.values)

    @property
    def out_activation(self):
        return LINKS[self.link].out_activation

    def inverse_link(self, Z):
        """The prediction P from the output pre-activations Z, in place."""
        return LINKS[self.link].inverse(Z)

    def with_values(self, **values):
        """This loss with its parameters' values; a clear error for one left unset."""
        for name in self.parameters:
            if values.get(name) is None:
                raise ValueError(
                    f"loss={self.name!r} needs {name} to be set; it is None. "
                    f"{_PARAMETER_HINTS.get(name, '')}".rstrip()
                )
        return replace(self, values={name: values[name] for name in self.parameters})

    @property
    def positive_only(self):
        """Whether the targets must be non-negative (sklearn's positive_only tag)."""
        return self.y_min is not None and self.y_min >= 0

    def check_targets(self, y):
        """Raise a ValueError naming the loss when a target is outside its domain."""
        if self.y_min is None:
            return
        outside = (y < self.y_min) if self.y_min_allowed else (y <= self.y_min)
        if outside.any():
            bound = f"y {'>=' if self.y_min_allowed else '>'} {self.y_min:g}"
            if self.y_min == 0:
                what = "negative" if self.y_min_allowed else "zero or negative"
            else:
                what = f"not {bound[2:]}"
            raise ValueError(f"loss={self.name!r} needs {bound}; some values of y are {what}.")


_PARAMETER_HINTS = {
    "quantile": "Set quantile to the quantile to predict, in (0, 1): 0.5 for the median, 0.95 for an upper bound.",
}

#: loss name -> Loss. The regressor's loss options are the 'regression' ones; the
#: classifier picks 'log_loss' (softmax, multiclass) or 'binary_log_loss' (logistic
#: per output: binary and multilabel), sklearn's MLP's names for them.
LOSSES = {
    loss.name: loss
    for loss in (
        Loss("log_loss", softmax_log_loss, "multinomial_logit", kind="classification"),
        Loss("binary_log_loss", logistic_log_loss, "logit", kind="classification"),
        Loss("squared_error", squared_error, "identity"),
        Loss("absolute_error", absolute_error, "identity", pieces=_sign_pieces),
        Loss(
            "huber", huber, "identity", pieces=_huber_pieces,
            parameters={"huber_delta": [Interval(Real, 0, None, closed="neither")]},
        ),
        Loss(
            "quantile", pinball, "identity", pieces=_sign_pieces,
            parameters={"quantile": [Interval(Real, 0, 1, closed="neither"), None]},
        ),
        Loss("poisson", poisson_deviance, "log", y_min=0.0),
        Loss("gamma", gamma_deviance, "log", y_min=0.0, y_min_allowed=False),
    )  # fmt: skip
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
