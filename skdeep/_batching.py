"""Mini-batches: shuffle, then partition, keeping the last partial batch."""

import numpy as np
import scipy.sparse as sp


def partition(n_samples, batch_size):
    """Consecutive slices of ``batch_size`` rows; the last may be shorter."""
    return [slice(start, min(start + batch_size, n_samples)) for start in range(0, n_samples, batch_size)]


def epoch_batches(n_samples, batch_size, rng=None):
    """Each epoch's batches, one list per epoch for as long as asked: slices in
    order without ``rng``; with it, index arrays of a shuffled order.

    Each epoch shuffles the order of the epoch before, order <- order[permutation],
    as scikit-learn's MLP does, so that the same ``rng`` gives sklearn's batches.
    (A product of random permutations is as random as a fresh one.)
    """
    slices = partition(n_samples, batch_size)
    order = np.arange(n_samples)
    while True:
        if rng is None:
            yield slices
        else:
            order = order[rng.permutation(n_samples)]
            yield [order[s] for s in slices]


def take_rows(A, rows, out=None):
    """Rows of A (dense or sparse) for a slice or index array.

    A slice of a dense array is a view; an index array is gathered into ``out`` (a
    buffer with at least len(rows) rows) when given, so no new array is made.
    """
    if isinstance(rows, slice) or sp.issparse(A) or out is None:
        return A[rows]
    return np.take(A, rows, axis=0, out=out[: len(rows)], mode="clip")
