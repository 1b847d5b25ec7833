"""Drop-in parity: where skdeep and scikit-learn's MLP define the same objective, the
same code with the same random_state fits the same weights, to rounding.

The objectives are the same with alpha=0, or with full-batch training (lbfgs, or
batch_size >= n_samples), and with unweighted data or full batches. skdeep draws
sklearn's initial weights and biases (init='auto'), shuffles each epoch the way
sklearn does, holds out sklearn's validation rows and follows sklearn's stopping
rules, so the two fits follow one path. The L2 term with mini-batches is where they
part on purpose (skdeep divides alpha by the training-set size, sklearn by the batch
size): the last tests show that they do, and by how much.
"""

import inspect
import warnings

import numpy as np
import pytest
import sklearn.neural_network as sklearn_nn
from sklearn.datasets import make_classification, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import skdeep

from _helpers import assert_same_model

# 300 rows: batches of 200 and 100 with batch_size='auto', so mini-batch paths run
N = 300
_SKLEARN_HAS_SAMPLE_WEIGHT = "sample_weight" in inspect.signature(sklearn_nn.MLPClassifier.fit).parameters


def _data(kind, seed=0):
    if kind == "multilabel":
        X, y = make_multilabel_classification(n_samples=N, n_features=6, n_classes=3, random_state=seed)
    elif kind in ("binary", "multiclass"):
        X, y = make_classification(
            n_samples=N, n_features=6, n_informative=4, n_classes=2 if kind == "binary" else 3,
            random_state=seed,
        )  # fmt: skip
    else:
        X, y = make_regression(n_samples=N, n_features=6, n_informative=4, noise=5.0, random_state=seed)
        y = y / y.std()
        if kind == "multioutput":
            y = np.c_[y, y**2 / 2]
    return StandardScaler().fit_transform(X), y


