"""Weight initializers: name -> initializer(fan_in, fan_out, rng, **options).

Each returns a float64 array of shape (fan_in, fan_out).  Biases always start at zero:
random weights alone break the symmetry between hidden units.
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


def glorot_uniform(fan_in, fan_out, rng, *, activation="relu", **options):
    """scikit-learn's scheme: uniform on +-sqrt(f / (fan_in + fan_out)).

    f is 2 for the logistic activation and 6 otherwise, as in sklearn.  (sklearn also
    draws its biases from this range; skdeep keeps them at zero.)
    """
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    return rng.uniform(-bound, bound, (fan_in, fan_out))


#: public name -> initializer; 'auto' is resolved by the estimator (He for relu,
#: Xavier otherwise) and a callable ``init(fan_in, fan_out, rng)`` is used as given.
INITIALIZERS = {
    "zeros": zeros,
    "random": random,
    "he": he,
    "xavier": xavier,
    "glorot_uniform": glorot_uniform,
}
