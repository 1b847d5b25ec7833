"""The benchmarks measure what they say: the phase profile runs skdeep's own loop, and
the epoch benchmark's floor and ratios are computed as documented."""

import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))

import _common  # noqa: E402  (benchmarks/ is not a package)
import bench_epoch  # noqa: E402
import bench_phases  # noqa: E402
from skdeep import MLPClassifier  # noqa: E402
from skdeep._network import Layout  # noqa: E402


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_phase_profile_trains_exactly_as_fit(solver):
    # the profile takes loss_and_grads apart to time it; if it drifted from the real
    # loop it would profile something else. One epoch must give fit's weights, bit for bit.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 7))
    y = rng.integers(0, bench_epoch.N_CLASSES, 300)
    Y = np.eye(bench_epoch.N_CLASSES)[y]
    epoch, theta = bench_phases.make_epoch(X, Y, (6, 5), 32, solver, random_state=3)
    spent = epoch()
    assert set(spent) == set(bench_phases.PHASES)
    assert all(seconds > 0 for seconds in spent.values())

    clf = MLPClassifier(
        (6, 5), init="he", solver=solver, batch_size=32, max_iter=1, momentum=0.9,
        nesterovs_momentum=False, learning_rate_init=bench_epoch.LEARNING_RATE, alpha=1e-4,
        random_state=3,
    )  # fmt: skip
    clf.fit(X, y)
    layout = Layout((7, 6, 5, bench_epoch.N_CLASSES))
    np.testing.assert_array_equal(layout.pack(clf.coefs_, clf.intercepts_, np.float64), theta)


def test_gemm_floor_runs_the_products_of_every_batch(monkeypatch):
    X = np.ones((70, 4))
    run = bench_epoch.gemm_floor(X, (4, 3, 2), batch_size=32)
    calls = []
    real_matmul = np.matmul

    def counting_matmul(a, b, out):
        calls.append((a.shape, b.shape))
        return real_matmul(a, b, out=out)

    monkeypatch.setattr(np, "matmul", counting_matmul)
    run()
    monkeypatch.undo()
    # 3 batches (32, 32, 6) x (2 forward + 2 weight-gradient + 1 delta) products
    assert len(calls) == 15
    assert ((6, 4), (4, 3)) in calls  # the last, partial batch is included


def test_ratios_are_paired_within_repeats():
    times = {"skdeep": [1.0, 4.0, 2.0], "floor": [0.5, 1.0, 2.0]}
    assert _common.paired_ratios(times, "skdeep", "floor") == [2.0, 4.0, 1.0]
    row = bench_epoch.format_medians("mid 64", {c: [1.0, 2.0, 3.0] for c in bench_epoch.COLUMNS})
    assert "1.00 1.00-1.00" in row


def test_lbfgs_benchmark_switches_the_limit_off_for_one_fit_only():
    import bench_lbfgs
    import skdeep._training

    limiter = skdeep._training.single_threaded_scipy_blas
    X, y = bench_lbfgs.load((60, 12))
    assert bench_lbfgs.fit_time("skdeep", X, y, (3,), 2, limit_scipy_blas=False) > 0
    assert skdeep._training.single_threaded_scipy_blas is limiter


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_serving_benchmark_times_the_same_outputs(name):
    # onnxruntime's contenders must compute what predict_proba (predict) does, or the
    # latencies compare different work
    pytest.importorskip("skl2onnx", reason='skl2onnx is not installed: pip install ".[onnx]"')
    pytest.importorskip("onnxruntime", reason='onnxruntime is not installed: pip install ".[onnx]"')
    import bench_serving

    X = np.random.default_rng(0).standard_normal((50, 6))
    y = (X[:, 0] > 0).astype(int) if name == "MLPClassifier" else X[:, 0]
    model = bench_serving.fitted(bench_serving.skdeep, name, X, y)
    functions = bench_serving.contenders(model, threads=1)
    expected = functions.pop("skdeep")(X)
    for contender, function in functions.items():
        np.testing.assert_allclose(function(X), expected.reshape(len(X), -1), rtol=1e-5, atol=1e-5, err_msg=contender)


