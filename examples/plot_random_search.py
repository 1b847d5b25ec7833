"""
==========================================
Random search on a log scale
==========================================

The course's lesson on tuning: try random combinations rather than a grid (a grid
spends most of its points repeating the values of the hyperparameters that matter),
and sample each on the scale it acts on. The learning rate and the L2 strength act
by orders of magnitude, so they are drawn log-uniformly; momentum's β acts through
1 / (1 - β), the number of steps it averages over, so it is 1 - β that is drawn on
a log scale. With scikit-learn this is :class:`~sklearn.model_selection.RandomizedSearchCV`
with :data:`scipy.stats.loguniform`.

See :doc:`/hyperparameter_search`.
"""

# %%
# Why a log scale
# ---------------
# Drawn uniformly between 0.0001 and 1, nine learning rates in ten fall between 0.1
# and 1, and the range below 0.001, where many good rates lie, is almost never
# tried. Drawn log-uniformly, each factor of ten gets the same share.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform, uniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier

# every fit stops at max_iter on purpose; fits that diverge are reported below
warnings.filterwarnings("ignore", category=ConvergenceWarning)
warnings.filterwarnings("ignore", category=FitFailedWarning)
warnings.filterwarnings("ignore", message="One or more of the test scores are non-finite")

draws = {
    "uniform(0.0001, 1)": uniform(1e-4, 1 - 1e-4).rvs(1000, random_state=0),
    "loguniform(0.0001, 1)": loguniform(1e-4, 1).rvs(1000, random_state=0),
}
fig, ax = plt.subplots(figsize=(7, 3))
bins = np.geomspace(1e-4, 1, 21)
for name, values in draws.items():
    ax.hist(values, bins=bins, alpha=0.6, label=name)
    print(f"{name:<22} share of draws in [0.1, 1]: {np.mean(values >= 0.1):.2f}")
ax.set_xscale("log")
ax.set_xlabel("learning rate drawn")
ax.set_ylabel("draws (of 1000)")
ax.legend()
fig.tight_layout()


# %%
# Sampling 1 - β
# --------------
# RandomizedSearchCV accepts any object with an ``rvs`` method, so sampling β as
# 1 - (a log-uniform number) takes a few lines: here 1 - β between 0.001 and 0.1,
# that is β between 0.9 (an average over about 10 steps) and 0.999 (about 1000).
class OneMinus:
    """Draws 1 - x for x drawn from ``distribution``."""

    def __init__(self, distribution):
        self.distribution = distribution

    def rvs(self, size=None, random_state=None):
        return 1 - self.distribution.rvs(size=size, random_state=random_state)


# %%
# The search
# ----------
# Forty random settings of the L2 strength, the learning rate and the momentum of
# mini-batch gradient descent for one hidden layer of 32 units on sklearn's digits,
# each scored by 3-fold cross-validation (15 epochs per fit). The scaler sits in the
# pipeline, so each fold is scaled with its own training part.
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

model = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), solver="sgd", batch_size=64, max_iter=15,
                  n_iter_no_change=np.inf, random_state=0),
)  # fmt: skip
distributions = {
    "mlpclassifier__alpha": loguniform(1e-4, 1e2),
    "mlpclassifier__learning_rate_init": loguniform(1e-4, 1),
    "mlpclassifier__momentum": OneMinus(loguniform(1e-3, 1e-1)),
}
search = RandomizedSearchCV(model, distributions, n_iter=40, cv=3, random_state=0).fit(X_train, y_train)

results = search.cv_results_
scores = results["mean_test_score"]
diverged = np.isnan(scores)  # DivergenceError is a ValueError: the search records the fit as failed
best = search.best_params_
print(f"{diverged.sum()} of {len(scores)} settings diverged")
print(
    f"best: alpha={best['mlpclassifier__alpha']:.3g}, "
    f"learning_rate_init={best['mlpclassifier__learning_rate_init']:.3g}, "
    f"momentum={best['mlpclassifier__momentum']:.4f}"
)
print(f"cross-validated accuracy {search.best_score_:.3f}, test accuracy {search.score(X_test, y_test):.3f}")

# %%
# What mattered
# -------------
# Each point is one setting; a cross marks a setting whose training diverged. The
# learning rate decides almost everything: too small and 15 epochs are not enough,
# too large (with momentum, the steps grow by up to 1 / (1 - β)) and training blows
# up. The L2 strength hardly matters over six orders of magnitude on this data. A
# second, finer search would now draw the learning rate from the band of the best
# points: the course's "coarse to fine".
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
columns = {
    "learning_rate_init": results["param_mlpclassifier__learning_rate_init"].astype(float),
    "alpha": results["param_mlpclassifier__alpha"].astype(float),
    "1 - momentum": 1 - results["param_mlpclassifier__momentum"].astype(float),
}
floor = np.nanmin(scores) - 0.05
for ax, (name, values) in zip(axes, columns.items()):
    ax.scatter(values[~diverged], scores[~diverged], s=20)
    ax.scatter(values[diverged], np.full(diverged.sum(), floor), marker="x", color="C3", label="diverged")
    ax.set_xscale("log")
    ax.set_xlabel(name)
axes[0].set_ylabel("cross-validated accuracy")
axes[0].legend(loc="lower left")
fig.tight_layout()
plt.show()
