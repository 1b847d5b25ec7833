"""Assertions shared by the test modules.

Imported as ``from _helpers import ...``: tests/ has no __init__.py, so pytest's
default ("prepend") import mode puts tests/ on sys.path, as it does for conftest.py.
"""

import numpy as np


def assert_same_model(a, b, rtol=0, atol=0):
    """Fitted estimators ``a`` and ``b`` have as many layers and, layer for layer, the
    same coefs_ and intercepts_: exactly by default, else within rtol and atol."""
    for name in ("coefs_", "intercepts_"):
        for i, (left, right) in enumerate(zip(getattr(a, name), getattr(b, name), strict=True)):
            if rtol == 0 and atol == 0:
                np.testing.assert_array_equal(left, right, err_msg=f"{name}[{i}]")
            else:
                np.testing.assert_allclose(left, right, rtol=rtol, atol=atol, err_msg=f"{name}[{i}]")
