"""Tests of the estimators in skdeep._mlp: MLPClassifier and MLPRegressor against
sklearn's meanings and against closed forms.

Losses are checked against their formulas written out here, gradients against finite
differences of those formulas, the objective against sklearn's MLP for one full-batch
step, and the fit options (lbfgs, partial_fit, warm_start, early stopping, sample and
class weights, multilabel, sparse, float32, pickling) against the equivalences that
define them.
"""

import copy
import pickle
import re
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, xlogy
import sklearn
from sklearn import neural_network
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score, recall_score
from sklearn.model_selection import train_test_split

from skdeep import MLPClassifier, MLPRegressor, gradient_check, numerical_gradient, relative_difference

# comparisons with sklearn's own MLP need the features it gained in 1.7 (sample_weight
# in fit, the regressor's loss); skdeep itself supports sklearn >= 1.6
needs_sklearn_1_7 = pytest.mark.skipif(
    "loss" not in neural_network.MLPRegressor().get_params(),
    reason="sklearn < 1.7: its MLP has no sample_weight and no loss parameter",
)
from skdeep import _mlp, _network

from _helpers import assert_same_model

ACTIVATIONS = {
    "identity": lambda Z: Z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda Z: np.maximum(Z, 0.0),
}


# ---------------------------------------------------------------------- data and formulas


def _classification(n_classes=2, n=60, seed=0, weights=None):
    X, y = make_classification(
        n_samples=n, n_features=4, n_informative=3, n_redundant=0, n_classes=n_classes,
        n_clusters_per_class=1, weights=weights, random_state=seed,
    )  # fmt: skip
    return X, y


def _multilabel(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, 4))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0, X[:, 3] > 0.5]).astype(int)
    return X, Y


def _regression(n=60, seed=0, poisson=False):
    """A smooth three-output target of two features (counts for poisson)."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    F = np.column_stack([np.sin(np.pi * X[:, 0]), X[:, 0] * X[:, 1], np.cos(np.pi * X[:, 1] / 2)])
    if poisson:
        return X, rng.poisson(np.exp(F)).astype(float)
    return X, F


def _data(kind, n=60, seed=0):
    """(X, y) for kind in 'binary', 'multiclass', 'multilabel', 'regression', 'poisson'."""
    if kind == "binary":
        return _classification(2, n, seed)
    if kind == "multiclass":
        return _classification(3, n, seed)
    if kind == "multilabel":
        return _multilabel(n, seed)
    return _regression(n, seed, poisson=kind == "poisson")


def _estimator(kind, **params):
    if kind in ("regression", "poisson"):
        loss = "poisson" if kind == "poisson" else "squared_error"
        return MLPRegressor(loss=loss, **params)
    return MLPClassifier(**params)


def _logits(coefs, intercepts, X, activation):
    """The output layer's pre-activation, by the textbook forward pass."""
    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        A = A @ W + b
        if i < len(coefs) - 1:
            A = ACTIVATIONS[activation](A)
    return A


def _regression_objective(coefs, intercepts, X, Y, *, loss, alpha, activation, sample_weight=None):
    """(1/S) sum_i s_i sum_k loss_ik + alpha/(2S) sum W^2, the issue's objective, with
    loss_ik the half squared error or the half Poisson deviance of an exp output."""
    Z = _logits(coefs, intercepts, X, activation)
    if loss == "squared_error":
        per_entry = 0.5 * (Z - Y) ** 2
    else:
        per_entry = xlogy(Y, Y / np.exp(Z)) - Y + np.exp(Z)
    s = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    penalty = 0.5 * alpha / s.sum() * sum(np.sum(W**2) for W in coefs)
    return s @ per_entry.sum(axis=1) / s.sum() + penalty


# ---------------------------------------------------------------------- MLPRegressor


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_loss_is_the_multioutput_formula(loss):
    X, Y = _regression(poisson=loss == "poisson")
    sw = np.random.RandomState(1).uniform(0.5, 2.0, len(X))
    reg = MLPRegressor(
        loss=loss, hidden_layer_sizes=(5,), activation="tanh", solver="lbfgs",
        alpha=0.1, max_iter=30, random_state=0,
    ).fit(X, Y, sample_weight=sw)  # fmt: skip
    expected = _regression_objective(
        reg.coefs_, reg.intercepts_, X, Y, loss=loss, alpha=0.1, activation="tanh", sample_weight=sw
    )
    assert reg.loss_ == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_gradient_is_the_gradient_of_its_loss(loss):
    """The gradient fit uses is that of the reported loss, not n_outputs times it."""
    X, Y = _regression(n=20, poisson=loss == "poisson")
    reg = MLPRegressor(
        loss=loss, hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs",
        alpha=0.3, max_iter=5, random_state=0,
    ).fit(X, Y)  # fmt: skip
    layout = _network.Layout((2, 4, 3))  # its packing order is pinned in test_network.py

    def objective(theta):
        coefs, intercepts = layout.unpack(theta)
        return _regression_objective(coefs, intercepts, X, Y, loss=loss, alpha=0.3, activation="tanh")

    backprop = gradient_check(reg, X, Y).gradient
    numerical = numerical_gradient(objective, layout.pack(reg.coefs_, reg.intercepts_, np.float64), epsilon=1e-6)
    assert relative_difference(backprop, numerical) < 1e-7


