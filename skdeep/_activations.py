"""Hidden-layer activations, each in place and beside its derivative."""

import numpy as np
from scipy.special import expit


# Each derivative is written in terms of the activation's *output* A = f(Z), which is
# what the forward pass keeps, and multiplies the incoming delta in place:
#     delta <- delta * f'(Z)


def identity(Z):
    """f(z) = z."""
    return Z


def identity_derivative(A, delta):
    """f'(z) = 1."""
    return delta


def logistic(Z):
    """f(z) = 1 / (1 + exp(-z)), computed without overflow."""
    return expit(Z, out=Z)


def logistic_derivative(A, delta):
    """f'(z) = a (1 - a)."""
    delta *= A
    delta *= 1 - A
    return delta


def tanh(Z):
    """f(z) = tanh(z)."""
    return np.tanh(Z, out=Z)


def tanh_derivative(A, delta):
    """f'(z) = 1 - a^2."""
    delta *= 1 - A * A
    return delta


def relu(Z):
    """f(z) = max(z, 0)."""
    return np.maximum(Z, 0, out=Z)


def relu_derivative(A, delta):
    """f'(z) = 1 where a > 0, else 0 (0 at the kink, as sklearn)."""
    delta *= A > 0  # faster than np.copyto(..., where=) and as cheap as a kept buffer
    return delta


#: name -> (activation in place, derivative in place from the activation's output)
ACTIVATIONS = {
    "identity": (identity, identity_derivative),
    "logistic": (logistic, logistic_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
}
