"""`python -m skdeep`: the demo runs, prints its table and saves its plot."""

import subprocess
import sys

import numpy as np
import pytest

from skdeep.__main__ import PANELS, RUNS, curves_figure, main


def test_demo_prints_a_row_per_run_and_the_gradient_check(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "curves.png"
    main(["--max-iter", "2", "--plot", str(plot)])
    out = capsys.readouterr().out
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("run")) + 1
    accuracy = {}  # label -> (train, test)
    for (label, _), row in zip(RUNS, lines[first : first + len(RUNS)], strict=True):
        assert row.startswith(label)
        train, test, epochs, seconds = row[len(label) :].split()
        accuracy[label] = float(train), float(test)
        if label == "lbfgs":  # its own max_iter=200 wins over --max-iter (it stops at 18)
            assert 2 < int(epochs) <= 200
        else:
            assert 1 <= int(epochs) <= 2
    # the lesson the first rows teach: zero weights stay at chance, He's learn
    assert max(accuracy["init zeros"]) < 0.2 < min(accuracy["init he"])
    assert "gradient check" in out and "passed" in out
    assert plot.stat().st_size > 0  # a real PNG was written
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_help_describes_the_demo():
    result = subprocess.run([sys.executable, "-m", "skdeep", "--help"], capture_output=True, text=True, check=True)
    assert "digits" in result.stdout and "--plot" in result.stdout


def test_every_run_is_in_a_panel_and_every_panel_shows_runs():
    labels = [label for label, _ in RUNS]
    shown = {label for runs in PANELS.values() for label, _ in runs}
    assert shown == set(labels)


def test_the_figure_is_readable():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.RandomState(0)
    curves = {label: np.geomspace(2.3, rng.uniform(1e-3, 0.1), 60) for label, _ in RUNS}
    figure = curves_figure(curves)
    try:
        figure.canvas.draw()
        frame = figure.bbox
        assert [ax.get_title() for ax in figure.axes] == list(PANELS)
        for ax, runs in zip(figure.axes, PANELS.values()):
            lines = ax.get_lines()
            # one curve per run, each its own colour or line style
            assert len(lines) == len(runs)
            styles = {(matplotlib.colors.to_hex(line.get_color()), line.get_linestyle()) for line in lines}
            assert len(styles) == len(lines)
            legend = ax.get_legend()
            assert [t.get_text() for t in legend.get_texts()] == [style.get("name", label) for label, style in runs]
            # beside the panel, not over its curves, and inside the saved figure
            box = legend.get_window_extent()
            assert not box.overlaps(ax.get_window_extent())
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    finally:
        plt.close(figure)
