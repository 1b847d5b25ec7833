"""Watching training: the validation set (the course's dev set), and the training
record that records each epoch and decides whether to stop.

The course diagnoses bias and variance from the gap between the training and the
dev error; sklearn's MLP stops when n_iter_no_change epochs in a row bring no
improvement by tol. Both need the same bookkeeping after every epoch (every L-BFGS
iteration): the training loss, the validation loss and score, the best score and
its weights. It lives here, in one object that every solver's driver asks.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring

from ._network import forward, inference_layers, objective_weights


class DivergenceError(ValueError):
    """Training produced a non-finite loss or parameters, or a loss that grew a
    millionfold over the first batch's."""

    __module__ = "skdeep"  # its public name


class ValidationSet:
    """A held-out set, and the network's loss and score on it.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        The estimator being fitted: its ``_score_outputs`` gives the default score, and
        a scorer predicts through its public methods.
    net : Network
        Its hidden activation and its loss (with the loss's link) are the fit's.
    X : ndarray or sparse matrix of shape (n_val, n_features)
        Validated, in the training data's dtype.
    y : ndarray of shape (n_val,) or (n_val, n_outputs)
        The targets as the estimator's score (or the scorer) takes them.
    Y : ndarray of shape (n_val, n_outputs)
        The targets encoded as for the loss, in the training data's dtype.
    sample_weight : ndarray of shape (n_val,) or None
    scoring : None, 'loss', str or callable
        What early stopping follows (higher is better): None, the estimator's
        ``score`` (accuracy, R^2); 'loss', the negative validation loss; else a
        scorer as sklearn's ``check_scoring`` takes it.

    Notes
    -----
    The validation loss is the data loss alone: the training loss's data term (the
    weighted mean of the per-sample losses), without the L2 term. It is the course's
    dev-set error and HistGradientBoosting's validation loss. With the L2 term, a large
    alpha would make it fall for as long as the weights shrink, and early stopping on
    it would never stop.
    """

    def __init__(self, estimator, net, X, y, Y, sample_weight, *, scoring):
        self.estimator, self.net = estimator, net
        self.X, self.y, self.Y, self.sample_weight = X, y, Y, sample_weight
        if sample_weight is not None and not sample_weight.any():
            raise ValueError(
                f"The validation set's {len(sample_weight)} samples all have sample_weight "
                "0, so the validation loss and score are undefined. Pass sample_weight_val "
                "with a non-zero weight, or, with the validation_fraction split, fewer "
                "zero weights or another random_state."
            )
        self.w, _ = objective_weights(sample_weight, Y.shape[0], Y.dtype)
        self.scoring = scoring
        self.scorer = None if scoring in (None, "loss") else check_scoring(estimator, scoring)

    def evaluate(self, coefs, intercepts):
        """The validation data loss and score of the plain network ``coefs`` and
        ``intercepts`` (see inference_layers); (nan, nan) when its outputs overflow.

        A scorer predicts through the estimator's public methods, so for one the
        estimator's fitted network must be the one given."""
        Z = forward(coefs, intercepts, self.X, self.net.activation)
        loss_of = self.net.loss
        P = loss_of.inverse_link(Z.copy()) if self.scoring is None else Z
        if not np.isfinite(P).all():
            return np.nan, np.nan
        loss = loss_of(Z, self.Y, self.w)  # overwrites Z
        if not np.isfinite(loss):
            return np.nan, np.nan
        if self.scoring is None:
            score = self.estimator._score_outputs(self.y, P, self.sample_weight)
        elif self.scoring == "loss":
            score = -loss
        else:
            score = self._scorer_score()
        return float(loss), float(score)

    def _scorer_score(self):
        """The scorer's value: it predicts through the estimator's public methods, which
        take this already validated X as it is (feature names and all were checked
        when it was validated)."""
        est = self.estimator
        est._fit_validation_X = self.X
        try:
            if self.sample_weight is None:
                return self.scorer(est, self.X, self.y)
            return self.scorer(est, self.X, self.y, sample_weight=self.sample_weight)
        except ValueError as error:
            raise ValueError(
                f"scoring={self.scoring!r} failed on the validation set of {len(self.y)} "
                f"samples: {error} Check that the scorer takes these targets; a small "
                "validation set may also miss a class (increase validation_fraction, "
                "or pass X_val and y_val)."
            ) from error
        finally:
            del est._fit_validation_X


