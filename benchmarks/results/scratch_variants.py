"""The scratch runs behind tabular_scratch_variants.json (docs/tabular.rst, "measured
and not kept"): variants of the tabular estimator's defaults, each run alone on the
benchmark's folds with the given model seed; the comparison is the defaults' saved
scores of the same folds and seed (tabular_main_input_scaling.json and
tabular_check_input_scaling.json), which the defaults reproduce fold for fold. Some
variants are parameters; the others patch the estimator (not options):

- defaults: the defaults of the code at hand (the seed study of the standard
  members ran this with seeds 1 to 4);
- membersN, knotsN, alphaA, lrL, hAxB (h128: one layer of 128), enc_E,
  no_early_stopping, no_input_scaling: n_members, n_knots, alpha,
  learning_rate_init, hidden_layer_sizes, numeric_encoding, early_stopping,
  input_scaling, and nolinear, stdN: linear_numeric=False, n_standard_members
  (the diagnosis in tabular_scratch_diagnosis.json ran seven of these
  on breast_cancer, penguins and titanic with seeds 0 to 4);
- rateC: the input scale's learning-rate factor (INPUT_SCALE_RATE, 6 by default);
- beta2_B: Adam's beta_2 for the members (RealMLP-TD's 0.95);
- smoothclip: the standardized column smoothly clipped, x / sqrt(1 + (x/3)^2)
  (RealMLP-TD's);
- acc, acc20: the classifier's members stop early on the validation accuracy
  instead of the data loss (patience 10 or 20), as RealMLP-TD picks its best epoch;
- spline_hW: the expansion's members with one hidden layer of W units, the standard
  members at 256 (a patch of _fit_member);
- lowcard: numeric columns with 3 to 10 distinct values in fit also one-hot encoded.

    python benchmarks/results/scratch_variants.py SEED OUTDIR "v1 v2 ..." [data sets]

writes OUTDIR/VARIANT_sSEED_main.json (or _check.json for the check sets). The
runs of h128 and spline_h128 against the defaults with the standard members (seeds
0 to 2), and of knots6, knots5, members2 and nolinear (seed 0), are under
"against_standard_members" in tabular_scratch_variants.json; h192 against the
defaults that leave out the columns zero in every row of fit (seeds 0 to 4; h224 too),
under "against_zero_columns", beside which the defaults' own runs of seeds 1 to 4
are tabular_scratch_model_seeds_zero_columns.json (and _check.json).
"""
import sys, json, warnings, numpy as np, pandas as pd
sys.path.insert(0, "benchmarks")
import bench_tabular as bt
import skdeep._tabular as T
from sklearn.preprocessing import FunctionTransformer
from sklearn.pipeline import Pipeline, FeatureUnion
from threadpoolctl import threadpool_limits

SEED = int(sys.argv[1]); OUTDIR = sys.argv[2]; VARIANTS = sys.argv[3].split(); names = sys.argv[4:] or list(bt.DATASETS)
orig_member = T._BaseTabularMLP._make_member
orig_fit_member_ = T._BaseTabularMLP._fit_member
orig_preprocessor = T._BaseTabularMLP._make_preprocessor
from sklearn.preprocessing import OneHotEncoder


def lowcard_preprocessor(self, X, is_categorical, seed):
    """The estimator's preprocessor, plus one-hot of the numeric columns with 3 to 10
    distinct values (missing values aside) in fit."""
    preprocessor = orig_preprocessor(self, X, is_categorical, seed)
    by_name = hasattr(X, "columns") and all(isinstance(c, str) for c in X.columns)
    labels = list(X.columns) if by_name else list(range(X.shape[1]))
    columns = []
    for j in np.flatnonzero(~is_categorical):
        values = pd.unique(np.asarray(X.iloc[:, j] if hasattr(X, "iloc") else X[:, j], dtype=float))
        if 2 < np.count_nonzero(~np.isnan(values)) <= 10:
            columns.append(labels[j])
    if columns:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        preprocessor.transformers.append(("lowcard", encoder, columns))
    return preprocessor
orig_numeric = T._numeric_pipeline

