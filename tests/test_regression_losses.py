"""MLPRegressor's losses by name, through the estimator: the objective fit reports,
every solver, early stopping on the loss, sample weights, continuing a fit, the
target and parameter checks, and the two demonstrations of the issue (prediction
intervals from quantiles; the absolute error and Huber against gross outliers) on
small data.

The losses' own formulas, deltas and kinks are tested in test_losses.py, their
gradients through the network in test_network.py and test_gradient_check.py.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    mean_absolute_error,
    mean_gamma_deviance,
    mean_pinball_loss,
    mean_poisson_deviance,
    mean_squared_error,
    r2_score,
)

from skdeep import MLPRegressor
from skdeep._losses import LOSSES

from _helpers import assert_same_model

REGRESSION_LOSSES = sorted(name for name, loss in LOSSES.items() if loss.kind == "regression")
SOLVERS = ["lbfgs", "sgd", "rmsprop", "adam"]
LOSS_PARAMS = dict(quantile=0.7, huber_delta=0.3)
ACTIVATIONS = {"tanh": np.tanh, "relu": lambda Z: np.maximum(Z, 0.0)}


def _data(loss, n=80, seed=0, n_outputs=2):
    """X (n, 3) and a smooth target of it: positive for the deviances."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n, 3))
    F = np.column_stack([np.sin(2 * X[:, 0]) + X[:, 1], X[:, 1] * X[:, 2]])[:, :n_outputs]
    noise = 0.2 * rng.standard_normal(F.shape)
    if loss == "poisson":
        Y = rng.poisson(np.exp(F)).astype(float)
    elif loss == "gamma":
        Y = np.exp(F + noise)
    else:
        Y = F + noise
    return X, (Y.ravel() if n_outputs == 1 else Y)


def _per_entry(loss, P, Y):
    """Each loss per sample and output from its textbook definition on the
    predictions P (not on the logits, as skdeep computes it)."""
    R = P - Y
    d, q = LOSS_PARAMS["huber_delta"], LOSS_PARAMS["quantile"]
    if loss == "squared_error":
        return 0.5 * R**2
    if loss == "absolute_error":
        return np.abs(R)
    if loss == "huber":
        return np.where(np.abs(R) <= d, 0.5 * R**2, d * (np.abs(R) - d / 2))
    if loss == "quantile":
        return np.where(Y >= P, q * (Y - P), (1 - q) * (P - Y))
    if loss == "poisson":
        return np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1) / P), 0) - Y + P
    if loss == "gamma":
        return Y / P - np.log(Y / P) - 1
    raise AssertionError(f"add the formula of {loss!r}")


def _predict_by_hand(reg, X, activation):
    A = X
    for i, (W, b) in enumerate(zip(reg.coefs_, reg.intercepts_)):
        A = A @ W + b
        if i < len(reg.coefs_) - 1:
            A = ACTIVATIONS[activation](A)
    return np.exp(A) if reg.out_activation_ == "exp" else A