def test_predict_memory_benchmark_gives_sklearn_skdeeps_network():
    # the two libraries' times and peaks compare the same work only if sklearn's MLP
    # computes skdeep's network
    import bench_predict_memory

    X, ours, theirs = bench_predict_memory.make_case(3000)
    assert X.shape == (3000, bench_predict_memory.N_FEATURES) and X.dtype == np.float32
    for mine, its in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_array_equal(mine, its)
    np.testing.assert_allclose(theirs.predict_proba(X), ours.predict_proba(X), rtol=1e-5, atol=1e-6)
    assert bench_predict_memory.traced_peak(ours.predict_proba, X) >= 3000 * 2 * 4  # the answer, at least


def test_predict_benchmark_baseline_is_a_second_skdeep():
    # --baseline imports another checkout's package beside this one: here this one again
    import bench_predict

    baseline = bench_predict.load_baseline(pathlib.Path(__file__).resolve().parent.parent)
    assert baseline.__name__ == "skdeep_baseline" and baseline.MLPClassifier is not MLPClassifier
    X_big, y, X_fit = bench_predict.load("binary")
    ours = bench_predict.fitted(bench_predict.skdeep, "MLPClassifier", X_fit[:200], y[:200])
    theirs = bench_predict.fitted(baseline, "MLPClassifier", X_fit[:200], y[:200])
    np.testing.assert_array_equal(theirs.predict_proba(X_big[:50]), ours.predict_proba(X_big[:50]))


# ------------------------------------------------------------------- bench_parity.py


def _parity_data():
    # 300 rows, 3 folds: training sets of 200 rows in batches of 50, so alpha acts
    # differently in the two libraries (alpha / n against alpha / batch) and the
    # per-seed differences the spread is made of are not all zero
    from sklearn.datasets import make_classification

    return make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)


_PARITY_PARAMS = dict(hidden_layer_sizes=(5,), max_iter=5, alpha=3.0, batch_size=50, learning_rate_init=0.05)


def test_parity_benchmark_scores_cross_validation_on_shared_folds_and_derives_its_columns():
    import bench_parity
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _parity_data()
    seeds = (0, 1, 2)
    comparison = bench_parity.compare(X, y, "multiclass", _PARITY_PARAMS, seeds, n_splits=3)
    # each library's scores are plain cross-validation with the seed as the folds' and
    # the estimator's random_state: the same folds for both
    for lib, (classifier, _) in bench_parity.LIBRARIES.items():
        for s, seed in enumerate(seeds):
            pipe = make_pipeline(StandardScaler(), classifier(random_state=seed, **_PARITY_PARAMS))
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            np.testing.assert_allclose(comparison.scores[lib][s], cross_val_score(pipe, X, y, cv=cv))

    result = comparison.summary()
    ours = comparison.scores["skdeep"].mean(axis=1)
    theirs = comparison.scores["sklearn"].mean(axis=1)
    assert np.ptp(ours - theirs) > 0  # the libraries differ here, so the spread is not trivially 0
    assert result["skdeep"] == pytest.approx(ours.mean())
    assert result["sklearn"] == pytest.approx(theirs.mean())
    assert result["diff"] == pytest.approx(result["skdeep"] - result["sklearn"])
    assert result["sd_diff"] == pytest.approx(np.std(ours - theirs, ddof=1))
    assert result["sd_sklearn"] == pytest.approx(np.std(theirs, ddof=1))
    assert result["spread"] == max(result["sd_diff"], result["sd_sklearn"])
    assert result["below"] == (result["diff"] < -result["spread"])
    fold_ratios = (comparison.seconds["skdeep"] / comparison.seconds["sklearn"]).ravel()
    np.testing.assert_allclose(result["ratios"], fold_ratios)
    assert result["ratio"] == pytest.approx(np.median(fold_ratios))

    # the printed row shows those numbers
    row = bench_parity.format_row(bench_parity.row_cells("toy", "multiclass", X.shape, result))
    for number in (result["skdeep"], result["sklearn"], result["spread"]):
        assert f"{number:.4f}" in row
    assert f"{result['diff']:+.4f}" in row


