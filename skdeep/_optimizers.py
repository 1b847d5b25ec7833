"""Stochastic optimizers: SGD with (Nesterov) momentum, and Adam.

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

    which is sklearn's form.

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
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (same shapes)."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        lr_t = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        state = zip(_flat(params), _flat(grads), _flat(self.ms), _flat(self.vs), _flat(self._scratch))
        for p, g, m, v, s in state:
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s += self.epsilon
            np.divide(m, s, out=s)
            s *= -lr_t
            p += s


#: solver name -> optimizer class
OPTIMIZERS = {"sgd": SGD, "adam": Adam}
