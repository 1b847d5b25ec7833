"""
=================
Gradient checking
=================

Backpropagation is easy to get subtly wrong, and a wrong gradient often still
trains, just worse. Gradient checking compares the gradient that backprop computes
with a two-sided finite difference of the cost, computed by forward propagation
alone::

    gradapprox_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)

and reports their relative difference ||grad - gradapprox|| / (||grad|| +
||gradapprox||). Below 2e-7 (the default threshold) the gradient is right; a bug
typically gives 1e-3 or more.

Here we check four networks, one per output type, with L2, dropout and ReLU, then
break the gradient on purpose and watch the check find the layers at fault.

See :doc:`/gradient_checking`.
"""

# %%
# Four correct networks
# ---------------------
# Gradient checking costs two forward passes per parameter, so it runs on a small
# network and a few samples: the code that computes the gradient is the same for
# any size. An unfitted estimator is checked at the initial weights that fit would
# draw from its ``random_state``.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier, MLPRegressor, gradient_check

X, y_class = make_classification(
    n_samples=30, n_features=4, n_informative=3, n_redundant=0, n_classes=3, random_state=0
)
X = StandardScaler().fit_transform(X)
rng = np.random.RandomState(0)
y_binary = (y_class == 0).astype(int)
y_real = X @ rng.standard_normal(4) + 0.1 * rng.standard_normal(len(X))
y_count = rng.poisson(np.exp(0.5 * X[:, 0]))

networks = {
    "binary\ntanh, L2": (
        MLPClassifier((5, 4), activation="tanh", alpha=1.0, random_state=0),
        y_binary,
    ),
    "multiclass\nReLU, dropout": (
        MLPClassifier((6,), activation="relu", keep_prob=0.7, random_state=0),
        y_class,
    ),
    "squared error\nlogistic": (
        MLPRegressor(hidden_layer_sizes=(5,), activation="logistic", random_state=0),
        y_real,
    ),
    "Poisson\ntanh, L2": (
        MLPRegressor(loss="poisson", hidden_layer_sizes=(4,), activation="tanh", alpha=0.5, random_state=0),
        y_count,
    ),
}

results = {}
for name, (estimator, y) in networks.items():
    results[name] = gradient_check(estimator, X, y)
    print(name.replace("\n", ", "))
    print(results[name], end="\n\n")

# %%
# A deliberately broken gradient
# -------------------------------
# A classic bug: the cost carries the L2 term alpha / (2 n) * sum(W ** 2), but
# backprop forgets its gradient alpha / n * W. To simulate it we swap, for one
# check, the function that ``gradient_check`` (and ``fit``) calls for the loss and
# its gradient with a copy that drops the term from the gradient only. (A
# demonstration trick: it patches a private name.)
from unittest import mock

import skdeep._network
from skdeep._network import loss_and_grads


def backprop_without_l2(theta, X, Y, w, net, *, alpha, n_samples, **kwargs):
    loss, _ = loss_and_grads(theta, X, Y, w, net, alpha=alpha, n_samples=n_samples, **kwargs)
    _, grad = loss_and_grads(theta, X, Y, w, net, alpha=0.0, n_samples=n_samples, **kwargs)
    return loss, grad


estimator, y = networks["binary\ntanh, L2"]
with mock.patch.object(skdeep._network, "loss_and_grads", backprop_without_l2):
    broken = gradient_check(estimator, X, y)
results["binary, tanh, L2\nL2 gradient missing"] = broken
print(broken)

# %%
# The per-layer breakdown points at the bug: only the weight matrices fail, since
# L2 leaves the biases alone. Each layer also lists its worst entries as (index,
# backprop, finite difference):
for layer in broken.layers:
    index, backprop, numerical = layer.worst[0]
    index = tuple(int(i) for i in index)
    print(f"{layer.name}: worst entry {index}: backprop {backprop:+.6f}, finite difference {numerical:+.6f}")

# %%
# Relative difference per layer
# -----------------------------
# One panel per check, one bar per weight matrix and bias vector, on a log scale;
# the dashed line is the threshold. The correct networks sit well below it, at the
# rounding noise of the finite differences; the broken one's weight matrices are
# far above it, and its biases stay with the correct ones. (A difference of exactly
# 0, where both gradients are exactly equal, would be drawn at 1e-13.)
floor = 1e-13
fig, axes = plt.subplots(1, len(results), figsize=(14, 3.8), sharey=True)
for ax, (name, result) in zip(axes, results.items()):
    names = [layer.name for layer in result.layers]
    differences = np.array([max(layer.difference, floor) for layer in result.layers])
    colors = np.where(differences < result.threshold, "tab:blue", "tab:red")
    ax.bar(names, differences, color=colors)
    ax.axhline(result.threshold, color="k", linestyle="--", linewidth=1)
    ax.set_yscale("log")
    ax.set_ylim(floor / 2, 1)
    ax.set_title(f"{name}\n{'passed' if result.passed else 'FAILED'}: {result.difference:.1e}", fontsize=9)
axes[0].set_ylabel("relative difference")
axes[0].text(0, 2 * broken.threshold, "threshold", fontsize=8)
fig.tight_layout()
plt.show()
