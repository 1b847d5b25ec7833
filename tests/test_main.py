"""`python -m skdeep`: the demo runs, prints its table and saves its plot."""

import subprocess
import sys

import pytest

from skdeep.__main__ import RUNS, main


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
