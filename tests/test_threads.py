"""scipy's own BLAS is held at one thread during L-BFGS-B, and only then."""

import glob
import os
import threading

import numpy as np
import pytest
import scipy
import scipy.optimize
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_info

from skdeep import MLPClassifier
from skdeep import _threads
from skdeep._threads import _SingleThreadedScipyBlas, scipy_own_blas


def scipy_blas_threads():
    return [lib.num_threads for lib in scipy_own_blas().lib_controllers]


needs_own_blas = pytest.mark.skipif(
    not scipy_own_blas().lib_controllers,
    reason="this scipy shares NumPy's BLAS (one pool, nothing to limit)",
)


def test_selects_the_blas_bundled_in_scipys_install_and_nothing_else():
    # pip's scipy wheels carry their OpenBLAS in scipy.libs (Linux, Windows) or
    # scipy/.dylibs (macOS); scipy.optimize has loaded it by now. Elsewhere (conda,
    # distributions) there is none, and nothing is to be selected.
    scipy_dir = os.path.realpath(os.path.dirname(scipy.__file__))
    bundled = glob.glob(os.path.join(scipy_dir + ".libs", "*openblas*"))
    bundled += glob.glob(os.path.join(scipy_dir, ".dylibs", "*openblas*"))
    selected = [os.path.realpath(lib.filepath) for lib in scipy_own_blas().lib_controllers]
    assert sorted(selected) == sorted(os.path.realpath(p) for p in bundled)
    numpy_dir = os.path.realpath(os.path.dirname(np.__file__))
    numpy_blas = [
        os.path.realpath(info["filepath"])
        for info in threadpool_info()
        if info["user_api"] == "blas"
        and os.path.realpath(info["filepath"]).startswith((numpy_dir + os.sep, numpy_dir + ".libs" + os.sep))
    ]
    assert not set(selected) & set(numpy_blas)  # NumPy's products keep their threads


@needs_own_blas
def test_one_thread_inside_restored_by_the_last_to_leave():
    single = _SingleThreadedScipyBlas()
    with scipy_own_blas().limit(limits=2):  # the suite runs at one thread (conftest)
        with single:
            assert scipy_blas_threads() == [1] * len(scipy_blas_threads())
            with single:  # a second fit entering while the first runs
                pass
            assert set(scipy_blas_threads()) == {1}  # its leaving must not restore
        assert set(scipy_blas_threads()) == {2}


def test_concurrent_fits_limit_once_and_restore_once(monkeypatch):
    # fits in several threads at once: the first in sets the limit, the last out lifts
    # it. (A fake pool: OpenBLAS itself ignores set_num_threads from some threads.)
    events = []

    class FakeLimiter:
        def restore_original_limits(self):
            events.append("restore")

    class FakePool:
        def limit(self, limits):
            events.append(("limit", limits))
            return FakeLimiter()

    monkeypatch.setattr(_threads, "scipy_own_blas", lambda: FakePool())
    single = _SingleThreadedScipyBlas()
    barrier = threading.Barrier(4)

    def fit_like():
        with single:
            barrier.wait()  # all four inside at once
            barrier.wait()

    threads = [threading.Thread(target=fit_like) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert events == [("limit", 1), "restore"]


@needs_own_blas
def test_lbfgs_runs_with_scipys_blas_at_one_thread(monkeypatch):
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    real_minimize = scipy.optimize.minimize
    during = []

    def spy(*args, **kwargs):
        during.append(scipy_blas_threads())
        return real_minimize(*args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", spy)
    with scipy_own_blas().limit(limits=2):
        MLPClassifier((4,), solver="lbfgs", max_iter=5, random_state=0).fit(X, y)
        after = scipy_blas_threads()
    assert during and set(during[0]) == {1}
    assert set(after) == {2}


def test_stochastic_solvers_leave_scipys_blas_alone(monkeypatch):
    # sgd and adam never call scipy's BLAS; nothing there needs limiting
    X, y = make_classification(n_samples=60, n_features=5, random_state=0)
    calls = []
    monkeypatch.setattr(_SingleThreadedScipyBlas, "__enter__", lambda self: calls.append(1))
    MLPClassifier((4,), solver="adam", max_iter=2, random_state=0).fit(X, y)
    assert calls == []
