"""skdeep inside scikit-learn's tooling: Pipeline, GridSearchCV, cross_val_score,
clone and the get_params / set_params protocol."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier, MLPRegressor

from _helpers import assert_same_model

#: skdeep's parameters beyond sklearn's, each set to a value other than its default
NEW_PARAMS = {
    "init": "glorot_uniform",
    "init_scale": 0.5,
    "keep_prob": (0.9, 0.8),
    "decay_rate": 0.25,
    "decay_steps": 3,
    "scoring": "loss",
    "batch_norm": True,
}
CLASSIFIER_NEW_PARAMS = {**NEW_PARAMS, "class_weight": {0: 1.0, 1: 2.0}}
# the parameters of the regressor's added losses (used only by their loss)
REGRESSOR_NEW_PARAMS = {**NEW_PARAMS, "quantile": 0.9, "huber_delta": 0.5}


def blobs(n_samples=200, random_state=0):
    """An easy, unscaled binary problem: informative features with a large offset so
    that the scaler in the pipeline matters."""
    X, y = make_classification(
        n_samples=n_samples, n_features=6, n_informative=4, n_redundant=0,
        class_sep=2.0, random_state=random_state,
    )  # fmt: skip
    return 50.0 + 20.0 * X, y


def smooth_regression(n_samples=300, random_state=0):
    """A smooth non-linear target of three features, without noise."""
    rng = np.random.RandomState(random_state)
    X = rng.uniform(-2, 2, (n_samples, 3))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2 - X[:, 2]
    return X, y


def test_pipeline_fit_predict_score():
    X, y = blobs()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "mlp",
                MLPClassifier(hidden_layer_sizes=(16,), max_iter=50, learning_rate_init=0.01, random_state=0),
            ),
        ]
    )
    assert pipe.fit(X_train, y_train) is pipe

    predicted = pipe.predict(X_test)
    assert predicted.shape == y_test.shape
    assert set(predicted) <= set(y)
    # the pipeline scales before the network: the same as doing it by hand
    scaler = StandardScaler().fit(X_train)
    mlp = pipe.named_steps["mlp"]
    np.testing.assert_array_equal(predicted, mlp.predict(scaler.transform(X_test)))
    np.testing.assert_allclose(pipe.predict_proba(X_test), mlp.predict_proba(scaler.transform(X_test)))
    assert pipe.score(X_test, y_test) == accuracy_score(y_test, predicted)
    assert pipe.score(X_test, y_test) > 0.9


def test_grid_search_over_new_and_sklearn_parameters():
    X, y = blobs(n_samples=120)
    grid = {
        "mlp__alpha": [1e-4, 1.0],
        "mlp__keep_prob": [1.0, 0.8],
        "mlp__init": ["he", "xavier"],
        "mlp__batch_size": [16, "auto"],
        "mlp__momentum": [0.5, 0.9],
    }
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "mlp",
                MLPClassifier(
                    hidden_layer_sizes=(8,), solver="sgd", max_iter=15, learning_rate_init=0.05, random_state=0
                ),
            ),
        ]
    )
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)

    n_candidates = np.prod([len(values) for values in grid.values()])
    assert len(search.cv_results_["params"]) == n_candidates
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert set(search.best_params_) == set(grid)
    assert search.best_score_ == np.max(search.cv_results_["mean_test_score"])
    # the refitted model carries the chosen parameters
    best = search.best_estimator_.named_steps["mlp"]
    for name, value in search.best_params_.items():
        assert getattr(best, name.removeprefix("mlp__")) == value
    assert search.score(X, y) > 0.9


def test_cross_val_score_digits():
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, learning_rate_init=0.01, random_state=0),
    )
    scores = cross_val_score(model, X, y, cv=3)
    assert scores.mean() > 0.9


def test_cross_val_score_regressor_pipeline():
    X, y = smooth_regression()
    model = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.01, random_state=0),
    )
    scores = cross_val_score(model, X, y, cv=3)  # R²
    assert scores.mean() > 0.9
    # the target is not linear: the network must beat the best linear fit
    assert scores.mean() > cross_val_score(LinearRegression(), X, y, cv=3).mean() + 0.1


@pytest.mark.parametrize(
    "estimator, sklearn_estimator, new_params",
    [
        (MLPClassifier(), SklearnMLPClassifier(), CLASSIFIER_NEW_PARAMS),
        (MLPRegressor(), SklearnMLPRegressor(), REGRESSOR_NEW_PARAMS),
    ],
    ids=["classifier", "regressor"],
)
def test_get_params_has_sklearn_parameters_and_the_new_ones(estimator, sklearn_estimator, new_params):
    # sklearn < 1.7's regressor has no loss parameter yet
    assert set(estimator.get_params()) == set(sklearn_estimator.get_params()) | set(new_params) | (
        {"loss"} if isinstance(estimator, MLPRegressor) else set()
    )


@pytest.mark.parametrize(
    "Estimator, new_params",
    [(MLPClassifier, CLASSIFIER_NEW_PARAMS), (MLPRegressor, REGRESSOR_NEW_PARAMS)],
    ids=["classifier", "regressor"],
)
def test_set_params_get_params_round_trip(Estimator, new_params):
    defaults = Estimator().get_params()
    estimator = Estimator()
    assert estimator.set_params(**new_params) is estimator
    params = estimator.get_params()
    for name, value in new_params.items():
        assert params[name] == value
        assert defaults[name] != value
    # set_params on a default instance equals passing the values to the constructor
    assert params == Estimator(**new_params).get_params()
    # and through a pipeline, with the step__parameter names
    pipe = make_pipeline(StandardScaler(), Estimator())
    step = pipe.steps[-1][0]
    pipe.set_params(**{f"{step}__{name}": value for name, value in new_params.items()})
    assert pipe.get_params()[step].get_params() == params


@pytest.mark.parametrize(
    "Estimator, new_params, data",
    [(MLPClassifier, CLASSIFIER_NEW_PARAMS, blobs), (MLPRegressor, NEW_PARAMS, smooth_regression)],
    ids=["classifier", "regressor"],
)
def test_clone_keeps_parameters_and_drops_fitted_state(Estimator, new_params, data):
    X, y = data(n_samples=60)
    X = StandardScaler().fit_transform(X)
    estimator = Estimator(
        hidden_layer_sizes=(5, 4), max_iter=5, learning_rate="inverse_time", random_state=0, **new_params
    ).fit(X, y)

    cloned = clone(estimator)
    assert cloned.get_params() == estimator.get_params()
    assert not hasattr(cloned, "coefs_")
    # the parameters reach training unchanged: the clone fits the very same weights
    cloned.fit(X, y)
    assert_same_model(cloned, estimator)


def test_set_params_changes_the_fit():
    """A parameter set through set_params is the one training uses: changing keep_prob
    after construction gives the fit of an estimator built with that keep_prob."""
    X, y = blobs(n_samples=60)
    X = StandardScaler().fit_transform(X)
    built = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0, keep_prob=0.5).fit(X, y)
    changed = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0)
    changed.set_params(keep_prob=0.5).fit(X, y)
    untouched = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(changed.coefs_[0], built.coefs_[0])
    assert not np.array_equal(untouched.coefs_[0], built.coefs_[0])


def test_convergence_warning_is_sklearns():
    """GridSearchCV and cross_val_score users filter sklearn's ConvergenceWarning; a
    run cut short by max_iter must raise that class, not a look-alike."""
    X, y = blobs(n_samples=60)
    with pytest.warns(ConvergenceWarning):
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
