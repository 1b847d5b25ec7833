"""
===================================
L2 regularization and dropout
===================================

A network much bigger than its data overfits: it learns the noise of the training
points, its boundary curls around single samples, and it scores far better on the
training set than on new data. The course's two remedies:

* **L2** (``alpha``): the cost gains alpha / (2 n) · ΣW², so every step also shrinks
  the weights ("weight decay"); smaller weights give a smoother function.
* **Inverted dropout** (``keep_prob``): during training each hidden unit is kept with
  probability keep_prob, and kept activations are divided by keep_prob; no unit can
  rely on any other, so the network spreads what it learns. Prediction uses the
  whole network.

See :doc:`/l2_regularization` and :doc:`/dropout`.
"""

# %%
# An overfitting setup
# --------------------
# 80 noisy training points from two moons, 920 held out; two hidden layers of 64 and
# 32 ReLU units trained by full-batch Adam for 1500 epochs. In ``alpha=0.7`` the
# scaling is the course's λ / (2m) · ΣW², so the course's λ = 0.7 carries over.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from skdeep import MLPClassifier

# every run stops at max_iter on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=1000, noise=0.35, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=80, random_state=0)

settings = {
    "no regularization": dict(alpha=0.0),
    "L2, alpha=0.7": dict(alpha=0.7),
    "dropout, keep_prob=0.8": dict(alpha=0.0, keep_prob=0.8),
}
models = {}
for name, params in settings.items():
    models[name] = MLPClassifier(
        hidden_layer_sizes=(64, 32),
        solver="adam",
        learning_rate_init=0.01,
        batch_size=len(X_train),
        max_iter=1500,
        n_iter_no_change=np.inf,
        random_state=0,
        **params,
    ).fit(X_train, y_train)

# %%
# Train and test accuracy
# -----------------------
# Both remedies give up some training accuracy and gain test accuracy: the gap
# between the two columns is the overfitting.
print(f"{'':<26}{'train':>8}{'test':>8}{'gap':>8}")
for name, clf in models.items():
    train, test = clf.score(X_train, y_train), clf.score(X_test, y_test)
    print(f"{name:<26}{train:>8.3f}{test:>8.3f}{train - test:>8.3f}")

# %%
# Decision boundaries
# -------------------
# Training points in full colour, a sample of the test points faded.
fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharex=True, sharey=True)
for ax, (name, clf) in zip(axes, models.items()):
    DecisionBoundaryDisplay.from_estimator(
        clf, X, response_method="predict", cmap="RdBu", alpha=0.4, ax=ax
    )
    ax.scatter(X_test[:300, 0], X_test[:300, 1], c=y_test[:300], cmap="RdBu", s=8, alpha=0.3)
    ax.scatter(X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", edgecolor="k", s=25)
    ax.set_title(
        f"{name}\ntrain {clf.score(X_train, y_train):.2f}, test {clf.score(X_test, y_test):.2f}"
    )
fig.tight_layout()

# %%
# The weights
# -----------
# L2's "weight decay", measured: the norm of the first layer's weights.
for name, clf in models.items():
    print(f"{name:<26}||W1|| = {np.linalg.norm(clf.coefs_[0]):.2f}")
plt.show()
