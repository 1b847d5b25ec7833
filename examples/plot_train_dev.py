"""
==================================================
Train/dev diagnosis: bias, variance and the curves
==================================================

The course's recipe for a network that does not do well: compare its error on the
training set with its error on a held-out dev set.

* **High bias**: the training error itself is high, and the dev error is about the
  same. The network cannot fit even the data it sees: make it bigger, regularize
  it less, train longer. More data will not help.
* **High variance**: the training error is low, the dev error much higher. The
  network fits the training set's noise: get more data, or regularize (L2,
  dropout).

Give ``fit`` the dev set as ``X_val`` and ``y_val`` (with ``early_stopping=True``,
which the validation set serves) and skdeep records the loss on it after every
epoch in ``validation_loss_curve_``: the data loss alone (here the log loss),
without the L2 term that ``loss_curve_`` adds. :class:`~skdeep.LossCurveDisplay`
draws the two on one axis, so the gap reads off the picture, and the dev accuracy
on a second axis.

See :doc:`/progress`, :doc:`/l2_regularization` and :doc:`/dropout`.
"""

# %%
# The data and the network
# ------------------------
# scikit-learn's digits: 1797 images of 8 × 8 pixels, 10 classes, the pixels
# divided by 16 to lie in [0, 1]. 600 images are held out once as the dev set; the
# other 1197 are the training pool.
#
# Every fit uses the same network, two hidden ReLU layers of 128 units, trained by
# full-batch Adam (learning rate 0.01) for 200 epochs. ``n_iter_no_change=np.inf``
# keeps early stopping from ever stopping, so the curves run the whole 200 epochs:
# here the validation set is only watched. With ``X_val`` given nothing is held
# out of ``X``, so the watched fit takes exactly the steps of the same fit without
# early stopping; it only keeps, at the end, the weights of its best dev epoch.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from skdeep import LossCurveDisplay, MLPClassifier

# every fit runs its 200 epochs to the end on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)
start = time.perf_counter()
# one BLAS thread: these matrices are small, and on a busy two-core machine two
# threads fought each other and made this example five to ten times slower
one_thread = threadpool_limits(limits=1, user_api="blas")

X, y = load_digits(return_X_y=True)
X = X / 16
X_pool, X_dev, y_pool, y_dev = train_test_split(X, y, test_size=600, stratify=y, random_state=0)

NETWORK = dict(hidden_layer_sizes=(128, 128), learning_rate_init=0.01, max_iter=200)


def watch(X_train, y_train, seed=0, **params):
    """Fit on the training set, watching the dev set after every epoch.

    Parameters
    ----------
    X_train, y_train : ndarray
        The training set.
    seed : int
        ``random_state``: the initial weights (and the dropout masks).
    **params : dict
        The estimator's parameters beyond ``NETWORK``: ``alpha``, ``keep_prob``.

    Returns
    -------
    model : MLPClassifier
        With ``loss_curve_``, ``validation_loss_curve_`` and ``validation_scores_``
        (dev accuracy), holding the weights of its best dev epoch.
    """
    model = MLPClassifier(
        **NETWORK, **params, batch_size=len(y_train), early_stopping=True, n_iter_no_change=np.inf, random_state=seed
    )
    return model.fit(X_train, y_train, X_val=X_dev, y_val=y_dev)


def final(X_train, y_train, seed=0, **params):
    """The same fit without early stopping: the weights after the last epoch."""
    model = MLPClassifier(**NETWORK, **params, batch_size=len(y_train), n_iter_no_change=np.inf, random_state=seed)
    return model.fit(X_train, y_train)


def measure(model, X_train, y_train):
    """Log loss and accuracy on the training and the dev set.

    The loss is the data term only (no L2 term) of the whole network (no dropout),
    so every row of the table measures the same thing.

    Returns
    -------
    train_loss, dev_loss, train_accuracy, dev_accuracy : float
    """
    return (
        log_loss(y_train, model.predict_proba(X_train)),
        log_loss(y_dev, model.predict_proba(X_dev)),
        model.score(X_train, y_train),
        model.score(X_dev, y_dev),
    )


# %%
# High bias: too much regularization
# ----------------------------------
# All 1197 training images, and the network held back by a very strong L2 term,
# ``alpha=50``: its weights are pushed so close to zero that it can fit neither set
# well.
bias = watch(X_pool, y_pool, alpha=50.0)

# %%
# High variance: a large network on little data
# ---------------------------------------------
# The same network with no regularization (``alpha=0``) on only 300 of the
# training images (a stratified draw).
X_small, _, y_small, _ = train_test_split(X_pool, y_pool, train_size=300, stratify=y_pool, random_state=0)
variance = watch(X_small, y_small, alpha=0.0)

