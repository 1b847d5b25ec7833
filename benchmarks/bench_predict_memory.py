"""Prediction of many rows in bounded memory: peak allocation and time of
predict_proba on 1,000,000 rows against sklearn's MLP with the same weights.

    python benchmarks/bench_predict_memory.py [--rows 1000000] [--repeats 7] [--threads N]
                                              [--working-memory 64] [--processes 3]

The case of issue 20: 1,000,000 rows of 100 float32 features, one hidden layer of 256
ReLU units, a binary classifier (an 8 MB answer), under
``sklearn.config_context(working_memory=64)``. skdeep fits for a few epochs on 2,000
rows; sklearn's MLPClassifier fits on the same rows and then takes skdeep's weights,
so both compute the same network (checked before timing).

Printed, in order:

* the first call of each library's predict_proba in a fresh process against the
  median of the 3 calls after it: in ``--processes`` fresh interpreters per library
  (this script with --child), each building the case, warming up on 100 rows (imports,
  caches) and then timing its calls; first / median per process, median and range
  over the processes. skdeep must stay within 1.5;
* in this process, the median seconds per call over ``--repeats`` interleaved
  repeats (skdeep and sklearn in turn, each first in every other repeat) and
  skdeep / sklearn paired within each repeat, median and range: at most 0.8 is the
  target;
* the peak memory each call allocates (tracemalloc, which sees NumPy's buffers), in
  MiB, beside working_memory + the answer's size: skdeep's peak must stay within a
  few MiB of it;
* microseconds per call of predict_proba on 1 and 100 rows (calls repeated for about
  20 ms, interleaved), skdeep / sklearn.

The input exists before anything is timed or traced, so its 400 MB are not counted.
"""

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np
import sklearn
import sklearn.neural_network
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

import skdeep
from _common import format_ratio, header_lines, paired_ratios
from bench_predict import interleaved_times

N_FEATURES = 100
HIDDEN = (256,)
FIT_ROWS = 2_000


def make_case(n_rows, random_state=0):
    """X (n_rows, 100) float32, and both fitted classifiers with skdeep's weights."""
    rng = np.random.default_rng(random_state)
    X = rng.standard_normal((n_rows, N_FEATURES), dtype=np.float32)
    X_fit = X[:FIT_ROWS]
    y_fit = (X_fit[:, :10].sum(axis=1) + 0.5 * rng.standard_normal(FIT_ROWS) > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = skdeep.MLPClassifier(HIDDEN, max_iter=5, random_state=0).fit(X_fit, y_fit)
        theirs = sklearn.neural_network.MLPClassifier(HIDDEN, max_iter=1, random_state=0).fit(X_fit, y_fit)
    theirs.coefs_ = [W.copy() for W in ours.coefs_]
    theirs.intercepts_ = [b.copy() for b in ours.intercepts_]
    np.testing.assert_allclose(ours.predict_proba(X[:1000]), theirs.predict_proba(X[:1000]), rtol=1e-4, atol=1e-6)
    return X, ours, theirs


def seconds(function, X):
    start = time.perf_counter()
    function(X)
    return time.perf_counter() - start


def traced_peak(function, X):
    """Peak bytes that one call allocates, by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        function(X)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def child(library, rows):
    """In a fresh interpreter: the first call of ``library``'s predict_proba and the 3
    after it, printed as JSON seconds."""
    X, ours, theirs = make_case(rows)
    predict_proba = {"skdeep": ours, "sklearn": theirs}[library].predict_proba
    predict_proba(X[:100])  # warm: imports, caches, first small call
    print(json.dumps([seconds(predict_proba, X) for _ in range(4)]))


def first_calls(library, args):
    """first / median of the next calls, in each of args.processes fresh interpreters."""
    command = [sys.executable, __file__, "--child", library, "--rows", str(args.rows)]
    command += ["--working-memory", str(args.working_memory)]
    if args.threads is not None:
        command += ["--threads", str(args.threads)]
    ratios = []
    for _ in range(args.processes):
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        first, *later = json.loads(result.stdout.splitlines()[-1])
        ratios.append(first / statistics.median(later))
    return ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None, help="limit BLAS threads (threadpoolctl)")
    parser.add_argument("--working-memory", type=float, default=64, help="sklearn's working_memory, MiB")
    parser.add_argument("--processes", type=int, default=3, help="fresh interpreters per library for the first call")
    parser.add_argument("--child", choices=["skdeep", "sklearn"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    MiB = 2**20
    with threadpool_limits(limits=args.threads), sklearn.config_context(working_memory=args.working_memory):
        if args.child:
            child(args.child, args.rows)
            return 0
        for line in header_lines():
            print(line)
        print(
            f"\n{args.rows:,} rows x {N_FEATURES} float32 features, hidden {HIDDEN}, binary; "
            f"working_memory={args.working_memory:g} MiB"
        )
        print(f"\nfirst call in a fresh process / median of the 3 after it ({args.processes} processes each):")
        for library in ("skdeep", "sklearn"):
            print(f"{library:<9}{format_ratio(first_calls(library, args))}", flush=True)

        X, ours, theirs = make_case(args.rows)
        contenders = {"skdeep": ours.predict_proba, "sklearn": theirs.predict_proba}
        answer = ours.predict_proba(X[:100])  # warm: imports, caches, first small call
        theirs.predict_proba(X[:100])
        answer_mib = args.rows * answer.shape[1] * answer.itemsize / MiB
        later = {name: [] for name in contenders}
        for repeat in range(args.repeats):
            order = list(contenders) if repeat % 2 == 0 else list(contenders)[::-1]  # neither always first
            for name in order:
                later[name].append(seconds(contenders[name], X))
        print(f"\nseconds per call, {args.repeats} interleaved repeats in this process:")
        for name in contenders:
            spread = f"{min(later[name]):.3f}-{max(later[name]):.3f}"
            print(f"{name:<9}median {statistics.median(later[name]):.3f}  range {spread}")
        print(f"skdeep / sklearn (paired per repeat): {format_ratio(paired_ratios(later, 'skdeep', 'sklearn'))}")

        print(
            f"\npeak allocation of one call, MiB (the answer {answer_mib:.1f}; "
            f"working_memory + answer = {args.working_memory + answer_mib:.1f}):"
        )
        peaks = {name: traced_peak(f, X) / MiB for name, f in contenders.items()}
        for name, peak in peaks.items():
            print(f"{name:<9}{peak:>9.1f}   peak - answer = {peak - answer_mib:.1f}")
        print(f"skdeep / sklearn: {peaks['skdeep'] / peaks['sklearn']:.3f}")

        print("\nsmall inputs, microseconds per call (medians; skdeep / sklearn paired):")
        for rows in (1, 100):
            times = interleaved_times(contenders, X[:rows], args.repeats)
            us = {k: 1e6 * statistics.median(v) for k, v in times.items()}
            ratio = format_ratio(paired_ratios(times, "skdeep", "sklearn"))
            print(f"{rows:>5} rows  skdeep {us['skdeep']:8.1f}  sklearn {us['sklearn']:8.1f}  ratio {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
