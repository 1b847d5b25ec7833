"""Prediction time of skdeep against sklearn and against the forward pass's matrix
products alone (the GEMM floor), at 1, 100 and 10,000 rows.

    python benchmarks/bench_predict.py [--repeats 7] [--threads N] [--rows 1 100]
                                       [--baseline DIR] [--clock wall|cpu]

Each case fits both libraries' default estimator (hidden_layer_sizes=(100,), relu,
adam) with the same random_state for a few epochs on the same data, then times
predict, predict_proba and predict_log_proba (predict only for the regressor) on the
first 1, 100 and 10,000 rows of a float64 array. Calls are repeated for at least
about 20 ms per measurement, and a repeat times skdeep, sklearn and the floor in
turn, so a slow spell of the shared machine falls on all three; the ratios are
taken within each repeat and printed as their median and range. The floor runs the
same products, X @ W_1, then A @ W_i for the following layers, into preallocated
arrays: everything a prediction does besides them (validation, bias adds,
activations, the output function) is what the ratio to the floor shows.

``--baseline DIR`` adds another skdeep, the package in DIR/skdeep (for example a
commit's, from ``git archive COMMIT skdeep | tar -x -C DIR``), fitted alike and
timed in the same repeats: the A/B of a change. ``--clock cpu`` times with this
thread's CPU time instead of the wall clock; with ``--threads 1`` all the work is on
this thread, and a busy machine inflates CPU time far less than wall time.
"""

import argparse
import importlib.util
import pathlib
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn.neural_network
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import skdeep
from _common import format_ratio, header_lines, paired_ratios

ROWS = (1, 100, 10_000)


def load(case):
    """X (10,000 rows, float64, C-contiguous) and y for a case."""
    if case == "digits (10 classes)":
        X, y = load_digits(return_X_y=True)
        X = X / 16.0
    elif case == "binary":
        X, y = make_classification(n_samples=2_000, n_features=20, random_state=0)
    else:
        X, y = make_regression(n_samples=2_000, n_features=20, noise=1.0, random_state=0)
        y = y / y.std()
    reps = -(-10_000 // len(X))
    return np.ascontiguousarray(np.tile(X, (reps, 1))[:10_000]), y, X


CASES = {
    "digits (10 classes)": ("MLPClassifier", ("predict", "predict_proba", "predict_log_proba")),
    "binary": ("MLPClassifier", ("predict", "predict_proba", "predict_log_proba")),
    "regression": ("MLPRegressor", ("predict",)),
}


def fitted(library, name, X, y):
    estimator = getattr(library, name)(random_state=0, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def gemm_floor(coefs):
    """A callable running the forward pass's products alone for its X."""
    buffers = {}

    def products(X):
        key = X.shape[0]
        if key not in buffers:
            buffers[key] = [np.empty((key, W.shape[1])) for W in coefs]
        A = X
        for W, out in zip(coefs, buffers[key]):
            A = np.matmul(A, W, out=out)
        return A

    return products


def load_baseline(directory):
    """The skdeep package in ``directory``/skdeep, imported as ``skdeep_baseline``."""
    init = pathlib.Path(directory).resolve() / "skdeep" / "__init__.py"
    spec = importlib.util.spec_from_file_location("skdeep_baseline", init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def seconds_per_call(function, X, number, clock=time.perf_counter):
    start = clock()
    for _ in range(number):
        function(X)
    return (clock() - start) / number


def calls_for(function, X, target=0.02, clock=time.perf_counter):
    """How many calls take about ``target`` seconds."""
    once = seconds_per_call(function, X, 3, clock)
    return max(1, int(target / max(once, 1e-7)))


def interleaved_times(functions, X, repeats, clock=time.perf_counter):
    """name -> seconds per call of each function on X, one per repeat; a repeat
    times every function in turn, so a slow spell of the machine falls on all."""
    number = {k: calls_for(f, X, clock=clock) for k, f in functions.items()}
    times = {k: [] for k in functions}
    for _ in range(repeats):
        for k, f in functions.items():
            times[k].append(seconds_per_call(f, X, number[k], clock))
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None, help="limit BLAS threads (threadpoolctl)")
    parser.add_argument("--rows", type=int, nargs="+", default=list(ROWS))
    parser.add_argument("--baseline", metavar="DIR", help="also time the skdeep package in DIR/skdeep")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="cpu: this thread's CPU time")
    args = parser.parse_args(argv)
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    baseline = load_baseline(args.baseline) if args.baseline else None
    with threadpool_limits(limits=args.threads):
        for line in header_lines():
            print(line)
        print(f"{args.repeats} interleaved repeats; microseconds per call ({args.clock} clock) are medians")
        if baseline is not None:
            print(f"baseline: {pathlib.Path(baseline.__file__).parent}")
        print()
        extra = f"{'baseline':>10}" if baseline else ""
        extra_ratio = f" {'skdeep/baseline':>17}" if baseline else ""
        print(f"{'case':<21}{'method':<19}{'rows':>6}{'skdeep':>10}{'sklearn':>10}{'floor':>9}{extra} |"
              f" {'skdeep/sklearn':>17} {'skdeep/floor':>17}{extra_ratio}")  # fmt: skip
        for case, (name, methods) in CASES.items():
            X_big, y, X_fit = load(case)
            ours, theirs = fitted(skdeep, name, X_fit, y), fitted(sklearn.neural_network, name, X_fit, y)
            floor = gemm_floor(ours.coefs_)
            if baseline is not None:
                base = fitted(baseline, name, X_fit, y)
                if not all(np.array_equal(a, b) for a, b in zip(ours.coefs_, base.coefs_)):
                    print(f"  (the baseline fits other weights for {case})")
            for method in methods:
                contenders = {"skdeep": getattr(ours, method), "sklearn": getattr(theirs, method), "floor": floor}
                if baseline is not None:
                    contenders["baseline"] = getattr(base, method)
                for rows in args.rows:
                    times = interleaved_times(contenders, X_big[:rows], args.repeats, clock)
                    us = {k: 1e6 * statistics.median(v) for k, v in times.items()}
                    line = (
                        f"{case:<21}{method:<19}{rows:>6}{us['skdeep']:>10.1f}{us['sklearn']:>10.1f}{us['floor']:>9.1f}"
                    )
                    if baseline is not None:
                        line += f"{us['baseline']:>10.1f}"
                    line += (
                        f" | {format_ratio(paired_ratios(times, 'skdeep', 'sklearn')):>17}"
                        f" {format_ratio(paired_ratios(times, 'skdeep', 'floor')):>17}"
                    )
                    if baseline is not None:
                        line += f" {format_ratio(paired_ratios(times, 'skdeep', 'baseline')):>17}"
                    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
