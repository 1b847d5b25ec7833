"""Every parameter and every fitted attribute of every public estimator is described
in its numpydoc docstring, in the constructor's order, and nothing else is: the
docstrings are parsed with numpydoc, as the API pages are built."""

import inspect
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

import skdeep

docscrape = pytest.importorskip("numpydoc.docscrape", reason="numpydoc parses the docstrings (the test extra has it)")

ESTIMATORS = [
    getattr(skdeep, name)
    for name in skdeep.__all__
    if inspect.isclass(getattr(skdeep, name)) and issubclass(getattr(skdeep, name), BaseEstimator)
]


def _section(obj, name):
    """{entry name: description} of a numpydoc section of obj's docstring."""
    entries = docscrape.NumpyDocString(inspect.getdoc(obj))[name]
    return {entry.name: "\n".join(entry.desc).strip() for entry in entries}


def test_the_estimators_are_found():
    assert {skdeep.MLPClassifier, skdeep.MLPRegressor} <= set(ESTIMATORS)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_every_parameter_is_described_in_order(cls):
    documented = _section(cls, "Parameters")
    assert list(documented) == [name for name in inspect.signature(cls.__init__).parameters if name != "self"]
    assert set(documented) == set(cls().get_params(deep=False))
    undescribed = [name for name, text in documented.items() if not text]
    assert not undescribed, f"{cls.__name__}: parameters without a description: {undescribed}"


def _fitted(cls, **params):
    """Instances of cls fitted so that every attribute appears in one of them: plain,
    then with batch normalization, early stopping and a DataFrame's feature names."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int) if issubclass(cls, skdeep.MLPClassifier) else X @ [1.0, 2.0, -1.0]
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    small = dict(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return [
            cls(**small).fit(X, y),
            cls(**small, batch_norm=True, early_stopping=True, validation_fraction=0.25).fit(frame, y),
        ]


def _fitted_attributes(estimator):
    return {name for name in vars(estimator) if name.endswith("_") and not name.startswith("_")}


def _fitted_tabular(cls):
    """A tabular estimator fitted on an array and one fitted on a DataFrame."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(int) if issubclass(cls, skdeep.TabularMLPClassifier) else X @ [1.0, 2.0, -1.0]
    small = dict(hidden_layer_sizes=(3,), max_iter=3, n_members=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return [cls(**small).fit(X, y), cls(**small).fit(pd.DataFrame(X, columns=["a", "b", "c"]), y)]


@pytest.mark.parametrize(
    "cls",
    [skdeep.MLPClassifier, skdeep.MLPRegressor, skdeep.TabularMLPClassifier, skdeep.TabularMLPRegressor],
    ids=lambda cls: cls.__name__,
)
def test_every_fitted_attribute_is_described_and_nothing_else(cls):
    documented = _section(cls, "Attributes")
    fitted_estimators = _fitted_tabular(cls) if cls.__name__.startswith("Tabular") else _fitted(cls)
    fitted = set().union(*(_fitted_attributes(est) for est in fitted_estimators))
    assert fitted - set(documented) == set(), "fitted attributes without a description"
    assert set(documented) - fitted == set(), "documented attributes that fit never sets"
    undescribed = [name for name, text in documented.items() if not text]
    assert not undescribed, f"{cls.__name__}: attributes without a description: {undescribed}"


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("cls", [skdeep.MLPClassifier, skdeep.MLPRegressor], ids=lambda cls: cls.__name__)
def test_fit_methods_describe_their_parameters(cls, method):
    function = getattr(cls(solver="adam"), method)
    documented = _section(function, "Parameters")
    assert list(documented) == list(inspect.signature(function).parameters)
    assert all(documented.values()), documented
