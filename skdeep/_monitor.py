"""Watching training: the validation set (the course's dev set), and the monitor
that records each epoch and applies scikit-learn's stopping rule.

The course diagnoses bias and variance from the gap between the training and the
dev error; sklearn's MLP stops when n_iter_no_change epochs in a row bring no
improvement by tol. Both need the same bookkeeping after every epoch (every L-BFGS
iteration): the training loss, the validation loss and score, the best score and
its weights. It lives here, in one place that both kinds of solver share.
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


class Monitor:
    """Records each epoch in the estimator's fitted attributes and applies
    scikit-learn's stopping rule.

    The rule counts the epochs in a row that do not improve on the best by ``tol``:
    with a validation set, the best validation score (and the monitor keeps that
    epoch's weights); without one, the lowest training loss. Training stalls when
    the count passes ``n_iter_no_change``.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        Its ``loss_``, ``loss_curve_``, ``best_loss_``, ``validation_loss_curve_``,
        ``validation_scores_``, ``best_validation_score_`` and the no-improvement
        count are updated in place.
    validation : ValidationSet or None
    running : RunningStatistics or None
        With batch normalization, the running statistics, kept with the best weights.
    """

    def __init__(self, estimator, validation=None, running=None):
        self.estimator = estimator
        self.validation = validation
        self.running = running
        self.best_theta = self.best_statistics = None
        self.epochs = 0  # recorded in this fit, for verbose's count as sklearn's
        if validation is not None:
            if estimator.validation_scores_ is None:  # the first fit with a validation set
                # NaN for the epochs of earlier (warm-started) fits without one, so that
                # the validation curves stay aligned with loss_curve_, epoch for epoch
                missed = [np.nan] * len(estimator.loss_curve_)
                estimator.validation_scores_, estimator.validation_loss_curve_ = list(missed), list(missed)
            estimator.best_validation_score_ = -np.inf  # the best score and its weights: this fit's

    def record(self, theta, loss):
        """Record an epoch (an L-BFGS iteration) that ends at ``theta`` with mean
        training loss ``loss``.

        Returns
        -------
        recorded : bool
            False, recording nothing, when the network's outputs on the validation
            set overflowed: training diverged.
        """
        est = self.estimator
        if self.validation is not None:
            layers = inference_layers(self.validation.net.layout, theta, self.running)
            validation_loss, score = self.validation.evaluate(*layers)
            if not np.isfinite(score):
                return False
        est.loss_ = loss
        est.loss_curve_.append(loss)
        self.epochs += 1
        if est.verbose:
            print("Iteration %d, loss = %.8f" % (self.epochs, loss))
        if self.validation is None:
            improved = loss <= est.best_loss_ - est.tol
            est.best_loss_ = min(est.best_loss_, loss)
            if est.validation_scores_ is not None:  # an earlier fit had a validation set
                est.validation_scores_.append(np.nan)
                est.validation_loss_curve_.append(np.nan)
        else:
            est.validation_loss_curve_.append(validation_loss)
            est.validation_scores_.append(score)
            if est.verbose:
                print("Validation score: %f" % score)
            improved = score >= est.best_validation_score_ + est.tol
            if score > est.best_validation_score_ or self.best_theta is None:
                est.best_validation_score_ = max(score, est.best_validation_score_)
                self.best_theta = theta.copy()
                if self.running is not None:
                    self.best_statistics = self.running.values.copy()
        est._no_improvement_count = 0 if improved else est._no_improvement_count + 1
        return True

    @property
    def stalled(self):
        """n_iter_no_change epochs in a row brought no improvement."""
        return self.estimator._no_improvement_count > self.estimator.n_iter_no_change

    def stall_message(self):
        what = "Training loss" if self.validation is None else "Validation score"
        est = self.estimator
        return f"{what} did not improve more than tol={est.tol:f} for {est.n_iter_no_change} consecutive epochs."

    def diverged(self, message):
        """Training diverged: raise DivergenceError, or, when a best validation score
        is on record, warn and let training stop with its weights."""
        if self.best_theta is None:
            raise DivergenceError(message)
        warnings.warn(message + " Keeping the weights of the best validation score.", ConvergenceWarning)

    def finish(self, theta):
        """Restore the best validation score's weights into ``theta``, and its running
        statistics (early stopping)."""
        if self.validation is None:
            return
        if self.best_theta is not None:
            theta[...] = self.best_theta
            if self.running is not None:
                self.running.values[...] = self.best_statistics
        self.estimator.best_loss_ = None  # as sklearn's: early stopping keeps no best loss
