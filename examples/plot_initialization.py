"""
=====================================
Weight initialization on two circles
=====================================

The course's first lesson: the same network, trained the same way, from three
starting points.

* ``init='zeros'``: every hidden unit of a layer starts identical, receives the same
  gradient and stays identical, so the symmetry is never broken. With ReLU the
  weight gradients are exactly zero and the network never learns more than the class
  balance.
* ``init='random', init_scale=10``: the symmetry is broken, but the weights are so
  large that the first predictions are confidently wrong: the initial log loss is
  huge, and training gets stuck on a plateau far above He's.
* ``init='he'``: normal weights with variance 2 / fan_in, made for ReLU, keep the
  activations' scale from layer to layer; training converges quickly.

Biases start at zero in all three: random weights alone break the symmetry.
See :doc:`/initialization` for the details.
"""

# %%
# Data and models
# ---------------
# Two concentric circles, 300 points to train on and 100 to test on. The network is
# the course's: two hidden ReLU layers of 10 and 5 units. Full-batch gradient descent
# with momentum runs a fixed 1000 epochs for every scheme: ``n_iter_no_change=np.inf``
# switches off the stopping rule, so the three runs stay comparable.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_circles
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from skdeep import LossCurveDisplay, MLPClassifier

# every run stops at max_iter on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_circles(n_samples=400, noise=0.05, factor=0.5, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=100, random_state=0)

schemes = {
    "zeros": dict(init="zeros"),
    "random, init_scale=10": dict(init="random", init_scale=10),
    "he": dict(init="he"),
}
models = {}
for name, params in schemes.items():
    models[name] = MLPClassifier(
        hidden_layer_sizes=(10, 5),
        solver="sgd",
        batch_size=len(X_train),
        learning_rate_init=0.01,
        momentum=0.9,
        max_iter=1000,
        n_iter_no_change=np.inf,
        random_state=1,
        **params,
    ).fit(X_train, y_train)

# %%
# Train and test accuracy
# -----------------------
print(f"{'init':<24}{'first loss':>12}{'last loss':>12}{'train':>8}{'test':>8}")
for name, clf in models.items():
    print(
        f"{name:<24}{clf.loss_curve_[0]:>12.3f}{clf.loss_:>12.3f}"
        f"{clf.score(X_train, y_train):>8.3f}{clf.score(X_test, y_test):>8.3f}"
    )

# %%
# Decision boundaries
# -------------------
# The zeros network predicts one class everywhere; the large random one has found a
# crude boundary; He's separates the circles.
fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharex=True, sharey=True)
for ax, (name, clf) in zip(axes, models.items()):
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict", cmap="RdBu", alpha=0.4, ax=ax
    )
    ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", edgecolor="k", s=15)
    ax.set_title(f"{name}\ntest accuracy {clf.score(X_test, y_test):.2f}")
fig.tight_layout()

# %%
# Loss curves
# -----------
# On a log scale: the zeros run stays flat at log 2 = 0.693, the large random one
# starts orders of magnitude higher and stalls, He's keeps going down.
fig, ax = plt.subplots()
for name, clf in models.items():
    LossCurveDisplay.from_estimator(clf, ax=ax, name=name)
ax.set_yscale("log")
ax.set_title("Training loss by initialization")
plt.show()
