"""Tests of the learning-rate schedules: their formulas, and the rate the estimator's
optimizer actually uses after each epoch."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPClassifier
from skdeep._losses import LOSSES
from skdeep._network import Layout, Network, full_batch_objective
from skdeep._schedules import SCHEDULES, adaptive, constant, exponential, inverse_time, invscaling

STATE = dict(power_t=0.5, samples_seen=0, decay_rate=1.0, decay_steps=1, epoch=0, current=0.3)


@pytest.mark.parametrize("epoch, samples_seen", [(0, 0), (3, 300), (10, 7)])
def test_constant(epoch, samples_seen):
    assert constant(0.3, **{**STATE, "epoch": epoch, "samples_seen": samples_seen}) == 0.3


@pytest.mark.parametrize("current", [0.3, 0.06, 0.012])
def test_adaptive_keeps_the_current_rate(current):
    # the stopping rule divides it by 5; the schedule itself neither resets nor decays it
    assert adaptive(0.3, **{**STATE, "current": current, "epoch": 7, "samples_seen": 700}) == current


@pytest.mark.parametrize("samples_seen", [0, 1, 99, 1000])
@pytest.mark.parametrize("power_t", [0.25, 0.5, 1.0])
def test_invscaling(samples_seen, power_t):
    lr = invscaling(0.3, **{**STATE, "power_t": power_t, "samples_seen": samples_seen})
    assert lr == pytest.approx(0.3 / (samples_seen + 1) ** power_t, rel=1e-15)


@pytest.mark.parametrize("epoch", range(8))
@pytest.mark.parametrize("decay_rate, decay_steps", [(1.0, 1), (0.5, 3), (2.0, 2), (0.0, 1)])
def test_inverse_time(epoch, decay_rate, decay_steps):
    state = {**STATE, "epoch": epoch, "decay_rate": decay_rate, "decay_steps": decay_steps}
    expected = 0.3 / (1 + decay_rate * math.floor(epoch / decay_steps))
    assert inverse_time(0.3, **state) == pytest.approx(expected, rel=1e-15)


def test_inverse_time_is_a_staircase():
    # constant within each block of decay_steps epochs, lr0 during the first
    lrs = [inverse_time(1.0, decay_rate=1.0, decay_steps=3, epoch=e) for e in range(9)]
    assert lrs == [1.0] * 3 + [0.5] * 3 + [1 / 3] * 3


@pytest.mark.parametrize("epoch", range(8))
@pytest.mark.parametrize("decay_rate, decay_steps", [(0.95, 1), (0.5, 3), (0.1, 2), (1.0, 1)])
def test_exponential(epoch, decay_rate, decay_steps):
    state = {**STATE, "epoch": epoch, "decay_rate": decay_rate, "decay_steps": decay_steps}
    expected = 0.3 * decay_rate ** math.floor(epoch / decay_steps)
    assert exponential(0.3, **state) == pytest.approx(expected, rel=1e-15)


def test_exponential_is_a_staircase():
    # constant within each block of decay_steps epochs, lr0 during the first
    lrs = [exponential(1.0, decay_rate=0.5, decay_steps=3, epoch=e) for e in range(9)]
    assert lrs == [1.0] * 3 + [0.5] * 3 + [0.25] * 3


def test_exponential_with_one_step_is_the_course_formula():
    # the course: alpha = 0.95 ** epoch_num * alpha0
    lrs = [exponential(0.2, decay_rate=0.95, decay_steps=1, epoch=e) for e in range(20)]
    np.testing.assert_allclose(lrs, 0.95 ** np.arange(20) * 0.2, rtol=1e-14)


def test_every_learning_rate_option_has_a_schedule_entry():
    assert set(SCHEDULES) == set(MLPClassifier._parameter_constraints["learning_rate"][0].options)


def _data():
    return make_classification(n_samples=30, n_features=4, random_state=0)


# the course's decays: the rate after k epochs, each schedule with its own formula
DECAYS = {
    "inverse_time": (0.5, lambda lr0, rate, k: lr0 / (1 + rate * k)),
    "exponential": (0.7, lambda lr0, rate, k: lr0 * rate**k),
}


@pytest.mark.parametrize("schedule", sorted(DECAYS))
@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_estimator_decayed_rate_after_each_epoch(solver, schedule):
    X, y = _data()
    lr0, decay_steps = 0.05, 2
    decay_rate, formula = DECAYS[schedule]
    clf = MLPClassifier(
        hidden_layer_sizes=(3,), solver=solver, learning_rate=schedule,
        learning_rate_init=lr0, decay_rate=decay_rate, decay_steps=decay_steps, random_state=0,
    )  # fmt: skip
    for k in range(1, 7):
        clf.partial_fit(X, y, classes=[0, 1])
        assert len(clf.loss_curve_) == k  # epochs so far; n_iter_ counts the last call's
        expected = formula(lr0, decay_rate, math.floor(k / decay_steps))  # the staircase
        assert clf._optimizer.learning_rate == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
def test_fit_inverse_time_rate_after_max_iter(solver):
    X, y = _data()
    clf = MLPClassifier(
        hidden_layer_sizes=(3,), solver=solver, learning_rate="inverse_time", learning_rate_init=0.05,
        decay_rate=2.0, decay_steps=3, max_iter=7, n_iter_no_change=100, random_state=0,
    )  # fmt: skip
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 7
    assert clf._optimizer.learning_rate == pytest.approx(0.05 / (1 + 2.0 * 2), rel=1e-15)


def test_estimator_steps_with_the_scheduled_rate():
    # full-batch sgd without momentum: epoch k + 1 moves theta by exactly lr_k * gradient
    X, y = _data()
    n, lr0 = len(X), 0.2
    clf = MLPClassifier(
        hidden_layer_sizes=(3,), activation="tanh", solver="sgd", momentum=0.0, batch_size=n,
        shuffle=False, alpha=0.0, learning_rate="inverse_time", learning_rate_init=lr0,
        decay_rate=1.0, decay_steps=1, random_state=0,
    )  # fmt: skip
    clf.partial_fit(X, y, classes=[0, 1])
    for k in range(1, 4):
        net = Network(Layout((4, 3, 1)), "tanh", LOSSES["binary_log_loss"])
        theta = net.layout.pack(clf.coefs_, clf.intercepts_, np.float64)
        _, g = full_batch_objective(X, y[:, None].astype(float), None, net, alpha=0.0)[0](theta)
        expected = net.layout.unpack(theta - lr0 / (1 + k) * g)
        clf.partial_fit(X, y)
        for got, want in zip(clf.coefs_ + clf.intercepts_, expected[0] + expected[1]):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_estimator_constant_rate_for_sgd():
    X, y = _data()
    clf = MLPClassifier(hidden_layer_sizes=(3,), solver="sgd", learning_rate="constant", learning_rate_init=0.1,
                        random_state=0)  # fmt: skip
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1])
        assert clf._optimizer.learning_rate == 0.1


@pytest.mark.parametrize("solver", ["sgd", "rmsprop"])
def test_estimator_invscaling_rate(solver):
    X, y = _data()
    clf = MLPClassifier(
        hidden_layer_sizes=(3,), solver=solver, learning_rate="invscaling", learning_rate_init=0.1,
        power_t=0.5, random_state=0,
    )  # fmt: skip
    for k in range(1, 4):
        clf.partial_fit(X, y, classes=[0, 1])
        assert clf.t_ == k * len(X)
        assert clf._optimizer.learning_rate == pytest.approx(0.1 / (clf.t_ + 1) ** 0.5, rel=1e-15)


def test_adam_ignores_invscaling_as_sklearn():
    X, y = _data()
    clf = MLPClassifier(hidden_layer_sizes=(3,), solver="adam", learning_rate="invscaling",
                        learning_rate_init=0.1, random_state=0)  # fmt: skip
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1])
    assert clf._optimizer.learning_rate == 0.1


def test_adaptive_rate_divides_by_5_as_sklearns_and_stays_divided():
    # every epoch counts as no improvement (huge tol), so the rate is divided by 5
    # each time the count passes n_iter_no_change; the end-of-epoch schedule must keep
    # the divided rate rather than reset it to learning_rate_init
    from sklearn import neural_network

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    params = dict(hidden_layer_sizes=(3,), solver="sgd", learning_rate="adaptive", learning_rate_init=0.1,
                  tol=1e9, n_iter_no_change=1, max_iter=9, random_state=0)  # fmt: skip
    ours = MLPClassifier(**params).fit(X, y)
    theirs = neural_network.MLPClassifier(**params).fit(X, y)
    assert ours._optimizer.learning_rate < 0.1 / 5  # divided more than once
    assert ours._optimizer.learning_rate == pytest.approx(theirs._optimizer.learning_rate, rel=1e-12)


@pytest.mark.parametrize("solver, divided", [("rmsprop", True), ("adam", False)])
def test_adaptive_divides_rmsprops_rate_and_stops_adam(solver, divided):
    # rmsprop follows every schedule, as sgd does; adam ignores 'adaptive' (sklearn's
    # adam does), so the first stall stops it instead
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    clf = MLPClassifier(
        hidden_layer_sizes=(3,), solver=solver, learning_rate="adaptive", learning_rate_init=0.1,
        tol=1e9, n_iter_no_change=1, max_iter=9, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    if divided:
        assert clf.n_iter_ == 9
        assert clf._optimizer.learning_rate == pytest.approx(0.1 / 5**4, rel=1e-15)
    else:  # the first epoch sets best_loss_, the next two stall
        assert clf.n_iter_ == 3
        assert clf._optimizer.learning_rate == 0.1