@pytest.mark.parametrize("loss, output", [("squared_error", "identity"), ("poisson", "exp")])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regressor_output_layer(loss, output, n_outputs):
    X, Y = _regression(poisson=loss == "poisson")
    y = Y[:, 0] if n_outputs == 1 else Y
    reg = MLPRegressor(loss=loss, hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y)
    assert reg.out_activation_ == output
    assert reg.n_outputs_ == n_outputs
    Z = _logits(reg.coefs_, reg.intercepts_, X, "relu")
    expected = Z if output == "identity" else np.exp(Z)
    prediction = reg.predict(X)
    assert prediction.shape == y.shape
    np.testing.assert_allclose(prediction, expected.reshape(y.shape), rtol=1e-12)


def test_poisson_needs_nonnegative_y():
    X, Y = _regression(poisson=True)
    Y[3, 1] = -1.0  # a single negative count, in a multi-output and a 1-D target
    for y in (Y, Y[:, 1]):
        with pytest.raises(ValueError, match="poisson.*y >= 0"):
            MLPRegressor(loss="poisson", max_iter=2).fit(X, y)
    Y[3, 1] = 0.0  # zero counts are valid
    MLPRegressor(loss="poisson", hidden_layer_sizes=(3,), max_iter=2).fit(X, Y)


def test_regressor_fits_a_smooth_multioutput_problem():
    X, Y = _regression(n=200, seed=0)
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=60, random_state=0)
    reg = MLPRegressor(
        hidden_layer_sizes=(10,), activation="tanh", solver="lbfgs", max_iter=200, random_state=0
    ).fit(X_train, Y_train)
    assert r2_score(Y_test, reg.predict(X_test)) > 0.95


# ---------------------------------------------------------------------- objective vs sklearn


def _sklearn_one_step(kind, X, y, coefs, sample_weight, **params):
    """sklearn's MLP after one full-batch sgd step from ``coefs`` and zero biases."""
    if kind in ("regression", "poisson"):
        sk = neural_network.MLPRegressor(loss="poisson" if kind == "poisson" else "squared_error", **params)
    else:
        sk = neural_network.MLPClassifier(**params)
    sk.fit(X, y, sample_weight=sample_weight)  # sets up classes and shapes
    sk.coefs_ = [W.copy() for W in coefs]
    sk.intercepts_ = [np.zeros(W.shape[1]) for W in coefs]
    return sk.set_params(warm_start=True).fit(X, y, sample_weight=sample_weight)


@needs_sklearn_1_7
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression", "poisson"])
@pytest.mark.parametrize("weighted", [False, True])
def test_one_full_batch_step_matches_sklearn(kind, weighted):
    """For a full batch, loss_ (before the step) and the step itself equal sklearn's,
    alpha included; for multi-output squared error sklearn reports the loss averaged
    over the outputs, so skdeep's is n_outputs times larger, for the same gradient."""
    X, y = _data(kind, n=40)
    sample_weight = np.random.RandomState(2).uniform(0.2, 3.0, len(X)) if weighted else None
    n_outputs = {"binary": 1, "multiclass": 3}.get(kind, 3)
    coefs = [np.random.RandomState(3).uniform(-0.5, 0.5, (X.shape[1], 4)),
             np.random.RandomState(4).uniform(-0.5, 0.5, (4, n_outputs))]  # fmt: skip
    params = dict(
        hidden_layer_sizes=(4,), activation="tanh", solver="sgd", learning_rate_init=0.5,
        momentum=0.0, alpha=0.3, max_iter=1, shuffle=False, random_state=0,
    )  # fmt: skip
    sk = _sklearn_one_step(kind, X, y, coefs, sample_weight, **params)
    given = iter(coefs)
    ours = _estimator(kind, init=lambda fan_in, fan_out, rng: next(given).copy(), **params)
    ours.fit(X, y, sample_weight=sample_weight)

    assert_same_model(ours, sk, rtol=1e-10, atol=1e-13)
    if kind == "regression":
        penalty = 0.5 * 0.3 / (len(X) if sample_weight is None else sample_weight.sum()) * sum(
            np.sum(W**2) for W in coefs
        )
        assert ours.loss_ - penalty == pytest.approx(n_outputs * (sk.loss_ - penalty), rel=1e-10)
    else:
        assert ours.loss_ == pytest.approx(sk.loss_, rel=1e-10)


# ---------------------------------------------------------------------- lbfgs


def test_lbfgs_stops_at_max_iter():
    X, y = _classification(3)
    with pytest.warns(ConvergenceWarning):
        clf = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=3, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3
    assert len(clf.loss_curve_) == 3
    assert clf.loss_ == clf.loss_curve_[-1] == clf.best_loss_