def _fit(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


# ---------------------------------------------------------------- what fit minimizes


@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_lbfgs_loss_is_the_weighted_objective_of_the_loss(loss):
    # (1/S) sum_i s_i sum_k loss_ik + alpha / (2 S) sum W^2, at the weights fit ends with
    X, Y = _data(loss)
    sw = np.random.RandomState(1).uniform(0.5, 2.0, len(X))
    reg = _fit(
        MLPRegressor(loss=loss, **LOSS_PARAMS, hidden_layer_sizes=(5,), activation="tanh", solver="lbfgs",
                     alpha=0.1, max_iter=30, random_state=0),
        X, Y, sample_weight=sw,
    )  # fmt: skip
    P = _predict_by_hand(reg, X, "tanh")
    penalty = 0.05 / sw.sum() * sum(np.sum(W**2) for W in reg.coefs_)
    expected = sw @ _per_entry(loss, P, Y).sum(axis=1) / sw.sum() + penalty
    assert reg.loss_ == pytest.approx(expected, rel=1e-10)
    assert reg.out_activation_ == LOSSES[loss].out_activation
    np.testing.assert_allclose(reg.predict(X), P, rtol=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_every_solver_lowers_every_loss(loss, solver):
    X, Y = _data(loss, n=120)
    rate = {"sgd": 0.05, "rmsprop": 0.003}.get(solver, 0.01)
    reg = _fit(
        MLPRegressor(loss=loss, **LOSS_PARAMS, hidden_layer_sizes=(16,), solver=solver, learning_rate_init=rate,
                     max_iter=60, batch_size=40, random_state=0),
        X, Y,
    )  # fmt: skip
    assert reg.loss_curve_[-1] < 0.9 * reg.loss_curve_[0]
    P = reg.predict(X)
    assert np.isfinite(P).all()
    # the fit beats the constant prediction that the loss itself would choose
    constant = {"absolute_error": np.median, "quantile": lambda y, axis: np.quantile(y, 0.7, axis=axis)}
    best_constant = constant.get(loss, np.mean)(Y, axis=0) * np.ones_like(Y)
    assert _per_entry(loss, P, Y).mean() < _per_entry(loss, best_constant, Y).mean()


@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_score_is_r2_whatever_the_loss(loss):
    X, Y = _data(loss)
    reg = _fit(MLPRegressor(loss=loss, **LOSS_PARAMS, hidden_layer_sizes=(5,), max_iter=20, random_state=0), X, Y)
    assert reg.score(X, Y) == pytest.approx(r2_score(Y, reg.predict(X)), rel=1e-12)


# ---------------------------------------------------------------- early stopping on the loss


METRICS = {  # the data loss as sklearn's metric of the same name measures it
    "squared_error": lambda y, p, w: 0.5 * mean_squared_error(y, p, sample_weight=w),
    "absolute_error": lambda y, p, w: mean_absolute_error(y, p, sample_weight=w),
    "quantile": lambda y, p, w: mean_pinball_loss(y, p, alpha=LOSS_PARAMS["quantile"], sample_weight=w),
    "poisson": lambda y, p, w: 0.5 * mean_poisson_deviance(y, p, sample_weight=w),
    "gamma": lambda y, p, w: 0.5 * mean_gamma_deviance(y, p, sample_weight=w),
    "huber": lambda y, p, w: np.average(_per_entry("huber", p, y), weights=w),
}


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_scoring_loss_follows_the_validation_data_loss_of_the_chosen_loss(loss, solver):
    # with a strong L2 term, so that the data loss and the cost differ: the best
    # validation loss is the chosen loss's metric of the restored model, weighted by
    # sample_weight_val
    X, Y = _data(loss, n=160, n_outputs=1)
    X_val, y_val, X_train, y_train = X[:50], Y[:50], X[50:], Y[50:]
    w_val = np.random.RandomState(2).uniform(0.5, 2.0, 50)
    reg = _fit(
        MLPRegressor(loss=loss, **LOSS_PARAMS, hidden_layer_sizes=(8,), solver=solver, learning_rate_init=0.02,
                     alpha=3.0, early_stopping=True, scoring="loss", max_iter=60, n_iter_no_change=5, random_state=0),
        X_train, y_train, X_val=X_val, y_val=y_val, sample_weight_val=w_val,
    )  # fmt: skip
    expected = METRICS[loss](y_val, reg.predict(X_val), w_val)
    assert min(reg.validation_loss_curve_) == pytest.approx(expected, rel=1e-9)
    np.testing.assert_array_equal(reg.validation_scores_, -np.asarray(reg.validation_loss_curve_))
    assert reg.best_validation_score_ == -min(reg.validation_loss_curve_)


@pytest.mark.parametrize("loss", ["absolute_error", "quantile", "gamma"])
def test_early_stopping_with_the_split(loss):
    X, Y = _data(loss, n=120, n_outputs=1)
    reg = _fit(
        MLPRegressor(loss=loss, **LOSS_PARAMS, hidden_layer_sizes=(8,), early_stopping=True, scoring="loss",
                     max_iter=40, random_state=0),
        X, Y,
    )  # fmt: skip
    assert len(reg.validation_loss_curve_) == reg.n_iter_
    assert np.isfinite(reg.validation_loss_curve_).all()


# ---------------------------------------------------------------- sample weights, continuing


@pytest.mark.parametrize("loss", ["absolute_error", "huber", "quantile", "gamma"])
def test_integer_sample_weight_equals_repeated_rows_lbfgs(loss):
    # few iterations: L-BFGS's line search amplifies rounding on a non-smooth loss
    X, Y = _data(loss, n=40)
    weights = np.random.RandomState(3).randint(0, 3, len(X))
    params = dict(loss=loss, **LOSS_PARAMS, hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs",
                  alpha=0.1, max_iter=10, tol=0.0, random_state=0)  # fmt: skip
    weighted = _fit(MLPRegressor(**params), X, Y, sample_weight=weights)
    repeated = _fit(MLPRegressor(**params), np.repeat(X, weights, axis=0), np.repeat(Y, weights, axis=0))
    for a, b in zip(weighted.coefs_ + weighted.intercepts_, repeated.coefs_ + repeated.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("loss", ["absolute_error", "huber", "quantile", "gamma"])
def test_partial_fit_equals_fit_for_a_full_batch(loss):
    X, Y = _data(loss, n=40)
    params = dict(loss=loss, **LOSS_PARAMS, hidden_layer_sizes=(4,), solver="sgd", batch_size=40, shuffle=False,
                  learning_rate_init=0.05, random_state=0)  # fmt: skip
    fitted = _fit(MLPRegressor(**params, max_iter=3), X, Y)
    stepped = MLPRegressor(**params)
    for _ in range(3):
        stepped.partial_fit(X, Y)
    assert_same_model(fitted, stepped)


def test_warm_start_with_another_quantile_continues_from_the_weights():
    X, Y = _data("quantile", n_outputs=1)
    reg = _fit(MLPRegressor(loss="quantile", quantile=0.5, hidden_layer_sizes=(8,), max_iter=30, random_state=0), X, Y)
    median = reg.predict(X)
    reg.set_params(warm_start=True, quantile=0.9, max_iter=60, learning_rate_init=0.01)
    _fit(reg, X, Y)
    assert len(reg.loss_curve_) == 90
    assert np.mean(reg.predict(X) > median) > 0.8  # it moved up, towards the 0.9 quantile


# ---------------------------------------------------------------- targets and parameters


@pytest.mark.parametrize("loss, bad, message", [("gamma", 0.0, "y > 0"), ("poisson", -1.0, "y >= 0")])
def test_targets_outside_the_domain_are_refused_in_y_and_y_val(loss, bad, message):
    X, Y = _data(loss, n_outputs=1)
    y = Y.copy()
    y[5] = bad
    est = MLPRegressor(loss=loss, hidden_layer_sizes=(3,), max_iter=2, early_stopping=True)
    with pytest.raises(ValueError, match=f"loss='{loss}' needs {message}"):
        est.fit(X, y)
    with pytest.raises(ValueError, match=f"y_val: loss='{loss}' needs {message}"):
        est.fit(X[20:], Y[20:], X_val=X[:20], y_val=y[:20])


def test_gamma_takes_positive_targets_the_check_tags_say():
    assert MLPRegressor(loss="gamma").__sklearn_tags__().target_tags.positive_only
    assert not MLPRegressor(loss="quantile").__sklearn_tags__().target_tags.positive_only


# ---------------------------------------------------------------- the demonstrations


def _heteroscedastic(n, rng):
    """y = sin(3x) with noise whose spread grows tenfold across x in [-1, 1]."""
    x = rng.uniform(-1, 1, n)
    return x[:, None], np.sin(3 * x) + (0.1 + 0.4 * (x + 1)) * rng.standard_normal(n)


def test_quantile_models_give_a_90_percent_interval():
    # the target: the 5-95% interval covers 90 +- 3% of held-out targets. An
    # exponential decay settles the pinball loss, whose gradient does not shrink near
    # its minimum (measured over 8 seeds: 0.883 to 0.907; constant rate: 0.870 to 0.928)
    rng = np.random.RandomState(0)
    X, y = _heteroscedastic(1000, rng)
    X_test, y_test = _heteroscedastic(3000, rng)
    params = dict(hidden_layer_sizes=(16,), learning_rate_init=0.02, max_iter=100, batch_size=100,
                  learning_rate="exponential", decay_rate=0.97, n_iter_no_change=1000, random_state=0)  # fmt: skip
    low, high = (_fit(MLPRegressor(loss="quantile", quantile=q, **params), X, y).predict(X_test) for q in (0.05, 0.95))
    coverage = np.mean((low <= y_test) & (y_test <= high))
    assert 0.87 <= coverage <= 0.93, coverage
    assert np.mean(y_test < low) == pytest.approx(0.05, abs=0.02)
    assert np.mean(y_test > high) == pytest.approx(0.05, abs=0.02)
    # the interval widens where the noise does
    width = high - low
    assert width[X_test[:, 0] > 0.5].mean() > 3 * width[X_test[:, 0] < -0.5].mean()


def test_robust_losses_shrug_off_gross_outliers():
    # the target: with 10% of the training targets grossly wrong, the absolute
    # error's and Huber's test MAE are each at least 20% below the squared error's
    # (measured over 5 seeds: 58% to 80% below)
    rng = np.random.RandomState(0)

    def data(n, corrupt):
        X = rng.uniform(-1, 1, (n, 2))
        y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * rng.standard_normal(n)
        bad = rng.rand(n) < corrupt
        y[bad] += rng.choice([-1, 1], bad.sum()) * rng.uniform(5, 20, bad.sum())
        return X, y

    X, y = data(1000, corrupt=0.1)
    X_test, y_test = data(2000, corrupt=0.0)
    mae = {
        loss: mean_absolute_error(
            y_test,
            _fit(MLPRegressor(loss=loss, hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=100,
                              n_iter_no_change=1000, random_state=0), X, y).predict(X_test),
        )  # fmt: skip
        for loss in ("squared_error", "absolute_error", "huber")
    }
    assert mae["absolute_error"] <= 0.8 * mae["squared_error"], mae
    assert mae["huber"] <= 0.8 * mae["squared_error"], mae