def smooth_clip(X):
    return X / np.sqrt(1.0 + (X / 3.0) ** 2)

def setup(variant):
    T.INPUT_SCALE_RATE = 6.0
    T._BaseTabularMLP._make_member = orig_member
    T._numeric_pipeline = orig_numeric
    T._BaseTabularMLP._make_preprocessor = orig_preprocessor
    T._BaseTabularMLP._fit_member = orig_fit_member_
    params = {}
    if variant.startswith("members"):
        params["n_members"] = int(variant[7:])
    elif variant.startswith("rate"):
        T.INPUT_SCALE_RATE = float(variant[4:])
    elif variant.startswith("knots"):
        params["n_knots"] = int(variant[5:])
    elif variant.startswith("beta2_"):
        b2 = float(variant[6:])
        def make(self, *a, **k):
            m = orig_member(self, *a, **k); m.beta_2 = b2; return m
        T._BaseTabularMLP._make_member = make
    elif variant == "smoothclip":
        def numeric(*a, **k):
            p = orig_numeric(*a, **k)
            union = p.named_steps["encode"]
            name, scaler = union.transformer_list[0]
            union.transformer_list[0] = (name, Pipeline([("s", scaler), ("clip", FunctionTransformer(smooth_clip))]))
            return p
        T._numeric_pipeline = numeric
    elif variant.startswith("lr"):
        params["learning_rate_init"] = float(variant[2:])
    elif variant.startswith("alpha"):
        params["alpha"] = float(variant[5:])
    elif variant.startswith("acc"):
        patience = int(variant[3:] or 10)
        params["n_iter_no_change"] = patience
        def make(self, *a, **k):
            m = orig_member(self, *a, **k)
            if m.early_stopping and isinstance(self, T.TabularMLPClassifier):
                m.scoring = "accuracy"
            return m
        T._BaseTabularMLP._make_member = make
    elif variant.startswith("h"):
        params["hidden_layer_sizes"] = tuple(int(x) for x in variant[1:].split("x"))
    elif variant.startswith("enc_"):
        params["numeric_encoding"] = variant[4:]
    elif variant == "no_early_stopping":
        params["early_stopping"] = False
    elif variant == "no_input_scaling":
        params["input_scaling"] = False
    elif variant.startswith("spline_h"):
        # the expansion's members at this width, the standard members at the default
        width = int(variant[len("spline_h"):])
        orig_fit_member = T._BaseTabularMLP._fit_member

        def fit_member(self, X_member, *args):
            # the expansion's members take more columns than the standard members
            # can: all but the expansion (linear_numeric on; some columns zero in
            # every row of fit may be left out of either)
            width_all = max(block.stop for block in self.preprocessor_.output_indices_.values())
            numeric = self.preprocessor_.output_indices_.get("numeric", slice(0, 0))
            n_expansion = numeric.stop - numeric.start - int(np.count_nonzero(~self.is_categorical_))
            wide = X_member.shape[1] > width_all - n_expansion
            if wide:
                saved, self.hidden_layer_sizes = self.hidden_layer_sizes, (width,)
            try:
                return orig_fit_member(self, X_member, *args)
            finally:
                if wide:
                    self.hidden_layer_sizes = saved

        T._BaseTabularMLP._fit_member = fit_member
    elif variant == "lowcard":
        T._BaseTabularMLP._make_preprocessor = lowcard_preprocessor
    elif variant == "nolinear":
        params["linear_numeric"] = False
    elif variant.startswith("std"):
        params["n_standard_members"] = int(variant[3:])
    elif variant == "defaults":
        pass
    else:
        raise ValueError(variant)
    return params

datasets = bt.load_datasets(names, None)
with threadpool_limits(1), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for variant in VARIANTS:
        params = setup(variant)
        results = {}
        out = f"{OUTDIR}/{variant}_s{SEED}_{'check' if names[0] in bt.CHECK_DATASETS else 'main'}.json"
        for d in datasets:
            r = bt.evaluate(d, {variant: ("tabular", params)}, model_seed=SEED)
            results[d.name] = vars(r)
            json.dump(results, open(out, "w"))
        print(variant, "done", flush=True)
