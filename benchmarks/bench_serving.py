"""Serving latency: onnxruntime against predict_proba (predict for the regressor), at
1, 100 and 10,000 rows.

    python benchmarks/bench_serving.py [--repeats 7] [--threads 1]

The cases, data and fitted models are bench_predict.py's: skdeep's default estimator
(hidden_layer_sizes=(100,), relu, adam) fitted for a few epochs. Each is exported
with skdeep.onnx (skl2onnx's to_onnx, zipmap off) twice, for float32 and for float64
input, and served by an onnxruntime InferenceSession on the CPU. A call starts, as a
request would, from the same float64 rows: predict_proba(X); session.run on the
probabilities alone, after casting X to float32 for the float32 graph (the cast is
timed with the call). Calls are repeated for at least about 20 ms per measurement,
and each repeat times the three in turn, so a slow spell of the shared machine falls
on all of them; the ratios (how many times faster onnxruntime is) are taken within
each repeat and printed as their median and range.

Both run on one thread by default (``--threads 1``): NumPy's BLAS through
threadpoolctl, onnxruntime through its session's intra_op_num_threads. A server runs
a worker per core, and a second thread gains nothing on products this small, while
two thread pools in one process spin against each other for the cores: on a busy
2-core machine, predict_proba of 100 rows went from about 0.1 ms to several with both
pools at their defaults. ``--threads 0`` leaves both at their defaults.
"""

import argparse
import statistics
import sys

import numpy as np
import onnxruntime
import skl2onnx
from skl2onnx import to_onnx
from threadpoolctl import threadpool_limits

import skdeep
import skdeep.onnx  # noqa: F401  (registers skdeep's estimators with skl2onnx)
from _common import format_ratio, header_lines, paired_ratios
from bench_predict import CASES, ROWS, fitted, interleaved_times, load


def serve(model, dtype, threads=None):
    """A function X -> what the model's ONNX graph for ``dtype`` input returns for X
    (predict_proba's probabilities for a classifier, predict's values for a
    regressor), run by onnxruntime; X is cast to ``dtype`` first."""
    options = {"zipmap": False} if hasattr(model, "predict_proba") else None
    onx = to_onnx(model, np.zeros((1, model.n_features_in_), dtype), options=options)
    session_options = onnxruntime.SessionOptions()
    session_options.intra_op_num_threads = threads or 0  # 0 or None: onnxruntime's default
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), session_options, providers=["CPUExecutionProvider"]
    )
    name = session.get_inputs()[0].name
    output = ["probabilities" if options else "variable"]

    def run(X):
        return session.run(output, {name: X.astype(dtype, copy=False)})[0]

    return run


def contenders(model, threads=None):
    """name -> function of X, the model's method first."""
    method = model.predict_proba if hasattr(model, "predict_proba") else model.predict
    return {
        "skdeep": method,
        "ort f32": serve(model, np.float32, threads),
        "ort f64": serve(model, np.float64, threads),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="BLAS and onnxruntime threads; 0: their defaults")
    args = parser.parse_args(argv)
    with threadpool_limits(limits=args.threads or None):
        for line in header_lines():
            print(line)
        threads = args.threads or "default"
        print(f"onnxruntime {onnxruntime.__version__}  skl2onnx {skl2onnx.__version__}  threads {threads}")
        print(f"{args.repeats} interleaved repeats; microseconds per call are medians; "
              "speedup = skdeep's time / onnxruntime's\n")  # fmt: skip
        print(f"{'case':<21}{'method':<15}{'rows':>6}{'skdeep':>10}{'ort f32':>10}{'ort f64':>10} |"
              f"{'speedup f32':>17}{'speedup f64':>17}")  # fmt: skip
        for case, (name, _) in CASES.items():
            X_big, y, X_fit = load(case)
            model = fitted(skdeep, name, X_fit, y)
            functions = contenders(model, args.threads)
            method = "predict_proba" if hasattr(model, "predict_proba") else "predict"
            for rows in ROWS:
                times = interleaved_times(functions, X_big[:rows], args.repeats)
                us = {k: 1e6 * statistics.median(v) for k, v in times.items()}
                print(
                    f"{case:<21}{method:<15}{rows:>6}"
                    f"{us['skdeep']:>10.1f}{us['ort f32']:>10.1f}{us['ort f64']:>10.1f} |"
                    f"{format_ratio(paired_ratios(times, 'skdeep', 'ort f32')):>17}"
                    f"{format_ratio(paired_ratios(times, 'skdeep', 'ort f64')):>17}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
