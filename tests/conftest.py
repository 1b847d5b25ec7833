"""Test-session settings."""

import os

import pytest
from hypothesis import settings
from threadpoolctl import threadpool_limits

# CI sees the same hypothesis examples on every run (a red run is then reproducible,
# and a landing never hangs on a new draw); locally each run explores new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """The tests fit many tiny networks, whose products are too small to gain from a
    second BLAS thread on 2 cores, so the suite runs with one."""
    with threadpool_limits(limits=1):
        yield
