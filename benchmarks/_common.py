"""Helpers shared by the benchmarks: the data, the estimators and the header."""

import os
import platform
import statistics
import warnings

import numpy as np
import sklearn
import sklearn.neural_network
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info

import skdeep

N_CLASSES = 10
LEARNING_RATE = 1e-3
CONFIGS = {
    # name: (n_samples, n_features, hidden_layer_sizes, batch_size)
    "small": (20_000, 64, (128, 64), 64),
    "mid": (50_000, 100, (256, 256), 128),
    "wide": (40_000, 256, (512, 512), 256),
}
LIBRARIES = {"skdeep": skdeep.MLPClassifier, "sklearn": sklearn.neural_network.MLPClassifier}


def make_data(n_samples, n_features, dtype, random_state=0):
    """A 10-class problem from make_classification, X cast to ``dtype``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), C-contiguous, of ``dtype``
    y : ndarray of shape (n_samples,), integer labels 0..9
    """
    # 10 classes of 2 clusters need 2**n_informative >= 20 vertices
    n_informative = max(5, n_features // 2)
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=0,
        n_classes=N_CLASSES,
        random_state=random_state,
    )
    return np.ascontiguousarray(X, dtype=dtype), y


def make_estimator(library, hidden, batch_size, max_iter, solver="sgd"):
    """skdeep's or sklearn's MLPClassifier with the settings both benchmarks share.

    tol=0 with n_iter_no_change above max_iter makes every one of the max_iter epochs
    run, so fit time is max_iter epochs in both libraries.
    """
    return LIBRARIES[library](
        hidden_layer_sizes=hidden,
        activation="relu",
        solver=solver,
        batch_size=batch_size,
        learning_rate_init=LEARNING_RATE,
        max_iter=max_iter,
        shuffle=True,
        random_state=0,
        tol=0.0,
        n_iter_no_change=max_iter + 1,
        momentum=0.9,
        nesterovs_momentum=False,
    )


def paired_ratios(times, numerator, denominator):
    """numerator / denominator within each repeat: the two ran seconds apart, so a
    slow spell of the machine that spans a repeat cancels out of its ratio.

    times : dict of name -> list of seconds, one per repeat
    """
    return [a / b for a, b in zip(times[numerator], times[denominator])]


def format_ratio(ratios):
    """'median lowest-highest' of a list of paired ratios (the median alone for one)."""
    text = f"{statistics.median(ratios):.2f}"
    return text + (f" {min(ratios):.2f}-{max(ratios):.2f}" if len(ratios) > 1 else "")


def fit_quietly(estimator, X, y):
    """Fit without the ConvergenceWarning that reaching max_iter raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def header_lines():
    """Versions, cores, the BLAS libraries in use (threadpoolctl) and OPENBLAS_CORETYPE."""
    lines = [
        f"python {platform.python_version()}  numpy {np.__version__}  "
        f"scikit-learn {sklearn.__version__}  skdeep {skdeep.__version__}",
        f"machine {platform.machine()}  cpus {os.cpu_count()}  "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}",
    ]
    for lib in threadpool_info():
        # the directory tells whose copy it is: numpy.libs, scipy.libs, torch/lib, ...
        where = os.path.basename(os.path.dirname(lib["filepath"]))
        lines.append(
            f"{lib['user_api']}: {lib['internal_api']} {lib.get('version')} "
            f"threads={lib['num_threads']} arch={lib.get('architecture')} ({where})"
        )
    return lines


def numpy_blas_threads():
    """Threads of the BLAS that numpy's matmul uses (scipy and torch ship their own)."""
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    for lib in blas:
        if "numpy" in lib["filepath"]:
            return lib["num_threads"]
    return blas[0]["num_threads"] if blas else os.cpu_count()
