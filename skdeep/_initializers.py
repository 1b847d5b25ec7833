"""Weight initializers: name -> initializer(fan_in, fan_out, rng, **options).

Each returns a layer's weights, a float64 array of shape (fan_in, fan_out), or the
pair (weights, biases of shape (fan_out,)) for a scheme that draws biases too.  The
course's named schemes start the biases at zero (random weights alone break the
symmetry between hidden units); the default, 'auto', draws both exactly as
scikit-learn's MLP does.
"""

import numpy as np


def zeros(fan_in, fan_out, rng, **options):
    """All zeros: every hidden unit of a layer computes the same function forever."""
    return np.zeros((fan_in, fan_out))


def random(fan_in, fan_out, rng, *, init_scale=0.01, **options):
    """Standard normal times ``init_scale`` (0.01: small; 10: the notes' too large)."""
    return init_scale * rng.standard_normal((fan_in, fan_out))


def he(fan_in, fan_out, rng, **options):
    """He et al. (2015): normal with variance 2 / fan_in, made for ReLU."""
    return np.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, fan_out))


def xavier(fan_in, fan_out, rng, **options):
    """Xavier in the course's form: normal with variance 1 / fan_in."""
    return np.sqrt(1.0 / fan_in) * rng.standard_normal((fan_in, fan_out))


def _glorot_bound(fan_in, fan_out, activation):
    """sqrt(f / (fan_in + fan_out)), f = 2 for logistic units and 6 otherwise
    (Glorot and Bengio, 2010, as scikit-learn applies it)."""
    factor = 2.0 if activation == "logistic" else 6.0
    return np.sqrt(factor / (fan_in + fan_out))


def glorot_uniform(fan_in, fan_out, rng, *, activation="relu", **options):
    """Uniform on +-sqrt(f / (fan_in + fan_out)), f = 2 for logistic, else 6: the
    weights of scikit-learn's scheme, with the course's zero biases."""
    bound = _glorot_bound(fan_in, fan_out, activation)
    return rng.uniform(-bound, bound, (fan_in, fan_out))


def sklearn_glorot(fan_in, fan_out, rng, *, activation="relu", **options):
    """scikit-learn's scheme, weights and biases: both uniform on the glorot_uniform
    range, the weights drawn first, so the same ``rng`` gives sklearn's numbers.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    biases : ndarray of shape (fan_out,)
    """
    bound = _glorot_bound(fan_in, fan_out, activation)
    weights = rng.uniform(-bound, bound, (fan_in, fan_out))
    return weights, rng.uniform(-bound, bound, fan_out)


#: public name -> initializer; a callable ``init(fan_in, fan_out, rng)`` passed to
#: the estimator is used as given, with the same return convention.
INITIALIZERS = {
    "auto": sklearn_glorot,
    "zeros": zeros,
    "random": random,
    "he": he,
    "xavier": xavier,
    "glorot_uniform": glorot_uniform,
}
