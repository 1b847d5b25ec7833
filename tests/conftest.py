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
    """The tests fit many tiny networks: on 2 cores, two BLAS threads per product only
    contend (small L-BFGS fits run ~10x slower), so the suite runs with one."""
    with threadpool_limits(limits=1):
        yield
