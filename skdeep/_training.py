"""Mini-batch gradient descent, one epoch at a time: the course's inner loop."""

import numpy as np
import scipy.sparse as sp

from ._batching import epoch_batches, take_rows
from ._network import Workspace, draw_dropout_masks, loss_and_grads


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

    def diverged(self, theta, loss):
        """A non-finite loss or parameter, or an epoch's loss grown a millionfold over
        the first batch's (a run blowing up before it overflows)."""
        if not (np.isfinite(loss) and np.isfinite(theta).all()):
            return True
        return loss > 1e6 * max(self.first_loss, 1.0)