def test_parity_benchmark_counts_a_divergence_and_leaves_the_fold_out_of_both_means():
    import bench_parity
    import skdeep

    class DivergesOnSecondFit(skdeep.MLPClassifier):
        fits = 0

        def fit(self, X, y):
            type(self).fits += 1
            if type(self).fits == 2:
                raise skdeep.DivergenceError("diverged on purpose")
            return super().fit(X, y)

    libraries = dict(bench_parity.LIBRARIES, skdeep=(DivergesOnSecondFit, skdeep.MLPRegressor))
    X, y = _parity_data()
    comparison = bench_parity.compare(X, y, "multiclass", _PARITY_PARAMS, (0, 1), 3, libraries=libraries)
    assert comparison.failed == {"skdeep": 1, "sklearn": 0}
    # skdeep's second fit is seed 0's second fold: empty in both libraries' arrays
    for lib in ("skdeep", "sklearn"):
        assert np.isnan(comparison.scores[lib][0, 1]) and np.isnan(comparison.seconds[lib][0, 1])
        assert np.isnan(comparison.scores[lib]).sum() == 1
    result = comparison.summary()
    assert len(result["ratios"]) == 5
    expected = np.mean([np.nanmean(row) for row in comparison.scores["sklearn"]])
    assert result["sklearn"] == pytest.approx(expected)
    assert result["failed"] == {"skdeep": 1, "sklearn": 0}


def test_parity_benchmark_does_not_count_other_errors_as_divergence():
    import bench_parity
    import skdeep

    class Broken(skdeep.MLPClassifier):
        def fit(self, X, y):
            raise ValueError("a bug, not a divergence")

    libraries = dict(bench_parity.LIBRARIES, skdeep=(Broken, skdeep.MLPRegressor))
    X, y = _parity_data()
    with pytest.raises(ValueError, match="a bug"):
        bench_parity.compare(X, y, "multiclass", _PARITY_PARAMS, (0, 1), 3, libraries=libraries)


def test_parity_summary_counts_data_sets_below_the_spread_and_takes_the_median_ratio():
    import bench_parity

    def result(diff, spread, sd_diff, ratio):
        return {"diff": diff, "spread": spread, "sd_diff": sd_diff, "below": diff < -spread,
                "below_sd_diff": diff < -sd_diff, "ratio": ratio, "failed": {"skdeep": 0, "sklearn": 1}}  # fmt: skip

    results = {
        "a": result(-0.02, 0.01, 0.005, 0.4),  # below by more than the spread
        "b": result(-0.03, 0.03, 0.01, 0.5),  # the lowest diff, below by more than sd diff only
        "c": result(0.01, 0.01, 0.01, 0.9),
    }
    summary = bench_parity.config_summary("x", results)
    assert summary["below"] == ["a"] and summary["below_sd_diff"] == ["a", "b"]
    assert summary["worst"] == "b"
    assert summary["ratio"] == 0.5 and summary["time_held"] and not summary["parity_held"]
    assert summary["failed"] == {"skdeep": 0, "sklearn": 3}
    assert "1: a (-0.0200)" in bench_parity.summary_cells(summary, results)


# ------------------------------------------------------------------- bench_tabular.py


def test_tabular_benchmark_quick_mode_runs_without_the_bench_extra(capsys):
    # --quick needs only sklearn's bundled sets; 2 folds on 150 rows keep it CI-sized
    import bench_tabular

    results, summary = bench_tabular.main(["--quick", "--folds", "2", "--max-rows", "150"])
    assert set(results) == set(bench_tabular.QUICK_DATASETS)
    models = {"linear", "sklearn-mlp", "skdeep-mlp", "hgb", "tabular"}
    for result in results.values():
        assert set(result.scores) == models
        assert all(len(v) == 2 for v in result.scores.values())
    assert summary["sklearn-mlp"]["fit_ratio"] == 1.0
    out = capsys.readouterr().out
    assert "mean rank" in out and "tabular vs sklearn-mlp" in out


