"""skdeep: scikit-learn's MLPClassifier and MLPRegressor, with the deep-learning
course's lessons (initialization, L2, dropout, mini-batches, momentum, RMSprop, Adam,
learning-rate decay, batch normalization, gradient checking) over a small NumPy
backprop core."""

from ._display import LossCurveDisplay
from ._gradient_check import GradientCheckResult, gradient_check, numerical_gradient, relative_difference
from ._mlp import DivergenceError, MLPClassifier, MLPRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "DivergenceError",
    "GradientCheckResult",
    "LossCurveDisplay",
    "MLPClassifier",
    "MLPRegressor",
    "gradient_check",
    "numerical_gradient",
    "relative_difference",
    "__version__",
]
