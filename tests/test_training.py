"""Tests of the table of solvers and of the training record: each solver's row against
what the estimators do with it, the optimizer and schedule it builds from the
estimator's parameters, and the record's one decision after each epoch (divergence,
stall, adaptive slow-down, callbacks) against hand-made epochs."""

import ast
import pathlib
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import skdeep
from skdeep import DivergenceError, MLPClassifier, MLPRegressor
from skdeep._losses import LOSSES
from skdeep._monitor import TrainingRecord, ValidationSet
from skdeep._network import Layout, Network, forward, inference_layers
from skdeep._optimizers import OPTIMIZERS
from skdeep._schedules import SCHEDULES, LearningRateSchedule
from skdeep._training import SOLVERS

RNG = np.random.RandomState(0)
X = RNG.standard_normal((40, 3))
Y_CLASS = (X[:, 0] > 0).astype(int)
Y_REG = X @ [1.0, -1.0, 0.5]


# ---------------------------------------------------------------- the table


def test_every_solver_is_a_valid_parameter_value_and_nothing_else():
    for cls in (MLPClassifier, MLPRegressor):
        assert cls._parameter_constraints["solver"][0].options == set(SOLVERS)


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_a_stochastic_solver_has_partial_fit_and_an_optimizer(name):
    solver = SOLVERS[name]
    assert hasattr(MLPRegressor(solver=name), "partial_fit") == solver.stochastic
    assert (solver.optimizer in OPTIMIZERS) == solver.stochastic
    if not solver.stochastic:
        assert solver.ignored_schedules == frozenset(SCHEDULES)  # no learning rate to schedule


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_dropout_is_refused_exactly_where_the_table_says(name):
    est = MLPRegressor(hidden_layer_sizes=(3,), solver=name, keep_prob=0.5, max_iter=2, random_state=0)
    if SOLVERS[name].dropout:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, Y_REG)
    else:
        with pytest.raises(ValueError, match=f"solver='{name}' cannot be used with keep_prob < 1.*'sgd'"):
            est.fit(X, Y_REG)


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_the_validation_split_is_made_exactly_where_the_table_says(name):
    est = MLPClassifier(hidden_layer_sizes=(3,), solver=name, early_stopping=True, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y_CLASS)
    split = est.validation_scores_ is not None
    assert split == SOLVERS[name].validation_split
    assert est.t_ == est.n_iter_ * (36 if split else 40)  # 10% of 40 rows held out


@pytest.mark.parametrize("name", [n for n, s in SOLVERS.items() if s.stochastic])
def test_the_optimizer_takes_the_estimators_parameters(name):
    est = MLPClassifier(
        solver=name, learning_rate_init=0.03, momentum=0.7, nesterovs_momentum=False, beta_1=0.8, beta_2=0.95,
        epsilon=1e-5,
    )  # fmt: skip
    theta = np.zeros(7)
    optimizer = SOLVERS[name].make_optimizer(est, theta)
    assert type(optimizer) is OPTIMIZERS[name]
    expected = {
        "sgd": dict(learning_rate=0.03, momentum=0.7, nesterov=False),
        "rmsprop": dict(learning_rate=0.03, beta_2=0.95, epsilon=1e-5),
        "adam": dict(learning_rate=0.03, beta_1=0.8, beta_2=0.95, epsilon=1e-5),
    }[name]
    assert {key: getattr(optimizer, key) for key in expected} == expected


@pytest.mark.parametrize("name", [n for n, s in SOLVERS.items() if s.stochastic])
@pytest.mark.parametrize("learning_rate", sorted(SCHEDULES))
def test_the_schedule_is_built_unless_the_solver_ignores_it(name, learning_rate):
    est = MLPClassifier(solver=name, learning_rate=learning_rate)
    optimizer = SOLVERS[name].make_optimizer(est, np.zeros(3))
    schedule = SOLVERS[name].make_schedule(est, optimizer)
    # sklearn's adam ignores invscaling and adaptive; everything else follows its schedule
    ignored = name == "adam" and learning_rate in ("invscaling", "adaptive")
    assert (schedule is None) == ignored
    if schedule is not None:
        assert schedule.name == learning_rate and schedule.optimizer is optimizer