# %%
# Where would early stopping have stopped? The same fit with scikit-learn's
# ``n_iter_no_change=10``, following the dev loss (``scoring='loss'``): it stops
# once more than ten epochs in a row have not lowered the best dev loss by
# ``tol``, and keeps that best epoch's weights.
stopped = MLPClassifier(
    **NETWORK, batch_size=len(y_small), alpha=0.0, early_stopping=True, scoring="loss", random_state=0
).fit(X_small, y_small, X_val=X_dev, y_val=y_dev)
best_epoch = int(np.argmax(stopped.validation_scores_)) + 1
print(f"early stopping on the dev loss: stops after epoch {stopped.n_iter_}, keeps epoch {best_epoch}")
print(f"  dev loss there {-stopped.best_validation_score_:.3f}, dev accuracy {stopped.score(X_dev, y_dev):.3f}")
print(
    f"  after all 200 epochs: dev loss {variance.validation_loss_curve_[-1]:.3f}, "
    f"dev accuracy {variance.validation_scores_[-1]:.3f}"
)

# %%
# Early stopping keeps an epoch whose dev loss is lower than where the 200 epochs
# end, with about the same dev accuracy.
#
# The curves: training loss solid, dev loss dotted (same axis), dev accuracy dashed
# (right axis); skdeep's word for the dev set is the validation set. Mind the loss
# scales, which differ.
#
# On the left both losses level off high: high bias. The training curve sits far
# above the dev curve because it carries the L2 term, ``alpha / (2n) · ΣW²``, most
# of its level; the dev curve is the log loss alone. The table below compares the
# log loss on both sets: high, and close together. On the right the training loss
# falls to zero, while the dev loss reaches its lowest early and then creeps up:
# the network memorizes its 300 images and grows more and more confident on the
# dev images it gets wrong, while its dev accuracy hardly moves. The grey lines
# mark the epoch early stopping would have kept (solid) and where it would have
# stopped (dashed).
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, model, title, top in [
    (axes[0], bias, "(a) high bias: alpha=50, 1197 images", 2.5),
    (axes[1], variance, "(b) high variance: alpha=0, 300 images", 1.0),
]:
    display = LossCurveDisplay.from_estimator(model, ax=ax, name="")
    ax.set_ylim(0, top)
    display.ax2_.set_ylim(0.5, 1.0)
    display.ax2_.set_ylabel("dev accuracy")
    ax.set_title(title)
for epoch, style in [(best_epoch, "-"), (stopped.n_iter_, "--")]:
    axes[1].axvline(epoch, color="grey", linestyle=style, linewidth=1)
fig.tight_layout()

# %%
# What L2 and dropout do to the gap of (b)
# ----------------------------------------
# The network of (b), on the same 300 images, with the course's two remedies: L2
# with the course's ``alpha=0.7`` (skdeep's ``alpha`` is the course's λ), and
# inverted dropout with ``keep_prob=0.8``. The table measures the weights after the
# last epoch (fits without early stopping, which take the same steps as the
# watched fits), and adds a yardstick: the network of (b) trained on all 1197
# images, which fits its training set perfectly. Against it, the training error
# of (a) is avoidable: it is bias.
settings = {
    "(a) alpha=50, 1197 images": (X_pool, y_pool, dict(alpha=50.0)),
    "(b) alpha=0, 300 images": (X_small, y_small, dict(alpha=0.0)),
    "L2, alpha=0.7, 300 images": (X_small, y_small, dict(alpha=0.7)),
    "dropout, keep_prob=0.8, 300": (X_small, y_small, dict(alpha=0.0, keep_prob=0.8)),
    "yardstick: alpha=0, 1197": (X_pool, y_pool, dict(alpha=0.0)),
}
print(f"{'':<30}{'log loss':^27}{'accuracy':^27}")
print(f"{'':<30}" + f"{'train':>9}{'dev':>9}{'gap':>9}" * 2)
finals = {}
for name, (X_train, y_train, params) in settings.items():
    finals[name] = final(X_train, y_train, **params)
    train_loss, dev_loss, train_acc, dev_acc = measure(finals[name], X_train, y_train)
    print(
        f"{name:<30}{train_loss:>9.3f}{dev_loss:>9.3f}{dev_loss - train_loss:>9.3f}"
        f"{train_acc:>9.3f}{dev_acc:>9.3f}{train_acc - dev_acc:>9.3f}"
    )

