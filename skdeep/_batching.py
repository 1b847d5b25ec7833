"""Mini-batches: shuffle, then partition, keeping the last partial batch."""

import numpy as np
import scipy.sparse as sp


def partition(n_samples, batch_size):
    """Consecutive slices of ``batch_size`` rows; the last may be shorter."""
    return [slice(start, min(start + batch_size, n_samples)) for start in range(0, n_samples, batch_size)]


def epoch_batches(n_samples, batch_size, rng=None):
    """One epoch's batches: index arrays of a fresh permutation when ``rng`` is
    given, else slices in order."""
    slices = partition(n_samples, batch_size)
    if rng is None:
        return slices
    order = rng.permutation(n_samples)
    return [order[s] for s in slices]


def take_rows(A, rows, out=None):
    """Rows of A (dense or sparse) for a slice or index array.

    A slice of a dense array is a view; an index array is gathered into ``out`` (a
    buffer with at least len(rows) rows) when given, so no new array is made.
    """
    if isinstance(rows, slice) or sp.issparse(A) or out is None:
        return A[rows]
    return np.take(A, rows, axis=0, out=out[: len(rows)], mode="clip")
