"""
=========================================
Robust losses against corrupted targets
=========================================

The squared error punishes a residual by its square, so one target that is wrong by
20 weighs as much as 400 targets wrong by 1: a few grossly wrong targets (a typo, a
unit mix-up, a broken sensor) drag the whole fit towards themselves. The absolute
error weighs every residual by its size only, and fits the conditional median,
which outliers hardly move. The Huber loss is the squared error within
``huber_delta`` of the target and the absolute error beyond, so it keeps the squared
error's smooth fit of the ordinary noise and the absolute error's indifference to
outliers.

Here 10% of the training targets are off by 5 to 20 (in either direction) on a
problem whose ordinary noise is 0.1. The test targets are clean. See :doc:`/losses`.
"""

# %%
# Corrupted training targets
# --------------------------
import sys
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_absolute_error

from skdeep import MLPRegressor

# every fit runs its max_iter epochs on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)


def make_data(n, rng, corrupted=0.0):
    X = rng.uniform(-1, 1, (n, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.standard_normal(n)
    outliers = rng.rand(n) < corrupted
    y[outliers] += rng.choice([-1, 1], outliers.sum()) * rng.uniform(5, 20, outliers.sum())
    return X, y, outliers


rng = np.random.RandomState(0)
X_train, y_train, outliers = make_data(1000, rng, corrupted=0.1)
X_test, y_test, _ = make_data(2000, rng)
print(f"{outliers.sum()} of {len(y_train)} training targets corrupted")

# %%
# Three losses, the same network
# ------------------------------
losses = ("squared_error", "absolute_error", "huber")
params = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=100, n_iter_no_change=100)


def fit_and_measure(loss, seed, X, y, X_new, y_new):
    model = MLPRegressor(loss=loss, random_state=seed, **params).fit(X, y)
    return mean_absolute_error(y_new, model.predict(X_new)), model


models, mae = {}, {}
for loss in losses:
    mae[loss], models[loss] = fit_and_measure(loss, 0, X_train, y_train, X_test, y_test)
for loss in losses:
    below = 1 - mae[loss] / mae["squared_error"]
    print(f"{loss:>15}: test MAE {mae[loss]:.3f}" + (f", {below:.0%} below the squared error's" if below else ""))

# %%
# ``python examples/plot_robust_regression.py --full`` repeats this on five draws of
# the data and seeds. Measured: the absolute error's test MAE is 58% to 80% below the
# squared error's, Huber's 59% to 76% below.
if "--full" in sys.argv[1:]:
    for seed in range(5):
        draw = np.random.RandomState(seed)
        X, y, _ = make_data(1000, draw, corrupted=0.1)
        X_new, y_new, _ = make_data(2000, draw)
        measured = {loss: fit_and_measure(loss, seed, X, y, X_new, y_new)[0] for loss in losses}
        print(f"seed {seed}: " + ", ".join(
            f"{loss} {1 - measured[loss] / measured['squared_error']:.0%} below" for loss in losses[1:]
        ))  # fmt: skip

# %%
# What the outliers do to the fit
# -------------------------------
# Along x1 = 0 the target is sin(3 x0). The squared error's fit, whose gradient the
# outliers' large residuals dominate, misses the curve; the robust fits follow it.
grid = np.c_[np.linspace(-1, 1, 300), np.zeros(300)]
fig, ax = plt.subplots(figsize=(7, 4))
near = np.abs(X_train[:, 1]) < 0.15
ax.scatter(X_train[near & ~outliers, 0], y_train[near & ~outliers], s=6, color="gray", alpha=0.5,
           label="training targets near x1 = 0")  # fmt: skip
ax.plot(grid[:, 0], np.sin(3 * grid[:, 0]), "k--", lw=1, label="sin(3 x0)")
for loss in losses:
    ax.plot(grid[:, 0], models[loss].predict(grid), label=f"{loss} (test MAE {mae[loss]:.3f})")
ax.set(xlabel="x0", ylabel="y", ylim=(-2, 2), title="10% of the training targets off by 5 to 20")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
