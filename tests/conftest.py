"""Test-session settings."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread():
    """The tests fit many tiny networks: on 2 cores, two BLAS threads per product only
    contend (small L-BFGS fits run ~10x slower), so the suite runs with one."""
    with threadpool_limits(limits=1):
        yield