def test_lbfgs_stops_at_max_fun(monkeypatch):
    """scipy stops at the end of the first iteration past max_fun evaluations."""
    calls = []
    loss_and_grads = _network.loss_and_grads  # lbfgs evaluates it through full_batch_objective

    def counted(*args, **kwargs):
        calls.append(1)
        return loss_and_grads(*args, **kwargs)

    monkeypatch.setattr(_network, "loss_and_grads", counted)
    X, y = _classification(3)
    with pytest.warns(ConvergenceWarning):
        clf = MLPClassifier(
            hidden_layer_sizes=(5,), solver="lbfgs", max_fun=10, max_iter=1000, random_state=0
        ).fit(X, y)
    assert len(calls) > 10
    assert clf.n_iter_ <= 10


def test_lbfgs_tol_bounds_the_final_gradient():
    """tol is L-BFGS-B's gtol: it stops once every gradient entry is within tol (for
    much smaller tol its relative-reduction test on the loss may stop it first)."""
    X, Y = _regression()
    params = dict(hidden_layer_sizes=(5,), activation="tanh", solver="lbfgs", max_iter=500, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        loose = MLPRegressor(tol=1e-1, **params).fit(X, Y)
        tight = MLPRegressor(tol=1e-2, **params).fit(X, Y)
    assert np.abs(gradient_check(loose, X, Y).gradient).max() <= 1e-1
    assert np.abs(gradient_check(tight, X, Y).gradient).max() <= 1e-2
    assert loose.n_iter_ < tight.n_iter_


@pytest.mark.parametrize("keep_prob", [0.5, (1.0, 0.8)])
def test_lbfgs_rejects_dropout(keep_prob):
    X, y = _classification()
    clf = MLPClassifier(hidden_layer_sizes=(4, 4), solver="lbfgs", keep_prob=keep_prob)
    with pytest.raises(ValueError, match="lbfgs.*keep_prob"):
        clf.fit(X, y)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_partial_fit_needs_a_stochastic_solver(Estimator):
    assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")
    assert hasattr(Estimator(solver="sgd"), "partial_fit")


# ---------------------------------------------------------------------- partial_fit


def test_partial_fit_knows_classes_absent_from_the_first_batch():
    X, y = _classification(3)
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    assert clf.out_activation_ == "softmax"
    assert clf.predict_proba(X).shape == (len(X), 3)
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression"])
@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_partial_fit_equals_fit_for_a_full_batch(kind, solver):
    """k partial_fit calls are k epochs of fit: the optimizer's state (velocity,
    RMSprop's and Adam's moments, Adam's step count) carries over from call to call."""
    X, y = _data(kind, n=40)
    params = dict(hidden_layer_sizes=(5,), solver=solver, learning_rate_init=0.05, shuffle=False, random_state=0)
    fitted = _estimator(kind, max_iter=3, **params).fit(X, y)
    partial = _estimator(kind, **params)
    if kind == "regression":
        partial.partial_fit(X, y)
    else:
        partial.partial_fit(X, y, classes=np.unique(y) if y.ndim == 1 else np.arange(y.shape[1]))
    for _ in range(2):
        partial.partial_fit(X, y)
    assert_same_model(partial, fitted, rtol=1e-12)
    np.testing.assert_allclose(partial.loss_curve_, fitted.loss_curve_, rtol=1e-12)
    assert partial.t_ == fitted.t_ == 3 * len(X)


def test_partial_fit_multilabel():
    """As sklearn: on the first call the classes come from the indicator matrix."""
    X, Y = _multilabel()
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X, Y, classes=[0, 1, 2])
    clf.partial_fit(X, Y)
    assert clf.out_activation_ == "logistic"
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict(X).shape == Y.shape


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_n_iter_counts_the_last_call_as_sklearn(how):
    """sklearn's n_iter_ is the number of epochs the last fit or partial_fit ran."""
    X, y = _classification()
    results = []
    for Estimator in (MLPClassifier, neural_network.MLPClassifier):
        est = Estimator(hidden_layer_sizes=(3,), max_iter=2, random_state=0, warm_start=how == "warm_start")
        for _ in range(2):
            if how == "warm_start":
                est.fit(X, y)
            else:
                est.partial_fit(X, y, classes=[0, 1])
        results.append((est.n_iter_, len(est.loss_curve_), est.t_))
    assert results[0] == results[1]


# ---------------------------------------------------------------------- warm_start


def test_warm_start_continues_from_coefs():
    """Momentum-free full-batch sgd has no optimizer state, so 2 + 3 warm-started
    epochs are exactly 5 epochs."""
    X, y = _classification(3)
    params = dict(
        hidden_layer_sizes=(5,), solver="sgd", momentum=0.0, learning_rate_init=0.1, shuffle=False, random_state=0
    )
    once = MLPClassifier(max_iter=5, **params).fit(X, y)
    warm = MLPClassifier(max_iter=2, warm_start=True, **params).fit(X, y)
    warm.set_params(max_iter=3).fit(X, y)
    assert_same_model(warm, once, rtol=1e-12)
    np.testing.assert_allclose(warm.loss_curve_, once.loss_curve_, rtol=1e-12)

    cold = MLPClassifier(max_iter=2, **params).fit(X, y)
    cold.set_params(max_iter=3).fit(X, y)
    assert_same_model(cold, MLPClassifier(max_iter=3, **params).fit(X, y), rtol=1e-12)


