"""skdeep: scikit-learn's MLPClassifier and MLPRegressor, with the deep-learning
course's lessons (initialization, L2, dropout, mini-batches, momentum, RMSprop, Adam,
learning-rate decay, batch normalization, gradient checking) over a small NumPy
backprop core."""

from ._display import LossCurveDisplay
from ._gradient_check import GradientCheckResult, gradient_check, numerical_gradient, relative_difference
from ._mlp import MLPClassifier, MLPRegressor
from ._monitor import DivergenceError
from ._persistence import InconsistentVersionWarning
from ._tabular import TabularMLPClassifier, TabularMLPRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "DivergenceError",
    "GradientCheckResult",
    "InconsistentVersionWarning",
    "LossCurveDisplay",
    "MLPClassifier",
    "MLPRegressor",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "gradient_check",
    "numerical_gradient",
    "relative_difference",
    "__version__",
]
