"""
=============================================
Weight initialization: what works, and where
=============================================

The course's lessons on initialization, measured:

1. **The course's experiment.** ``init='zeros'`` never breaks the symmetry; large
   random weights (``init='random', init_scale=10``) start confidently wrong;
   ``init='he'`` trains.
2. **He wins on a deep ReLU network trained with sgd.** Through fifteen hidden
   ReLU layers, He's weights carry the signal from layer to layer; scikit-learn's
   Glorot draws (the default, ``init='auto'``), Xavier's and small random weights
   let it fade. Adam, which rescales every step, makes up for the first two.
3. **The default is the safe choice for a shallow network.** On scikit-learn's
   default network, one hidden layer of 100 units, ``'auto'`` scores as well as or
   better than ``'he'``.
4. **Zero biases break the symmetry, yet cost accuracy with slow plain sgd.** The
   hidden units differ, but every one of them starts as a line through the origin,
   and small sgd steps move the lines away slowly.

The gallery runs one seed of each comparison so that it builds quickly. The figures
quoted in :doc:`/initialization` come from five seeds:
``python examples/plot_initialization.py --full`` (one to two minutes on two cores).
"""

# %%
# Settings
# --------
# ``--full`` on the command line runs five seeds instead of one.
import sys
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, load_iris, make_circles, make_classification, make_friedman3
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdeep import LossCurveDisplay, MLPClassifier, MLPRegressor
from skdeep._initializers import INITIALIZERS

# many runs stop at max_iter: on purpose where a fixed budget keeps the schemes
# comparable, and at scikit-learn's 200 epochs where every setting is its default
warnings.filterwarnings("ignore", category=ConvergenceWarning)

FULL = "--full" in sys.argv[1:]
SEEDS = range(5) if FULL else range(1)
start = time.perf_counter()


def mean_spread(values):
    """Format scores over seeds as 'mean ± standard deviation'.

    Parameters
    ----------
    values : sequence of float
        One score per seed.

    Returns
    -------
    text : str
        The mean and the sample standard deviation, or the single value when there
        is one seed.
    """
    values = np.asarray(values)
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}"


def tally(first, second):
    """Count the seeds on which one scheme scored higher than another.

    Parameters
    ----------
    first, second : ndarray of shape (n_seeds,)
        The two schemes' scores, seed by seed.

    Returns
    -------
    text : str
        'ahead/tied/behind': on how many seeds ``first`` scored higher, the same, and
        lower.
    """
    return f"{np.sum(first > second)}/{np.sum(first == second)}/{np.sum(first < second)}"


# %%
# 1. The course's experiment on two circles
# -----------------------------------------
# Two concentric circles, 300 points to train on and 100 to test on. The network is
# the course's: two hidden ReLU layers of 10 and 5 units. Full-batch gradient descent
# with momentum runs a fixed 1000 epochs for every scheme: ``n_iter_no_change=np.inf``
# switches off the stopping rule, so the three runs stay comparable. Biases start at
# zero in all three.
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

print(f"{'init':<24}{'first loss':>12}{'last loss':>12}{'train':>8}{'test':>8}")
for name, clf in models.items():
    print(
        f"{name:<24}{clf.loss_curve_[0]:>12.3f}{clf.loss_:>12.3f}"
        f"{clf.score(X_train, y_train):>8.3f}{clf.score(X_test, y_test):>8.3f}"
    )

# %%
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
# On a log scale: the zeros run stays flat at log 2 = 0.693, the large random one
# starts orders of magnitude higher and stalls, He's keeps going down.
fig, ax = plt.subplots()
for name, clf in models.items():
    LossCurveDisplay.from_estimator(clf, ax=ax, name=name)
ax.set_yscale("log")
ax.set_title("Training loss by initialization")

