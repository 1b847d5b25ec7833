"""The latency runs behind docs/tabular.rst's comparison of the defaults with and without
the standard members (and with hidden_layer_sizes=(128,)) on one machine: the
benchmark's latency function (predict and predict_proba on 1 and 100 DataFrame rows,
medians of 200 calls alternated with sklearn's MLP pipeline) for the tabular estimator
with the given parameters, one BLAS thread.

    python benchmarks/results/scratch_latency_params.py "{'n_standard_members': 0}" digits breast_cancer
"""
import ast
import sys
import warnings

from threadpoolctl import threadpool_limits

sys.path.insert(0, "benchmarks")
import bench_tabular as bt  # noqa: E402

params = ast.literal_eval(sys.argv[1])
make_model = bt.make_model


def with_params(name, regression, seed=0, model_params=None):
    if name == "tabular":
        model_params = {**(model_params or {}), **params}
    return make_model(name, regression, seed, model_params)


bt.make_model = with_params
with threadpool_limits(1), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for d in bt.load_datasets(sys.argv[2:]):
        for (method, n), (ours, theirs) in bt.latency(d).items():
            print(f"{d.name:<16}{method:<15}{n:>5}{ours * 1e3:>12.3f}{theirs * 1e3:>11.3f}{ours / theirs:>7.2f}", flush=True)
