"""Peak memory that one epoch's fit allocates, skdeep against sklearn.

    python benchmarks/bench_memory.py

Each library is measured in a fresh subprocess (this script with --child), so neither
sees the other's caches or freed blocks. The child makes the data, imports and warms up
the estimator on a slice (lazy imports are not the fit's allocation), then traces one
fit(max_iter=1) with tracemalloc and prints its peak. numpy reports its array buffers
to tracemalloc, so the peak counts arrays as well as Python objects; X and y, made
before tracing starts, are not counted.
"""

import argparse
import json
import subprocess
import sys
import tracemalloc

import numpy as np
from threadpoolctl import threadpool_limits

from _common import LIBRARIES, fit_quietly, header_lines, make_data, make_estimator

N_SAMPLES, N_FEATURES, HIDDEN, BATCH_SIZE = 100_000, 100, (256, 256), 128
MIB = 2**20


def child(library):
    """Trace one epoch's fit of ``library`` and print {"peak": bytes} as JSON."""
    X, y = make_data(N_SAMPLES, N_FEATURES, np.float32)
    # one BLAS thread: the peak does not depend on it (tracemalloc does not see
    # BLAS's own buffers), and the run stays short on a busy machine
    threadpool_limits(limits=1)
    fit_quietly(make_estimator(library, HIDDEN, BATCH_SIZE, max_iter=1), X[:1000], y[:1000])
    estimator = make_estimator(library, HIDDEN, BATCH_SIZE, max_iter=1)
    tracemalloc.start()
    fit_quietly(estimator, X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"peak": peak}))


def measure(library):
    """Peak bytes of one epoch's fit, measured in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", library], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.splitlines()[-1])["peak"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", choices=list(LIBRARIES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0

    for line in header_lines():
        print(line)
    print(
        f"one epoch: {N_SAMPLES:,} x {N_FEATURES} float32, hidden {HIDDEN}, "
        f"batch {BATCH_SIZE}, solver='sgd', max_iter=1"
    )
    print()
    peaks = {library: measure(library) for library in LIBRARIES}
    for library, peak in peaks.items():
        print(f"{library:<8} peak {peak / MIB:8.2f} MiB")
    print(f"skdeep / sklearn     {peaks['skdeep'] / peaks['sklearn']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
