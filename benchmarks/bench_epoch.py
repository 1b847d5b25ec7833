"""Seconds per epoch of skdeep's MLPClassifier against the GEMM floor, sklearn and a
PyTorch CPU loop, printed side by side with the ratios.

    python benchmarks/bench_epoch.py --config all

Each contender trains on the same data with the same settings (see _common.py). One
repeat runs skdeep, sklearn, the floor, torch and skdeep's Adam in turn, so machine
noise spreads evenly over them. The table shows each contender's median seconds, and
each ratio's median over the repeats with its lowest and highest value: a ratio is taken
within one repeat (paired), so a slow spell of a shared machine cancels out. A fit's
time is fit(max_iter=E) divided by E: it includes 1/E of the fixed cost (validation,
label encoding, initialization), which --setup estimates separately.
"""

import argparse
import statistics
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from _common import (
    CONFIGS,
    LEARNING_RATE,
    N_CLASSES,
    fit_quietly,
    format_ratio,
    header_lines,
    make_data,
    make_estimator,
    numpy_blas_threads,
    paired_ratios,
)

QUICK_SCALE = 10  # --quick divides n_samples by this

# torch is optional: it only adds a column, and runs on as many threads as numpy's BLAS.
_NUMPY_THREADS = numpy_blas_threads()
try:
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(_NUMPY_THREADS)


def gemm_floor(X, layer_sizes, batch_size):
    """A callable that runs one epoch's matrix products alone.

    Per batch (the same sizes as a fit's, the last partial one included): the
    forward A_i @ W_i of every layer, the weight gradients A_i^T @ delta_{i+1} of every
    layer, and delta_{i+1} @ W_i^T for every layer past the first, each into a
    preallocated output (np.matmul(..., out=)). Batches are consecutive slices of X,
    which are views, so the floor gathers nothing; buffers are allocated once, here.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    layer_sizes : tuple of int
        (n_features, *hidden, n_outputs).
    batch_size : int

    Returns
    -------
    run : callable
        ``run()`` performs one epoch of products.
    """
    rng = np.random.default_rng(0)
    dtype = X.dtype
    shapes = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    # weights of variance 1 / fan_in keep every product's values of order one
    W = [(rng.standard_normal(s) / np.sqrt(s[0])).astype(dtype) for s in shapes]
    Z = [np.empty((batch_size, fan_out), dtype) for _, fan_out in shapes]
    dW = [np.empty(s, dtype) for s in shapes]
    dA = [np.empty((batch_size, fan_in), dtype) for fan_in, _ in shapes]
    delta_out = rng.standard_normal((batch_size, layer_sizes[-1])).astype(dtype)
    n = X.shape[0]
    n_layers = len(W)

    def run():
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            inputs = [X[start : start + m]]
            for i in range(n_layers):
                inputs.append(np.matmul(inputs[i], W[i], out=Z[i][:m]))
            delta = delta_out[:m]
            for i in range(n_layers - 1, -1, -1):
                np.matmul(inputs[i].T, delta, out=dW[i])
                if i > 0:
                    delta = np.matmul(delta, W[i].T, out=dA[i][:m])

    return run


def torch_fit(X, y, hidden, batch_size, epochs, alpha=1e-4):
    """A PyTorch CPU training loop doing what fit does: Linear/ReLU layers, softmax
    cross-entropy, SGD with momentum 0.9 (no Nesterov), L2 on the weights, a fresh
    permutation each epoch and the epoch's mean loss."""
    n = X.shape[0]
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.int64))
    sizes = (X.shape[1], *hidden, N_CLASSES)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out, dtype=Xt.dtype), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    # skdeep's L2 gradient is alpha / n * W, which is SGD's weight_decay
    optimizer = torch.optim.SGD(
        [{"params": weights, "weight_decay": alpha / n}, {"params": biases, "weight_decay": 0.0}],
        lr=LEARNING_RATE,
        momentum=0.9,
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(Xt[rows]), yt[rows])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
    return total / n


def contenders(X, y, hidden, batch_size, epochs, setup):
    """(name, callable, epochs it runs), in the order one repeat runs them."""

    def fit(library, max_iter, solver="sgd"):
        return lambda: fit_quietly(make_estimator(library, hidden, batch_size, max_iter, solver), X, y)

    runs = [
        ("skdeep", fit("skdeep", epochs), epochs),
        ("sklearn", fit("sklearn", epochs), epochs),
        ("floor", gemm_floor(X, (X.shape[1], *hidden, N_CLASSES), batch_size), 1),
    ]
    if torch is not None:
        runs.append(("torch", lambda: torch_fit(X, y, hidden, batch_size, epochs), epochs))
    runs.append(("adam", fit("skdeep", epochs, "adam"), epochs))
    if setup:
        runs += [("skdeep1", fit("skdeep", 1), 1), ("sklearn1", fit("sklearn", 1), 1)]
    return runs