def _comparisons_of_the_solver(path):
    """Lines of ``path`` that compare a solver: ``x.solver`` or a solver's name on either
    side of ==, != or in (outside the table)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            operands += [e for n in operands if isinstance(n, (ast.Tuple, ast.List, ast.Set)) for e in n.elts]
            if any(isinstance(n, ast.Attribute) and n.attr == "solver" for n in operands) or any(
                isinstance(n, ast.Constant) and n.value in SOLVERS for n in operands
            ):
                found.add(node.lineno)
    return sorted(found)


def test_the_search_for_solver_comparisons_finds_them(tmp_path):
    path = tmp_path / "module.py"
    path.write_text('if self.solver == "lbfgs":\n    pass\nok = name in ("adam", "sgd")\nfine = x == 1\n')
    assert _comparisons_of_the_solver(path) == [1, 3]


def test_no_code_outside_the_table_compares_solver_names():
    package = pathlib.Path(skdeep.__file__).parent
    found = {
        path.name: lines
        for path in package.glob("*.py")
        if path.name != "_training.py" and (lines := _comparisons_of_the_solver(path))
    }
    assert not found, f"ask SOLVERS instead of comparing solver names: {found}"


# ---------------------------------------------------------------- the schedule object


def test_the_schedule_sets_the_optimizers_rate_from_its_formula():
    optimizer = OPTIMIZERS["sgd"]([np.zeros(2)], learning_rate=0.5)
    schedule = LearningRateSchedule(optimizer, "inverse_time", 0.5, power_t=0.5, decay_rate=1.0, decay_steps=2)
    schedule.step(samples_seen=100, epoch=4)
    assert optimizer.learning_rate == schedule.rate == pytest.approx(0.5 / 3)


def test_adaptive_slows_down_by_five_until_one_millionth():
    optimizer = OPTIMIZERS["sgd"]([np.zeros(2)], learning_rate=1e-5)
    schedule = LearningRateSchedule(optimizer, "adaptive", 1e-5, power_t=0.5, decay_rate=1.0, decay_steps=1)
    assert schedule.adaptive
    assert schedule.slow_down() and optimizer.learning_rate == pytest.approx(2e-6)
    assert schedule.slow_down() and optimizer.learning_rate == pytest.approx(4e-7)
    assert not schedule.slow_down() and optimizer.learning_rate == pytest.approx(4e-7)


# ---------------------------------------------------------------- the record's decision


def _record(stochastic=True, **params):
    est = MLPRegressor(**{"tol": 0.1, "n_iter_no_change": 2, **params})
    return est, TrainingRecord(est, first_call=True, stochastic=stochastic)


def test_the_record_publishes_each_epoch_to_the_fitted_attributes():
    est, record = _record()
    theta = np.zeros(4)
    assert not record.end_epoch(theta, 3.0, seen=10)
    assert not record.end_epoch(theta, 2.0, seen=10)
    assert est.loss_curve_ == [3.0, 2.0] and est.loss_ == 2.0 and est.best_loss_ == 2.0
    assert est.n_iter_ == 2 and est.t_ == 20 and est._epochs == 2


def test_a_stall_of_the_training_loss_stops_a_stochastic_solver_only():
    # tol=0.1: the loss improves by 0.05 at most; the third epoch without improvement
    # (more than n_iter_no_change=2) stops a stochastic solver, never L-BFGS
    for stochastic in (True, False):
        _, record = _record(stochastic)
        stops = [record.end_epoch(np.zeros(2), loss, seen=1) for loss in (1.0, 0.99, 0.98, 0.97, 0.96)]
        assert stops == ([False, False, False, True, True] if stochastic else [False] * 5)


def test_a_stall_under_adaptive_slows_down_and_counts_again(capsys):
    est, record = _record(verbose=True)
    optimizer = OPTIMIZERS["sgd"]([np.zeros(2)], learning_rate=0.1)
    record.schedule = LearningRateSchedule(optimizer, "adaptive", 0.1, power_t=0.5, decay_rate=1.0, decay_steps=1)
    stops = [record.end_epoch(np.zeros(2), 1.0, seen=1) for _ in range(7)]
    assert stops == [False] * 7  # slowed down after epochs 4 and 7, instead of stopping
    assert optimizer.learning_rate == pytest.approx(0.1 / 25)
    assert capsys.readouterr().out.count("Setting learning rate to") == 2


@pytest.mark.parametrize(
    "loss, theta, baseline",
    [(np.nan, 0.0, None), (1.0, np.inf, None), (2e6, 0.0, 1.0), (2e7, 0.0, 10.0)],
    ids=["nan loss", "inf weights", "exploded", "exploded over the baseline"],
)
def test_divergence_without_a_best_validation_score_raises(loss, theta, baseline):
    _, record = _record()
    with pytest.raises(DivergenceError, match="MLPRegressor diverged.*at iteration 1"):
        record.end_epoch(np.full(2, theta), loss, seen=1, baseline=baseline)


def test_a_loss_below_a_millionfold_of_the_baseline_goes_on():
    _, record = _record()
    assert not record.end_epoch(np.zeros(2), 9e6, seen=1, baseline=10.0)


def test_a_callback_asking_to_stop_stops():
    class Tasks:
        def __init__(self):
            self.calls = []

        def begin_epoch(self):
            self.calls.append("begin")

        def end_epoch(self):
            self.calls.append("end")
            return self.calls.count("end") == 2  # the second epoch asks to stop

    est = MLPRegressor()
    tasks = Tasks()
    record = TrainingRecord(est, first_call=True, stochastic=True, tasks=tasks)
    stops = []
    for _ in range(3):
        record.begin_epoch()
        stops.append(record.end_epoch(np.zeros(2), 1.0, seen=1))
    assert stops == [False, True, False] and tasks.calls == ["begin", "end"] * 3


def test_continuing_a_fit_continues_its_record():
    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y_REG)
    record = TrainingRecord(est, first_call=False, stochastic=True)
    assert record.loss_curve == est.loss_curve_ and record.loss_curve is not est.loss_curve_
    assert (record.t, record.epochs, record.n_iter) == (est.t_, est._epochs, 0)


# ---------------------------------------------------------------- the validation forward pass


def test_the_validation_set_evaluates_the_weights_it_is_given():
    # not the estimator's coefs_: the weights passed in
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y_REG)
    net = Network(Layout((3, 4, 1)), est.activation, LOSSES["squared_error"])
    validation = ValidationSet(est, net, X, Y_REG, Y_REG[:, None], None, scoring="loss")
    other = net.layout.pack(est.coefs_, est.intercepts_, np.float64) * 0.5
    loss, score = validation.evaluate(*inference_layers(net.layout, other))
    Z = forward(*net.layout.unpack(other), X, est.activation)
    assert loss == pytest.approx(0.5 * np.mean((Z[:, 0] - Y_REG) ** 2), rel=1e-12)
    assert score == -loss
    assert validation.evaluate(est.coefs_, est.intercepts_)[0] != loss
