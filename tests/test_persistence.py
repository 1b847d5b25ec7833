"""Saving and loading: pickle, joblib and skops keep the model and its training state,
skops asks to trust only skdeep's public estimators, and loading under another skdeep
version warns.

The skops tests skip, with the reason, when skops is not installed (``pip install
".[skops]"``); the rest need only pickle and joblib.
"""

import io
import pickle
import warnings

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdeep
from skdeep import InconsistentVersionWarning, MLPClassifier, MLPRegressor
from skdeep._optimizers import OPTIMIZERS

from _helpers import assert_same_model

RNG = np.random.RandomState(0)
X = RNG.standard_normal((40, 3))
Y = {
    "binary": (X[:, 0] > 0).astype(int),
    "multiclass": np.array(["a", "b", "c", "d"])[np.arange(40) % 4],
    "multilabel": np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0].astype(int),
    "regression": X @ [1.0, -2.0, 0.5],
    "multioutput": np.c_[X[:, 0], X[:, 1] - X[:, 2]],
    "poisson": RNG.poisson(np.exp(0.5 * X[:, 0])),
}
OTHER_VERSION = "0.0.1"


def _estimator(kind, **params):
    params = {"hidden_layer_sizes": (4,), "max_iter": 3, "batch_size": 16, "random_state": 0, **params}
    if kind in ("regression", "multioutput", "poisson"):
        return MLPRegressor(loss="poisson" if kind == "poisson" else "squared_error", **params)
    return MLPClassifier(**params)


def _outputs(est, X):
    return [est.predict(X)] + ([est.predict_proba(X)] if hasattr(est, "predict_proba") else [])


