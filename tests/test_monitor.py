"""Tests of watching training: validation_loss_curve_, scoring, a validation set of
your own (X_val, y_val, sample_weight_val), and the monitor's stopping rule."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.datasets import load_diabetes, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import skdeep
import skdeep._mlp as _mlp
from skdeep import MLPClassifier, MLPRegressor
from skdeep._network import full_batch_objective

from _helpers import assert_same_model


def _classification(n=240, seed=0, n_classes=3):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=n_classes, random_state=seed
    )  # fmt: skip
    return StandardScaler().fit_transform(X), y


def _regression(n=240, seed=0):
    X, y = make_regression(n_samples=n, n_features=6, n_informative=4, noise=5.0, random_state=seed)
    return StandardScaler().fit_transform(X), y / y.std()


def _split(X, y, n_val=60):
    return X[:-n_val], y[:-n_val], X[-n_val:], y[-n_val:]


def _fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


SMALL = dict(hidden_layer_sizes=(8,), random_state=0, learning_rate_init=0.02)


# ---------------------------------------------------------------- validation_loss_curve_


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("weighted", [False, True])
def test_validation_loss_is_the_training_loss_formula(kind, weighted):
    # Full-batch gradient descent with the training set as its own validation set:
    # the loss recorded for an epoch is computed at the weights the epoch starts
    # from, the validation loss at those it ends with, so without an L2 term the
    # validation loss of epoch k is the training loss of epoch k + 1: the same data
    # term, weighted alike.
    X, y = _classification() if kind == "classifier" else _regression()
    weights = np.random.RandomState(1).uniform(0.5, 2.0, len(y)) if weighted else None
    cls = MLPClassifier if kind == "classifier" else MLPRegressor
    est = cls(
        **SMALL, solver="sgd", batch_size=len(y), alpha=0.0, early_stopping=True, max_iter=8,
        n_iter_no_change=100,
    )  # fmt: skip
    _fit(est, X, y, sample_weight=weights, X_val=X, y_val=y, sample_weight_val=weights)
    assert len(est.validation_loss_curve_) == len(est.loss_curve_) == est.n_iter_ == 8
    np.testing.assert_allclose(est.validation_loss_curve_[:-1], est.loss_curve_[1:], rtol=1e-12)


def test_validation_loss_curve_with_the_split_and_none_without_a_validation_set():
    X, y = _classification()
    est = _fit(MLPClassifier(**SMALL, early_stopping=True, max_iter=15, n_iter_no_change=100), X, y)
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == est.n_iter_ == 15
    assert np.all(np.isfinite(est.validation_loss_curve_))
    assert _fit(MLPClassifier(**SMALL, max_iter=3), X, y).validation_loss_curve_ is None


def test_best_epoch_validation_loss_is_the_restored_models():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    est = MLPClassifier(**SMALL, alpha=0.1, early_stopping=True, scoring="loss", max_iter=60, n_iter_no_change=5)
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val)
    best = int(np.argmax(est.validation_scores_))
    # the validation loss of the restored weights, computed from scratch: the
    # objective's data term on X_val, without the L2 term
    Y_val = est._encode_validation_targets(y_val, np.float64)
    objective, _ = full_batch_objective(X_val, Y_val, None, est._network(6, 3), alpha=0.0)
    theta = est._network(6, 3).layout.pack(est.coefs_, est.intercepts_, np.float64)
    assert objective(theta)[0] == pytest.approx(est.validation_loss_curve_[best], rel=1e-10)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("weighted", [False, True])
def test_least_validation_loss_is_the_restored_models_data_loss(kind, weighted):
    # with a strong L2 term, the validation loss is still the data loss alone: its
    # least value is sklearn's log_loss (half mean_squared_error, the squared error's
    # data term) of the restored model on the validation set, weighted alike
    X, y = _classification() if kind == "classifier" else _regression()
    X_train, y_train, X_val, y_val = _split(X, y)
    w_val = np.random.RandomState(2).uniform(0.5, 2.0, len(y_val)) if weighted else None
    cls = MLPClassifier if kind == "classifier" else MLPRegressor
    est = cls(**SMALL, alpha=10.0, early_stopping=True, scoring="loss", max_iter=60, n_iter_no_change=5)
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=w_val)
    if kind == "classifier":
        expected = log_loss(y_val, est.predict_proba(X_val), sample_weight=w_val)
    else:
        expected = 0.5 * mean_squared_error(y_val, est.predict(X_val), sample_weight=w_val)
    assert min(est.validation_loss_curve_) == pytest.approx(expected, rel=1e-6)
    assert -est.best_validation_score_ == min(est.validation_loss_curve_)


def test_early_stopping_on_the_loss_stops_under_a_strong_l2_term():
    # With the L2 term in it, the validation "loss" of a heavily penalized network
    # kept falling while the weights shrank, so early stopping on it ran to max_iter
    # (300 epochs here). The data loss stops improving, so training stops early.
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), y / y.std()
    est = MLPRegressor(
        hidden_layer_sizes=(32,), random_state=0, alpha=10.0, early_stopping=True,
        scoring="loss", max_iter=300, n_iter_no_change=10,
    )  # fmt: skip
    _fit(est, X, y)
    assert est.n_iter_ < 150


# ---------------------------------------------------------------- scoring


def test_scoring_loss_follows_the_negative_validation_loss():
    X, y = _classification()
    est = _fit(MLPClassifier(**SMALL, early_stopping=True, scoring="loss", max_iter=20), X, y)
    np.testing.assert_array_equal(est.validation_scores_, -np.asarray(est.validation_loss_curve_))
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize("kind, name", [("classifier", "accuracy"), ("regressor", "r2")])
def test_default_scoring_is_the_estimators_score(kind, name):
    X, y = _classification() if kind == "classifier" else _regression()
    cls = MLPClassifier if kind == "classifier" else MLPRegressor
    default = _fit(cls(**SMALL, early_stopping=True, max_iter=20), X, y)
    named = _fit(cls(**SMALL, early_stopping=True, max_iter=20, scoring=name), X, y)
    np.testing.assert_allclose(named.validation_scores_, default.validation_scores_, rtol=1e-12)
    assert_same_model(named, default)


def test_a_scorer_name_stops_on_that_score_and_keeps_its_best_weights():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    est = MLPClassifier(**SMALL, early_stopping=True, scoring="neg_log_loss", max_iter=80, n_iter_no_change=4)
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val)
    assert est.n_iter_ < 80
    assert est.best_validation_score_ == max(est.validation_scores_)
    # the kept weights are the best epoch's: their score on X_val is the best score
    assert -log_loss(y_val, est.predict_proba(X_val)) == pytest.approx(est.best_validation_score_, rel=1e-10)


def test_a_callable_scorer_sees_the_estimator_mid_fit():
    X, y = _regression()
    X_train, y_train, X_val, y_val = _split(X, y)
    calls = []

    def neg_mae(estimator, X_seen, y_seen):
        calls.append(len(y_seen))
        return -mean_absolute_error(y_seen, estimator.predict(X_seen))

    est = MLPRegressor(**SMALL, early_stopping=True, scoring=neg_mae, max_iter=12, n_iter_no_change=100)
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val)
    assert calls == [len(y_val)] * 12
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert -mean_absolute_error(y_val, est.predict(X_val)) == pytest.approx(est.best_validation_score_)


def test_a_scorer_predicts_without_feature_name_warnings():
    pd = pytest.importorskip("pandas")
    X, y = _classification()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    est = MLPClassifier(**SMALL, early_stopping=True, scoring="balanced_accuracy", max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        _fit(est, frame, y)
        _fit(est, frame.iloc[:180], y[:180], X_val=frame.iloc[180:], y_val=y[180:])
    assert len(est.validation_scores_) == est.n_iter_


# ---------------------------------------------------------------- X_val, y_val


def test_a_given_validation_set_replaces_the_split(monkeypatch):
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    splits = []
    monkeypatch.setattr(_mlp, "train_test_split", lambda *a, **k: splits.append(1))
    est = _fit(MLPClassifier(**SMALL, early_stopping=True, max_iter=5, n_iter_no_change=100), X_train, y_train,
               X_val=X_val, y_val=y_val)  # fmt: skip
    assert splits == []
    assert est.t_ == 5 * len(y_train)  # every training row is trained on
    assert est.validation_scores_[-1] == pytest.approx(
        MLPClassifier.score(_fit(MLPClassifier(**SMALL, max_iter=5), X_train, y_train), X_val, y_val)
    )


def test_x_val_in_float32_and_sparse_is_taken_as_x_is():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X.astype(np.float32), y)
    dense = _fit(MLPClassifier(**SMALL, early_stopping=True, max_iter=5), X_train, y_train, X_val=X_val, y_val=y_val)
    sparse = _fit(
        MLPClassifier(**SMALL, early_stopping=True, max_iter=5), X_train, y_train,
        X_val=sp.csr_matrix(X_val), y_val=y_val,
    )  # fmt: skip
    assert dense.coefs_[0].dtype == np.float32
    np.testing.assert_allclose(sparse.validation_loss_curve_, dense.validation_loss_curve_, rtol=1e-5)


@pytest.mark.parametrize(
    "given, pattern",
    [
        (lambda Xv, yv: dict(X_val=Xv), "X_val is given, but y_val is not"),
        (lambda Xv, yv: dict(y_val=yv), "y_val is given, but X_val is not"),
        (lambda Xv, yv: dict(sample_weight_val=np.ones(len(yv))), "sample_weight_val is given"),
        (lambda Xv, yv: dict(X_val=Xv, y_val=yv[:-1]), "X_val and y_val have different numbers of samples"),
        (lambda Xv, yv: dict(X_val=Xv[:, :4], y_val=yv), "X_val: X has 4 features, but .* expecting 6"),
        (lambda Xv, yv: dict(X_val=Xv, y_val=yv + 7), r"y_val: classes \[7, 8, 9\] are not in y"),
        (lambda Xv, yv: dict(X_val=np.full_like(Xv, np.nan), y_val=yv), "X_val: .*NaN"),
        (lambda Xv, yv: dict(X_val=Xv, y_val=yv, sample_weight_val=np.ones(3)), "sample_weight.shape"),
    ],
    ids=["no y_val", "no X_val", "weights alone", "lengths", "features", "unseen class", "nan", "weights length"],
)
def test_a_bad_validation_set_gets_a_clear_error(given, pattern):
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    with pytest.raises(ValueError, match=pattern):
        MLPClassifier(**SMALL, early_stopping=True, max_iter=2).fit(X_train, y_train, **given(X_val, y_val))


def test_regressor_y_val_must_match_y():
    X, y = _regression()
    X_train, y_train, X_val, y_val = _split(X, y)
    est = MLPRegressor(**SMALL, early_stopping=True, max_iter=2)
    with pytest.raises(ValueError, match="y_val has 2 outputs, but y has 1"):
        est.fit(X_train, y_train, X_val=X_val, y_val=np.c_[y_val, y_val])
    with pytest.raises(ValueError, match="y_val: .*negative"):
        MLPRegressor(**SMALL, loss="poisson", early_stopping=True, max_iter=2).fit(
            X_train, np.abs(y_train), X_val=X_val, y_val=-np.abs(y_val) - 1
        )


def test_a_validation_set_without_early_stopping_is_refused():
    # as HistGradientBoosting: the validation set serves early stopping only
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    with pytest.raises(ValueError, match="early_stopping=False"):
        MLPClassifier(**SMALL, max_iter=2).fit(X_train, y_train, X_val=X_val, y_val=y_val)


def test_a_failed_fit_with_a_bad_validation_set_changes_nothing():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    est = _fit(MLPClassifier(**SMALL, early_stopping=True, max_iter=3), X_train, y_train)
    before = [W.copy() for W in est.coefs_], list(est.validation_loss_curve_)
    with pytest.raises(ValueError):
        est.set_params(warm_start=True).fit(X_train, y_train, X_val=X_val, y_val=y_val + 7)
    assert all(np.array_equal(a, b) for a, b in zip(before[0], est.coefs_))
    assert est.validation_loss_curve_ == before[1]


def test_multilabel_validation_set():
    X, y = _classification()
    Y = np.c_[y == 0, y == 1, y == 2].astype(int)
    X_train, Y_train, X_val, Y_val = _split(X, Y)
    est = _fit(MLPClassifier(**SMALL, early_stopping=True, max_iter=4), X_train, Y_train, X_val=X_val, y_val=Y_val)
    assert len(est.validation_loss_curve_) == 4
    with pytest.raises(ValueError, match="3 columns"):
        est.fit(X_train, Y_train, X_val=X_val, y_val=Y_val[:, :2])


# ---------------------------------------------------------------- in pipelines and searches


def test_validation_set_through_a_pipeline_with_routing_and_transform_input():
    X, y = _classification()
    X = 10 * X + 3  # the scaler matters
    X_train, y_train, X_val, y_val = _split(X, y)
    scaler = StandardScaler().fit(X_train)
    direct = _fit(
        MLPClassifier(**SMALL, early_stopping=True, max_iter=6), scaler.transform(X_train), y_train,
        X_val=scaler.transform(X_val), y_val=y_val,
    )  # fmt: skip
    with sklearn.config_context(enable_metadata_routing=True):
        mlp = MLPClassifier(**SMALL, early_stopping=True, max_iter=6).set_fit_request(X_val=True, y_val=True)
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)], transform_input=["X_val"])
        _fit(pipe, X_train, y_train, X_val=X_val, y_val=y_val)
    np.testing.assert_allclose(pipe[-1].validation_loss_curve_, direct.validation_loss_curve_, rtol=1e-12)
    assert_same_model(pipe[-1], direct)


def test_validation_set_through_pipeline_fit_params_and_grid_search():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**SMALL, early_stopping=True, max_iter=4))
    _fit(pipe, X_train, y_train, mlpclassifier__X_val=X_val, mlpclassifier__y_val=y_val)
    assert len(pipe[-1].validation_loss_curve_) == 4
    search = GridSearchCV(MLPClassifier(**SMALL, early_stopping=True, max_iter=4), {"alpha": [1e-4, 1.0]}, cv=2)
    _fit(search, X_train, y_train, X_val=X_val, y_val=y_val)
    # the refit model watched the given set, not a split of the training rows
    assert search.best_estimator_.t_ == 4 * len(y_train)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = MLPClassifier(**SMALL, early_stopping=True, max_iter=4).set_fit_request(X_val=True, y_val=True)
        _fit(GridSearchCV(routed, {"alpha": [1e-4, 1.0]}, cv=2), X_train, y_train, X_val=X_val, y_val=y_val)


# ---------------------------------------------------------------- lbfgs shares the monitor


def test_lbfgs_stops_early_on_a_given_validation_set_only():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    params = dict(hidden_layer_sizes=(30,), solver="lbfgs", alpha=0.0, random_state=0, max_iter=300)
    watched = _fit(MLPClassifier(**params, early_stopping=True, n_iter_no_change=5), X_train, y_train,
                   X_val=X_val, y_val=y_val)  # fmt: skip
    assert len(watched.validation_loss_curve_) == len(watched.loss_curve_) == watched.n_iter_ < 300
    assert watched.best_validation_score_ == max(watched.validation_scores_)
    assert watched.score(X_val, y_val) == pytest.approx(watched.best_validation_score_)
    assert watched.best_loss_ is None
    # without X_val, lbfgs makes no split and ignores early_stopping, as sklearn's
    plain = _fit(MLPClassifier(**params, early_stopping=True), X_train, y_train)
    assert plain.validation_loss_curve_ is None and plain.validation_scores_ is None
    assert plain.t_ == plain.n_iter_ * len(y_train)


# ---------------------------------------------------------------- the stopping rule


def test_the_monitor_counts_epochs_without_improvement_as_sklearn():
    # a huge tol: no epoch improves, so training stops after n_iter_no_change + 1
    # epochs beyond the first, with the validation score or the training loss
    X, y = _classification()
    for early_stopping in (False, True):
        est = _fit(MLPClassifier(**SMALL, tol=1e9, n_iter_no_change=3, early_stopping=early_stopping, max_iter=50),
                   X, y)  # fmt: skip
        assert est.n_iter_ == 5


def test_a_scorer_that_fails_on_the_validation_set_says_so():
    # random_state=4 holds out 4 of 40 rows that miss a class, and log_loss then needs
    # the labels it cannot have
    X, y = _classification(n=40, n_classes=3)
    est = MLPClassifier(**{**SMALL, "random_state": 4}, early_stopping=True, scoring="neg_log_loss", max_iter=3)
    with pytest.raises(ValueError, match="scoring='neg_log_loss' failed on the validation set of 4 samples"):
        _fit(est, X, y)


# ---------------------------------------------------------------- the default scores


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "strings"])
def test_default_classifier_score_is_accuracy_score(kind, weighted):
    from sklearn.metrics import accuracy_score

    rng = np.random.RandomState(0)
    X, y = _classification(n=90, n_classes=2 if kind == "binary" else 3)
    if kind == "multilabel":
        y = np.c_[y == 0, y != 1, y == 2].astype(int)
    elif kind == "strings":
        y = np.array(["ant", "bee", "cat"])[y]
    est = _fit(MLPClassifier(**SMALL, max_iter=3), X, y)
    weights = rng.uniform(0.1, 2.0, len(X)) if weighted else None
    P = est._probabilities(est._logits(X)) if kind != "multilabel" else est.predict_proba(X)
    outputs = P[:, 1:] if kind == "binary" else P  # the logistic output of a binary net
    expected = accuracy_score(y, est.predict(X), sample_weight=weights)
    assert est._score_outputs(y, outputs, weights) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", ["single", "multioutput", "constant target", "constant and exact"])
def test_default_regressor_score_is_r2_score(case, weighted):
    from sklearn.metrics import r2_score

    rng = np.random.RandomState(0)
    y = rng.standard_normal((40, 1 if case == "single" else 3))
    P = y + 0.3 * rng.standard_normal(y.shape)
    if case.startswith("constant"):
        y[:, 1] = 2.0  # sklearn: R^2 of a constant target is 0, or 1 when predicted exactly
        P[:, 1] = 2.0 if case == "constant and exact" else P[:, 1]
    weights = rng.uniform(0.1, 2.0, len(y)) if weighted else None
    est = MLPRegressor()
    target = y.ravel() if case == "single" else y
    assert est._score_outputs(target, P, weights) == pytest.approx(
        r2_score(target, P.reshape(target.shape), sample_weight=weights), rel=1e-13
    )


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_batch_norm_validation_uses_the_iterates_statistics(solver):
    # the validation loss of each epoch (L-BFGS iteration) is the network's with the
    # statistics prediction would use then: at the restored best epoch, its loss
    # recomputed through predict_proba is the recorded one
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    est = MLPClassifier(
        hidden_layer_sizes=(8,), random_state=0, solver=solver, batch_norm=True, early_stopping=True,
        n_iter_no_change=3, max_iter=100, alpha=0.0,
    )  # fmt: skip
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val)
    best = int(np.argmax(est.validation_scores_))
    assert best < len(est.validation_scores_) - 1  # the restored epoch is not the last
    assert log_loss(y_val, est.predict_proba(X_val)) == pytest.approx(est.validation_loss_curve_[best], rel=1e-9)


def test_lbfgs_batch_norm_keeps_the_full_batch_statistics_of_the_best_iterate():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    est = MLPClassifier(
        hidden_layer_sizes=(8,), random_state=0, solver="lbfgs", batch_norm=True, early_stopping=True,
        n_iter_no_change=3, max_iter=100, alpha=0.0,
    )  # fmt: skip
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val)
    assert int(np.argmax(est.validation_scores_)) < len(est.validation_scores_) - 1
    Z = X_train @ est.coefs_[0]  # the hidden layer's pre-activations at the kept weights
    np.testing.assert_allclose(est.batch_norm_means_[0], Z.mean(axis=0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(est.batch_norm_vars_[0], Z.var(axis=0), rtol=1e-10)


def test_a_column_of_labels_scores_as_a_vector():
    X, y = _classification()
    vector = _fit(MLPClassifier(**SMALL, early_stopping=True, max_iter=5), X, y)
    with pytest.warns(sklearn.exceptions.DataConversionWarning):
        column = _fit(MLPClassifier(**SMALL, early_stopping=True, max_iter=5), X, y[:, None])
    assert column.validation_scores_ == vector.validation_scores_


def test_warm_started_validation_curves_stay_aligned_with_the_loss_curve():
    X, y = _classification()
    X_train, y_train, X_val, y_val = _split(X, y)
    est = _fit(MLPClassifier(**SMALL, max_iter=4, n_iter_no_change=100), X_train, y_train)
    est.set_params(warm_start=True, early_stopping=True)
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val)
    est.set_params(early_stopping=False)
    _fit(est, X_train, y_train)
    assert len(est.validation_loss_curve_) == len(est.validation_scores_) == len(est.loss_curve_) == 12
    missing = np.isnan(est.validation_loss_curve_)
    np.testing.assert_array_equal(missing, [True] * 4 + [False] * 4 + [True] * 4)
    np.testing.assert_array_equal(np.isnan(est.validation_scores_), missing)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_an_input_scale_is_folded_into_the_restored_first_layer(kind):
    # the tabular estimators' members learn an input scale s (see _network): the
    # fitted coefs_ are a plain MLP's with s folded in, which scores on the
    # validation set the least validation loss that training measured (with s
    # separate), and s moved away from 1 (the weights differ from a fit without it)
    X, y = _classification() if kind == "classifier" else _regression()
    X_train, y_train, X_val, y_val = _split(X, y)
    cls = MLPClassifier if kind == "classifier" else MLPRegressor
    params = dict(**SMALL, alpha=1.0, early_stopping=True, scoring="loss", max_iter=40, n_iter_no_change=5)
    est, plain = cls(**params), cls(**params)
    est._input_scale = 6.0
    _fit(est, X_train, y_train, X_val=X_val, y_val=y_val)
    _fit(plain, X_train, y_train, X_val=X_val, y_val=y_val)
    assert [W.shape for W in est.coefs_] == [W.shape for W in plain.coefs_]
    if kind == "classifier":
        expected = log_loss(y_val, est.predict_proba(X_val))
    else:
        expected = 0.5 * mean_squared_error(y_val, est.predict(X_val))
    assert min(est.validation_loss_curve_) == pytest.approx(expected, rel=1e-6)
    assert not np.allclose(est.coefs_[0], plain.coefs_[0])
    assert skdeep.gradient_check(est, X_val, y_val).passed