def test_tabular_benchmark_shares_folds_and_ranks_with_ties():
    import bench_tabular

    dataset = bench_tabular.load_datasets(["breast_cancer"], max_rows=100)[0]
    first = bench_tabular.folds(dataset, 3)
    again = bench_tabular.folds(dataset, 3)
    for (a_train, a_test), (b_train, b_test) in zip(first, again):
        np.testing.assert_array_equal(a_test, b_test)
    assert bench_tabular.ranks({"a": 0.9, "b": 0.8, "c": 0.9}) == {"a": 1.5, "b": 3.0, "c": 1.5}
    result = bench_tabular.Result(
        scores={"sklearn-mlp": [0.5, 0.7], "tabular": [0.7, 0.9]},
        fit={"sklearn-mlp": [1.0, 2.0], "tabular": [3.0, 2.0]},
        predict={"sklearn-mlp": [1.0, 1.0], "tabular": [0.5, 1.5]},
    )
    summary = bench_tabular.summarize({"toy": result})
    assert summary["tabular"]["mean_score"] == pytest.approx(0.8)
    assert summary["tabular"]["mean_rank"] == 1.0 and summary["tabular"]["wins"] == 1
    assert summary["tabular"]["fit_ratio"] == pytest.approx(2.0)  # median of 3.0 and 1.0
    assert bench_tabular.compare({"toy": result}, "tabular") == {"toy": pytest.approx(0.2)}
    # breast_cancer's saved folds: 555 of 569 rows right for both models, in folds of
    # 114 and 113 rows, so the means differ by 1.6e-5: a tie, not a win
    ours, theirs = [109, 112, 111, 113, 110], [108, 112, 113, 113, 109]
    sizes = [114, 114, 114, 114, 113]
    diff = np.mean(np.divide(ours, sizes)) - np.mean(np.divide(theirs, sizes))
    assert 0 < diff < 1e-4 and bench_tabular.outcome(diff, 569, regression=False) == 0
    assert bench_tabular.outcome(1 / 569, 569, regression=False) == 1  # one row more
    assert bench_tabular.outcome(-1 / 569, 569, regression=False) == -1
    assert bench_tabular.outcome(1e-6, 569, regression=True) == 1  # R^2: as it is


def test_tabular_benchmark_report_merges_runs_with_ratios_within_each_run():
    # RealMLP-TD runs in its own process beside its own sklearn MLP: merged into the
    # main run, its ratios must use that sklearn MLP's times, not the main run's
    import bench_tabular

    main = {"toy": bench_tabular.Result(
        scores={"sklearn-mlp": [0.5, 0.7], "tabular": [0.7, 0.9]},
        fit={"sklearn-mlp": [1.0, 1.0], "tabular": [1.0, 1.0]},
        predict={"sklearn-mlp": [1.0, 1.0], "tabular": [2.0, 2.0]},
    )}  # fmt: skip
    other = {"toy": bench_tabular.Result(
        scores={"sklearn-mlp": [0.5, 0.7], "realmlp": [0.6, 0.8]},
        fit={"sklearn-mlp": [10.0, 10.0], "realmlp": [200.0, 200.0]},
        predict={"sklearn-mlp": [1.0, 1.0], "realmlp": [4.0, 4.0]},
    )}  # fmt: skip
    merged = bench_tabular.merge_results([main, other])
    assert set(merged["toy"].scores) == {"sklearn-mlp", "tabular", "realmlp"}
    assert merged["toy"].fit["sklearn-mlp"] == [1.0, 1.0]  # the first run's
    summary = bench_tabular.summarize(merged)
    assert list(summary) == ["sklearn-mlp", "realmlp", "tabular"]
    assert summary["realmlp"]["fit_ratio"] == pytest.approx(20.0)  # 200 / 10, not 200 / 1
    assert summary["tabular"]["fit_ratio"] == pytest.approx(1.0)
    assert summary["realmlp"]["mean_rank"] == 2.0 and summary["tabular"]["wins"] == 1
