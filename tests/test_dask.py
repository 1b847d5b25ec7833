"""Scaling out with Dask: GridSearchCV on a dask.distributed cluster through joblib's
dask backend, and dask-ml's Incremental training skdeep through partial_fit.

The ``test`` and ``dask`` extras install dask, distributed and dask-ml; without them
this module is skipped so the rest of the suite still runs.
"""

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV

import skdeep

from _helpers import assert_same_model

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
Incremental = pytest.importorskip("dask_ml.wrappers").Incremental

N_TRAIN, CHUNK = 550, 100  # six blocks, the last one partial (50 rows)
N_BLOCKS = -(-N_TRAIN // CHUNK)


@pytest.fixture(scope="module")
def client():
    """A two-worker cluster inside this process: the inproc transport binds no port
    and the dashboard is off, so parallel test runs cannot clash."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def _blobs():
    """Three well-separated classes: a learner well above chance (1/3) is learning."""
    X, y = make_blobs(n_samples=N_TRAIN + 200, centers=3, n_features=4, cluster_std=1.5, random_state=0)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def _linear():
    """A noisy linear target: a learner with R² far above 0 (the mean's) is learning."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_TRAIN + 200, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=len(X))
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def _fit_tasks(task_stream):
    """The partial_fit tasks (keys ('fit-<token>', i), i >= 0) that ran on the cluster."""
    keys = [task["key"] for task in task_stream.data]
    return [key for key in keys if isinstance(key, tuple) and key[0].startswith("fit-") and key[1] >= 0]


def test_grid_search_on_cluster_matches_local(client):
    X, y = make_classification(n_samples=150, n_features=6, n_informative=4, random_state=0)
    mlp = skdeep.MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=30, random_state=0)
    grid = {"alpha": [1e-4, 3.0], "keep_prob": [1.0, 0.5]}

    local = GridSearchCV(mlp, grid, cv=3, n_jobs=1).fit(X, y)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_config(backend="dask"):
        remote = GridSearchCV(mlp, grid, cv=3).fit(X, y)

    assert tasks.data, "the fits ran in this process, not on the cluster"
    # the grid must tell candidates apart, or equal best_params_ would prove nothing
    assert len(np.unique(local.cv_results_["mean_test_score"])) > 1
    # one random_state per fit: the same fits, wherever they run
    assert remote.best_params_ == local.best_params_
    assert_array_equal(remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])


def test_incremental_classifier_learns_over_blocks(client):
    X, y, X_test, y_test = _blobs()
    mlp = skdeep.MLPClassifier(hidden_layer_sizes=(16,), batch_size=10, learning_rate_init=0.01, random_state=0)
    model = Incremental(mlp, scoring="accuracy", random_state=0)

    with distributed.get_task_stream(client) as tasks:
        model.fit(da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK), classes=np.unique(y))

    assert len(_fit_tasks(tasks)) == N_BLOCKS
    # partial_fit is one epoch over its block: one epoch per block, every row seen once
    # (n_iter_ counts the last call's epochs, as sklearn's; loss_curve_ all of them)
    assert model.estimator_.n_iter_ == 1
    assert len(model.estimator_.loss_curve_) == N_BLOCKS
    assert model.estimator_.t_ == N_TRAIN
    assert_array_equal(model.classes_, np.unique(y))
    assert model.score(da.from_array(X_test, chunks=CHUNK), da.from_array(y_test, chunks=CHUNK)) > 0.9


def test_incremental_regressor_learns_over_blocks(client):
    X, y, X_test, y_test = _linear()
    mlp = skdeep.MLPRegressor(hidden_layer_sizes=(16,), batch_size=10, learning_rate_init=0.02, random_state=0)
    model = Incremental(mlp, random_state=0)

    with distributed.get_task_stream(client) as tasks:
        model.fit(da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK))

    assert len(_fit_tasks(tasks)) == N_BLOCKS
    assert len(model.estimator_.loss_curve_) == N_BLOCKS
    assert model.estimator_.t_ == N_TRAIN
    # sklearn's r2_score on the computed predictions: dask-ml 2025.1.0's own r2_score
    # (behind Incremental.score for regressors) fails on dask >= 2025.2 with
    # "cannot broadcast shape (nan,)" (dask/dask-ml#1012)
    predicted = model.predict(da.from_array(X_test, chunks=CHUNK))
    assert isinstance(predicted, da.Array)
    assert r2_score(y_test, predicted.compute()) > 0.9


@pytest.mark.parametrize(
    "make_data, estimator, fit_kwargs",
    [
        (_blobs, skdeep.MLPClassifier(hidden_layer_sizes=(8,), batch_size=25, random_state=0), {"classes": [0, 1, 2]}),
        (_linear, skdeep.MLPRegressor(hidden_layer_sizes=(8,), batch_size=25, random_state=0), {}),
    ],
    ids=["classifier", "regressor"],
)
def test_incremental_passes_equal_partial_fit_block_by_block(client, make_data, estimator, fit_kwargs):
    """Two passes (fit, then partial_fit from the fitted state, which the cluster must
    serialize) take exactly the steps of partial_fit called on each block in order."""
    X, y, _, _ = make_data()
    X_blocks, y_blocks = da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK)
    model = Incremental(estimator, shuffle_blocks=False)
    model.fit(X_blocks, y_blocks, **fit_kwargs)
    model.partial_fit(X_blocks, y_blocks, **fit_kwargs)

    by_hand = clone(estimator)
    for _ in range(2):
        for start in range(0, N_TRAIN, CHUNK):
            by_hand.partial_fit(X[start : start + CHUNK], y[start : start + CHUNK], **fit_kwargs)

    fitted = model.estimator_
    assert len(fitted.loss_curve_) == len(by_hand.loss_curve_) == 2 * N_BLOCKS
    assert fitted.t_ == by_hand.t_ == 2 * N_TRAIN
    # equal up to rounding: the blocks are copies, which BLAS may align differently
    assert_same_model(fitted, by_hand, rtol=1e-10, atol=1e-12)


def test_incremental_classifier_without_classes_raises(client):
    X, y, _, _ = _blobs()
    model = Incremental(skdeep.MLPClassifier(hidden_layer_sizes=(4,)))
    # the first block cannot know the classes of the others
    with pytest.raises(ValueError, match="classes must be passed"):
        model.fit(da.from_array(X, chunks=CHUNK), da.from_array(y, chunks=CHUNK))