@pytest.mark.parametrize(
    "solver, params",
    [("sgd", dict(momentum=0.9)), ("rmsprop", dict(beta_2=0.9)), ("adam", {})],
)
def test_warm_start_continues_from_the_weights_with_a_fresh_optimizer(solver, params):
    """As sklearn: a warm-started fit starts from the fitted weights, and its optimizer
    (velocity, RMSprop's and Adam's moments) from zero, for every stochastic solver."""
    X, y = _classification(3)
    params = dict(hidden_layer_sizes=(5,), solver=solver, learning_rate_init=0.05, shuffle=False, random_state=0,
                  **params)  # fmt: skip
    warm = MLPClassifier(max_iter=2, warm_start=True, **params).fit(X, y)
    layers = iter(list(zip([W.copy() for W in warm.coefs_], [b.copy() for b in warm.intercepts_])))
    warm.set_params(max_iter=3).fit(X, y)
    restarted = MLPClassifier(max_iter=3, init=lambda fan_in, fan_out, rng: next(layers), **params).fit(X, y)
    assert_same_model(warm, restarted, rtol=1e-12)


def test_warm_start_warns_at_max_iter_of_each_fit():
    X, y = _classification()
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, warm_start=True, random_state=0)
    for _ in range(2):
        with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
            clf.fit(X, y)


# ---------------------------------------------------------------------- early stopping


def _record_validation_rows(monkeypatch, X):
    """A list that receives, for each validation split made, the indices in X of the
    validation rows (found from the held-out part of the first array split, X)."""
    splits = []

    def recording(*arrays, **options):
        parts = train_test_split(*arrays, **options)
        X_val = parts[1]
        splits.append(np.array([np.flatnonzero((X == row).all(axis=1))[0] for row in X_val]))
        return parts

    monkeypatch.setattr(_mlp, "train_test_split", recording)
    return splits


# sklearn stratifies binary targets only (one output), and so does skdeep, to hold
# out the same rows; multiclass splits are random in both (see test_parity)
@pytest.mark.parametrize("counts, expected", [((70, 30), (14, 6)), ((88, 12), (18, 2))])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_early_stopping_split_is_stratified(monkeypatch, counts, expected, seed):
    rng = np.random.RandomState(seed)
    y = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    X = rng.standard_normal((len(y), 3)) + y[:, None]
    splits = _record_validation_rows(monkeypatch, X)
    MLPClassifier(
        hidden_layer_sizes=(3,), early_stopping=True, validation_fraction=0.2, max_iter=2, random_state=seed
    ).fit(X, y)
    (validation,) = splits
    np.testing.assert_array_equal(np.bincount(y[validation], minlength=len(counts)), expected)



