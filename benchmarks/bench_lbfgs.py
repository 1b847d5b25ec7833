"""Seconds per L-BFGS fit of skdeep and sklearn, and of skdeep with scipy's BLAS left
at its default threads, to show what holding scipy's pool at one thread saves.

    python benchmarks/bench_lbfgs.py

Each row fits MLPClassifier(solver='lbfgs', max_iter=M) on the same data: sklearn's
digits (scaled to [0, 1]) and make_classification problems of growing size. One repeat
runs the three contenders in turn, half a second apart so that one fit's spinning
BLAS threads have stopped before the next starts; the table shows each median and the
ratios taken within each repeat (median, lowest-highest), as bench_epoch.py does.
"""

import argparse
import contextlib
import statistics
import sys
import time

from sklearn.datasets import load_digits

import skdeep._training
from _common import LIBRARIES, fit_quietly, format_ratio, header_lines, make_data, paired_ratios

CASES = {
    # name: (data, hidden_layer_sizes, max_iter)
    "digits": ("digits", (64,), 50),
    "2k x 64": ((2_000, 64), (64,), 30),
    "20k x 64": ((20_000, 64), (128, 64), 30),
    "50k x 100": ((50_000, 100), (256, 256), 10),
}


def load(data):
    if data == "digits":
        X, y = load_digits(return_X_y=True)
        return X / 16.0, y
    return make_data(*data, "float64")


def fit_time(library, X, y, hidden, max_iter, limit_scipy_blas=True):
    estimator = LIBRARIES[library](hidden, solver="lbfgs", max_iter=max_iter, random_state=0)
    limiter = skdeep._training.single_threaded_scipy_blas
    if not limit_scipy_blas:
        skdeep._training.single_threaded_scipy_blas = contextlib.nullcontext()
    # idle OpenBLAS threads spin for a while after their last call: let the previous
    # fit's stop, or they would land on this fit's time
    time.sleep(0.5)
    try:
        start = time.perf_counter()
        fit_quietly(estimator, X, y)
        return time.perf_counter() - start
    finally:
        skdeep._training.single_threaded_scipy_blas = limiter


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    args = parser.parse_args(argv)
    for line in header_lines():
        print(line)
    print(f"{args.repeats} interleaved repeats; seconds per fit are medians\n")
    print(f"{'case':<12}{'skdeep':>10}{'unlimited':>11}{'sklearn':>10} |"
          f"{'skdeep/sklearn':>20}{'skdeep/unlimited':>20}")  # fmt: skip
    for case in args.cases:
        data, hidden, max_iter = CASES[case]
        X, y = load(data)
        fit_time("skdeep", X[:200], y[:200], hidden, 2)  # warm-up
        times = {"skdeep": [], "unlimited": [], "sklearn": []}
        for _ in range(args.repeats):
            times["skdeep"].append(fit_time("skdeep", X, y, hidden, max_iter))
            times["unlimited"].append(fit_time("skdeep", X, y, hidden, max_iter, limit_scipy_blas=False))
            times["sklearn"].append(fit_time("sklearn", X, y, hidden, max_iter))

        def ratio(a, b):
            return format_ratio(paired_ratios(times, a, b))

        def median(k):
            return statistics.median(times[k])

        medians = f"{median('skdeep'):>10.3f}{median('unlimited'):>11.3f}{median('sklearn'):>10.3f}"
        print(f"{case:<12}{medians} |{ratio('skdeep', 'sklearn'):>20}{ratio('skdeep', 'unlimited'):>20}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
