"""Where an epoch's time goes: microseconds per batch of each phase of skdeep's loop,
with one and with two BLAS threads.

    python benchmarks/bench_phases.py --config mid

The loop below is ``loss_and_grads`` and the optimizer step of a fit (dense data,
ReLU, softmax, sgd with momentum, shuffled batches, no dropout or sample weights)
taken apart so that each phase can be timed: it calls skdeep's own gather, activation,
loss, L2 and optimizer functions, and writes out only the one-line products and bias
additions in between. It is a profile, not the benchmark: the timers add about a
microsecond per phase. The two thread settings alternate epoch by epoch and each
phase's median over the epochs is printed, so load on a shared machine falls on both.
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict

import numpy as np
from threadpoolctl import threadpool_limits

from _common import CONFIGS, LEARNING_RATE, N_CLASSES, make_data
from skdeep._activations import ACTIVATIONS
from skdeep._batching import epoch_batches, take_rows
from skdeep._initializers import INITIALIZERS
from skdeep._losses import LOSSES, l2_penalty
from skdeep._network import Layout, Workspace, init_params
from skdeep._optimizers import OPTIMIZERS

PHASES = ("gather", "forward products", "bias add", "relu", "loss", "weight-grad products",
          "bias grads", "delta products", "relu derivative", "L2 term", "optimizer step")  # fmt: skip
GEMMS = ("forward products", "weight-grad products", "delta products")


def make_epoch(X, Y, hidden, batch_size, solver, alpha=1e-4, random_state=0):
    """A callable running one epoch and returning {phase: seconds}, and the parameter
    vector it trains (in place), for a check that this is skdeep's loop."""
    n, dtype = X.shape[0], X.dtype
    layout = Layout((X.shape[1], *hidden, N_CLASSES))
    rng = np.random.RandomState(random_state)
    theta = init_params(layout, INITIALIZERS["he"], rng, dtype)
    ws = Workspace(layout, batch_size, dtype, gather=True, n_features=X.shape[1])
    if solver == "sgd":  # the benchmark's settings: momentum 0.9 without Nesterov
        optimizer = OPTIMIZERS["sgd"]([theta], LEARNING_RATE, momentum=0.9, nesterov=False)
    else:
        optimizer = OPTIMIZERS["adam"]([theta], LEARNING_RATE)
    coefs, intercepts = layout.unpack(theta)
    epochs = epoch_batches(n, batch_size, rng)
    relu, relu_derivative = ACTIVATIONS["relu"]
    log_loss = LOSSES["log_loss"]
    weights = theta[: layout.n_coefs]
    n_layers = len(coefs)
    clock = time.perf_counter

    def epoch():
        spent = defaultdict(float)

        def lap(phase, since):
            now = clock()
            spent[phase] += now - since
            return now

        for rows in next(epochs):
            t = clock()
            X_batch, Y_batch = take_rows(X, rows, ws.X), take_rows(Y, rows, ws.Y)
            m = len(rows)
            w = ws.w[:m]
            w.fill(1.0 / m)
            t = lap("gather", t)
            inputs = [X_batch]
            for i in range(n_layers):
                Z = np.matmul(inputs[i], coefs[i], out=ws.outputs[i][:m])
                t = lap("forward products", t)
                Z += intercepts[i]
                t = lap("bias add", t)
                if i < n_layers - 1:
                    relu(Z)
                    t = lap("relu", t)
                    inputs.append(Z)
            log_loss(Z, Y_batch, w)
            l2_penalty(weights, alpha, n)
            t = lap("loss", t)
            delta = Z
            for i in range(n_layers - 1, -1, -1):
                np.matmul(inputs[i].T, delta, out=ws.coef_grads[i])
                t = lap("weight-grad products", t)
                np.dot(ws.ones[:m], delta, out=ws.intercept_grads[i])
                t = lap("bias grads", t)
                if i == 0:
                    break
                delta = np.matmul(delta, coefs[i].T, out=ws.deltas[i - 1][:m])
                t = lap("delta products", t)
                relu_derivative(ws.outputs[i - 1][:m], delta)
                t = lap("relu derivative", t)
            np.multiply(weights, alpha / n, out=ws.decay)
            ws.grad[: layout.n_coefs] += ws.decay
            t = lap("L2 term", t)
            optimizer.step([theta], [ws.grad])
            lap("optimizer step", t)
        return spent

    return epoch, theta


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=list(CONFIGS), default="mid")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--solver", choices=list(OPTIMIZERS), default="sgd")
    parser.add_argument("--epochs", type=int, default=7, help="epochs per thread setting (default 7)")
    args = parser.parse_args(argv)
    n_samples, n_features, hidden, batch_size = CONFIGS[args.config]
    X, y = make_data(n_samples, n_features, args.dtype)
    Y = np.eye(N_CLASSES, dtype=X.dtype)[y]
    epoch, _ = make_epoch(X, Y, hidden, batch_size, args.solver)
    epoch()  # warm-up
    threads = (1, 2)
    spent = {k: [] for k in threads}
    for _ in range(args.epochs):
        for k in threads:
            with threadpool_limits(limits=k, user_api="blas"):
                spent[k].append(epoch())
    n_batches = -(-n_samples // batch_size)
    per_batch = {  # median microseconds per batch
        k: {p: statistics.median(e[p] for e in spent[k]) / n_batches * 1e6 for p in PHASES} for k in threads
    }
    print(f"{args.config} {args.dtype} {args.solver}: {n_batches} batches of {batch_size}, "
          f"median of {args.epochs} epochs per setting")  # fmt: skip
    print(f"{'microseconds per batch':<24}" + "".join(f"{f'{k} thread' + 's' * (k > 1):>12}" for k in threads))
    for p in PHASES:
        print(f"{p:<24}" + "".join(f"{per_batch[k][p]:12.1f}" for k in threads))
    for label, group in (("products", GEMMS), ("everything else", [p for p in PHASES if p not in GEMMS])):
        print(f"{label:<24}" + "".join(f"{sum(per_batch[k][p] for p in group):12.1f}" for k in threads))
    print(f"{'else / products':<24}" + "".join(
        f"{sum(per_batch[k][p] for p in PHASES if p not in GEMMS) / sum(per_batch[k][p] for p in GEMMS):12.2f}"
        for k in threads))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