# %%
# 2. A deep ReLU network: He wins with sgd
# ----------------------------------------
# sklearn's digits (64 pixels, 10 classes), standardized, 70 % to train on. The
# network has 15 hidden ReLU layers of 50 units; mini-batch sgd (batches of 64,
# Nesterov momentum 0.9, learning rate 0.01) runs a fixed 20 epochs. Each seed draws
# its own split and its own initial weights. Then the same with adam (learning
# rate 0.001), which divides every step by the gradient's running size.
X_digits, y_digits = load_digits(return_X_y=True)
DEEP = dict(hidden_layer_sizes=(50,) * 15, batch_size=64, max_iter=20, n_iter_no_change=np.inf)
deep_solvers = {
    "sgd": dict(solver="sgd", learning_rate_init=0.01),
    "adam": dict(solver="adam", learning_rate_init=0.001),
}
deep_schemes = {
    "he": dict(init="he"),
    "auto (Glorot, sklearn's)": dict(init="auto"),
    "xavier": dict(init="xavier"),
    "random, init_scale=0.01": dict(init="random", init_scale=0.01),
}
deep_scores, deep_losses = {}, {}  # (solver, init) -> per-seed test accuracy, last loss
deep_curves = {}  # init -> the first seed's sgd fit, for the loss curves
# batches of 64 through 50-unit layers are too small to share between two BLAS
# threads: on a busy two-core machine a second thread made these fits 8 times slower
with threadpool_limits(limits=1, user_api="blas"):
    for seed in SEEDS:
        X_train, X_test, y_train, y_test = train_test_split(
            X_digits, y_digits, test_size=0.3, stratify=y_digits, random_state=seed
        )
        for solver, solver_params in deep_solvers.items():
            for name, params in deep_schemes.items():
                model = make_pipeline(
                    StandardScaler(), MLPClassifier(**DEEP, **solver_params, **params, random_state=seed)
                )
                model.fit(X_train, y_train)
                deep_scores.setdefault((solver, name), []).append(model.score(X_test, y_test))
                deep_losses.setdefault((solver, name), []).append(model[-1].loss_)
                if solver == "sgd":
                    deep_curves.setdefault(name, model[-1])

for solver in deep_solvers:
    print(f"solver={solver!r}: test accuracy after 20 epochs, {len(SEEDS)} seed(s)")
    print(f"{'init':<26}{'test accuracy':>16}{'worst':>8}{'best':>8}{'last loss':>11}")
    for name in deep_schemes:
        scores = deep_scores[solver, name]
        print(
            f"{name:<26}{mean_spread(scores):>16}{min(scores):>8.3f}{max(scores):>8.3f}"
            f"{np.mean(deep_losses[solver, name]):>11.3f}"
        )
    print()

# %%
# Why: the signal through the layers
# ----------------------------------
# Before any training, push all the images through the 15 layers and measure,
# for each layer, how much a unit's activation varies from one image to the next
# (its standard deviation over the samples, averaged over the units). That spread
# is the information about the input that reaches the layer. ReLU zeroes half of
# its inputs, so with weights of variance 1 / fan_in (Xavier, and Glorot's for
# square layers) the spread shrinks layer after layer; He's 2 / fan_in makes up for
# the lost half. scikit-learn's random biases keep the activations non-zero, but a
# bias is the same for every image: it carries no information about it. Weights of
# size 0.01 shrink the spread by about 0.01 · √(50 / 2) = 1/20 per layer. The
# weights are drawn with the estimators' own initializers.
X_scaled = StandardScaler().fit_transform(X_digits)
sizes = [X_digits.shape[1], *DEEP["hidden_layer_sizes"]]
spread = {}
for name, params in deep_schemes.items():
    rng = np.random.RandomState(0)
    initializer = INITIALIZERS[params["init"]]
    A, spread[name] = X_scaled, []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        drawn = initializer(fan_in, fan_out, rng, activation="relu", init_scale=params.get("init_scale", 0.01))
        W, b = drawn if isinstance(drawn, tuple) else (drawn, np.zeros(fan_out))
        A = np.maximum(A @ W + b, 0)
        spread[name].append(A.std(axis=0).mean())
    print(f"{name:<26}spread after layer 1: {spread[name][0]:.2g}, after layer 15: {spread[name][-1]:.2g}")

fig, (ax_spread, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.5))
for name in deep_schemes:
    ax_spread.semilogy(range(1, len(sizes)), spread[name], marker="o", label=name)
    LossCurveDisplay.from_estimator(deep_curves[name], ax=ax_loss, name=name)
ax_spread.set_xlabel("hidden layer")
ax_spread.set_ylabel("std of the activations over the samples")
ax_spread.set_title("At initialization")
ax_spread.legend()
ax_loss.set_title("Training loss with sgd, first seed")
fig.tight_layout()