class TrainingRecord:
    """The training record of a fit, and the one decision after each epoch (each
    L-BFGS iteration): stop, or go on.

    It owns everything the estimator reports about training (``loss_``,
    ``loss_curve_``, ``best_loss_``, ``validation_scores_``,
    ``validation_loss_curve_``, ``best_validation_score_``, ``n_iter_``, ``t_``) and
    the counts behind the stopping rule and the schedules; ``publish`` copies them
    into the estimator's fitted attributes, after each epoch (so that a callback, or
    another thread, sees the fit's progress) and at the end of the fit. ``end_epoch`` records an epoch and
    weighs, in this order: divergence, the validation set's loss and score (keeping
    the best score's weights), a Ctrl-C, the learning-rate schedule, the callbacks,
    and scikit-learn's stopping rule with its adaptive slow-down.

    The stopping rule counts the epochs in a row that do not improve on the best by
    ``tol``: with a validation set, the best validation score; without one, the
    lowest training loss (stochastic solvers only: L-BFGS stops on its own
    convergence test, as sklearn's). Training stalls when the count passes
    ``n_iter_no_change``.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        Read for its parameters (tol, n_iter_no_change, verbose) and, unless
        ``first_call``, for the record of the fits it continues; written by ``publish``.
    first_call : bool
        A fresh record; else it continues the estimator's (warm_start, partial_fit).
    stochastic : bool
        Whether the solver is stochastic (see _training.SOLVERS).
    validation : ValidationSet or None
    running : RunningStatistics or None
        With batch normalization, the running statistics, kept with the best weights.
    tasks : _FitTasks or None
        The callbacks' view of the fit: one task per epoch.

    Attributes
    ----------
    schedule : LearningRateSchedule or None
        Stepped after each epoch, and slowed down by a stall under 'adaptive'; set by
        the solver's driver.
    """

    def __init__(self, estimator, *, first_call, stochastic, validation=None, running=None, tasks=None):
        est = self.estimator = estimator
        self.name = type(est).__name__
        self.tol, self.n_iter_no_change, self.verbose = est.tol, est.n_iter_no_change, est.verbose
        self.stochastic, self.validation, self.running, self.tasks = stochastic, validation, running, tasks
        self.schedule = None
        self.n_iter = 0  # this fit's epochs, as sklearn's n_iter_
        if first_call:
            self.loss, self.loss_curve, self.best_loss = None, [], np.inf
            self.t = self.epochs = self.no_improvement = 0
            self.validation_scores = self.validation_loss_curve = self.best_validation_score = None
        else:
            self.loss, self.loss_curve = est.loss_, list(est.loss_curve_)
            self.best_loss = np.inf if est.best_loss_ is None else est.best_loss_  # None: stopped early
            self.t, self.epochs, self.no_improvement = est.t_, est._epochs, est._no_improvement_count
            self.validation_scores = _copy(est.validation_scores_)
            self.validation_loss_curve = _copy(est.validation_loss_curve_)
            self.best_validation_score = est.best_validation_score_
        self.best_theta = self.best_statistics = None
        if validation is not None:
            if self.validation_scores is None:  # the first fit with a validation set
                # NaN for the epochs of earlier (warm-started) fits without one, so that
                # the validation curves stay aligned with loss_curve_, epoch for epoch
                self.validation_scores = [np.nan] * len(self.loss_curve)
                self.validation_loss_curve = [np.nan] * len(self.loss_curve)
            self.best_validation_score = -np.inf  # the best score and its weights: this fit's

    # ------------------------------------------------------------------ the decision

    def begin_epoch(self):
        if self.tasks is not None:
            self.tasks.begin_epoch()

    def end_epoch(self, theta, loss, seen, *, baseline=None, interrupted=False):
        """Record an epoch (an L-BFGS iteration) that ends at ``theta`` with mean
        training loss ``loss`` after training on ``seen`` rows, and say whether to stop.

        Parameters
        ----------
        theta : ndarray
            The parameters at the end of the epoch.
        loss : float
        seen : int
        baseline : float or None
            The loss an explosion is measured against (the first batch's): a loss grown
            a millionfold over it counts as divergence.
        interrupted : bool
            Ctrl-C was pressed during the epoch.

        Returns
        -------
        stop : bool
        """
        exploded = baseline is not None and loss > 1e6 * max(baseline, 1.0)
        if not (np.isfinite(loss) and np.isfinite(theta).all()) or exploded:
            return self.diverged(epoch=self.n_iter + 1)
        if self.validation is not None:
            layers = inference_layers(self.validation.net.layout, theta, self.running)
            validation_loss, score = self.validation.evaluate(*layers)
            if not np.isfinite(score):  # the network's outputs on the validation set overflowed
                return self.diverged(epoch=self.n_iter + 1)
        self.loss = loss
        self.loss_curve.append(loss)
        self.n_iter += 1
        self.t += seen
        if self.stochastic:
            self.epochs += 1  # the epochs behind the learning-rate schedule, across fits
        if self.verbose:
            print("Iteration %d, loss = %.8f" % (self.n_iter, loss))
        if self.validation is None:
            improved = loss <= self.best_loss - self.tol
            self.best_loss = min(self.best_loss, loss)
            if self.validation_scores is not None:  # an earlier fit had a validation set
                self.validation_scores.append(np.nan)
                self.validation_loss_curve.append(np.nan)
        else:
            self.validation_loss_curve.append(validation_loss)
            self.validation_scores.append(score)
            if self.verbose:
                print("Validation score: %f" % score)
            improved = score >= self.best_validation_score + self.tol
            if score > self.best_validation_score or self.best_theta is None:
                self.best_validation_score = max(score, self.best_validation_score)
                self.best_theta = theta.copy()
                if self.running is not None:
                    self.best_statistics = self.running.values.copy()
        self.no_improvement = 0 if improved else self.no_improvement + 1
        self.publish()

        if interrupted:
            warnings.warn("Training interrupted by user.")
            return True
        if self.schedule is not None:
            self.schedule.step(samples_seen=self.t, epoch=self.epochs)
        if self.tasks is not None and self.tasks.end_epoch():
            return True
        if self.stalled:
            return self._stop_or_slow_down()
        return False

    @property
    def stalled(self):
        """n_iter_no_change epochs in a row brought no improvement (of the validation
        score, or for a stochastic solver of the training loss)."""
        watched = self.validation is not None or self.stochastic
        return watched and self.no_improvement > self.n_iter_no_change

    def _stop_or_slow_down(self):
        """sklearn's rule once training stalls: stop, or with learning_rate='adaptive'
        divide the learning rate by 5 and count again."""
        what = "Training loss" if self.validation is None else "Validation score"
        message = f"{what} did not improve more than tol={self.tol:f} for {self.n_iter_no_change} consecutive epochs."
        if self.schedule is None or not self.schedule.adaptive:
            self._say(message + " Stopping.")
            return True
        if not self.schedule.slow_down():
            self._say(message + " Learning rate too small. Stopping.")
            return True
        self.no_improvement = 0
        self._say(message + " Setting learning rate to %f" % self.schedule.rate)
        return False

    def _say(self, message):
        if self.verbose:
            print(message)

    def diverged(self, epoch):
        """Training diverged at ``epoch``: raise DivergenceError, or, when a best
        validation score is on record, warn and return True (stop with its weights)."""
        message = _DIVERGED.format(name=self.name, epoch=epoch)
        if self.best_theta is None:
            raise DivergenceError(message)
        warnings.warn(message + " Keeping the weights of the best validation score.", ConvergenceWarning)
        return True

    # ------------------------------------------------------------------ the end of the fit

    def end_fit(self, loss):
        """A solver that reports its own final loss (L-BFGS's, at its last point)."""
        self.loss = loss
        if self.validation is None:
            self.best_loss = min(self.best_loss, loss)

    def finish(self, theta):
        """Restore the best validation score's weights into ``theta``, and its running
        statistics (early stopping)."""
        if self.validation is None:
            return
        if self.best_theta is not None:
            theta[...] = self.best_theta
            if self.running is not None:
                self.running.values[...] = self.best_statistics
        self.best_loss = None  # as sklearn's: early stopping keeps no best loss

    def publish(self):
        """Copy the record into the estimator's fitted attributes."""
        est = self.estimator
        est.loss_, est.loss_curve_, est.best_loss_ = self.loss, self.loss_curve, self.best_loss
        est.validation_scores_, est.validation_loss_curve_ = self.validation_scores, self.validation_loss_curve
        est.best_validation_score_ = self.best_validation_score
        est.n_iter_, est.t_ = self.n_iter, self.t
        est._epochs, est._no_improvement_count = self.epochs, self.no_improvement


def _copy(values):
    return None if values is None else list(values)


_DIVERGED = (
    "{name} diverged: the loss or the weights became non-finite (inf or NaN), or the "
    "loss grew a millionfold, at iteration {epoch}. Try a lower learning_rate_init, a "
    "smaller init_scale or a scaled X (for example with StandardScaler)."
)
