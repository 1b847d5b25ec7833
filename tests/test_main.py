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
    for label, _ in RUNS:
        row = next(line for line in out.splitlines() if line.startswith(label))
        train, test, epochs, seconds = row[len(label) :].split()
        assert 0.0 <= float(train) <= 1.0 and 0.0 <= float(test) <= 1.0
        assert 1 <= int(epochs) <= (200 if label == "lbfgs" else 2)
    assert "gradient check" in out and "passed" in out
    assert plot.stat().st_size > 0  # a real PNG was written
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_help_describes_the_demo():
    result = subprocess.run([sys.executable, "-m", "skdeep", "--help"], capture_output=True, text=True, check=True)
    assert "digits" in result.stdout and "--plot" in result.stdout
