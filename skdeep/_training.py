"""The solvers: their table, mini-batch gradient descent (the course's inner loop)
and the L-BFGS driver, each asking the training record after every epoch or
iteration whether to go on."""

import signal
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._batching import epoch_batches, take_rows
from ._network import Workspace, draw_dropout_masks, full_batch_objective, loss_and_grads
from ._optimizers import OPTIMIZERS
from ._schedules import SCHEDULES, LearningRateSchedule
from ._threads import single_threaded_scipy_blas


class Data(NamedTuple):
    """A data set as fit holds it: the training set, or a validation set."""

    X: object  # ndarray or sparse matrix of shape (n_samples, n_features), validated
    y: np.ndarray  # the targets as score takes them
    Y: np.ndarray  # (n_samples, n_outputs): the targets encoded for the loss, in X's dtype
    sample_weight: np.ndarray | None  # (n_samples,)


@dataclass
class Fit:
    """What one call of fit trains, besides the estimator's parameters: a solver
    driver reads everything from here instead of a long argument list.

    Attributes
    ----------
    train : Data
    net : Network
    theta : ndarray of shape (net.layout.size,)
        The parameters, stepped in place; the fitted coefs_ and intercepts_ are views.
    running : RunningStatistics or None
        With batch normalization, the running statistics.
    keep_probs : list of float
        Per hidden layer; dropout where < 1.
    record : TrainingRecord
        Records each epoch (iteration) and says whether to go on.
    """

    train: Data
    net: object
    theta: np.ndarray
    running: object
    keep_probs: list
    record: object


class Solver(NamedTuple):
    """One row of the table of solvers: what the rest of the code asks about a solver.

    Attributes
    ----------
    stochastic : bool
        Trains on mini-batches, one epoch at a time: partial_fit exists, the learning
        rate follows ``learning_rate``, and a stalled training loss stops it (a
        non-stochastic solver stops on its own convergence test).
    dropout : bool
        Takes keep_prob < 1 (its objective may be random).
    validation_split : bool
        Holds out validation_fraction of the data for early stopping when fit is given
        no X_val (sklearn's lbfgs ignores early stopping).
    optimizer : str or None
        The key of OPTIMIZERS that steps the parameters.
    optimizer_parameters : dict
        The optimizer's argument -> the estimator parameter whose value it takes.
    ignored_schedules : frozenset
        The ``learning_rate`` options it leaves alone, keeping learning_rate_init
        (sklearn's adam ignores 'invscaling' and 'adaptive').
    train : callable
        ``train(estimator, fit, incremental)``: runs the solver on a Fit.
    """

    stochastic: bool
    dropout: bool
    validation_split: bool
    optimizer: str | None
    optimizer_parameters: dict
    ignored_schedules: frozenset
    train: Callable

    def make_optimizer(self, estimator, theta):
        """The optimizer of ``theta``, from the estimator's parameters."""
        arguments = {arg: getattr(estimator, name) for arg, name in self.optimizer_parameters.items()}
        return OPTIMIZERS[self.optimizer]([theta], **arguments)

    def make_schedule(self, estimator, optimizer):
        """The optimizer's learning-rate schedule, or None where the solver keeps
        learning_rate_init whatever ``learning_rate`` says."""
        if estimator.learning_rate in self.ignored_schedules:
            return None
        return LearningRateSchedule(
            optimizer,
            estimator.learning_rate,
            estimator.learning_rate_init,
            power_t=estimator.power_t,
            decay_rate=estimator.decay_rate,
            decay_steps=estimator.decay_steps,
        )


@contextmanager
def stop_on_interrupt():
    """Turn a first Ctrl-C during training into a request to stop after the current
    batch, so the model is left whole; a second Ctrl-C interrupts at once."""
    request = {"stop": False}
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def handler(signum, frame):
        if request["stop"]:
            raise KeyboardInterrupt
        request["stop"] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)


