"""Tests of mini-batching: partition, shuffled epochs and row gathering."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from skdeep._batching import epoch_batches, partition, take_rows


@pytest.mark.parametrize(
    "n_samples, batch_size, sizes",
    [(10, 3, [3, 3, 3, 1]), (9, 3, [3, 3, 3]), (5, 8, [5]), (4, 1, [1, 1, 1, 1]), (1, 1, [1])],
)
def test_partition_keeps_the_last_partial_batch(n_samples, batch_size, sizes):
    slices = partition(n_samples, batch_size)
    assert [s.stop - s.start for s in slices] == sizes


@given(n_samples=st.integers(1, 300), batch_size=st.integers(1, 400))
def test_partition_covers_every_row_once_in_order(n_samples, batch_size):
    slices = partition(n_samples, batch_size)
    rows = np.concatenate([np.arange(n_samples)[s] for s in slices])
    np.testing.assert_array_equal(rows, np.arange(n_samples))
    assert len(slices) == -(-n_samples // batch_size)
    assert all(s.stop - s.start == batch_size for s in slices[:-1])


def test_epoch_batches_without_rng_are_the_slices_every_epoch():
    epochs = epoch_batches(10, 4)
    for _ in range(3):
        assert next(epochs) == partition(10, 4)


@given(n_samples=st.integers(1, 300), batch_size=st.integers(1, 400), seed=st.integers(0, 2**31 - 1))
def test_epoch_batches_with_rng_partition_a_permutation(n_samples, batch_size, seed):
    epochs = epoch_batches(n_samples, batch_size, np.random.RandomState(seed))
    for _ in range(2):
        batches = next(epochs)
        assert [len(b) for b in batches] == [s.stop - s.start for s in partition(n_samples, batch_size)]
        np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(n_samples))


def test_epoch_batches_are_reproducible_and_shuffled():
    first = next(epoch_batches(50, 16, np.random.RandomState(0)))
    again = next(epoch_batches(50, 16, np.random.RandomState(0)))
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    order = np.concatenate(first)
    assert not np.array_equal(order, np.arange(50))
    # one rng over several epochs gives a new order each epoch
    epochs = epoch_batches(50, 16, np.random.RandomState(0))
    epoch1, epoch2 = (np.concatenate(next(epochs)) for _ in range(2))
    assert not np.array_equal(epoch1, epoch2)


def test_epoch_batches_shuffle_as_sklearn_does():
    # sklearn's MLP shuffles the previous epoch's order each epoch with
    # sklearn.utils.shuffle; the same seed must give the same batches
    from sklearn.utils import gen_batches, shuffle

    ours = epoch_batches(37, 8, np.random.RandomState(5))
    rng, order = np.random.RandomState(5), np.arange(37)
    for _ in range(4):
        order = shuffle(order, random_state=rng)
        expected = [order[s] for s in gen_batches(37, 8)]
        for got, want in zip(next(ours), expected, strict=True):
            np.testing.assert_array_equal(got, want)


def test_take_rows_gathers_into_the_buffer():
    A = np.arange(24, dtype=float).reshape(8, 3)
    out = np.full((5, 3), -1.0)
    rows = np.array([6, 0, 3])
    got = take_rows(A, rows, out)
    np.testing.assert_array_equal(got, A[rows])
    assert got.shape == (3, 3)
    assert np.shares_memory(got, out) and not np.shares_memory(got, A)
    # the next, smaller batch reuses the same memory
    again = take_rows(A, np.array([7]), out)
    assert np.shares_memory(again, out)
    np.testing.assert_array_equal(again, A[[7]])


def test_take_rows_of_a_slice_is_a_view():
    A = np.arange(24, dtype=float).reshape(8, 3)
    got = take_rows(A, slice(2, 6), np.empty((5, 3)))
    np.testing.assert_array_equal(got, A[2:6])
    assert np.shares_memory(got, A)


def test_take_rows_without_buffer():
    A = np.arange(24, dtype=float).reshape(8, 3)
    np.testing.assert_array_equal(take_rows(A, np.array([5, 1])), A[[5, 1]])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("rows", [np.array([4, 0, 2]), slice(1, 4)])
@pytest.mark.parametrize("out", [None, np.empty((5, 2))])
def test_take_rows_of_sparse(fmt, rows, out):
    dense = np.array([[0, 1.0], [2, 0], [0, 0], [3, 4], [5, 0]])
    A = sp.csr_matrix(dense).asformat(fmt)
    got = take_rows(A, rows, out)
    assert sp.issparse(got)
    np.testing.assert_array_equal(got.toarray(), dense[rows])