# with class_weight (skdeep's own parameter) every single-label target is stratified,
# multiclass too: a random split may hold out no row of a heavily weighted class
@pytest.mark.parametrize("class_weight", [{0: 1.0, 1: 1.0, 2: 100.0}, "balanced"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_early_stopping_split_with_class_weight_is_stratified(monkeypatch, class_weight, seed):
    counts, expected = (150, 40, 10), (15, 4, 1)
    rng = np.random.RandomState(seed)
    y = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    X = rng.standard_normal((len(y), 3)) + y[:, None]
    splits = _record_validation_rows(monkeypatch, X)
    params = dict(hidden_layer_sizes=(3,), early_stopping=True, max_iter=2, random_state=seed)
    MLPClassifier(**params, class_weight=class_weight).fit(X, y)
    MLPClassifier(**params).fit(X, y)  # sklearn's rule: a multiclass split is random
    weighted, plain = splits
    np.testing.assert_array_equal(np.bincount(y[weighted], minlength=3), expected)
    assert len(plain) == len(weighted) and not np.array_equal(np.sort(plain), np.sort(weighted))

@pytest.mark.parametrize("solver", ["adam", "rmsprop"])
@pytest.mark.parametrize("kind", ["multiclass", "regression"])
def test_early_stopping_restores_the_best_weights(monkeypatch, kind, solver):
    X, y = _data(kind, n=200, seed=1)
    if kind == "multiclass":
        y[::7] = (y[::7] + 1) % 3  # label noise, so that the validation score wobbles
    splits = _record_validation_rows(monkeypatch, X)
    est = _estimator(
        kind, hidden_layer_sizes=(16,), solver=solver, early_stopping=True,
        # rmsprop's first steps are lr / sqrt(1 - beta_2): a lower rate, a shorter memory
        **(dict(learning_rate_init=0.1) if solver == "adam" else dict(learning_rate_init=0.03, beta_2=0.9)),
        validation_fraction=0.25, n_iter_no_change=5, max_iter=60, random_state=1,
    )  # fmt: skip
    est.fit(X, y)
    (validation,) = splits
    X_val, y_val = X[validation], y[validation]

    scores = est.validation_scores_
    assert len(scores) == len(est.loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == max(scores)
    assert scores[-1] < est.best_validation_score_  # else the test shows nothing
    assert est.score(X_val, y_val) == pytest.approx(est.best_validation_score_, rel=1e-12)
    assert est.best_loss_ is None


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_n_iter_no_change_and_tol_stop_as_sklearn(early_stopping, n_iter_no_change):
    """With a huge tol no epoch counts as an improvement, so training stops after
    n_iter_no_change + 2 epochs (the first always improves on inf), as in sklearn."""
    X, y = _classification()
    params = dict(
        hidden_layer_sizes=(3,), tol=1e9, n_iter_no_change=n_iter_no_change,
        early_stopping=early_stopping, max_iter=50, random_state=0,
    )  # fmt: skip
    ours = MLPClassifier(**params).fit(X, y)
    theirs = neural_network.MLPClassifier(**params).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == n_iter_no_change + 2


def test_tol_zero_never_stops_a_decreasing_loss():
    X, y = _classification()
    clf = MLPClassifier(
        hidden_layer_sizes=(3,), solver="sgd", learning_rate_init=0.01, momentum=0.0,
        shuffle=False, tol=0.0, n_iter_no_change=1, max_iter=30, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert np.all(np.diff(clf.loss_curve_) < 0)
    assert clf.n_iter_ == 30


def _mask_numbers(text):
    return re.sub(r"\d+\.\d+", "<float>", text).splitlines()


@pytest.mark.parametrize(
    "params",
    [
        dict(tol=1e9, n_iter_no_change=2),
        dict(tol=1e9, n_iter_no_change=2, early_stopping=True),
        dict(tol=1e9, n_iter_no_change=1, solver="sgd", learning_rate="adaptive"),
    ],
)
def test_verbose_prints_sklearns_lines(capsys, params):
    X, y = _classification()
    params = dict(hidden_layer_sizes=(3,), max_iter=30, random_state=0, verbose=True, **params)
    ours = MLPClassifier(**params).fit(X, y)
    printed = capsys.readouterr().out
    neural_network.MLPClassifier(**params).fit(X, y)
    assert _mask_numbers(printed) == _mask_numbers(capsys.readouterr().out)

    lines = printed.splitlines()
    iterations = [line for line in lines if line.startswith("Iteration")]
    assert iterations == ["Iteration %d, loss = %.8f" % (i + 1, loss) for i, loss in enumerate(ours.loss_curve_)]
    if ours.early_stopping:
        validation = [line for line in lines if line.startswith("Validation score:")]
        assert validation == ["Validation score: %f" % s for s in ours.validation_scores_]


# ---------------------------------------------------------------------- sample and class weights


# Few iterations: L-BFGS's line search amplifies rounding differences between two
# equivalent problems (1e-8 after 40 iterations, 1e-14 after 15).
_LBFGS = dict(
    hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", alpha=0.1, max_iter=15, tol=0.0, random_state=0
)
_SAME = dict(rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_zero_sample_weight_equals_removing_the_row_lbfgs(kind):
    X, y = _data(kind, n=40)
    sw = np.random.RandomState(5).uniform(0.5, 2.0, len(X))
    sw[[3, 17, 28]] = 0.0
    keep = sw > 0
    weighted = _estimator(kind, **_LBFGS).fit(X, y, sample_weight=sw)
    removed = _estimator(kind, **_LBFGS).fit(X[keep], y[keep], sample_weight=sw[keep])
    assert_same_model(weighted, removed, **_SAME)
    assert weighted.loss_ == pytest.approx(removed.loss_, rel=1e-9)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_integer_sample_weight_equals_repeating_rows_lbfgs(kind):
    X, y = _data(kind, n=30)
    sw = np.random.RandomState(6).randint(0, 4, len(X))
    weighted = _estimator(kind, **_LBFGS).fit(X, y, sample_weight=sw)
    repeated = _estimator(kind, **_LBFGS).fit(np.repeat(X, sw, axis=0), np.repeat(y, sw, axis=0))
    assert_same_model(weighted, repeated, **_SAME)
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-9)


@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_partial_fit_sample_weight_equals_repeating_and_removing_rows(solver):
    """Weights 0 and 2 in a full batch: the same steps as the batch without the
    zero-weight rows and with the twice-weighted rows repeated."""
    X, y = _classification(3, n=40)
    sw = np.ones(len(X))
    sw[[2, 9]] = 0.0
    sw[[4, 21, 30]] = 2.0
    X_rep, y_rep = np.repeat(X, sw.astype(int), axis=0), np.repeat(y, sw.astype(int))
    params = dict(
        hidden_layer_sizes=(5,), solver=solver, alpha=0.1, learning_rate_init=0.05, shuffle=False, random_state=0
    )
    weighted, repeated = MLPClassifier(**params), MLPClassifier(**params)
    for _ in range(3):
        weighted.partial_fit(X, y, classes=[0, 1, 2], sample_weight=sw)
        repeated.partial_fit(X_rep, y_rep, classes=[0, 1, 2])
    assert_same_model(weighted, repeated, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("kind", ["multiclass", "regression"])
def test_scaled_sample_weight(kind):
    """The objective divides both terms by S = sum of weights: scaling the weights by
    c changes nothing without L2, and with L2 it is alpha / c on the unscaled ones."""
    X, y = _data(kind, n=30)
    sw = np.random.RandomState(7).uniform(0.5, 2.0, len(X))
    params = {**_LBFGS, "alpha": 0.0}
    base = _estimator(kind, **params).fit(X, y, sample_weight=sw)
    scaled = _estimator(kind, **params).fit(X, y, sample_weight=4 * sw)
    assert_same_model(base, scaled, **_SAME)

    scaled = _estimator(kind, **{**params, "alpha": 0.4}).fit(X, y, sample_weight=4 * sw)
    base = _estimator(kind, **{**params, "alpha": 0.1}).fit(X, y, sample_weight=sw)
    assert_same_model(base, scaled, **_SAME)


def _class_weight_as_sample_weight(class_weight, y, sw=None):
    """class_weight as one weight per sample, from its definition."""
    sw = np.ones(len(y)) if sw is None else sw
    if class_weight == "balanced":  # S / (n_classes * the class's total sample weight)
        classes = np.unique(y)
        totals = np.array([sw[y == c].sum() for c in classes])
        per_class = dict(zip(classes, sw.sum() / (len(classes) * totals)))
    else:
        per_class = class_weight
    return np.array([per_class[label] for label in y])


# (class_weight=None would build the two fits identically: a case that cannot fail)
@pytest.mark.parametrize("class_weight", ["balanced", {0: 2.0, 1: 0.5, 2: 1.0}])
def test_class_weight_multiplies_the_sample_weight(class_weight):
    X, y = _classification(3, n=40, weights=[0.6, 0.3, 0.1])
    sw = np.random.RandomState(8).uniform(0.5, 2.0, len(X))
    with_class_weight = MLPClassifier(class_weight=class_weight, **_LBFGS).fit(X, y, sample_weight=sw)
    folded = MLPClassifier(**_LBFGS).fit(X, y, sample_weight=sw * _class_weight_as_sample_weight(class_weight, y, sw))
    assert_same_model(with_class_weight, folded, **_SAME)


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(
        n_samples=200, n_features=4, n_informative=2, n_redundant=0, n_clusters_per_class=1,
        weights=[0.9, 0.1], class_sep=0.5, flip_y=0.0, random_state=0,
    )  # fmt: skip
    params = dict(hidden_layer_sizes=(4,), solver="lbfgs", alpha=1.0, max_iter=50, random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    balanced = MLPClassifier(class_weight="balanced", **params).fit(X, y)
    minority = np.argmin(np.bincount(y))
    plain_recall = recall_score(y, plain.predict(X), pos_label=minority)
    balanced_recall = recall_score(y, balanced.predict(X), pos_label=minority)
    assert balanced_recall > plain_recall + 0.1


def test_balanced_class_weight_hides_partial_fit():
    # 'balanced' needs all of y: partial_fit is not there (hasattr is False, as for
    # lbfgs), and calling it says why
    X, y = _classification()
    clf = MLPClassifier(class_weight="balanced")
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError) as error:
        clf.partial_fit(X, y, classes=[0, 1])
    assert "balanced" in str(error.value.__cause__)  # shown as the direct cause


# ---------------------------------------------------------------------- multilabel


def test_multilabel_outputs():
    X, Y = _multilabel()
    clf = MLPClassifier(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=50, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.n_outputs_ == 3
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    np.testing.assert_allclose(proba, expit(_logits(clf.coefs_, clf.intercepts_, X, "relu")), rtol=1e-12)
    assert np.all((proba >= 0) & (proba <= 1))
    assert not np.allclose(proba.sum(axis=1), 1.0)
    prediction = clf.predict(X)
    assert prediction.shape == Y.shape
    np.testing.assert_array_equal(prediction, (proba > 0.5).astype(int))
    assert clf.score(X, Y) > 0.8


# ---------------------------------------------------------------------- sparse X


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize(
    "kind, params",
    [
        ("multiclass", dict(solver="lbfgs", max_iter=15)),
        ("multiclass", dict(solver="adam", batch_size=16, max_iter=5)),
        ("binary", dict(solver="sgd", early_stopping=True, max_iter=5)),
        ("regression", dict(solver="lbfgs", max_iter=15)),
    ],
)
def test_sparse_equals_dense(fmt, kind, params):
    X, y = _data(kind, n=60)
    X[np.abs(X) < 0.5] = 0.0  # genuinely sparse
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    sparse = _estimator(kind, hidden_layer_sizes=(5,), random_state=0, **params).fit(X_sparse, y)
    dense = _estimator(kind, hidden_layer_sizes=(5,), random_state=0, **params).fit(X, y)
    assert_same_model(sparse, dense, rtol=1e-9, atol=1e-12)
    predict = sparse.predict if kind == "regression" else sparse.predict_proba
    np.testing.assert_allclose(predict(X_sparse), predict(X), rtol=1e-12)


# ---------------------------------------------------------------------- float32


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression", "poisson"])
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_float32_stays_float32(kind, solver):
    X, y = _data(kind)
    X32 = X.astype(np.float32)
    est = _estimator(kind, hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
    est.fit(X32, y, sample_weight=np.ones(len(X)))
    assert all(W.dtype == np.float32 for W in est.coefs_ + est.intercepts_)
    if kind in ("regression", "poisson"):
        assert est.predict(X32).dtype == np.float32
    else:
        assert est.predict_proba(X32).dtype == np.float32
    if solver == "adam":  # and the same model as float64, to float32 precision
        est.partial_fit(sp.csr_matrix(X32), y)
        assert all(W.dtype == np.float32 for W in est.coefs_ + est.intercepts_)
        reference = _estimator(kind, hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
        reference.fit(X, y).partial_fit(X, y)
        assert_same_model(est, reference, rtol=1e-3, atol=1e-4)



@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression", "poisson"])
@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("predict_dtype", [np.float32, np.float64])
def test_prediction_dtype_is_the_wider_of_x_and_the_weights(kind, fit_dtype, predict_dtype):
    # as sklearn's MLP: a float32 model answers float64 X in float64, computed with
    # its weights widened (not X narrowed); float32 X gets float32 from a float32
    # model only
    X, y = _data(kind)
    est = _estimator(kind, hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X.astype(fit_dtype), y)
    reference_cls = getattr(neural_network, type(est).__name__)
    reference = reference_cls(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    if kind == "poisson":
        reference.set_params(loss="poisson")
    reference.fit(X.astype(fit_dtype), y)
    method = "predict" if kind in ("regression", "poisson") else "predict_proba"
    ours = getattr(est, method)(X.astype(predict_dtype))
    assert ours.dtype == getattr(reference, method)(X.astype(predict_dtype)).dtype
    assert ours.dtype == np.promote_types(fit_dtype, predict_dtype)
    # the values are the float64 network's with the fitted weights, to ours' precision
    wide = copy.deepcopy(est)
    wide.coefs_ = [W.astype(np.float64) for W in est.coefs_]
    wide.intercepts_ = [b.astype(np.float64) for b in est.intercepts_]
    rtol = 1e-5 if ours.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, getattr(wide, method)(X.astype(predict_dtype)), rtol=rtol, atol=1e-30)

# ---------------------------------------------------------------------- pickling


@pytest.mark.parametrize("kind", ["multiclass", "regression"])
def test_pickle_round_trip_and_continue(kind):
    X, y = _data(kind)
    est = _estimator(kind, hidden_layer_sizes=(5,), max_iter=3, batch_size=16, random_state=0).fit(X, y)
    copy = pickle.loads(pickle.dumps(est))
    predict = "predict" if kind == "regression" else "predict_proba"
    np.testing.assert_array_equal(getattr(copy, predict)(X), getattr(est, predict)(X))

    # the optimizer's state and the random stream continue exactly
    for model in (est, copy):
        model.partial_fit(X, y)
    assert_same_model(copy, est)
    for model in (est, copy):
        model.set_params(warm_start=True).fit(X, y)
    assert_same_model(copy, est)
    np.testing.assert_array_equal(getattr(copy, predict)(X), getattr(est, predict)(X))


# ---------------------------------------------------------------------- fitted attributes


@needs_sklearn_1_7
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression", "poisson"])
def test_fitted_attributes_as_sklearn(kind):
    X, y = _data(kind)
    params = dict(hidden_layer_sizes=(5, 3), max_iter=4, random_state=0)
    ours = _estimator(kind, **params).fit(X, y)
    if kind in ("regression", "poisson"):
        theirs = neural_network.MLPRegressor(loss=ours.loss, **params).fit(X, y)
    else:
        theirs = neural_network.MLPClassifier(**params).fit(X, y)
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    for name in ("n_layers_", "n_outputs_", "out_activation_", "n_features_in_", "n_iter_", "t_"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert [W.shape for W in ours.coefs_] == [W.shape for W in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert len(ours.loss_curve_) == ours.n_iter_
    assert ours.loss_ == ours.loss_curve_[-1]
    assert ours.best_loss_ == min(ours.loss_curve_)
    assert ours.t_ == ours.n_iter_ * len(X)
    assert not hasattr(ours, "feature_names_in_")


def test_feature_names_in():
    pd = pytest.importorskip("pandas")
    X, y = _classification()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        from_frame = clf.predict_proba(frame)
    with pytest.warns(UserWarning, match="feature names"):
        from_array = clf.predict_proba(X)
    np.testing.assert_array_equal(from_frame, from_array)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[["b", "a", "c", "d"]])


def test_full_batch_fit_makes_no_copy_of_X():
    # lbfgs computes on all rows at once: its buffers are the size of the activations,
    # never of X (X itself is used as given)
    X = np.random.RandomState(0).standard_normal((4000, 500))  # 16 MB
    y = (X[:, 0] > 0).astype(int)
    clf = MLPClassifier((4,), solver="lbfgs", max_iter=2, random_state=0)
    tracemalloc.start()
    try:
        clf.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 4


# ---------------------------------------------------------------------- prediction in chunks


def _in_one_piece(monkeypatch):
    """Make forward take any input in one piece."""
    monkeypatch.setattr(_network, "chunk_rows", lambda *args, **kwargs: 10**9)


def _chunk_counts(monkeypatch):
    """The number of chunks of each chunked forward pass from now on, in a list."""
    counts, chunk_bounds = [], _network.chunk_bounds

    def counted(n_rows, rows):
        bounds = chunk_bounds(n_rows, rows)
        counts.append(len(bounds) - 1)
        return bounds

    monkeypatch.setattr(_network, "chunk_bounds", counted)
    return counts


def _predictions(est, X, y):
    methods = ["predict", "predict_proba", "predict_log_proba"] if hasattr(est, "classes_") else ["predict"]
    answers = {method: getattr(est, method)(X) for method in methods}
    answers["score"] = est.score(X, y)
    return answers


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression", "poisson"])
@pytest.mark.parametrize("variant", ["float64", "float32", "float32 model, float64 X", "batch_norm", "sparse"])
def test_prediction_in_chunks_is_bitwise_prediction_in_one_piece(monkeypatch, kind, variant):
    # predict, predict_proba, predict_log_proba and score under a working_memory
    # that takes 3 chunks (the last with one row more) against one piece: the same,
    # bit for bit (one BLAS thread, as the test session runs)
    X, y = _data(kind)
    X_new, y_new = _data(kind, n=3 * _network.MIN_CHUNK_ROWS + 1, seed=1)
    fit_dtype = np.float32 if variant.startswith("float32") else np.float64
    if variant == "float32":
        X_new = X_new.astype(np.float32)
    elif variant == "sparse":
        X_new[np.abs(X_new) < 0.5] = 0.0
        X_new = sp.csc_matrix(X_new)  # chunks slice a csr copy of it
    est = _estimator(kind, hidden_layer_sizes=(7,), max_iter=5, random_state=0, batch_norm=variant == "batch_norm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X.astype(fit_dtype), y)
    counts = _chunk_counts(monkeypatch)
    with sklearn.config_context(working_memory=0.001):  # the fewest rows a chunk takes
        chunked = _predictions(est, X_new, y_new)
    assert counts == [3] * len(chunked)
    _in_one_piece(monkeypatch)
    whole = _predictions(est, X_new, y_new)
    for method, answer in whole.items():
        np.testing.assert_array_equal(chunked[method], answer, err_msg=method)
        assert np.asarray(chunked[method]).dtype == np.asarray(answer).dtype, method
    dtype = np.promote_types(fit_dtype, X_new.dtype)
    assert chunked.get("predict_proba", chunked["predict"]).dtype == dtype


def test_validation_pass_runs_in_chunks(monkeypatch):
    # early stopping's validation loss and score, every epoch, the same in chunks as
    # in one piece
    X, y = _classification(n_classes=3, n=200)
    X_val, y_val = _classification(n_classes=3, n=2 * _network.MIN_CHUNK_ROWS + 100, seed=1)
    params = dict(hidden_layer_sizes=(6,), solver="sgd", early_stopping=True, max_iter=8, random_state=0)
    counts = _chunk_counts(monkeypatch)
    with warnings.catch_warnings(), sklearn.config_context(working_memory=0.001):
        warnings.simplefilter("ignore", ConvergenceWarning)
        chunked = MLPClassifier(**params).fit(X, y, X_val=X_val, y_val=y_val)
    assert counts and set(counts) == {2}  # every epoch's pass over the 3,172 rows
    _in_one_piece(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        whole = MLPClassifier(**params).fit(X, y, X_val=X_val, y_val=y_val)
    assert chunked.validation_loss_curve_ == whole.validation_loss_curve_
    assert chunked.validation_scores_ == whole.validation_scores_
    assert_same_model(chunked, whole)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_prediction_peak_memory_is_working_memory_and_the_answer(monkeypatch, method):
    # 100,000 rows of 40 float32 features through 64 hidden units: in one piece the
    # hidden activations alone take 24 MiB (and a boolean array of X for the
    # finiteness check 4 MiB); with working_memory=2 a call allocates its answer and
    # at most 2 MiB more (and a few kB of bookkeeping)
    rng = np.random.RandomState(0)
    X = rng.standard_normal((100_000, 40)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    clf = MLPClassifier((64,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:300], y[:300])
    predict = getattr(clf, method)

    def traced_peak():
        tracemalloc.start()
        try:
            answer = predict(X)
            return answer, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    with sklearn.config_context(working_memory=2):
        chunked, peak = traced_peak()
    assert peak <= 2 * 2**20 + chunked.nbytes + 2**16
    _in_one_piece(monkeypatch)
    whole, peak_whole = traced_peak()
    assert peak_whole > 100_000 * 64 * 4  # what the test would catch
    np.testing.assert_array_equal(chunked, whole)


@pytest.mark.parametrize("bad, message", [(np.inf, "infinity"), (np.nan, "NaN")])
def test_large_x_is_checked_for_finiteness(bad, message):
    # a large X is checked by its sum first, then value by value
    X, y = _classification()
    clf = MLPClassifier((3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    X_new = np.tile(X, (2000, 1))  # 120,000 rows
    X_new[-1, -1] = bad
    with pytest.raises(ValueError, match=message):
        clf.predict(X_new)
    # finite values whose sum overflows (in float32) are fine
    X_big = np.full((20_000, 4), 1e34, dtype=np.float32)
    with np.errstate(over="ignore"):
        assert np.isinf(X_big.sum())
    assert np.isfinite(clf.predict_proba(X_big)).all()