def measure(X, y, hidden, batch_size, epochs, repeats, setup):
    """Seconds per epoch of every contender in every repeat, the repeats interleaved.

    Returns
    -------
    times : dict of name -> list of float, one entry per repeat
    """
    runs = contenders(X, y, hidden, batch_size, epochs, setup)
    # warm-up on a slice: lazy imports, first-call dispatch, BLAS thread start-up
    warm = contenders(X[: 4 * batch_size], y[: 4 * batch_size], hidden, batch_size, 1, False)
    for _, run, _ in warm:
        run()
    times = {name: [] for name, _, _ in runs}
    for _ in range(repeats):
        for name, run, n_epochs in runs:
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) / n_epochs)
    return times


COLUMNS = ("floor", "skdeep", "sklearn", "torch", "adam")  # seconds per epoch
RATIOS = (  # (heading, numerator, denominator)
    ("/floor", "skdeep", "floor"),
    ("/sklearn", "skdeep", "sklearn"),
    ("/torch", "skdeep", "torch"),
    ("adam/sgd", "adam", "skdeep"),
)


def format_row(label, cells):
    """One line of the table: the label, the seconds cells, a bar, the ratio cells."""
    return f"{label:<14}" + "".join(f"{c:>9}" for c in cells[: len(COLUMNS)]) + " |" + "".join(
        f"{c:>16}" for c in cells[len(COLUMNS) :]
    )


def format_medians(label, times):
    """Median seconds per epoch, then the median and range of each paired ratio."""
    seconds = [f"{statistics.median(times[c]):.4f}" if c in times else "n/a" for c in COLUMNS]
    ratios = []
    for _, a, b in RATIOS:
        if a not in times or b not in times:
            ratios.append("n/a")
            continue
        ratios.append(format_ratio(paired_ratios(times, a, b)))
    return format_row(label, seconds + ratios)


def report(configs, dtypes, epochs, repeats, quick, setup):
    """Print the header and one row per (config, dtype) as it completes."""
    for line in header_lines():
        print(line)
    print(f"torch {torch.__version__ + f' threads={torch.get_num_threads()}' if torch else 'not installed'}")
    print(f"E={epochs} epochs per fit, {repeats} interleaved repeats, medians"
          + (f", n_samples / {QUICK_SCALE} (--quick)" if quick else ""))  # fmt: skip
    print()
    print(format_row("", ["", "", "seconds", "per", "epoch", "skdeep", "skdeep", "skdeep", ""]))
    print(format_row("config dtype", [*COLUMNS, *(heading for heading, _, _ in RATIOS)]))
    fixed_costs = []
    for config in configs:
        n_samples, n_features, hidden, batch_size = CONFIGS[config]
        if quick:
            n_samples //= QUICK_SCALE
        for dtype in dtypes:
            X, y = make_data(n_samples, n_features, dtype)
            times = measure(X, y, hidden, batch_size, epochs, repeats, setup)
            print(format_medians(f"{config} {dtype[5:]}", times), flush=True)
            if setup:
                # t(1) = s + e and t(E) = s + E e give s = (E t(1) - t(E)) / (E - 1);
                # med[lib] is t(E) / E
                med = {name: statistics.median(values) for name, values in times.items()}
                cells = []
                for lib in ("skdeep", "sklearn"):
                    s = (epochs * med[lib + "1"] - epochs * med[lib]) / (epochs - 1)
                    cells.append(f"{lib} {s * 1e3:.1f} ms ({s / med[lib]:.0%} of an epoch)")
                fixed_costs.append(f"{config} {dtype[5:]}: " + ", ".join(cells))
    if fixed_costs:
        print("\nfixed cost per fit, from fit(max_iter=1) and fit(max_iter=E):")
        print("\n".join(fixed_costs))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    parser.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    parser.add_argument("--repeats", type=int, help="interleaved repeats (default 5; 1 with --quick)")
    parser.add_argument("--epochs", type=int, help="E, epochs per fit (default 3; 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"smoke run: n_samples / {QUICK_SCALE}")
    parser.add_argument(
        "--setup", action="store_true", help="also time fit(max_iter=1) and estimate each fit's fixed cost"
    )
    parser.add_argument(
        "--threads", type=int, help="limit every BLAS/OpenMP pool (threadpoolctl) and torch to this many threads"
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    epochs = args.epochs or (2 if args.quick else 3)
    if args.setup and epochs < 2:
        parser.error("--setup needs --epochs of at least 2")
    configs = list(CONFIGS) if args.config == "all" else [args.config]
    dtypes = ["float64", "float32"] if args.dtype == "both" else [args.dtype]
    if args.threads is None:
        report(configs, dtypes, epochs, repeats, args.quick, args.setup)
        return 0
    if torch is not None:
        torch.set_num_threads(args.threads)
    with threadpool_limits(limits=args.threads):
        report(configs, dtypes, epochs, repeats, args.quick, args.setup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
