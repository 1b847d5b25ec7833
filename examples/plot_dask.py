"""
=====================
Scaling out with Dask
=====================

skdeep has no distributed engine of its own: it is a scikit-learn estimator, so the
tools that scale scikit-learn scale it too. This example uses both of Dask's routes on
a small :class:`~distributed.LocalCluster` that stands in for a real cluster:

1. a hyper-parameter search whose fits run on the cluster's workers, through
   joblib's ``dask`` backend;
2. training on data split into blocks (as data too large for one machine would be)
   with :class:`dask_ml.wrappers.Incremental`, which feeds the blocks to
   :meth:`skdeep.MLPClassifier.partial_fit` one after another.

On a real cluster only the first lines change: ``Client("scheduler-address:8786")``
instead of a ``LocalCluster``. The page :doc:`/dask` explains both routes.
"""

# %%
# A local cluster
# ---------------
# Two workers of one thread each, inside this process (``processes=False``), with no
# dashboard. On a laptop this shows the mechanics; the speed-up comes with more
# machines.

import dask.array as da
import joblib
import matplotlib.pyplot as plt
import numpy as np
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from sklearn.datasets import make_moons
from sklearn.model_selection import GridSearchCV, train_test_split

from skdeep import MLPClassifier

cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
client = Client(cluster)

X, y = make_moons(n_samples=3000, noise=0.25, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=1000, random_state=0)

# %%
# Hyper-parameter search on the cluster
# -------------------------------------
# :class:`~sklearn.model_selection.GridSearchCV` hands its fits to joblib; inside
# ``joblib.parallel_config(backend="dask")`` joblib hands them to the cluster. Each fit
# has its own ``random_state``, so the results are those of a search run locally.
# Early stopping ends each fit once its validation accuracy stops improving.

grid = {"alpha": [1e-3, 0.1, 10.0], "keep_prob": [1.0, 0.8, 0.5]}
mlp = MLPClassifier(
    hidden_layer_sizes=(16, 16),
    learning_rate_init=0.01,
    early_stopping=True,
    n_iter_no_change=20,
    random_state=0,
)
search = GridSearchCV(mlp, grid, cv=3)
with joblib.parallel_config(backend="dask"):
    search.fit(X_train[:600], y_train[:600])

print("best parameters:", search.best_params_)
print(f"best cross-validated accuracy: {search.best_score_:.3f}")
print(f"held-out accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Training block by block with ``partial_fit``
# --------------------------------------------
# A dask array holds the training set as blocks of 250 rows. ``Incremental.fit``
# calls ``partial_fit`` on each block in turn (one epoch over that block), moving the
# model to the worker that holds the block rather than the data to the model.
# ``partial_fit`` of a classifier needs all the classes on the first call, because
# the first block may not contain them all. Each further ``Incremental.partial_fit``
# is one more pass over the blocks, continuing from the fitted model.

X_blocks = da.from_array(X_train, chunks=250)
y_blocks = da.from_array(y_train, chunks=250)
model = Incremental(
    MLPClassifier(hidden_layer_sizes=(32, 32), batch_size=25, learning_rate_init=0.01, random_state=0),
    scoring="accuracy",
    random_state=0,
)

rows_seen, accuracy = [], []
for n_pass in range(1, 6):
    model.partial_fit(X_blocks, y_blocks, classes=np.unique(y))
    # t_ counts the training rows seen over all partial_fit calls (n_iter_, as in
    # sklearn, counts only the last call's single epoch)
    rows_seen.append(model.estimator_.t_)
    accuracy.append(model.score(X_test, y_test))
    blocks = n_pass * X_blocks.numblocks[0]
    print(f"{blocks:3d} blocks ({rows_seen[-1]} rows) seen, held-out accuracy {accuracy[-1]:.3f}")

# %%
# The results
# -----------
# Left, the search: regularization strength against cross-validated accuracy, one
# line per dropout rate. Right, the incremental fit: held-out accuracy as the
# training rows stream past.

results = search.cv_results_
fig, (ax_search, ax_incremental) = plt.subplots(1, 2, figsize=(10, 4))
for keep_prob in grid["keep_prob"]:
    rows = results["param_keep_prob"] == keep_prob
    ax_search.plot(
        results["param_alpha"][rows].astype(float),
        results["mean_test_score"][rows],
        marker="o",
        label=f"keep_prob={keep_prob}",
    )
ax_search.set(xscale="log", xlabel="alpha", ylabel="mean CV accuracy", title="GridSearchCV on the cluster")
ax_search.legend(loc="lower left")
ax_incremental.plot(rows_seen, accuracy, marker="o")
ax_incremental.set(xlabel="training rows seen", ylabel="held-out accuracy", title="Incremental over blocks")
fig.tight_layout()
plt.show()

# %%
# Closing the cluster releases its workers.

client.close()
cluster.close()
