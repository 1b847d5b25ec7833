"""Progress and control through sklearn's callback API (sklearn >= 1.9)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV

from skdeep import MLPClassifier, MLPRegressor

from _helpers import assert_same_model

callback = pytest.importorskip("sklearn.callback", reason="sklearn >= 1.9 has the callback API")

RNG = np.random.RandomState(0)
X = RNG.standard_normal((60, 3))
Y_CLASS = (X[:, 0] + X[:, 1] > 0).astype(int)
Y_REG = X @ [1.0, -2.0, 0.5]


class Recorder:
    """Records every hook call; asks to stop once ``stop_after`` epochs have ended."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.events = []
        self.fitted = []

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def teardown(self, estimator, context):
        self.events.append(("teardown", context.task_name))

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kwargs):
        self.events.append(("end", context.task_name))
        if context.task_name == "epoch":
            self.fitted.append(fitted_estimator)
            epochs = sum(1 for event in self.events if event == ("end", "epoch"))
            return self.stop_after is not None and epochs >= self.stop_after
        return False


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_each_epoch_is_a_fit_task(solver):
    recorder = Recorder()
    model = MLPClassifier((4,), solver=solver, max_iter=7, random_state=0).set_callbacks(recorder).fit(X, Y_CLASS)
    epochs_begun = recorder.events.count(("begin", "epoch"))
    assert epochs_begun == recorder.events.count(("end", "epoch")) == model.n_iter_
    # the fit is the root task around the epochs, set up and torn down once
    assert recorder.events[0] == ("setup", "fit") and recorder.events[-1] == ("teardown", "fit")
    assert recorder.events[1] == ("begin", "fit") and recorder.events[-2] == ("end", "fit")


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("cls, y", [(MLPClassifier, Y_CLASS), (MLPRegressor, Y_REG)])
def test_a_callback_returning_true_stops_after_that_epoch(cls, y, solver):
    recorder = Recorder(stop_after=3)
    model = cls(hidden_layer_sizes=(4,), solver=solver, max_iter=50, random_state=0).set_callbacks(recorder).fit(X, y)
    assert model.n_iter_ == 3
    assert len(model.loss_curve_) == 3


def test_stopping_early_equals_a_shorter_fit():
    """Stopping after k epochs leaves exactly the model that max_iter=k would."""
    params = dict(hidden_layer_sizes=(4,), solver="sgd", max_iter=50, random_state=0)
    stopped = MLPClassifier(**params).set_callbacks(Recorder(stop_after=4)).fit(X, Y_CLASS)
    short = MLPClassifier(**{**params, "max_iter": 4}).fit(X, Y_CLASS)
    assert_same_model(stopped, short)


def test_fitted_estimator_is_the_model_after_that_epoch():
    recorder = Recorder()
    model = MLPClassifier((4,), solver="sgd", max_iter=5, random_state=0).set_callbacks(recorder).fit(X, Y_CLASS)
    snapshots = recorder.fitted
    assert len(snapshots) == 5
    # the last epoch's snapshot predicts as the final model; earlier ones differ
    assert_array_equal(snapshots[-1].predict_proba(X), model.predict_proba(X))
    assert not np.array_equal(snapshots[0].coefs_[0], model.coefs_[0])
    # snapshots are copies: later training did not move them
    first = MLPClassifier((4,), solver="sgd", max_iter=1, random_state=0).fit(X, Y_CLASS)
    assert_array_equal(snapshots[0].coefs_[0], first.coefs_[0])


def test_partial_fit_is_one_epoch_task():
    recorder = Recorder()
    model = MLPClassifier((4,), random_state=0).set_callbacks(recorder)
    model.partial_fit(X, Y_CLASS, classes=[0, 1])
    model.partial_fit(X, Y_CLASS)
    assert recorder.events.count(("end", "epoch")) == 2


def test_progress_bar_runs_and_nests_under_grid_search(capsys, monkeypatch):
    pytest.importorskip("rich")
    monkeypatch.setenv("COLUMNS", "200")  # rich cuts each row's label to the terminal's width
    search = GridSearchCV(MLPClassifier((4,), max_iter=5, random_state=0), {"alpha": [0.1, 1.0]}, cv=2)
    search.set_callbacks(callback.ProgressBar(max_propagation_depth=None))
    search.fit(X, Y_CLASS)
    # a row for each MLP fit, nested in the search's: 2 candidates x 2 splits, and the refit
    assert capsys.readouterr().out.count("MLPClassifier - fit") == 5
    model = MLPClassifier((4,), max_iter=5, random_state=0).set_callbacks(callback.ProgressBar())
    model.fit(X, Y_CLASS)
    assert model.n_iter_ == 5


def test_without_callbacks_nothing_changes():
    params = dict(hidden_layer_sizes=(4,), solver="adam", max_iter=6, random_state=0)
    plain = MLPClassifier(**params).fit(X, Y_CLASS)
    watched = MLPClassifier(**params).set_callbacks(Recorder()).fit(X, Y_CLASS)
    assert_same_model(plain, watched)
