"""Gradient checking: backprop's gradient against two-sided finite differences.

It is slow (two loss evaluations per parameter), so it verifies the code; training
never runs it.
"""

import copy
from dataclasses import dataclass, field, replace
from numbers import Real

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._network import draw_dropout_masks, full_batch_objective


def numerical_gradient(fun, theta, epsilon=1e-7):
    """Two-sided finite differences (f(theta + e_i eps) - f(theta - e_i eps)) / (2 eps).

    Parameters
    ----------
    fun : callable
        Scalar function of a flat float64 vector.
    theta : array-like of shape (n,)
        The point; it is not modified.
    epsilon : float, default=1e-7

    Returns
    -------
    grad : ndarray of shape (n,)
    """
    theta = np.array(theta, dtype=np.float64).ravel()
    grad = np.empty_like(theta)
    for i in range(theta.size):
        saved = theta[i]
        theta[i] = saved + epsilon
        plus = fun(theta)
        theta[i] = saved - epsilon
        minus = fun(theta)
        theta[i] = saved
        grad[i] = (plus - minus) / (2 * epsilon)
    return grad


def relative_difference(a, b):
    """||a - b||_2 / (||a||_2 + ||b||_2), and 0 when both are zero.

    Scale invariant and at most 1, so one threshold serves gradients of any size.
    """
    return _floored_difference(a, b, floor=0.0)


