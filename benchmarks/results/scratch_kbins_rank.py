"""The scratch run behind tabular_scratch_kbins_rank.json and
tabular_scratch_kbins_rank_check.json (docs/tabular.rst): the spline encoding with
the rank taken from KBinsDiscretizer's ordinal quantile bins (scaled to [0, 1] by
MinMaxScaler) instead of QuantileTransformer's, against the defaults, on the
benchmark's folds. Not an estimator option: it patches the numeric pipeline,
with numeric_encoding='quantile' as the switch.

    python benchmarks/results/scratch_kbins_rank.py 128 out.json [data sets]
"""
import sys, json, warnings, numpy as np
sys.path.insert(0, "/work/main/benchmarks")
import bench_tabular as bt
import skdeep._tabular as T
from sklearn.pipeline import Pipeline, FeatureUnion
from sklearn.preprocessing import KBinsDiscretizer, MinMaxScaler, SplineTransformer, FunctionTransformer, StandardScaler
from sklearn.impute import SimpleImputer
from threadpoolctl import threadpool_limits
N_BINS = int(sys.argv[1]); OUT = sys.argv[2]; names = sys.argv[3:] or list(bt.DATASETS)
orig = T._numeric_pipeline
def patched(encoding, n_knots, n_samples, n_features, random_state, linear=True):
    if encoding != "quantile":
        return orig(encoding, n_knots, n_samples, n_features, random_state, linear)
    imputer = SimpleImputer(strategy="median", keep_empty_features=True)
    bins = KBinsDiscretizer(n_bins=N_BINS, encode="ordinal", strategy="quantile", quantile_method="averaged_inverted_cdf")
    spline = SplineTransformer(degree=3, knots=np.linspace(0.0, 1.0, n_knots)[:, None], extrapolation="continue")
    n_basis = n_knots + 2
    expansion = Pipeline([("bins", bins), ("range", MinMaxScaler(clip=True)),
        ("stack", FunctionTransformer(np.reshape, kw_args={"shape": (-1, 1)})), ("spline", spline),
        ("unstack", FunctionTransformer(np.reshape, kw_args={"shape": (-1, n_features * n_basis)}))])
    both = FeatureUnion([("scale", StandardScaler()), ("spline", expansion)])
    return Pipeline([("impute", imputer), ("encode", both)])
T._numeric_pipeline = patched
models = {"defaults": ("tabular", {}), f"kbins{N_BINS}-rank": ("tabular", {"numeric_encoding": "quantile"})}
results = {}
with threadpool_limits(1), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for d in bt.load_datasets(names, None):
        r = bt.evaluate(d, models)
        results[d.name] = r
        print(d.name, {k: round(float(np.mean(v)), 4) for k, v in r.scores.items()}, flush=True)
json.dump({k: vars(v) for k, v in results.items()}, open(OUT, "w"))
