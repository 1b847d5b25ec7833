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
    import skdeep._mlp

    limiter = skdeep._mlp.single_threaded_scipy_blas
    X, y = bench_lbfgs.load((60, 12))
    assert bench_lbfgs.fit_time("skdeep", X, y, (3,), 2, limit_scipy_blas=False) > 0
    assert skdeep._mlp.single_threaded_scipy_blas is limiter


@pytest.mark.parametrize("name", ["MLPClassifier", "MLPRegressor"])
def test_serving_benchmark_times_the_same_outputs(name):
    # onnxruntime's contenders must compute what predict_proba (predict) does, or the
    # latencies compare different work
    pytest.importorskip("skl2onnx", reason='skl2onnx is not installed: pip install "skdeep[onnx]"')
    pytest.importorskip("onnxruntime", reason='onnxruntime is not installed: pip install "skdeep[onnx]"')
    import bench_serving

    X = np.random.default_rng(0).standard_normal((50, 6))
    y = (X[:, 0] > 0).astype(int) if name == "MLPClassifier" else X[:, 0]
    model = bench_serving.fitted(bench_serving.skdeep, name, X, y)
    functions = bench_serving.contenders(model, threads=1)
    expected = functions.pop("skdeep")(X)
    for contender, function in functions.items():
        np.testing.assert_allclose(function(X), expected.reshape(len(X), -1), rtol=1e-5, atol=1e-5, err_msg=contender)