# %%
# 3. scikit-learn's shallow network: the default is the safe choice
# -----------------------------------------------------------------
# Every parameter at scikit-learn's default (one hidden layer of 100 ReLU units,
# adam, 200 epochs) behind a StandardScaler, scored by 5-fold cross-validation
# (accuracy, R² for the regressor). Each seed shuffles the folds and draws the
# initial weights; both schemes see the same folds.
shallow_data = {
    "iris": (*load_iris(return_X_y=True), MLPClassifier, StratifiedKFold),
    "make_classification, 5 classes": (
        *make_classification(n_samples=1000, n_features=20, n_informative=10, n_classes=5, random_state=0),
        MLPClassifier,
        StratifiedKFold,
    ),
    "make_friedman3 (R²)": (*make_friedman3(n_samples=1000, noise=0.1, random_state=0), MLPRegressor, KFold),
}
shallow_scores = {}  # (data set, init) -> per-seed means
fold_scores = {}  # (data set, init) -> every fold's score, for the plot
for data_name, (X, y, Estimator, Folds) in shallow_data.items():
    for init in ("auto", "he"):
        shallow_scores[data_name, init], fold_scores[data_name, init] = [], []
        for seed in SEEDS:
            cv = Folds(n_splits=5, shuffle=True, random_state=seed)
            model = make_pipeline(StandardScaler(), Estimator(init=init, random_state=seed))
            scores = cross_val_score(model, X, y, cv=cv)
            shallow_scores[data_name, init].append(scores.mean())
            fold_scores[data_name, init].extend(scores)

print(f"5-fold CV score, hidden_layer_sizes=(100,), {len(SEEDS)} seed(s)")
print(f"{'data set':<32}{'auto':>16}{'he':>16}{'auto - he':>16}{'ahead/tied/behind':>19}")
for data_name in shallow_data:
    auto, he = np.array(shallow_scores[data_name, "auto"]), np.array(shallow_scores[data_name, "he"])
    print(
        f"{data_name:<32}{mean_spread(auto):>16}{mean_spread(he):>16}{mean_spread(auto - he):>16}"
        f"{tally(auto, he):>19}"
    )

# %%
# One point per fold: above the diagonal, the default scored higher.
fig, ax = plt.subplots(figsize=(5, 5))
for data_name in shallow_data:
    ax.scatter(fold_scores[data_name, "he"], fold_scores[data_name, "auto"], label=data_name, alpha=0.7)
low = min(min(scores) for scores in fold_scores.values()) - 0.02
ax.plot([low, 1], [low, 1], color="grey", linestyle="--", linewidth=1)
ax.set_xlabel("init='he'")
ax.set_ylabel("init='auto' (default)")
ax.set_title("Fold scores, hidden_layer_sizes=(100,)")
ax.legend(loc="lower right")

# %%
# 4. Zero biases: the symmetry is broken, yet plain sgd is slow
# -------------------------------------------------------------
# Two circles again, 500 noisy points, standardized: the data are centred on the
# origin. scikit-learn's default network and ``solver='sgd'`` with its defaults
# (learning rate 0.001, Nesterov momentum 0.9, batches of 200, up to 200 epochs),
# then with larger learning rates.
#
# ``init='glorot_uniform'`` draws the weights from the range ``'auto'`` uses, with
# zero biases. For the same ``random_state`` the first layer's weights are the same
# numbers in both; the output layer's are not, because ``'auto'`` draws the first
# layer's biases in between. The callable below draws exactly what ``'auto'`` draws
# and returns zero biases instead, so every weight is the same number: only the
# biases differ.
X_circles, y_circles = make_circles(n_samples=500, noise=0.1, factor=0.5, random_state=0)


def sklearn_weights_zero_biases(fan_in, fan_out, rng):
    """scikit-learn's initial weights with the course's zero biases.

    Parameters
    ----------
    fan_in, fan_out : int
        The layer's input and output units.
    rng : numpy.random.RandomState
        The estimator's random generator.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
        The numbers ``init='auto'`` draws (ReLU's factor 6).
    biases : ndarray of shape (fan_out,)
        Zeros.
    """
    bound = np.sqrt(6 / (fan_in + fan_out))
    weights = rng.uniform(-bound, bound, (fan_in, fan_out))
    # draw the biases all the same, so that the next layer's weights stay 'auto''s
    rng.uniform(-bound, bound, fan_out)
    return weights, np.zeros(fan_out)


