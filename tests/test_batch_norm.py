"""Batch normalization in the estimators: the deep network it rescues, inference with
the running statistics (each row on its own, the folded plain network), the running
averages across batches, partial_fit and warm_start, lbfgs's full-batch statistics,
sample weights, dropout, L2, float32, early stopping and pickling.

The forward and backward passes themselves are tested in test_network.py, and against
finite differences through gradient_check in test_gradient_check.py.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import skdeep._mlp as mlp_module
import skdeep._training as training_module
import skdeep._network as network_module
from skdeep import MLPClassifier, MLPRegressor
from skdeep._network import BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, forward

from _helpers import assert_same_model

ATTRIBUTES = ("batch_norm_scales_", "batch_norm_shifts_", "batch_norm_means_", "batch_norm_vars_")


def _classification(n=80, seed=0):
    X, y = make_classification(
        n_samples=n, n_features=5, n_informative=4, n_redundant=0, n_classes=3, random_state=seed
    )
    return 3 * X + 1, y  # not standardized: the normalization has work to do


def _regression(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n, 3))
    return X, np.column_stack([np.sin(3 * X[:, 0]), X[:, 1] * X[:, 2]])


def _fit(estimator, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **kwargs)


def _normalized_forward(est, X):
    """The output logits of a batch-normalized estimator at inference, written out:
    every hidden layer normalized with the running statistics, then scaled and shifted."""
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "logistic": lambda z: 1 / (1 + np.exp(-z)),
         "identity": lambda z: z}[est.activation]  # fmt: skip
    A = X
    for i, (W, b) in enumerate(zip(est.coefs_, est.intercepts_)):
        Z = A @ W + b
        if i == len(est.coefs_) - 1:
            return Z
        Z_hat = (Z - est.batch_norm_means_[i]) / np.sqrt(est.batch_norm_vars_[i] + BATCH_NORM_EPSILON)
        A = f(est.batch_norm_scales_[i] * Z_hat + est.batch_norm_shifts_[i])


def _batch_statistics(est, X, sample_weight=None):
    """Each hidden layer's (weighted) mean and variance of Z = A W over the rows of X,
    as training normalizes with them, written out."""
    f = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[est.activation]
    omega = np.full(len(X), 1 / len(X)) if sample_weight is None else sample_weight / sample_weight.sum()
    A, means, variances = X, [], []
    for i, W in enumerate(est.coefs_[:-1]):
        Z = A @ W
        mu = omega @ Z
        var = omega @ (Z - mu) ** 2
        means.append(mu)
        variances.append(var)
        A = f(est.batch_norm_scales_[i] * (Z - mu) / np.sqrt(var + BATCH_NORM_EPSILON) + est.batch_norm_shifts_[i])
    return means, variances


def _assert_same_statistics(a, b, rtol=0, atol=0):
    for name in ATTRIBUTES:
        for left, right in zip(getattr(a, name), getattr(b, name), strict=True):
            np.testing.assert_allclose(left, right, rtol=rtol, atol=atol, err_msg=name)


# ---------------------------------------------------------------- the lesson


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.mark.parametrize("activation", ["logistic", "relu"])
def test_deep_network_learns_with_batch_norm(digits, activation):
    # the network: 8 hidden layers of 64 units, sgd with momentum 0.9 at
    # learning rate 0.1, 10 epochs. Logistic units do not learn without batch norm
    X_train, X_test, y_train, y_test = digits
    params = dict(
        hidden_layer_sizes=(64,) * 8, activation=activation, solver="sgd", momentum=0.9,
        learning_rate_init=0.1, max_iter=10, random_state=0,
    )  # fmt: skip
    normalized = _fit(MLPClassifier(batch_norm=True, **params), X_train, y_train)
    assert normalized.score(X_test, y_test) >= 0.93
    if activation == "logistic":
        assert _fit(MLPClassifier(**params), X_train, y_train).score(X_test, y_test) < 0.2


# ---------------------------------------------------------------- fitted attributes


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_fitted_attributes(Estimator):
    X, y = _classification() if Estimator is MLPClassifier else _regression()
    est = _fit(Estimator(hidden_layer_sizes=(6, 4), batch_norm=True, max_iter=5, random_state=0), X, y)
    for name in ATTRIBUTES:
        assert [a.shape for a in getattr(est, name)] == [(6,), (4,)], name
        assert all(a.dtype == np.float64 for a in getattr(est, name))
    # the hidden layers have no bias; intercepts_ keeps sklearn's shapes with zeros
    assert [b.shape for b in est.intercepts_] == [(6,), (4,), (est.n_outputs_,)]
    assert not est.intercepts_[0].any() and not est.intercepts_[1].any()
    assert all((v > 0).all() for v in est.batch_norm_vars_)

    plain = _fit(Estimator(hidden_layer_sizes=(6, 4), max_iter=5, random_state=0), X, y)
    assert all(getattr(plain, name) is None for name in ATTRIBUTES)
    # a fit without batch norm clears a previous fit's statistics
    est.set_params(batch_norm=False)
    _fit(est, X, y)
    assert all(getattr(est, name) is None for name in ATTRIBUTES)
    assert_same_model(est, plain)


def test_no_hidden_layer_has_nothing_to_normalize():
    X, y = _classification()
    est = _fit(MLPClassifier(hidden_layer_sizes=(), batch_norm=True, max_iter=5, random_state=0), X, y)
    plain = _fit(MLPClassifier(hidden_layer_sizes=(), max_iter=5, random_state=0), X, y)
    assert all(getattr(est, name) == [] for name in ATTRIBUTES)
    assert_same_model(est, plain)


def test_initial_parameters_are_the_plain_normalization():
    # gamma = 1, beta = 0; the weights are the draws of the same init without batch
    # norm (the hidden layers' drawn biases are dropped)
    X, y = _classification()
    params = dict(hidden_layer_sizes=(6, 4), max_iter=1, random_state=0)
    est, plain = MLPClassifier(batch_norm=True, **params), MLPClassifier(**params)
    start = _recorded_thetas(lambda: _fit(est, X, y))[0]
    plain_start = _recorded_thetas(lambda: _fit(plain, X, y))[0]
    layout, plain_layout = est._network(5, 3).layout, plain._network(5, 3).layout
    (coefs, intercepts), (plain_coefs, plain_intercepts) = layout.unpack(start), plain_layout.unpack(plain_start)
    for W, W_plain in zip(coefs, plain_coefs):
        np.testing.assert_array_equal(W, W_plain)
    np.testing.assert_array_equal(intercepts[-1], plain_intercepts[-1])
    scales, shifts = layout.unpack_batch_norm(start)
    assert all((g == 1).all() for g in scales)
    assert all((b == 0).all() for b in shifts)


# ---------------------------------------------------------------- inference


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_inference_layers_are_the_normalized_network_with_running_statistics(activation):
    # what predict computes (and ONNX exports) is the plain MLP of _inference_layers,
    # which must equal normalizing with the running statistics
    X, y = _classification()
    est = _fit(
        MLPClassifier(hidden_layer_sizes=(6, 5), activation=activation, batch_norm=True, batch_size=16,
                      max_iter=5, random_state=0),
        X, y,
    )  # fmt: skip
    coefs, intercepts = est._inference_layers()
    expected = _normalized_forward(est, X)
    np.testing.assert_allclose(forward(coefs, intercepts, X, activation), expected, rtol=1e-12, atol=1e-13)
    P = np.exp(expected - expected.max(axis=1, keepdims=True))
    np.testing.assert_allclose(est.predict_proba(X), P / P.sum(axis=1, keepdims=True), rtol=1e-12)


def test_a_rows_prediction_does_not_depend_on_the_other_rows():
    X, y = _classification()
    est = _fit(MLPClassifier(hidden_layer_sizes=(6,), batch_norm=True, max_iter=20, random_state=0), X, y)
    together = est.predict_proba(X)
    alone = np.vstack([est.predict_proba(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(alone, together, rtol=1e-12)
    np.testing.assert_allclose(est.predict_proba(X[::-1])[::-1], together, rtol=1e-12)


# ---------------------------------------------------------------- running statistics


def _recorded_thetas(run):
    """Run ``run()`` recording a copy of the parameters at every loss_and_grads call."""
    thetas = []
    real = network_module.loss_and_grads

    def recording(theta, *args, **kwargs):
        thetas.append(theta.copy())
        return real(theta, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training_module, "loss_and_grads", recording)
        patch.setattr(network_module, "loss_and_grads", recording)
        run()
    return thetas


def test_running_statistics_are_the_bias_corrected_average_of_the_batches():
    # full batches, no shuffling: batch t's statistics are those of all of X at the
    # parameters the t-th step started from
    X, y = _classification(n=40)
    params = dict(hidden_layer_sizes=(5, 3), activation="tanh", solver="sgd", batch_norm=True,
                  learning_rate_init=0.1, shuffle=False, max_iter=4, random_state=0)  # fmt: skip
    est = MLPClassifier(**params)
    thetas = _recorded_thetas(lambda: _fit(est, X, y))
    assert len(thetas) == 4
    net = est._network(X.shape[1], 3)
    batches = []
    for theta in thetas:
        probe = MLPClassifier(**params)
        probe.coefs_, _ = net.layout.unpack(theta)
        probe.batch_norm_scales_, probe.batch_norm_shifts_ = net.layout.unpack_batch_norm(theta)
        means, variances = _batch_statistics(probe, X)
        batches.append(np.concatenate(means + variances))
    t = np.arange(4)
    weights = (1 - BATCH_NORM_MOMENTUM) * BATCH_NORM_MOMENTUM ** (3 - t) / (1 - BATCH_NORM_MOMENTUM**4)
    expected = weights @ np.array(batches)
    np.testing.assert_allclose(np.concatenate(est.batch_norm_means_ + est.batch_norm_vars_), expected, rtol=1e-12)


def test_a_one_row_batch_leaves_the_running_statistics_alone():
    # 41 rows in batches of 20: the last batch of each epoch has one row, no variance
    X, y = _classification(n=41)
    params = dict(hidden_layer_sizes=(5,), batch_norm=True, batch_size=20, shuffle=False, random_state=0)
    est = MLPClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])
    assert est._batch_norm_count == 2
    two_batches = MLPClassifier(**params).partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    # the running statistics average the same two batches at the same parameters
    for name in ("batch_norm_means_", "batch_norm_vars_"):
        for a, b in zip(getattr(est, name), getattr(two_batches, name)):
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_partial_fit_continues_the_running_statistics(solver):
    X, y = _classification(n=60)
    params = dict(hidden_layer_sizes=(6, 4), solver=solver, batch_norm=True, batch_size=20,
                  learning_rate_init=0.01, shuffle=False, random_state=0)  # fmt: skip
    fitted = _fit(MLPClassifier(max_iter=3, **params), X, y)
    partial = MLPClassifier(**params)
    for _ in range(3):
        partial.partial_fit(X, y, classes=[0, 1, 2])
    assert_same_model(partial, fitted, rtol=1e-12)
    _assert_same_statistics(partial, fitted, rtol=1e-12)
    assert partial._batch_norm_count == fitted._batch_norm_count == 9


def test_warm_start_continues_the_running_statistics():
    # momentum-free sgd without shuffling has no state but the statistics' average
    X, y = _classification(n=60)
    params = dict(hidden_layer_sizes=(6,), solver="sgd", momentum=0.0, batch_norm=True, batch_size=20,
                  learning_rate_init=0.05, shuffle=False, random_state=0)  # fmt: skip
    once = _fit(MLPClassifier(max_iter=5, **params), X, y)
    warm = _fit(MLPClassifier(max_iter=2, warm_start=True, **params), X, y)
    _fit(warm.set_params(max_iter=3), X, y)
    assert_same_model(warm, once, rtol=1e-12)
    _assert_same_statistics(warm, once, rtol=1e-12)


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("first", [False, True])
def test_continuing_cannot_switch_batch_norm(how, first):
    X, y = _classification()
    est = MLPClassifier(hidden_layer_sizes=(4,), batch_norm=first, warm_start=how == "warm_start",
                        max_iter=2, random_state=0)  # fmt: skip
    if how == "warm_start":
        _fit(est, X, y)
    else:
        est.partial_fit(X, y, classes=[0, 1, 2])
    before = pickle.loads(pickle.dumps(est))
    est.set_params(batch_norm=not first)
    with pytest.raises(ValueError, match=f"fitted with batch_norm={first}.*{how}"):
        _fit(est, X, y) if how == "warm_start" else est.partial_fit(X, y)
    assert_same_model(est, before)  # left as it was


# ---------------------------------------------------------------- lbfgs


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_lbfgs_normalizes_with_the_whole_training_sets_statistics(Estimator):
    X, y = _classification() if Estimator is MLPClassifier else _regression()
    sample_weight = np.random.RandomState(0).uniform(0.5, 2, len(X))
    est = _fit(
        Estimator(hidden_layer_sizes=(5, 4), activation="tanh", solver="lbfgs", batch_norm=True,
                  max_iter=30, random_state=0),
        X, y, sample_weight=sample_weight,
    )  # fmt: skip
    # its running statistics are the full batch's at the solution, weighted
    means, variances = _batch_statistics(est, X, sample_weight)
    for got, expected in zip(est.batch_norm_means_ + est.batch_norm_vars_, means + variances):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)
    # so predicting the training set is the very network whose loss lbfgs minimized
    Z = forward(*est._inference_layers(), X, est.activation)
    net = est._network(X.shape[1], est.n_outputs_)
    theta = net.layout.pack(est.coefs_, est.intercepts_, np.float64, est.batch_norm_scales_, est.batch_norm_shifts_)
    Y = est._encode_targets(y, False, None, np.float64)
    objective, _ = network_module.full_batch_objective(X, Y, sample_weight, net, alpha=est.alpha)
    loss, _ = objective(theta)
    assert loss == pytest.approx(est.loss_, rel=1e-12)
    w = sample_weight / sample_weight.sum()
    if Estimator is MLPRegressor:
        data_loss = 0.5 * w @ ((Z - Y) ** 2).sum(axis=1)
    else:
        log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        data_loss = -w @ (Y * log_p).sum(axis=1)
    penalty = est.alpha / (2 * sample_weight.sum()) * sum((W**2).sum() for W in est.coefs_)
    assert data_loss + penalty == pytest.approx(est.loss_, rel=1e-10)


def test_batch_norm_needs_two_rows_per_batch():
    X, y = _regression(n=1)
    for solver in ("lbfgs", "adam"):
        with pytest.raises(ValueError, match="batch_norm=True.*at least 2 rows.*n_samples=1"):
            MLPRegressor(hidden_layer_sizes=(3,), solver=solver, batch_norm=True).fit(X, y)


# ---------------------------------------------------------------- with the other lessons


@pytest.mark.parametrize("solver", ["lbfgs", "sgd"])
def test_integer_sample_weights_equal_repeated_rows(solver):
    # full batches: a weight of 2 counts the row twice in the batch statistics too
    X, y = _classification(n=40)
    counts = np.random.RandomState(1).randint(0, 3, len(X))
    params = dict(hidden_layer_sizes=(5,), activation="tanh", solver=solver, batch_norm=True,
                  shuffle=False, learning_rate_init=0.05, max_iter=10, random_state=0)  # fmt: skip
    weighted = _fit(MLPClassifier(**params), X, y, sample_weight=counts.astype(float))
    repeated = _fit(MLPClassifier(**params), np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert_same_model(weighted, repeated, rtol=1e-7, atol=1e-9)
    _assert_same_statistics(weighted, repeated, rtol=1e-7, atol=1e-9)


def test_dropout_with_batch_norm_is_off_at_predict():
    X, y = _classification()
    est = _fit(
        MLPClassifier(hidden_layer_sizes=(8, 6), batch_norm=True, keep_prob=0.5, max_iter=10, random_state=0), X, y
    )
    plain = _fit(MLPClassifier(hidden_layer_sizes=(8, 6), batch_norm=True, max_iter=10, random_state=0), X, y)
    assert not np.allclose(est.coefs_[0], plain.coefs_[0])  # training did drop units
    Z = _normalized_forward(est, X)
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(est.predict_proba(X), P / P.sum(axis=1, keepdims=True), rtol=1e-12)


def test_l2_decays_the_weights_only():
    # one full-batch step without momentum: alpha adds lr * alpha / n * W to the step
    # of every weight, and nothing to gamma, beta or the biases
    X, y = _classification(n=40)
    params = dict(hidden_layer_sizes=(5, 4), solver="sgd", momentum=0.0, batch_norm=True, shuffle=False,
                  learning_rate_init=0.1, max_iter=1, random_state=0)  # fmt: skip
    start = _fit(MLPClassifier(**{**params, "learning_rate_init": 1e-300}), X, y)
    decayed = _fit(MLPClassifier(alpha=2.0, **params), X, y)
    free = _fit(MLPClassifier(alpha=0.0, **params), X, y)
    for W0, W, W_free in zip(start.coefs_, decayed.coefs_, free.coefs_):
        np.testing.assert_allclose(W_free - W, 0.1 * 2.0 / 40 * W0, rtol=1e-9, atol=1e-15)
    for name in ("intercepts_", "batch_norm_scales_", "batch_norm_shifts_", "batch_norm_means_"):
        for a, b in zip(getattr(decayed, name), getattr(free, name)):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_float32_end_to_end(solver):
    X, y = _classification()
    params = dict(hidden_layer_sizes=(6, 4), solver=solver, batch_norm=True, max_iter=5, random_state=0)
    est = _fit(MLPClassifier(**params), X.astype(np.float32), y)
    for name in ("coefs_", "intercepts_", *ATTRIBUTES):
        assert all(a.dtype == np.float32 for a in getattr(est, name)), name
    assert all(a.dtype == np.float32 for a in est._inference_layers()[0])
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32
    reference = _fit(MLPClassifier(**params), X, y)
    assert_same_model(est, reference, rtol=1e-3, atol=1e-4)
    if solver == "adam":  # partial_fit carries on in float32
        est.partial_fit(X, y)
        assert all(a.dtype == np.float32 for a in est.batch_norm_means_)


@pytest.mark.parametrize("kind", ["multiclass", "regression"])
def test_early_stopping_restores_the_best_weights_and_their_statistics(monkeypatch, kind):
    X, y = _classification(n=200, seed=1) if kind == "multiclass" else _regression(n=200, seed=1)
    if kind == "multiclass":
        y[::5] = (y[::5] + 1) % 3  # label noise, so that the validation score wobbles
    rows = []
    real_split = mlp_module.train_test_split

    def recording(*arrays, **options):
        parts = real_split(*arrays, **options)
        rows.append([np.flatnonzero((X == row).all(axis=1))[0] for row in parts[1]])
        return parts

    monkeypatch.setattr(mlp_module, "train_test_split", recording)
    Estimator = MLPClassifier if kind == "multiclass" else MLPRegressor
    est = _fit(
        Estimator(hidden_layer_sizes=(16,), batch_norm=True, batch_size=32, learning_rate_init=0.05,
                  early_stopping=True, validation_fraction=0.25, n_iter_no_change=5, max_iter=60, random_state=1),
        X, y,
    )  # fmt: skip
    scores = est.validation_scores_
    assert scores[-1] < est.best_validation_score_  # else the test shows nothing
    (validation,) = rows
    # the restored weights with the restored statistics give the best score again
    assert est.score(X[validation], y[validation]) == pytest.approx(est.best_validation_score_, rel=1e-12)


def test_pickle_round_trip_and_continue():
    # the running statistics are views of one vector in a fit; after unpickling they
    # are separate arrays, and training must carry on from them just the same
    X, y = _classification()
    est = _fit(MLPClassifier(hidden_layer_sizes=(5, 4), batch_norm=True, batch_size=16, max_iter=3,
                             random_state=0), X, y)  # fmt: skip
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(copy.predict_proba(X), est.predict_proba(X))
    for model in (est, copy):
        model.partial_fit(X, y)
    assert_same_model(copy, est)
    _assert_same_statistics(copy, est)
    np.testing.assert_array_equal(copy.predict_proba(X), est.predict_proba(X))


def test_sparse_equals_dense():
    import scipy.sparse as sp

    X, y = _classification()
    X[np.abs(X) < 1.5] = 0
    params = dict(hidden_layer_sizes=(5,), batch_norm=True, batch_size=16, max_iter=3, random_state=0)
    dense = _fit(MLPClassifier(**params), X, y)
    sparse = _fit(MLPClassifier(**params), sp.csr_matrix(X), y)
    assert_same_model(sparse, dense, rtol=1e-9, atol=1e-12)
    _assert_same_statistics(sparse, dense, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=1e-9)
