"""Tests of the hidden-layer activations: formulas, derivatives against finite
differences, and the in-place contract."""

import numpy as np
import pytest

from skdeep._activations import ACTIVATIONS

# name -> the formula, written independently of the implementation; a new
# activation needs its formula here.
FORMULAS = {
    "identity": lambda z: z,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
}


def _points():
    """Moderate values away from relu's kink, where finite differences are exact."""
    Z = np.random.RandomState(0).uniform(-4, 4, size=(6, 5))
    Z[np.abs(Z) < 1e-2] = 0.5
    return Z


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_its_formula(name):
    assert name in FORMULAS, f"add the formula of {name!r} to FORMULAS"
    Z = _points()
    np.testing.assert_allclose(ACTIVATIONS[name][0](Z.copy()), FORMULAS[name](Z), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    activate, derivative = ACTIVATIONS[name]
    Z = _points()
    delta = np.random.RandomState(1).standard_normal(Z.shape)
    h = 1e-6
    numeric = (activate(Z + h) - activate(Z - h)) / (2 * h)
    # the derivative takes the activation's output A = f(Z) and multiplies delta
    result = derivative(activate(Z.copy()), delta.copy())
    # central differences have error O(h^2 f''') + O(eps / h): about 1e-9 here
    np.testing.assert_allclose(result, delta * numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_works_in_place(name):
    Z = _points()
    expected = FORMULAS[name](Z)
    out = ACTIVATIONS[name][0](Z)
    assert out is Z
    np.testing.assert_allclose(Z, expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_multiplies_delta_in_place(name):
    activate, derivative = ACTIVATIONS[name]
    A = activate(_points())
    A_before = A.copy()
    delta = np.random.RandomState(2).standard_normal(A.shape)
    expected = derivative(A.copy(), delta.copy())
    out = derivative(A, delta)
    assert out is delta
    np.testing.assert_array_equal(delta, expected)
    np.testing.assert_array_equal(A, A_before)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(name, dtype):
    activate, derivative = ACTIVATIONS[name]
    A = activate(_points().astype(dtype))
    assert A.dtype == dtype
    assert derivative(A, np.ones_like(A)).dtype == dtype


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_huge_inputs_stay_finite(name):
    # pytest turns RuntimeWarnings (overflow) into errors
    Z = np.array([[-1e6, -800.0, 800.0, 1e6]])
    A = ACTIVATIONS[name][0](Z.copy())
    assert np.all(np.isfinite(A))
    assert np.all(np.isfinite(ACTIVATIONS[name][1](A, np.ones_like(A))))


def test_relu_derivative_is_zero_at_the_kink():
    # sklearn's convention: f'(0) = 0
    _, derivative = ACTIVATIONS["relu"]
    delta = derivative(np.array([[0.0, 1.0]]), np.array([[3.0, 3.0]]))
    np.testing.assert_array_equal(delta, [[0.0, 3.0]])