def _floored_difference(a, b, floor):
    """||a - b|| / max(||a|| + ||b||, floor), computed without overflow or underflow."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0), floor)
    if scale == 0 or not np.isfinite(scale):
        return 0.0 if scale == 0 else float("nan")
    a, b = a / scale, b / scale
    denominator = max(np.linalg.norm(a) + np.linalg.norm(b), floor / scale)
    return min(1.0, float(np.linalg.norm(a - b) / denominator))


@dataclass
class LayerCheck:
    """The check of one parameter array: ``name`` is 'W1', 'b1', 'W2', ..., and with
    batch normalization 'gamma1', 'beta1', ..."""

    name: str
    difference: float
    worst: list = field(default_factory=list)  # (index, backprop, numerical)
    skipped: int = 0
    checked: int = 0


@dataclass
class GradientCheckResult:
    """What gradient_check found.

    Attributes
    ----------
    difference : float
        Relative difference of backprop's and the numerical gradient over every
        checked entry, ||g - g_num|| / max(||g|| + ||g_num||, noise_floor); inf when
        the loss or the gradient is not finite.
    threshold : float
    passed : bool
        difference < threshold.
    noise_floor : float
        Rounding in the loss J, about u abs(J), puts noise of about
        u abs(J) / epsilon into every finite difference: no difference below
        sqrt(p) 8 u max abs(J) / epsilon means anything. Near a stationary point the gradient itself is that small, and
        a plain relative difference of two roundings would be about 1, a false alarm;
        so the denominator never drops below that noise divided by the threshold.
    layers : list of LayerCheck
        The same per weight matrix and bias vector (and batch normalization's gamma
        and beta), with its worst entries.
    skipped : int
        Entries left out because a ReLU pre-activation, or the loss of an output, crossed
        a kink between theta - epsilon and theta + epsilon, where the finite difference
        means nothing (an exactly zero pre-activation, e.g. behind a dead or dropped
        layer with zero biases, is the common case). The losses with kinks are the
        absolute error and the pinball loss (at z = y) and the Huber loss (at
        abs(z - y) = huber_delta, where its second derivative jumps: the two-sided
        difference there is off by up to epsilon / 4 times the slope, as large as the
        threshold allows).
    gradient, numerical : ndarray
        The two flat gradients (skipped entries of ``numerical`` are NaN).
    """

    difference: float
    threshold: float
    layers: list
    skipped: int
    gradient: np.ndarray
    numerical: np.ndarray
    noise_floor: float = 0.0

    @property
    def passed(self):
        """difference < threshold."""
        return bool(self.difference < self.threshold)

    def __str__(self):
        verdict = "passed" if self.passed else "FAILED"
        lines = [
            f"gradient check {verdict}: relative difference {self.difference:.3e} "
            f"(threshold {self.threshold:.1e})"
        ]
        if not np.isfinite(self.difference):
            lines.append("  the loss or its gradient is not finite at the check point")
        if self.skipped:
            lines.append(f"  {self.skipped} entries at a kink (ReLU or the loss's) left out")
        width = max([4] + [len(layer.name) for layer in self.layers])
        for layer in self.layers:
            detail = f"{layer.difference:.3e}" if layer.checked else "all entries left out"
            lines.append(f"  {layer.name:>{width}}: {detail}")
        return "\n".join(lines)


def gradient_check(estimator, X, y, *, epsilon=1e-7, threshold=2e-7, sample_weight=None):
    """Compare the gradient that fit uses with finite differences of its loss.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        Unfitted: its parameters are initialized as fit would (from random_state).
        Fitted: its ``coefs_`` and ``intercepts_`` (and, with batch_norm, its
        ``batch_norm_scales_`` and ``batch_norm_shifts_``) are checked. It is left
        unchanged.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    epsilon : float, default=1e-7
        Finite-difference step.
    threshold : float, default=2e-7
        The check passes when the relative difference is below it.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    GradientCheckResult

    Notes
    -----
    Everything is computed in float64 whatever the estimator's dtype. With keep_prob
    < 1 one set of dropout masks is drawn and held fixed, so the loss is a
    deterministic function of the parameters. With batch_norm the loss is training's:
    each hidden layer is normalized with the statistics of the rows of X (weighted by
    sample_weight), which depend on the parameters too, and the check covers that
    dependence; the running statistics play no part.

    Kinks are handled alike wherever they are: a ReLU's at a zero pre-activation, and
    the loss's where the absolute error or the pinball loss of an output has z = y, or
    the Huber loss has abs(z - y) = huber_delta. Backprop takes the derivative 0 at a ReLU's
    or a loss's own kink (a subgradient); an entry whose two finite-difference points
    lie on different sides of any kink is left out and counted in ``skipped``.
    """
    if not (isinstance(epsilon, Real) and np.isfinite(epsilon) and epsilon > 0):
        raise ValueError(f"epsilon must be a finite float > 0, got {epsilon!r}.")
    if not (isinstance(threshold, Real) and threshold > 0):
        raise ValueError(f"threshold must be a float > 0, got {threshold!r}.")
    fitted = hasattr(estimator, "coefs_")
    est = copy.deepcopy(estimator) if fitted else clone(estimator)
    est._validate_params()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        X, y, Y, sample_weight, net = est._prepare(X, y, sample_weight, first_call=not fitted)
        rng = check_random_state(est.random_state)
        if fitted:
            theta = net.layout.pack(
                est.coefs_, est.intercepts_, np.float64, est.batch_norm_scales_ or (), est.batch_norm_shifts_ or ()
            )
        else:
            theta = est._init_theta(net, rng, X.dtype).astype(np.float64)
        X = X.astype(np.float64)
        Y = Y.astype(np.float64)
        hidden = net.layout.layer_sizes[1:-1]
        masks = draw_dropout_masks(rng, X.shape[0], hidden, est._keep_probs(len(hidden)), np.float64)
        net, loss_pieces = _watching_loss_pieces(net)
        objective, ws = full_batch_objective(X, Y, sample_weight, net, alpha=est.alpha, masks=masks)
        relu = net.activation == "relu"

        def kink_pattern():
            """Which hidden units are active in the last evaluation (relu only), and
            which smooth piece of the loss each output lies on (a kinked loss only)."""
            return ([A > 0 for A in ws.outputs[:-1]] if relu else []) + loss_pieces

        loss, gradient = objective(theta)
        gradient = gradient.copy()
        base_pattern = kink_pattern()
        crossed, losses = [], [abs(loss)]  # per evaluation: a kink crossed; |J|

        def loss_only(point):
            value = objective(point)[0]
            crossed.append(any(not np.array_equal(p, q) for p, q in zip(base_pattern, kink_pattern())))
            losses.append(abs(value))
            return value

        numerical = numerical_gradient(loss_only, theta, epsilon)
        # an entry whose theta + eps or theta - eps switches a ReLU, or moves an output
        # of a kinked loss to another piece
        kink = np.array(crossed, dtype=bool).reshape(-1, 2).any(axis=1)
        largest_loss = float(np.max(losses))
    numerical[kink] = np.nan

    checked = ~kink
    finite = np.isfinite(largest_loss) and np.isfinite(gradient).all() and np.isfinite(numerical[checked]).all()
    # rounding of J, about u |J|, in each finite difference: noise per entry
    entry_noise = 8 * (np.finfo(np.float64).eps / 2) * largest_loss / epsilon
    if finite:
        noise_floor = np.sqrt(checked.sum()) * entry_noise / threshold
        difference = _floored_difference(gradient[checked], numerical[checked], noise_floor)
    else:
        noise_floor, difference = float("nan"), float("inf")
    return GradientCheckResult(
        difference=difference,
        threshold=threshold,
        layers=_per_layer(net.layout, gradient, numerical, kink, entry_noise / threshold if finite else 0.0),
        skipped=int(kink.sum()),
        gradient=gradient,
        numerical=numerical,
        noise_floor=noise_floor,
    )


def _watching_loss_pieces(net):
    """The network with its loss wrapped to record, at each evaluation, which smooth
    piece of the loss each output entry lies on (see Loss.pieces), and the list that
    holds the last record; the same network and an empty list for a smooth loss."""
    loss = net.loss
    if loss.pieces is None:
        return net, []
    last = [None]

    def recording(Z, Y, w, **values):
        last[0] = loss.pieces(Z, Y, **values)
        return loss.function(Z, Y, w, **values)

    return net._replace(loss=replace(loss, function=recording)), last


def _per_layer(layout, gradient, numerical, kink, floor_per_entry, n_worst=3):
    """Each weight matrix and bias vector's own difference and worst entries; the
    entries at a ReLU kink (``kink``) are left out, as in the whole check."""
    layers = []
    arrays = [layout.arrays(flat) for flat in (gradient, numerical, kink)]  # W1, ..., b1, ..., gamma1, ...
    for name, g, num, at_kink in zip(layout.names(), *arrays):
        checked = ~at_kink
        with np.errstate(invalid="ignore", over="ignore"):
            error = np.where(checked, np.abs(g - np.nan_to_num(num)), -1.0)
        worst = np.argsort(error, axis=None)[::-1][:n_worst]
        layers.append(
            LayerCheck(
                name=name,
                difference=_floored_difference(g[checked], num[checked], np.sqrt(checked.sum()) * floor_per_entry),
                worst=[
                    (np.unravel_index(k, g.shape), float(g.flat[k]), float(num.flat[k]))
                    for k in worst
                    if checked.flat[k]
                ],
                skipped=int((~checked).sum()),
                checked=int(checked.sum()),
            )
        )
    return layers