# %%
# First the notes' lesson: zero biases are enough to break the symmetry. Train on
# all 500 points and count the distinct hidden units (a unit is its incoming
# weights and its bias). With ``init='zeros'`` the 100 units are one and the same
# unit; with random weights and zero biases, they all differ.
X_circles_scaled = StandardScaler().fit_transform(X_circles)
symmetry = {}
for init in ("zeros", "glorot_uniform", "auto"):
    symmetry[init] = MLPClassifier(solver="sgd", init=init, random_state=0).fit(X_circles_scaled, y_circles)
    units = np.vstack([symmetry[init].coefs_[0], symmetry[init].intercepts_[0]]).T
    print(f"init={init!r:<18} distinct hidden units: {len(np.unique(units, axis=0)):>3} of 100")

# %%
# Then the accuracy, by 5-fold cross-validation, at scikit-learn's learning rate
# and at larger ones: if the zero biases cost time rather than what the network
# can learn, their cost should shrink as sgd's steps grow.
circle_inits = {
    "glorot_uniform": "glorot_uniform",
    "auto": "auto",
    "auto, zero biases": sklearn_weights_zero_biases,
}
learning_rates = (0.001, 0.003, 0.01)
circle_scores = {}  # (init, learning rate) -> per-seed means
for rate in learning_rates:
    for name, init in circle_inits.items():
        circle_scores[name, rate] = []
        for seed in SEEDS:
            cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
            model = make_pipeline(
                StandardScaler(), MLPClassifier(solver="sgd", learning_rate_init=rate, init=init, random_state=seed)
            )
            circle_scores[name, rate].append(cross_val_score(model, X_circles, y_circles, cv=cv).mean())

print(f"5-fold CV accuracy on two circles, solver='sgd', {len(SEEDS)} seed(s)")
print(f"{'rate':<7}" + "".join(f"{name:>19}" for name in circle_inits) + f"{'auto - glorot':>16}{'ahead/tied/behind':>19}")
for rate in learning_rates:
    auto, zero = np.array(circle_scores["auto", rate]), np.array(circle_scores["glorot_uniform", rate])
    print(
        f"{rate:<7}" + "".join(f"{mean_spread(circle_scores[name, rate]):>19}" for name in circle_inits)
        + f"{mean_spread(auto - zero):>16}{tally(auto, zero):>19}"
    )

# %%
# Each hidden ReLU unit is off on one side of the line :math:`w^\top x + b = 0`.
# With zero biases every line starts through the origin and, after 200 small sgd
# epochs, is still close to it; the network's boundary is built from lines through
# the centre of the circles. scikit-learn's random biases scatter the lines from
# the start. The grey lines are the hidden units of the two networks trained above,
# at scikit-learn's learning rate.
fig, axes = plt.subplots(1, 2, figsize=(10, 5), sharex=True, sharey=True)
grid = np.linspace(-3, 3, 2)
for ax, init in zip(axes, ("glorot_uniform", "auto")):
    clf = symmetry[init]
    DecisionBoundaryDisplay.from_estimator(
        clf, X_circles_scaled, response_method="predict", cmap="RdBu", alpha=0.4, ax=ax
    )
    ax.scatter(
        X_circles_scaled[:, 0], X_circles_scaled[:, 1], c=y_circles, cmap="RdBu", edgecolor="k", linewidth=0.3, s=15
    )
    for (w1, w2), b in zip(clf.coefs_[0].T, clf.intercepts_[0]):
        # the line w1 x1 + w2 x2 + b = 0, written for whichever coordinate is steeper
        if abs(w2) > abs(w1):
            ax.plot(grid, -(w1 * grid + b) / w2, color="grey", linewidth=0.5, alpha=0.5)
        else:
            ax.plot(-(w2 * grid + b) / w1, grid, color="grey", linewidth=0.5, alpha=0.5)
    distance = np.abs(clf.intercepts_[0]) / np.linalg.norm(clf.coefs_[0], axis=0)
    ax.set_title(
        f"init={init!r}: training accuracy {clf.score(X_circles_scaled, y_circles):.2f}\n"
        f"median distance of a unit's line from the origin {np.median(distance):.2f}"
    )
    ax.set_xlim(-2.5, 2.5)
    ax.set_ylim(-2.5, 2.5)
fig.tight_layout()

print(f"ran in {time.perf_counter() - start:.0f} s")
plt.show()