class MiniBatchGradientDescent:
    """Epochs of mini-batch gradient descent on one training set.

    Each epoch shuffles the rows (when ``shuffle``) and partitions them; for each
    batch it draws the dropout masks, computes the cost and its gradient with
    ``loss_and_grads``, lets the optimizer step the parameters in place and, with
    batch normalization, averages the batch's statistics into the running ones.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets in X's dtype.
    sample_weight : ndarray of shape (n_samples,) or None
    net : Network
    optimizer : an optimizer of ``_optimizers.OPTIMIZERS``
    alpha : float
    batch_size : int
    keep_probs : list of float
        Per hidden layer; dropout where < 1.
    rng : numpy.random.RandomState
        The estimator's one generator: it shuffles the rows and draws the masks.
    shuffle : bool
        Shuffle the rows every epoch; else the batches are the same slices in order.
    running : RunningStatistics or None
        With batch normalization, the running averages that each batch's statistics
        go into.
    """

    def __init__(
        self, X, Y, sample_weight, net, optimizer, *, alpha, batch_size, keep_probs, rng, shuffle, running=None
    ):
        if sp.issparse(X) and X.format != "csr":
            X = X.tocsr()  # rows are taken every batch: O(nnz) each time from CSC
        n = X.shape[0]
        self.X, self.Y, self.net, self.optimizer, self.alpha = X, Y, net, optimizer, alpha
        self.running = running
        # n of the L2 term alpha / (2 n): the training set's size or total weight
        self.total = n if sample_weight is None else float(sample_weight.sum())
        if self.total <= 0:
            raise ValueError("sample_weight must have a positive sum over the training samples.")
        # a row's weight in a batch of m rows is s_j * n / (S * m), s_j = 1 unweighted:
        # the batch's unbiased estimate of the weighted mean loss
        self.row_weight = None if sample_weight is None else sample_weight * (n / self.total)
        self.keep_probs = keep_probs
        self.dropout = min(keep_probs, default=1) < 1
        self.rng = rng
        self.dense = not sp.issparse(X)
        self.ws = Workspace(
            net.layout, batch_size, Y.dtype, dropout=self.dropout, gather=True,
            n_features=X.shape[1] if self.dense else None,
        )  # fmt: skip
        self.epochs = epoch_batches(n, batch_size, rng if shuffle else None)
        self.first_loss = None  # the first batch's loss, to tell an explosion

    def run_epoch(self, theta, interrupt):
        """One pass over the training set, stepping ``theta`` in place.

        Stops early, after a batch, when that batch's loss is not finite or when
        ``interrupt['stop']`` is set (Ctrl-C).

        Returns
        -------
        loss : float
            Mean of the batch losses weighted by their rows (each batch's mean data
            loss plus the L2 term); not finite if a batch's was not.
        seen : int
            Rows trained on.
        """
        X, Y, ws, net, step, running = self.X, self.Y, self.ws, self.net, self.optimizer.step, self.running
        row_weight, rng, keep_probs = self.row_weight, self.rng, self.keep_probs
        alpha, total, X_buffer = self.alpha, self.total, ws.X if self.dense else None
        hidden = net.layout.layer_sizes[1:-1]
        accumulated, seen = 0.0, 0
        for rows in next(self.epochs):
            X_batch = take_rows(X, rows, X_buffer)
            Y_batch = take_rows(Y, rows, ws.Y)
            m = X_batch.shape[0]
            w = ws.w[:m]
            if row_weight is None:
                w.fill(1.0 / m)
            else:
                np.multiply(row_weight[rows], 1.0 / m, out=w)
            masks = draw_dropout_masks(rng, m, hidden, keep_probs, Y.dtype) if self.dropout else None
            loss, grad = loss_and_grads(theta, X_batch, Y_batch, w, net, alpha=alpha, n_samples=total, masks=masks, ws=ws)
            if not np.isfinite(loss):
                return loss, seen
            if self.first_loss is None:
                self.first_loss = loss
            step([theta], [grad])
            if running is not None:
                running.update(ws)  # the batch's statistics, into the running averages
            accumulated += loss * m
            seen += m
            if interrupt["stop"]:
                break
        return accumulated / seen, seen