def _fit_both(kind, sample_weight=None, **params):
    name = "MLPRegressor" if kind in ("regression", "multioutput") else "MLPClassifier"
    X, y = _data(kind)
    fitted = []
    for library in (sklearn_nn, skdeep):
        estimator = getattr(library, name)(hidden_layer_sizes=(12,), random_state=0, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if sample_weight is None:
                fitted.append(estimator.fit(X, y))
            else:
                fitted.append(estimator.fit(X, y, sample_weight=sample_weight))
    return fitted


SOLVERS = {
    "adam": dict(solver="adam", learning_rate_init=0.01),
    "sgd-nesterov": dict(solver="sgd", learning_rate_init=0.05),
    "sgd-momentum": dict(solver="sgd", learning_rate_init=0.05, nesterovs_momentum=False),
    "sgd-invscaling": dict(solver="sgd", learning_rate_init=0.2, learning_rate="invscaling"),
}


@pytest.mark.parametrize("solver", sorted(SOLVERS))
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression", "multioutput"])
def test_stochastic_fit_with_alpha_zero_is_sklearns(solver, kind):
    ours_and_theirs = _fit_both(kind, alpha=0.0, max_iter=12, **SOLVERS[solver])
    sk, ours = ours_and_theirs
    assert ours.n_iter_ == sk.n_iter_ == 12
    assert_same_model(ours, sk, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.t_, sk.t_)
    if kind != "multioutput":  # skdeep sums squared error over outputs, sklearn averages
        np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression"])
def test_early_stopping_holds_out_sklearns_rows_and_stops_with_it(kind):
    sk, ours = _fit_both(
        kind, alpha=0.0, early_stopping=True, n_iter_no_change=3, max_iter=80, learning_rate_init=0.05
    )
    assert ours.n_iter_ == sk.n_iter_ < 80  # stopped early, on the same epoch
    np.testing.assert_allclose(ours.validation_scores_, sk.validation_scores_, rtol=1e-9)
    assert ours.best_validation_score_ == pytest.approx(sk.best_validation_score_, rel=1e-9)
    assert_same_model(ours, sk, rtol=1e-9, atol=1e-12)


def test_adaptive_learning_rate_slows_down_as_sklearns():
    sk, ours = _fit_both(
        "multiclass", alpha=0.0, solver="sgd", learning_rate="adaptive", learning_rate_init=0.5,
        n_iter_no_change=2, tol=1e-2, max_iter=40,
    )  # fmt: skip
    assert sk._optimizer.learning_rate < 0.5  # the schedule did divide the rate
    assert ours._optimizer.learning_rate == pytest.approx(sk._optimizer.learning_rate)
    assert ours.n_iter_ == sk.n_iter_
    assert_same_model(ours, sk, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_full_batch_fit_with_l2_is_sklearns(kind):
    # one batch of all rows: alpha / n is the same in both, whatever alpha
    sk, ours = _fit_both(kind, alpha=0.1, batch_size=N, max_iter=15, learning_rate_init=0.02)
    assert_same_model(ours, sk, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression"])
def test_lbfgs_fit_is_sklearns(kind):
    # 25 iterations: L-BFGS's rounding differences grow along a non-convex path, so
    # the comparison stops while they are still at the level of rounding
    sk, ours = _fit_both(kind, solver="lbfgs", max_iter=25)
    assert ours.n_iter_ == sk.n_iter_
    assert ours.loss_ == pytest.approx(sk.loss_, rel=1e-9)
    assert_same_model(ours, sk, rtol=1e-7, atol=1e-10)


@pytest.mark.skipif(not _SKLEARN_HAS_SAMPLE_WEIGHT, reason="sklearn < 1.7 has no sample_weight in its MLP")
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_weighted_full_batch_fit_is_sklearns(solver):
    weights = np.random.RandomState(0).uniform(0.2, 3.0, N)
    sk, ours = _fit_both("multiclass", sample_weight=weights, solver=solver, batch_size=N, max_iter=15)
    assert_same_model(ours, sk, rtol=1e-7, atol=1e-10)


def test_default_fit_on_small_data_is_sklearns():
    # fewer rows than batch_size='auto' (200): one batch, so even the default alpha
    # gives the same objective: the unchanged default estimator reproduces sklearn's
    X, y = _data("multiclass")
    X, y = X[:150], y[:150]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = sklearn_nn.MLPClassifier(random_state=0, max_iter=30).fit(X, y)
        ours = skdeep.MLPClassifier(random_state=0, max_iter=30).fit(X, y)
    assert_same_model(ours, sk, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------- the difference on purpose


def test_alpha_with_mini_batches_differs_from_sklearn_by_design():
    # sklearn's weight decay per batch is alpha / batch_size, skdeep's alpha / n: with
    # n / batch_size = 3 (batches of 100), sklearn decays 3 times harder
    sk, ours = _fit_both("multiclass", alpha=1.0, batch_size=100, max_iter=15, learning_rate_init=0.02)
    norm = lambda est: sum(float(np.sum(W**2)) for W in est.coefs_)  # noqa: E731
    assert norm(ours) > norm(sk)
    # sklearn's alpha times n / batch_size is the same objective in skdeep's terms
    # (where every batch is full): the weights are sklearn's again
    X, y = _data("multiclass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        same = skdeep.MLPClassifier(
            hidden_layer_sizes=(12,), random_state=0, alpha=3.0, batch_size=100, max_iter=15,
            learning_rate_init=0.02,
        ).fit(X, y)  # fmt: skip
    assert_same_model(same, sk, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ warning texts

# Users filter warnings by their message (filterwarnings(message=...)): wherever
# sklearn's MLP warns, skdeep's warning of the same category starts with sklearn's
# first line (it may go on with skdeep's advice).
WARNING_CASES = {
    "batch_size larger than the data": dict(batch_size=500, max_iter=2),
    "stochastic max_iter": dict(max_iter=2),
    "lbfgs max_iter": dict(solver="lbfgs", max_iter=2),
    "a column of targets": dict(max_iter=300, tol=1.0),
}


def _warnings_of(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("kind", ["multiclass", "regression"])
@pytest.mark.parametrize("case", list(WARNING_CASES))
def test_warnings_start_with_sklearns_text(kind, case):
    X, y = _data(kind)
    X, y = X[:100], y[:100]
    if case == "a column of targets":
        y = y.reshape(-1, 1)
    name = "MLPClassifier" if kind == "multiclass" else "MLPRegressor"
    params = dict(hidden_layer_sizes=(5,), random_state=0, **WARNING_CASES[case])
    theirs = _warnings_of(lambda: getattr(sklearn_nn, name)(**params).fit(X, y))
    ours = _warnings_of(lambda: getattr(skdeep, name)(**params).fit(X, y))
    assert theirs, "sklearn's MLP gave no warning: the case shows nothing"
    for category, message in theirs:
        first_line = message.splitlines()[0]
        assert any(
            issubclass(c, category) and m.startswith(first_line) for c, m in ours
        ), f"no {category.__name__} starting with sklearn's {first_line!r} among {ours}"
