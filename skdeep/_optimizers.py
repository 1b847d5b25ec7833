"""Stochastic optimizers: SGD with (Nesterov) momentum, RMSprop and Adam.

They see only lists of arrays, never the network, and update them in place with
NumPy's in-place ufuncs and a scratch array each, so a step allocates nothing. (Not
scipy's BLAS axpy: scipy ships its own OpenBLAS, whose thread pool would fight
NumPy's over the same cores in every batch.)
"""

import numpy as np


def _flat(arrays):
    """1-D views of contiguous arrays (a copy would be updated instead)."""
    for a in arrays:
        if not a.flags.c_contiguous:
            raise ValueError("optimizers update C-contiguous arrays only")
    return [a.reshape(-1) for a in arrays]


class SGD:
    """Gradient descent with momentum, in sklearn's velocity form.

        v <- beta v - lr g
        theta <- theta + v                       (classical momentum)
        theta <- theta + beta v - lr g           (Nesterov, with the new v)

    The course's exponentially weighted form, v <- beta v + (1 - beta) g and
    theta <- theta - a v, takes exactly the same steps with lr = a (1 - beta): its
    velocity V is this one divided by -a (v = -a V).

    Parameters
    ----------
    params : list of ndarray
        The C-contiguous arrays to update; only their shapes and dtypes are read here.
    learning_rate : float
    momentum : float in [0, 1]
    nesterov : bool
    """

    def __init__(self, params, learning_rate=0.1, momentum=0.9, nesterov=True):
        self.learning_rate = float(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.velocities = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (same shapes)."""
        lr, beta = self.learning_rate, self.momentum
        for p, g, v, s in zip(_flat(params), _flat(grads), _flat(self.velocities), _flat(self._scratch)):
            np.multiply(g, -lr, out=s)  # s = -lr g
            if beta == 0:
                p += s
                continue
            v *= beta
            v += s
            if self.nesterov:
                p += s
                np.multiply(v, beta, out=s)
                p += s
            else:
                p += v


class Adam:
    """Adam (Kingma and Ba, 2015), with the bias correction folded into the step size.

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2
        theta <- theta - lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)

    which is sklearn's form. The moments are kept unnormalized, M = m / (1 - beta1)
    and V = v / (1 - beta2), so each update is one scale and one add:

        theta <- theta - lr_t (1 - beta1) / sqrt(1 - beta2) * M / (sqrt(V) + eps')

    with eps' = eps / sqrt(1 - beta2): the same step in two passes fewer.

    Parameters
    ----------
    params : list of ndarray
        The C-contiguous arrays to update.
    learning_rate : float
    beta_1, beta_2 : float in [0, 1)
    epsilon : float > 0
    """

    def __init__(self, params, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = float(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.t = 0
        self._M = [np.zeros_like(p) for p in params]
        self._V = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (same shapes)."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        lr_t = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        scale = lr_t * (1 - b1) / np.sqrt(1 - b2)
        eps = self.epsilon / np.sqrt(1 - b2)
        state = zip(_flat(params), _flat(grads), _flat(self._M), _flat(self._V), _flat(self._scratch))
        for p, g, M, V, s in state:
            M *= b1
            M += g
            _rms_scaled_step(p, M, g, V, s, b2, eps, scale)


def _rms_scaled_step(p, direction, g, V, s, beta_2, eps, scale):
    """The step Adam and RMSprop share, in place, with s as scratch:

        V <- beta_2 V + g^2
        p <- p - scale * direction / (sqrt(V) + eps)

    (Adam's direction is its first moment; RMSprop's the gradient itself.)"""
    V *= beta_2
    np.multiply(g, g, out=s)
    V += s
    np.sqrt(V, out=s)
    s += eps
    s *= -1.0 / scale
    np.divide(direction, s, out=s)
    p += s


class RMSprop:
    """RMSprop, the course's step between momentum and Adam: each parameter's step is
    divided by the root of a running mean of its squared gradients,

        s <- beta2 s + (1 - beta2) g^2
        theta <- theta - lr g / (sqrt(s) + eps)

    with s starting at zero and, as in the course, no bias correction: the first step
    is lr / sqrt(1 - beta2) times g / |g| wherever |g| >> eps. It takes Adam's
    beta_2 and epsilon. As in Adam the average is kept unnormalized, V = s / (1 - beta2),
    so that an update is one scale and one add:

        theta <- theta - lr / sqrt(1 - beta2) * g / (sqrt(V) + eps')

    with eps' = eps / sqrt(1 - beta2): the same step in one pass fewer.

    Parameters
    ----------
    params : list of ndarray
        The C-contiguous arrays to update.
    learning_rate : float
    beta_2 : float in [0, 1)
    epsilon : float > 0
    """

    def __init__(self, params, learning_rate=0.001, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = float(learning_rate)
        self.beta_2, self.epsilon = float(beta_2), float(epsilon)
        self._V = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (same shapes)."""
        b2 = self.beta_2
        scale = self.learning_rate / np.sqrt(1 - b2)
        eps = self.epsilon / np.sqrt(1 - b2)
        for p, g, V, s in zip(_flat(params), _flat(grads), _flat(self._V), _flat(self._scratch)):
            _rms_scaled_step(p, g, g, V, s, b2, eps, scale)


#: solver name -> optimizer class
OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}