def _assert_same_outputs(a, b, X):
    for left, right in zip(_outputs(a, X), _outputs(b, X), strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.fixture
def skops_io():
    return pytest.importorskip("skops.io", reason='skops is not installed: pip install ".[skops]"')


def _skops_round_trip(skops_io, est):
    data = skops_io.dumps(est)
    return skops_io.loads(data, trusted=skops_io.get_untrusted_types(data=data))


def _pickle_round_trip(est):
    return pickle.loads(pickle.dumps(est))


def _joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


# ---------------------------------------------------------------------- skops


@pytest.mark.parametrize("kind", list(Y))
@pytest.mark.parametrize("solver", ["lbfgs", *OPTIMIZERS])
def test_skops_round_trip_predicts_and_trains_on_exactly(skops_io, kind, solver):
    # dropout draws from the estimator's random state every batch, so the next
    # partial_fit equal means the optimizer's moments and the RNG both survived
    keep_prob = 1.0 if solver == "lbfgs" else 0.7
    est = _estimator(kind, solver=solver, keep_prob=keep_prob).fit(X, Y[kind])
    twin = _estimator(kind, solver=solver, keep_prob=keep_prob).fit(X, Y[kind])
    loaded = _skops_round_trip(skops_io, est)
    assert type(loaded) is type(est)
    _assert_same_outputs(loaded, est, X)
    if solver != "lbfgs":
        for model in (est, loaded, twin):
            model.partial_fit(X, Y[kind])
        assert_same_model(loaded, twin)
        assert_same_model(est, twin)  # saving left the estimator as it was
        assert loaded.loss_curve_ == twin.loss_curve_


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("solver", list(OPTIMIZERS))
def test_skops_round_trip_midway_through_partial_fit(skops_io, solver, batch_norm):
    # an 'inverse_time' schedule: the learning rate, the epoch count and t_ move on;
    # with batch normalization, the running statistics and their count too
    params = dict(solver=solver, learning_rate="inverse_time", decay_rate=0.5, keep_prob=0.8, batch_norm=batch_norm)
    batches = np.array_split(np.arange(40), 4)
    est, twin = (_estimator("multiclass", batch_size=5, **params) for _ in range(2))
    classes = np.unique(Y["multiclass"])
    for model in (est, twin):
        for rows in batches[:2]:
            model.partial_fit(X[rows], Y["multiclass"][rows], classes=classes)
    loaded = _skops_round_trip(skops_io, est)
    _assert_same_outputs(loaded, twin, X)
    for rows in batches[2:]:
        for model in (loaded, twin):
            model.partial_fit(X[rows], Y["multiclass"][rows])
    assert_same_model(loaded, twin)
    assert (loaded.t_, loaded._epochs) == (twin.t_, twin._epochs)
    assert loaded._optimizer.learning_rate == twin._optimizer.learning_rate
    if batch_norm:
        for name in ("batch_norm_means_", "batch_norm_vars_"):
            for left, right in zip(getattr(loaded, name), getattr(twin, name), strict=True):
                np.testing.assert_array_equal(left, right)


@pytest.mark.parametrize("solver", ["lbfgs", *OPTIMIZERS])
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_skops_asks_to_trust_only_the_public_estimator(skops_io, cls, solver):
    # every optimizer in the registry, so a new one is checked without a new test
    keep_prob = 1.0 if solver == "lbfgs" else 0.8
    est = cls(
        hidden_layer_sizes=(3,), solver=solver, keep_prob=keep_prob, batch_norm=True, max_iter=2, random_state=0
    )
    pipeline = make_pipeline(StandardScaler(), est).fit(X, Y["binary"])
    data = skops_io.dumps(pipeline)
    assert skops_io.get_untrusted_types(data=data) == [f"skdeep.{cls.__name__}"]
    loaded = skops_io.loads(data, trusted=[f"skdeep.{cls.__name__}"])
    np.testing.assert_array_equal(loaded.predict(X), pipeline.predict(X))


def test_skops_refuses_the_estimator_until_trusted(skops_io):
    from skops.io.exceptions import UntrustedTypesFoundException

    data = skops_io.dumps(_estimator("binary").fit(X, Y["binary"]))
    with pytest.raises(UntrustedTypesFoundException, match="skdeep.MLPClassifier"):
        skops_io.loads(data)


def test_skops_round_trip_of_an_unfitted_estimator(skops_io):
    est = _estimator("binary", keep_prob=(0.5,), early_stopping=True)
    loaded = _skops_round_trip(skops_io, est)
    assert repr(loaded.get_params()) == repr(est.get_params())


# ---------------------------------------------------------------------- pickle, joblib


@pytest.mark.parametrize("round_trip", [_pickle_round_trip, _joblib_round_trip], ids=["pickle", "joblib"])
def test_pickle_and_joblib_train_on_exactly(round_trip):
    est, twin = (_estimator("multiclass", solver="adam", keep_prob=0.8).fit(X, Y["multiclass"]) for _ in range(2))
    loaded = round_trip(est)
    _assert_same_outputs(loaded, est, X)
    for model in (est, loaded, twin):
        model.partial_fit(X, Y["multiclass"])
    assert_same_model(loaded, twin)
    assert_same_model(est, twin)


def test_saving_leaves_the_estimator_alone():
    est = _estimator("binary", solver="sgd").fit(X, Y["binary"])
    before = dict(vars(est))
    optimizer_state = dict(vars(est._optimizer))
    pickle.dumps(est)
    assert vars(est).keys() == before.keys()
    assert all(vars(est)[k] is v for k, v in before.items())
    assert vars(est._optimizer) == optimizer_state
    assert "_skdeep_version" not in vars(est)


def test_training_state_is_saved_as_plain_data():
    # what lets skops trust it: the optimizer as its registry key and attributes
    est = _estimator("binary", solver="adam").fit(X, Y["binary"])
    state = est.__getstate__()
    assert state["_optimizer"]["kind"] == "adam"
    assert state["_optimizer"]["attributes"]["t"] == est._optimizer.t
    assert isinstance(state["_rng"], np.random.RandomState)


def test_memory_mapped_joblib_file_trains_on(tmp_path):
    # joblib's mmap_mode loads the arrays read-only; the optimizer steps in place
    est = _estimator("regression", solver="adam").fit(X, Y["regression"])
    joblib.dump(est, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib", mmap_mode="r")
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    for model in (est, loaded):
        model.partial_fit(X, Y["regression"])
    assert_same_model(loaded, est)


def test_a_file_naming_an_unknown_optimizer_is_refused():
    state = _estimator("binary").fit(X, Y["binary"]).__getstate__()
    state["_optimizer"]["kind"] = "os.system"
    registered = ", ".join(map(repr, OPTIMIZERS))
    with pytest.raises(ValueError, match=rf"_optimizer is 'os.system'.*it has {registered}\)"):
        MLPClassifier.__new__(MLPClassifier).__setstate__(state)


def test_public_classes_are_saved_under_the_public_path():
    assert b"skdeep._mlp" not in pickle.dumps(_estimator("binary").fit(X, Y["binary"]))
    assert (MLPClassifier.__module__, MLPRegressor.__module__) == ("skdeep", "skdeep")


# ---------------------------------------------------------------------- versions


def _save_as(version, save, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(skdeep, "__version__", version)
        return save()


def _saved_and_loaded(how, est, tmp_path):
    """(save, load): functions that write est to a file and read it back."""
    path = tmp_path / "model"
    if how == "pickle":
        return lambda: path.write_bytes(pickle.dumps(est)), lambda: pickle.loads(path.read_bytes())
    if how == "joblib":
        return lambda: joblib.dump(est, path), lambda: joblib.load(path)
    skops_io = pytest.importorskip("skops.io", reason='skops is not installed: pip install ".[skops]"')
    return lambda: skops_io.dump(est, path), lambda: skops_io.load(path, trusted=["skdeep.MLPRegressor"])


@pytest.mark.parametrize("how", ["pickle", "joblib", "skops"])
def test_loading_under_another_version_warns(how, tmp_path, monkeypatch):
    est = _estimator("regression").fit(X, Y["regression"])
    save, load = _saved_and_loaded(how, est, tmp_path)
    _save_as(OTHER_VERSION, save, monkeypatch)
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = load()
    [warning] = [w.message for w in record if isinstance(w.message, InconsistentVersionWarning)]
    assert (warning.original_skdeep_version, warning.current_skdeep_version) == (OTHER_VERSION, skdeep.__version__)
    assert warning.estimator_name == "MLPRegressor"
    message = str(warning)
    for expected in (f"skdeep {OTHER_VERSION}", f"skdeep {skdeep.__version__}", "Refit", f"skdeep=={OTHER_VERSION}"):
        assert expected in message
    # the warning is only a warning: the model loads whole
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


@pytest.mark.parametrize("how", ["pickle", "joblib", "skops"])
def test_loading_under_the_same_version_is_silent(how, tmp_path):
    est = _estimator("regression").fit(X, Y["regression"])
    save, load = _saved_and_loaded(how, est, tmp_path)
    save()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load()


def test_version_warning_is_sklearns_warning_too(monkeypatch):
    # one filter on scikit-learn's class covers skdeep's models as well
    data = _save_as(OTHER_VERSION, lambda: pickle.dumps(_estimator("binary")), monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error", sklearn.exceptions.InconsistentVersionWarning)
        with pytest.raises(InconsistentVersionWarning) as error:
            pickle.loads(data)
    assert error.value.original_sklearn_version == sklearn.__version__


def test_a_file_without_a_version_warns():
    # files saved before skdeep recorded its version
    state = _estimator("binary").fit(X, Y["binary"]).__getstate__()
    del state["_skdeep_version"], state["_sklearn_version"]
    with pytest.warns(InconsistentVersionWarning, match="did not record") as record:
        MLPClassifier.__new__(MLPClassifier).__setstate__(state)
    assert record[0].message.original_skdeep_version is None
