"""
================================
Serving a model with onnxruntime
================================

Train a classifier, export it to ONNX, serve it with onnxruntime and measure what
that buys: the time one request takes, for one row and for a batch of 100, against
``predict_proba``.

``import skdeep.onnx`` registers skdeep's estimators with skl2onnx, whose
:func:`~skl2onnx.to_onnx` then converts them as it converts scikit-learn's own.
onnxruntime runs the graph with neither skdeep nor scikit-learn installed. The two
need ``pip install ".[onnx]"`` (from the skdeep checkout); :doc:`/saving` covers the other ways to save a
model.
"""

# %%
# Training
# --------
# The default network (100 ReLU units, Adam) on scikit-learn's 8×8 digits.
import statistics
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import skdeep.onnx  # noqa: F401  (registers skdeep's estimators with skl2onnx)
from skdeep import MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=500, random_state=0)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 30 epochs are enough here
    model = MLPClassifier(max_iter=30, random_state=0).fit(X_train, y_train)
print(f"test accuracy {model.score(X_test, y_test):.3f}")

# %%
# Export
# ------
# ``to_onnx`` takes the input's type from a sample row: float32 rows give a graph
# that computes in float32, the type inference engines are fastest in (float64 rows
# give a float64 graph). ``zipmap=False`` returns the probabilities as one array
# rather than a dict per row. The result is a protobuf: ``onx.SerializeToString()``
# is what a server loads, from a file or from memory.
onx = to_onnx(model, X_train[:1].astype(np.float32), options={"zipmap": False})
model_bytes = onx.SerializeToString()
print(f"ONNX model: {len(model_bytes) / 1024:.0f} KiB, outputs {[o.name for o in onx.graph.output]}")

# %%
# Serving
# -------
# One thread for onnxruntime, and below one for NumPy: a server runs a worker per
# core, and on a busy machine two thread pools in one process wait on each other.
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = 1
session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
input_name = session.get_inputs()[0].name

labels, probabilities = session.run(None, {input_name: X_test.astype(np.float32)})
print("labels equal predict's:", bool((labels == model.predict(X_test)).all()))
difference = np.abs(probabilities - model.predict_proba(X_test)).max()
print(f"largest difference from predict_proba: {difference:.1e}")


# %%
# Latency
# -------
# A request starts from float64 rows, as ``predict_proba`` takes them; onnxruntime's
# call includes the cast to float32. Each measurement repeats a call for about 20 ms;
# the two alternate over 7 repeats, so a slow spell of the machine falls on both, and
# the table shows medians.
def predict_proba(rows):
    return model.predict_proba(rows)


def onnxruntime_proba(rows):
    return session.run(["probabilities"], {input_name: rows.astype(np.float32)})[0]


def seconds_per_call(function, rows, number):
    start = time.perf_counter()
    for _ in range(number):
        function(rows)
    return (time.perf_counter() - start) / number


contenders = {"predict_proba": predict_proba, "onnxruntime": onnxruntime_proba}
latency = {}  # (name, n_rows) -> microseconds
with threadpool_limits(limits=1):
    for n_rows in (1, 100):
        rows = X_test[:n_rows]
        number = {name: max(1, int(0.02 / seconds_per_call(f, rows, 5))) for name, f in contenders.items()}
        times = {name: [] for name in contenders}
        for _ in range(7):
            for name, function in contenders.items():
                times[name].append(seconds_per_call(function, rows, number[name]))
        for name in contenders:
            latency[name, n_rows] = 1e6 * statistics.median(times[name])

print(f"{'rows':>5}{'predict_proba':>16}{'onnxruntime':>14}{'speed-up':>10}")
for n_rows in (1, 100):
    ours, theirs = latency["predict_proba", n_rows], latency["onnxruntime", n_rows]
    print(f"{n_rows:>5}{ours:>13.1f} µs{theirs:>11.1f} µs{ours / theirs:>9.1f}×")

# %%
# Most of ``predict_proba``'s time on one row is Python and input checking, not
# arithmetic; onnxruntime's graph runs in C++ from the first operator to the last.
# On a batch of 100 the matrix products start to count, and float32 makes them
# cheaper. :doc:`/saving` gives the numbers of ``benchmarks/bench_serving.py``,
# with their spread, for more models and batch sizes.
fig, ax = plt.subplots(figsize=(6, 3.5))
width = 0.38
for i, name in enumerate(contenders):
    values = [latency[name, n] for n in (1, 100)]
    bars = ax.bar(np.arange(2) + (i - 0.5) * width, values, width, label=name)
    ax.bar_label(bars, fmt="%.0f µs", padding=2)
ax.set_xticks(range(2), ["1 row", "100 rows"])
ax.set_ylabel("microseconds per call")
ax.set_title("One request, one core")
ax.margins(y=0.15)
ax.legend()
fig.tight_layout()
plt.show()
