"""
===========================================================
Gradient descent, momentum and Adam, with and without decay
===========================================================

The course's optimization lesson on two moons, as skdeep parameters:

* **Gradient descent**: ``solver='sgd'`` with ``batch_size`` the whole training set
  and ``momentum=0``, one step per epoch.
* **Momentum**: mini-batches of 64 and ``momentum=0.9`` (the course's classical
  momentum, so ``nesterovs_momentum=False``); the velocity averages past gradients
  and smooths the mini-batches' zigzag.
* **Adam**: mini-batches of 64, momentum plus a per-parameter step size from the
  running mean of squared gradients.

Each runs with a constant learning rate and with the course's inverse-time decay,
``learning_rate='inverse_time'``: lr = lr0 / (1 + decay_rate · ⌊epoch / decay_steps⌋),
here halving the rate after 100 epochs, dividing it by 3 after 200, and so on. All
start from lr0 = 0.1. See :doc:`/optimizers` and :doc:`/mini_batches`.
"""

# %%
# Training
# --------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skdeep import LossCurveDisplay, MLPClassifier

# every run stops at max_iter on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=400, noise=0.2, random_state=3)
X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=300, random_state=0)

optimizers = {
    "gradient descent": dict(solver="sgd", batch_size=len(X_train), momentum=0.0),
    "momentum": dict(solver="sgd", batch_size=64, momentum=0.9, nesterovs_momentum=False),
    "Adam": dict(solver="adam", batch_size=64),
}
schedules = {
    "constant": dict(learning_rate="constant"),
    "inverse_time": dict(learning_rate="inverse_time", decay_rate=1.0, decay_steps=100),
}
models = {}
for opt_name, opt in optimizers.items():
    for schedule_name, schedule in schedules.items():
        models[opt_name, schedule_name] = MLPClassifier(
            hidden_layer_sizes=(5, 2),
            init="he",
            learning_rate_init=0.1,
            max_iter=500,
            n_iter_no_change=np.inf,
            random_state=0,
            **opt,
            **schedule,
        ).fit(X_train, y_train)

# %%
# Accuracy
# --------
print(f"{'optimizer':<18}{'schedule':<14}{'final loss':>11}{'train':>8}{'test':>8}")
for (opt_name, schedule_name), clf in models.items():
    print(
        f"{opt_name:<18}{schedule_name:<14}{clf.loss_:>11.4f}"
        f"{clf.score(X_train, y_train):>8.3f}{clf.score(X_test, y_test):>8.3f}"
    )

# %%
# Loss curves
# -----------
# Gradient descent takes one step per epoch and is slowest to come down; momentum
# and Adam take five steps per epoch. With a constant rate of 0.1 the mini-batch
# curves stay noisy, and the decay calms them as the rate shrinks. Gradient
# descent's full-batch steps carry no such noise: for it, decay only slows the
# descent.
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
for ax, opt_name in zip(axes, optimizers):
    for schedule_name in schedules:
        LossCurveDisplay.from_estimator(models[opt_name, schedule_name], ax=ax, name=schedule_name)
    ax.set_yscale("log")
    ax.set_title(opt_name)
fig.tight_layout()
plt.show()