# the watched fits took the same steps as the final ones
assert np.allclose(bias.loss_curve_, finals["(a) alpha=50, 1197 images"].loss_curve_)
assert np.allclose(variance.loss_curve_, finals["(b) alpha=0, 300 images"].loss_curve_)

# %%
# (a) and (b) read as the curves said. (a) gets 8 % of its own training images
# wrong, where the same network without the brake (the yardstick) gets none
# wrong, and its dev error is no larger: high bias. (b) gets every training image
# right and about 4.5 % of the dev images wrong: high variance.
#
# On (b), both remedies bring the dev loss down and the loss gap with it; the
# training accuracy stays at 1, and the dev accuracy moves by less than a point:
# on accuracy, the effect is small. Four times the data (the yardstick) lowers
# the dev loss and raises the dev accuracy more than either.
#
# In the curves, read two things with care. L2's training curve carries the L2
# term, ``alpha / (2n) · ΣW²``, and its dev curve does not (the table leaves it
# out of both), so the dev curve can sit below the training curve. Dropout's
# training curve is the loss of the thinned networks that the
# optimizer descended, which sits above the loss of the whole network (the table's
# training loss).
l2 = watch(X_small, y_small, alpha=0.7)
dropout = watch(X_small, y_small, alpha=0.0, keep_prob=0.8)
assert np.allclose(l2.loss_curve_, finals["L2, alpha=0.7, 300 images"].loss_curve_)
assert np.allclose(dropout.loss_curve_, finals["dropout, keep_prob=0.8, 300"].loss_curve_)
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=True)
for ax, model, title in [
    (axes[0], variance, "(b) no regularization"),
    (axes[1], l2, "L2, alpha=0.7"),
    (axes[2], dropout, "dropout, keep_prob=0.8"),
]:
    display = LossCurveDisplay.from_estimator(model, ax=ax, name="")
    display.ax2_.set_ylim(0.5, 1.0)
    display.ax2_.set_ylabel("dev accuracy")
    ax.set_title(title)
axes[0].set_ylim(0, 1.0)
fig.tight_layout()

for name, model in [("(b) no regularization", variance), ("L2, alpha=0.7", l2), ("dropout, keep_prob=0.8", dropout)]:
    curve = np.array(model.validation_loss_curve_)
    print(
        f"{name:<24}dev loss curve: lowest {curve.min():.3f} at epoch {curve.argmin() + 1}, "
        f"{curve[-1]:.3f} at epoch {len(curve)}"
    )

# %%
# Without regularization the dev loss turns up after its lowest point. With L2 it
# falls until nearly the last epoch. With dropout it still turns up, from a lower
# point, and it is noisier: every epoch descends other thinned networks.

# %%
# Is it robust?
# -------------
# One draw of 300 images and one set of initial weights prove little. Five seeds,
# each drawing its own 300 images and initial weights (the dev set stays the
# same): the dev loss and accuracy after 200 epochs, and the change each remedy
# makes on that seed.
seeds = range(5)
rows = {"(b) no regularization": {}, "L2, alpha=0.7": dict(alpha=0.7), "dropout, keep_prob=0.8": dict(keep_prob=0.8)}
dev = {name: [] for name in rows}  # name -> per-seed (dev loss, dev accuracy)
for seed in seeds:
    X_seed, _, y_seed, _ = train_test_split(X_pool, y_pool, train_size=300, stratify=y_pool, random_state=seed)
    for name, params in rows.items():
        model = final(X_seed, y_seed, seed=seed, **{"alpha": 0.0, **params})
        dev[name].append(measure(model, X_seed, y_seed)[1::2])
dev = {name: np.array(values) for name, values in dev.items()}
baseline = dev["(b) no regularization"]
print(f"{'seed':<38}" + "".join(f"{seed:>8}" for seed in seeds))
for name, values in dev.items():
    print(f"{name + ', dev loss':<38}" + "".join(f"{v:>8.3f}" for v in values[:, 0]))
    print(f"{name + ', dev accuracy':<38}" + "".join(f"{v:>8.3f}" for v in values[:, 1]))
for name in list(rows)[1:]:
    change = dev[name] - baseline
    print(
        f"{name}: dev loss {change[:, 0].min():+.3f} to {change[:, 0].max():+.3f}, "
        f"dev accuracy {change[:, 1].min():+.3f} to {change[:, 1].max():+.3f} (mean {change[:, 1].mean():+.3f})"
    )

# %%
# On every seed both remedies lower the dev loss. On the dev accuracy they gain
# about a point on average, never three, and on some seeds nothing: the effect on
# the dev loss is robust, the gain in accuracy small.
one_thread.restore_original_limits()
print(f"ran in {time.perf_counter() - start:.0f} s")
plt.show()
