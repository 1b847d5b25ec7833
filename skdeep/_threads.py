"""BLAS thread pools: scipy's own OpenBLAS held at one thread while L-BFGS-B runs.

NumPy's and scipy's wheels each bundle an OpenBLAS with its own thread pool. An
L-BFGS-B fit alternates between the two: NumPy's matrix products in the loss and
gradient, then scipy's BLAS on vectors of the parameters' length inside L-BFGS-B.
After its work each pool's threads keep spinning for a while, so on a machine with
few cores the two pools spend the iteration waiting for each other: on 2 cores a
50-iteration fit on sklearn's digits took 600 ms with both pools at two threads and
80 ms with scipy's at one. scipy's calls there are too small to gain from threads,
and NumPy's products keep all of theirs. Where scipy shares NumPy's BLAS (conda,
system packages) there is one pool, nothing to fight, and nothing is changed.
OpenBLAS may ignore a thread count set from a thread other than the main one; a fit
run in such a thread then runs as it would have without this.
"""

import os
import threading
from functools import lru_cache

import scipy
from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=None)
def scipy_own_blas():
    """The threadpoolctl controller of the BLAS libraries bundled inside scipy's
    install (``scipy.libs`` or ``scipy/.dylibs``); empty where scipy uses a shared one.

    Call it once scipy.linalg is loaded (scipy.optimize loads it), since threadpoolctl
    only sees libraries already in the process.
    """
    scipy_dir = os.path.realpath(os.path.dirname(scipy.__file__))
    roots = (scipy_dir + os.sep, scipy_dir + ".libs" + os.sep)
    controller = ThreadpoolController()
    own = [
        lib.filepath
        for lib in controller.lib_controllers
        if lib.user_api == "blas" and os.path.realpath(lib.filepath).startswith(roots)
    ]
    return controller.select(filepath=own)


class _SingleThreadedScipyBlas:
    """Context manager: scipy's own BLAS at one thread inside, as before outside.

    Fits running at once in several threads share the process's pools, so the limit is
    set by the first to enter and lifted by the last to leave; a fit that leaves early
    cannot restore two threads under one that is still running, nor the last one leave
    the pool at one thread for good.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._inside = 0
        self._limiter = None

    def __enter__(self):
        with self._lock:
            if self._inside == 0:
                self._limiter = scipy_own_blas().limit(limits=1)
            self._inside += 1
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                self._limiter.restore_original_limits()
                self._limiter = None
        return False


#: ``with single_threaded_scipy_blas:`` around scipy.optimize.minimize
single_threaded_scipy_blas = _SingleThreadedScipyBlas()