def train_mini_batches(estimator, fit, incremental):
    """sgd, rmsprop and adam: epochs of mini-batches until the record says stop, or
    max_iter epochs (one for partial_fit). The optimizer carries on across
    partial_fit calls; a fit starts a new one."""
    est, record, theta = estimator, fit.record, fit.theta
    n_samples = fit.train.X.shape[0]
    batch_size = est._batch_size(n_samples)
    est._check_batch_rows(n_samples, batch_size)
    solver = SOLVERS[est.solver]
    if est._optimizer is None or not incremental:
        est._optimizer = solver.make_optimizer(est, theta)
    record.schedule = solver.make_schedule(est, est._optimizer)
    descent = MiniBatchGradientDescent(
        fit.train.X, fit.train.Y, fit.train.sample_weight, fit.net, est._optimizer, alpha=est.alpha,
        batch_size=batch_size, keep_probs=fit.keep_probs, rng=est._rng, shuffle=est.shuffle, running=fit.running,
    )  # fmt: skip
    with stop_on_interrupt() as interrupt:
        for _ in range(est.max_iter):
            record.begin_epoch()
            loss, seen = descent.run_epoch(theta, interrupt)
            if record.end_epoch(theta, loss, seen, baseline=descent.first_loss, interrupted=interrupt["stop"]):
                return
            if incremental:
                return
    warnings.warn(
        f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
        "optimization hasn't converged yet.",
        ConvergenceWarning,
    )


def train_lbfgs(estimator, fit, incremental):
    """L-BFGS-B on the full-batch objective, the record deciding after each
    iteration; at most max_iter iterations and max_fun evaluations, stopping when the
    projected gradient falls below tol (sklearn's use of scipy's gtol).

    With batch normalization it normalizes with the whole training set's statistics,
    which become the running ones at each iterate (what validation and prediction use).
    """
    est, record, theta, running = estimator, fit.record, fit.theta, fit.running
    X = fit.train.X
    est._check_batch_rows(X.shape[0], X.shape[0])
    objective, ws = full_batch_objective(X, fit.train.Y, fit.train.sample_weight, fit.net, alpha=est.alpha)
    evaluated = np.full_like(theta, np.nan)  # where ws's batch statistics were taken
    in_iteration = False

    def fun(x):
        nonlocal in_iteration
        if not in_iteration:  # the first evaluation of an iteration
            record.begin_epoch()
            in_iteration = True
        theta[...] = x
        loss, grad = objective(theta)
        if running is not None:
            evaluated[...] = theta
        return loss, grad.astype(np.float64)

    def take_statistics():
        if not np.array_equal(evaluated, theta):
            objective(theta)
        running.set(ws)

    stopped = False

    def end_iteration(intermediate_result):
        nonlocal stopped, in_iteration
        in_iteration = False
        theta[...] = intermediate_result.x
        if running is not None:
            take_statistics()
        if record.end_epoch(theta, float(intermediate_result.fun), X.shape[0]):
            stopped = True
            raise StopIteration

    with single_threaded_scipy_blas:  # see _threads: scipy's pool against NumPy's
        result = scipy.optimize.minimize(
            fun,
            theta.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=end_iteration,
            options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
        )
    theta[...] = result.x
    if not (np.isfinite(result.fun) and np.isfinite(theta).all()):
        record.diverged(epoch=result.nit)  # raises, or keeps the best validation score's weights
    if running is not None:
        take_statistics()
    if result.status != 0 and not stopped:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}. Increase max_iter or "
            "max_fun, or scale the data.",
            ConvergenceWarning,
        )
    record.end_fit(float(result.fun))


_LEARNING_RATE = {"learning_rate": "learning_rate_init"}

#: solver name -> Solver: the one place that tells the solvers apart
SOLVERS = {
    "lbfgs": Solver(
        stochastic=False, dropout=False, validation_split=False, optimizer=None, optimizer_parameters={},
        ignored_schedules=frozenset(SCHEDULES), train=train_lbfgs,
    ),
    "sgd": Solver(
        stochastic=True, dropout=True, validation_split=True, optimizer="sgd",
        optimizer_parameters={**_LEARNING_RATE, "momentum": "momentum", "nesterov": "nesterovs_momentum"},
        ignored_schedules=frozenset(), train=train_mini_batches,
    ),
    "rmsprop": Solver(
        stochastic=True, dropout=True, validation_split=True, optimizer="rmsprop",
        optimizer_parameters={**_LEARNING_RATE, "beta_2": "beta_2", "epsilon": "epsilon"},
        ignored_schedules=frozenset(), train=train_mini_batches,
    ),
    "adam": Solver(
        stochastic=True, dropout=True, validation_split=True, optimizer="adam",
        optimizer_parameters={**_LEARNING_RATE, "beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "epsilon"},
        ignored_schedules=frozenset({"invscaling", "adaptive"}), train=train_mini_batches,
    ),
}  # fmt: skip
