"""
==================================
RMSprop beside momentum and Adam
==================================

RMSprop divides each parameter's step by the root of a running mean of its squared
gradients:

.. math::

   s \\leftarrow \\beta_2 s + (1 - \\beta_2)\\, g^2, \\qquad
   \\theta \\leftarrow \\theta - \\alpha\\, \\frac{g}{\\sqrt{s} + \\varepsilon},

so a parameter whose gradients are large takes small steps and one whose gradients
are small takes large ones. Momentum smooths the direction of the steps; RMSprop
evens out their size; Adam does both. In skdeep it is ``solver='rmsprop'``, with
Adam's ``beta_2`` and ``epsilon``. See :doc:`/optimizers`.
"""

# %%
# A long, narrow valley
# ---------------------
# A linear model (no hidden layer) fits y = 2 x1 + 0.1 x2, where x2 varies ten
# times as much as x1: the squared error is a valley a hundred times steeper across
# w2 than along w1. Gradient descent must keep its learning rate below 2 / 100 for
# the steep direction, and then crawls along the shallow one; momentum builds up
# speed along the valley; RMSprop and Adam take steps of about the learning rate in
# both directions at once. Each ``partial_fit`` on the full batch is one step.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import LossCurveDisplay, MLPClassifier, MLPRegressor

# every run stops at max_iter on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.RandomState(0)
X = rng.standard_normal((200, 2))
X -= X.mean(axis=0)
X = X @ np.linalg.inv(np.linalg.cholesky(np.cov(X.T, bias=True))).T  # uncorrelated, variance 1
X[:, 1] *= 10
w_best = np.array([2.0, 0.1])
y = X @ w_best
start = np.array([[-2.0], [0.45]])


def from_start(fan_in, fan_out, rng):
    """Every run starts at the same weights, with a zero bias."""
    return start.copy(), np.zeros(1)


steps = 40
optimizers = {
    "gradient descent, lr 0.019": dict(solver="sgd", momentum=0.0, learning_rate_init=0.019),
    "momentum 0.9, lr 0.002": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.002),
    "RMSprop, lr 0.1": dict(solver="rmsprop", beta_2=0.9, learning_rate_init=0.1),
    "Adam, lr 0.1": dict(solver="adam", learning_rate_init=0.1),
}
paths = {}
for name, params in optimizers.items():
    model = MLPRegressor(hidden_layer_sizes=(), init=from_start, batch_size=len(X), shuffle=False, alpha=0.0,
                         random_state=0, **params)  # fmt: skip
    path = [start.ravel()]
    for _ in range(steps):
        model.partial_fit(X, y)
        path.append(model.coefs_[0].ravel().copy())
    paths[name] = np.array(path)
    print(f"{name:<28} w after {steps} steps: ({path[-1][0]:6.3f}, {path[-1][1]:6.3f})")

w1, w2 = np.meshgrid(np.linspace(-2.5, 2.5, 200), np.linspace(-0.25, 0.5, 200))
cost = 0.5 * ((w1 - w_best[0]) ** 2 + 100 * (w2 - w_best[1]) ** 2)  # the valley, X being uncorrelated
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.contour(w1, w2, cost, levels=np.geomspace(0.01, 40, 12), colors="0.8", linewidths=0.8)
for name, path in paths.items():
    ax.plot(path[:, 0], path[:, 1], ".-", label=name, markersize=4, linewidth=1)
ax.plot(*w_best, "k*", markersize=12, label="minimum")
ax.set_xlabel("w1 (the gentle slope)")
ax.set_ylabel("w2 (the steep one)")
ax.set_title(f"{steps} full-batch steps from the same start")
ax.legend(loc="upper right", fontsize="small")
fig.tight_layout()

# %%
# After 40 steps gradient descent and momentum are still far from the minimum along
# w1, while RMSprop and Adam have covered most of the way. RMSprop's last steps
# wobble: with a constant learning rate its steps stay about that size even where
# the gradient vanishes (here in w2, and in the bias, which the plane does not
# show), one reason to decay the learning rate (see
# :ref:`sphx_glr_auto_examples_plot_learning_rate_decay.py`).
#
# Mini-batches on digits
# ----------------------
# The same optimizers train one hidden layer of 64 ReLU units on sklearn's digits,
# with mini-batches of 64, for 30 epochs: RMSprop and Adam at the same learning rate
# of 0.001, gradient descent and momentum at the rates that suit them.
#
# RMSprop with the default ``beta_2=0.999`` comes down fastest here, and for a
# reason to know: its running mean starts at zero and is not bias-corrected (the
# course's RMSprop, unlike Adam), so its first steps are up to 1 / sqrt(1 - 0.999),
# about 32, times the learning rate, and stay large while the mean fills up. That
# start helps this small network and can throw a larger one off; ``beta_2=0.9``
# shortens both the start (a factor of 3.2) and the memory of the average.
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

optimizers = {
    "gradient descent": dict(solver="sgd", momentum=0.0, learning_rate_init=0.05),
    "momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.005),
    "RMSprop": dict(solver="rmsprop", learning_rate_init=0.001),
    "RMSprop, beta_2=0.9": dict(solver="rmsprop", beta_2=0.9, learning_rate_init=0.001),
    "Adam": dict(solver="adam", learning_rate_init=0.001),
}
models = {
    name: MLPClassifier(
        hidden_layer_sizes=(64,), batch_size=64, max_iter=30, n_iter_no_change=np.inf, random_state=0, **params
    ).fit(X_train, y_train)
    for name, params in optimizers.items()
}
print(f"{'optimizer':<22}{'final loss':>11}{'test':>8}")
for name, model in models.items():
    print(f"{name:<22}{model.loss_:>11.4f}{model.score(X_test, y_test):>8.3f}")

fig, ax = plt.subplots(figsize=(7, 4))
for name, model in models.items():
    LossCurveDisplay.from_estimator(model, ax=ax, name=name)
ax.set_yscale("log")
ax.set_title("Training loss on digits")
fig.tight_layout()
plt.show()
