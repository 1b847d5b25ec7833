"""Saving and loading the estimators: the versions that saved them, and their training
state as plain data.

pickle, joblib and skops all save an estimator through ``__getstate__`` and load it
through ``__setstate__``; BaseMLP's two hooks call ``saved_state`` and
``loaded_state`` here. Saving records the skdeep and scikit-learn versions and turns
each private training-state object (the optimizer) into a dict of its registry key
and its attributes, so that a file holds only types skops trusts already: dicts,
lists, strings, numbers, NumPy arrays and RandomState. Loading warns when the skdeep
version differs and rebuilds each object from its registry; a file can name only a
class that is registered, never any other.
"""

import warnings

import numpy as np
import sklearn
from sklearn.exceptions import InconsistentVersionWarning as _SklearnInconsistentVersionWarning

from ._optimizers import OPTIMIZERS

#: private attribute -> registry of the classes it may hold. Each class's instance
#: attributes must be plain data (bools, ints, floats, strings, NumPy arrays and lists
#: of them); a new class in a registry then needs no code here, and a new kind of
#: training-state object needs one entry.
REGISTERED_STATE = {"_optimizer": OPTIMIZERS}


class InconsistentVersionWarning(_SklearnInconsistentVersionWarning):
    """A saved estimator was loaded with a different version of skdeep than saved it.

    Raised when pickle, joblib or skops loads the estimator. The model may then
    predict differently, or fail, where the two versions differ; refit it with this
    version and save it again, or load it with the version that saved it. A subclass
    of scikit-learn's :class:`~sklearn.exceptions.InconsistentVersionWarning`, so
    one filter on scikit-learn's class covers both libraries' models.

    Parameters
    ----------
    estimator_name : str
    current_skdeep_version : str
        The skdeep version loading the estimator.
    original_skdeep_version : str or None
        The skdeep version that saved it; None for a file that did not record it.
    current_sklearn_version, original_sklearn_version : str or None
        The same for scikit-learn (the attributes of scikit-learn's warning).
    """

    __module__ = "skdeep"

    def __init__(
        self,
        *,
        estimator_name,
        current_skdeep_version,
        original_skdeep_version,
        current_sklearn_version=None,
        original_sklearn_version=None,
    ):
        super().__init__(
            estimator_name=estimator_name,
            current_sklearn_version=current_sklearn_version,
            original_sklearn_version=original_sklearn_version,
        )
        self.current_skdeep_version = current_skdeep_version
        self.original_skdeep_version = original_skdeep_version

    def __str__(self):
        def versions(skdeep_version, sklearn_version):
            text = f"skdeep {skdeep_version}"
            return text + (f" (scikit-learn {sklearn_version})" if sklearn_version else "")

        if self.original_skdeep_version is None:
            saved = "a version of skdeep that did not record itself"
            install = "the skdeep version that saved it"
        else:
            saved = versions(self.original_skdeep_version, self.original_sklearn_version)
            install = f"skdeep=={self.original_skdeep_version}"
        current = versions(self.current_skdeep_version, self.current_sklearn_version)
        return (
            f"{self.estimator_name} was saved with {saved} and is being loaded with "
            f"{current}. It may predict differently, or fail, where the versions differ. "
            f"Refit it with skdeep {self.current_skdeep_version} and save it again, or "
            f"load it where {install} is installed."
        )


def _skdeep_version():
    from . import __version__  # at call time: skdeep/__init__ imports this module

    return __version__


def saved_state(state):
    """What pickle, joblib and skops save of an estimator whose instance attributes
    are ``state``: a new dict (``state`` is left alone) with the versions recorded
    and each registered training-state object as ``{"kind": key, "attributes":
    dict}``. An object of a class in no registry is kept as it is (pickle still saves
    it; skops then lists its class among the types to trust)."""
    state = dict(state)
    for name, registry in REGISTERED_STATE.items():
        value = state.get(name)
        kind = next((key for key, cls in registry.items() if type(value) is cls), None)
        if kind is not None:
            state[name] = {"kind": kind, "attributes": dict(vars(value))}
    state["_skdeep_version"] = _skdeep_version()
    state["_sklearn_version"] = sklearn.__version__
    return state


def loaded_state(state, estimator_name):
    """The instance attributes to restore from a saved ``state``: the inverse of
    saved_state, warning with InconsistentVersionWarning when the skdeep version
    that saved it is not this one."""
    state = dict(state)
    original = state.pop("_skdeep_version", None)
    original_sklearn = state.pop("_sklearn_version", None)
    current = _skdeep_version()
    if original != current:
        warnings.warn(
            InconsistentVersionWarning(
                estimator_name=estimator_name,
                current_skdeep_version=current,
                original_skdeep_version=original,
                current_sklearn_version=sklearn.__version__,
                original_sklearn_version=original_sklearn,
            )
        )
    for name, registry in REGISTERED_STATE.items():
        value = state.get(name)
        if isinstance(value, dict) and value.keys() == {"kind", "attributes"}:
            state[name] = _rebuild(name, registry, **value)
    return state


def _rebuild(name, registry, kind, attributes):
    """The registered object of ``kind`` with ``attributes``, its arrays writable (a
    file joblib memory-maps loads them read-only, and optimizers step in place)."""
    if kind not in registry:
        raise ValueError(
            f"The saved estimator's {name} is {kind!r}, which this version of skdeep does "
            f"not have (it has {', '.join(map(repr, registry))}). Load it with the skdeep "
            "version that saved it."
        )
    cls = registry[kind]
    obj = cls.__new__(cls)
    vars(obj).update({key: _writable(value) for key, value in attributes.items()})
    return obj


def _writable(value):
    if isinstance(value, np.ndarray):
        return value if value.flags.writeable else value.copy()
    if isinstance(value, list):
        return [_writable(v) for v in value]
    return value
