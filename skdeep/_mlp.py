"""BaseMLP (the shared fit loop), MLPClassifier and MLPRegressor."""

import copy
import inspect
import warnings
from abc import ABC, abstractmethod
from functools import partial
from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    unique_labels,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._activations import ACTIVATIONS
from ._docs import estimator_docstring, method_docstring
from ._initializers import INITIALIZERS
from ._losses import LOSSES, OUTPUTS, log_expit, log_expit_pair, log_softmax, softmax
from ._monitor import TrainingRecord, ValidationSet
from ._network import Layout, Network, RunningStatistics, fold_batch_norm, fold_input_scale, forward, init_params
from ._persistence import loaded_state, saved_state
from ._schedules import SCHEDULES
from ._training import SOLVERS, Data, Fit


try:  # sklearn >= 1.9: progress and control through sklearn's callback API
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older sklearn: no callbacks, nothing else changes

    class CallbackSupportMixin:
        """Stand-in for sklearn < 1.9, which has no callback API."""


class _FitTasks:
    """The fit as a task of sklearn's callback API, each epoch (each lbfgs iteration)
    a subtask; a callback whose on_fit_task_end returns True stops after that epoch.
    Does nothing where sklearn has no callback API."""

    def __init__(self, estimator, X, y, sample_weight, max_subtasks):
        self.estimator, self.X, self.y = estimator, X, y
        self.metadata = {"sample_weight": sample_weight}
        self.root = self.current = None
        if hasattr(estimator, "_init_callback_context"):
            self.root = estimator._init_callback_context(max_subtasks=max_subtasks)
            self._call(self.root.call_on_fit_task_begin)
        # an epoch's context costs about 10 us, an L-BFGS iteration's share on small
        # data: made only where a callback (its own, or a parent's) will see it
        self.per_epoch = self.root is not None and bool(getattr(estimator, "_skl_callbacks", None))

    def _call(self, hook):
        est = self.estimator
        return hook(
            estimator=est,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=lambda: {
                name: [a.copy() for a in getattr(est, name)]
                for name in ("coefs_", "intercepts_", *_BATCH_NORM_ATTRIBUTES)
                if getattr(est, name, None) is not None
            },
        )

    def begin_epoch(self):
        if self.per_epoch:
            self.current = self.root.subcontext(task_name="epoch")
            self._call(self.current.call_on_fit_task_begin)

    def end_epoch(self):
        """Returns True when a callback asks to stop."""
        if self.current is None:
            return False
        context, self.current = self.current, None
        return self._call(context.call_on_fit_task_end)

    def end(self):
        if self.current is not None:  # an epoch cut short (divergence, interrupt)
            self.current.call_on_fit_task_end(estimator=self.estimator)
        if self.root is not None:
            self._call(self.root.call_on_fit_task_end)


#: the fitted attributes of batch normalization (None without it)
_BATCH_NORM_ATTRIBUTES = ("batch_norm_scales_", "batch_norm_shifts_", "batch_norm_means_", "batch_norm_vars_")


def _check_partial_fit(self):
    """partial_fit exists only where one batch at a time makes sense."""
    if not SOLVERS[self.solver].stochastic:
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers; "
            f"solver={self.solver!r} is not stochastic."
        )
    if self.early_stopping:
        raise AttributeError(
            "partial_fit is not available with early_stopping=True: it sees one batch "
            "at a time and holds no validation set."
        )
    if getattr(self, "class_weight", None) == "balanced":
        raise AttributeError(
            "partial_fit is not available with class_weight='balanced', which needs "
            "all of y. Pass a dict, for example from sklearn.utils.class_weight."
            "compute_class_weight('balanced', classes=..., y=...)."
        )
    return True


#: prediction clips the logits to +-this (room for the output layer's arithmetic)
_LOGIT_BOUNDS = {np.dtype(t): np.finfo(t).max / 4 for t in (np.float32, np.float64)}


def _all_finite(X):
    """np.isfinite(X).all() without a boolean array of X's size when X is large:
    then X is finite when its sum is (sklearn's first pass), and only a sum that met
    inf or NaN, or overflowed, has the values checked, a block of rows at a time."""
    if X.size <= 2**16:
        return np.isfinite(X).all()
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(X.sum()):
            return True
    step = max(1, 2**20 // max(X.shape[1], 1))
    return all(np.isfinite(X[start : start + step]).all() for start in range(0, X.shape[0], step))


def _logits_answer(Z, answer):
    """A forward finish whose answer is the logits themselves."""
    if answer is None:
        return Z
    answer[...] = Z
    return answer


class BaseMLP(CallbackSupportMixin, BaseEstimator, ABC):
    """The parameters, validation and fit loop shared by both estimators."""

    # during fit, the validation set that a scorer predicts on (see ValidationSet)
    _fit_validation_X = None

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions(set(SCHEDULES))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "scoring": [StrOptions(set(get_scorer_names()) | {"loss"}), callable, None],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions(set(INITIALIZERS)), callable],
        "init_scale": [Interval(Real, 0, None, closed="neither")],
        "keep_prob": [Interval(Real, 0, 1, closed="right"), "array-like"],
        "decay_rate": [Interval(Real, 0, None, closed="left")],
        "decay_steps": [Interval(Integral, 1, None, closed="left")],
        "batch_norm": ["boolean"],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        scoring,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        init,
        init_scale,
        keep_prob,
        decay_rate,
        decay_steps,
        batch_norm,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.scoring = scoring
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.init = init
        self.init_scale = init_scale
        self.keep_prob = keep_prob
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.batch_norm = batch_norm

    # ------------------------------------------------------------------ subclass API

    @abstractmethod
    def _encode_targets(self, y, first_call, classes, dtype):
        """Validate y and return it encoded as an array (n_samples, n_outputs) of dtype."""

    @abstractmethod
    def _encode_validation_targets(self, y_val, dtype):
        """Validate y_val against what fit learned from y; encode it as Y is."""

    @abstractmethod
    def _loss_name(self):
        """The key of LOSSES that this fit minimizes."""

    @abstractmethod
    def _score_outputs(self, y, P, sample_weight):
        """score's measure of output activations P against the raw targets y."""

    def _sample_weight(self, sample_weight, X, y):
        """Validated sample weights (None when all are implicitly one)."""
        if sample_weight is None:
            return None
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)
        if not sample_weight.any():  # sklearn >= 1.7 says so itself
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return sample_weight

    # ------------------------------------------------------------------ parameters

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if np.iterable(sizes) else [sizes]
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}.")
        return [int(s) for s in sizes]

    def _keep_probs(self, n_hidden):
        """keep_prob as one float per hidden layer, validated."""
        values = np.atleast_1d(np.asarray(self.keep_prob, dtype=object))
        if values.ndim != 1 or (values.size != 1 and values.size != n_hidden):
            raise ValueError(
                f"keep_prob must be a float in (0, 1] or a sequence with one value per "
                f"hidden layer ({n_hidden}), got {self.keep_prob!r}."
            )
        try:
            values = values.astype(float)
        except (TypeError, ValueError):
            raise ValueError(f"keep_prob must hold floats in (0, 1], got {self.keep_prob!r}.") from None
        if not np.all((values > 0) & (values <= 1)):
            raise ValueError(f"keep_prob values must lie in (0, 1], got {self.keep_prob!r}.")
        return [float(v) for v in np.broadcast_to(values, n_hidden)]

    def _initializer(self):
        """The initializer as a function (fan_in, fan_out, rng) -> weights, or
        (weights, biases) (see init_params)."""
        if callable(self.init):
            return self.init
        return partial(INITIALIZERS[self.init], init_scale=self.init_scale, activation=self.activation)

    def _loss(self):
        """The loss by name, with the values of its parameters (see LOSSES)."""
        loss = LOSSES[self._loss_name()]
        return loss.with_values(**{name: getattr(self, name) for name in loss.parameters})

    def _network(self, n_features, n_outputs):
        sizes = (n_features, *self._hidden_sizes(), n_outputs)
        layout = Layout(sizes, batch_norm=self.batch_norm, input_scale=self._input_scale)
        return Network(layout, self.activation, self._loss())

    def _init_theta(self, net, rng, dtype):
        """Parameters exactly as a first fit draws them (used by gradient_check too)."""
        return init_params(net.layout, self._initializer(), rng, dtype)

    # ------------------------------------------------------------------ fitting

    def _prepare(self, X, y, sample_weight, first_call, classes=None):
        """Validate and encode the data; returns X, y, Y, sample_weight, network."""
        X, y = validate_data(
            self,
            X,
            y,
            reset=first_call,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=not isinstance(self, ClassifierMixin),
        )
        if not first_call and X.dtype != self.coefs_[0].dtype:
            X = X.astype(self.coefs_[0].dtype)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # a column of targets is a vector, with sklearn's warning
        Y = self._encode_targets(y, first_call, classes, X.dtype)
        sample_weight = self._sample_weight(sample_weight, X, y)
        return X, y, Y, sample_weight, self._network(X.shape[1], Y.shape[1])

    #: c of an input scale s = 1 + c u that training learns in front of the first
    #: layer (RealMLP-TD's scaling layer; see _network), folded into coefs_[0] at the
    #: end of every fit; 0 for none. Not a parameter: TabularMLPClassifier and
    #: TabularMLPRegressor set it on their members (their ``input_scaling``).
    _input_scale = 0.0

    # private training state, saved and restored with the fitted attributes
    _STATE = ("_rng", "_optimizer", "_label_binarizer", "_epochs", "_no_improvement_count", "_batch_norm_count")

    def _state_keys(self):
        return [k for k in vars(self) if (k.endswith("_") and not k.startswith("__")) or k in self._STATE]

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None, validation_data=(None, None, None)):
        """Fit all or nothing: when fit raises, the estimator is left as it was.

        ``validation_data`` is (X_val, y_val, sample_weight_val) as fit takes them."""
        saved = {}
        for key in self._state_keys():
            value = getattr(self, key)
            if isinstance(value, list):
                value = list(value)
            elif incremental and key in ("_rng", "_optimizer"):  # stepped in place
                value = copy.deepcopy(value)
            saved[key] = value
        try:
            return self._fit_unguarded(X, y, sample_weight, incremental, classes, validation_data)
        except BaseException:
            for key in self._state_keys():
                delattr(self, key)
            vars(self).update(saved)
            raise

    def _fit_unguarded(self, X, y, sample_weight, incremental, classes, validation_data):
        hidden = self._hidden_sizes()
        keep_probs = self._keep_probs(len(hidden))
        first_call = not hasattr(self, "coefs_") or not (self.warm_start or incremental)
        self._check_combination(keep_probs, first_call, incremental)
        X, y, Y, sample_weight, net = self._prepare(X, y, sample_weight, first_call, classes)
        validation_data = self._prepare_validation_data(*validation_data, dtype=X.dtype, n_outputs=Y.shape[1])
        theta = self._start_parameters(net, X.dtype, first_call, incremental)
        running = self._start_batch_norm(net.layout, theta, first_call)

        train, validation = self._validation_set(Data(X, y, Y, sample_weight), validation_data, net)
        solver = SOLVERS[self.solver]
        tasks = _FitTasks(self, train.X, train.y, train.sample_weight, max_subtasks=1 if incremental else self.max_iter)
        record = TrainingRecord(
            self, first_call=first_call, stochastic=solver.stochastic, validation=validation, running=running,
            tasks=tasks,
        )  # fmt: skip
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            solver.train(self, Fit(train, net, theta, running, keep_probs, record), incremental)
        record.finish(theta)
        fold_input_scale(net.layout, theta)  # the fitted coefs_ are a plain MLP's
        record.publish()
        if running is not None:
            self._batch_norm_count = running.count
        tasks.end()
        return self

    def _check_combination(self, keep_probs, first_call, incremental):
        """Refuse parameter values that are valid alone but not together, or not for
        continuing this fit."""
        if self.learning_rate == "exponential" and not 0 < self.decay_rate <= 1:
            effect = "stop training after decay_steps epochs" if self.decay_rate == 0 else "grow it without bound"
            raise ValueError(
                "learning_rate='exponential' needs decay_rate in (0, 1], the factor the "
                f"learning rate is multiplied by every decay_steps epochs; "
                f"decay_rate={self.decay_rate!r} would {effect}."
            )
        if not SOLVERS[self.solver].dropout and min(keep_probs, default=1) < 1:
            takers = [repr(name) for name, solver in SOLVERS.items() if solver.dropout]
            raise ValueError(
                f"solver={self.solver!r} cannot be used with keep_prob < 1: dropout makes the "
                f"objective random, and {self.solver} needs a deterministic one. Use "
                f"solver={', '.join(takers[:-1])} or {takers[-1]}, or keep_prob=1."
            )
        if not first_call and (getattr(self, "batch_norm_scales_", None) is not None) != bool(self.batch_norm):
            how, fresh = ("partial_fit", "a new estimator") if incremental else ("warm_start=True", "warm_start=False")
            raise ValueError(
                f"This model was fitted with batch_norm={not self.batch_norm}: {how} cannot continue it "
                f"with batch_norm={self.batch_norm!r}, which changes the network's layers. Fit a new "
                f"model ({fresh}), or set batch_norm back."
            )

    def _start_parameters(self, net, dtype, first_call, incremental):
        """The flat parameter vector this fit trains: drawn anew (with a new random
        generator and optimizer) on a first call, else packed from the fitted
        attributes. The fitted coefs_ and intercepts_ become views of it."""
        if first_call:
            self._rng = check_random_state(self.random_state)
            theta = self._init_theta(net, self._rng, dtype)
            self._optimizer = None
        else:
            fitted = [W.shape for W in self.coefs_]
            if fitted != list(net.layout.coef_shapes):
                how = "partial_fit" if incremental else "warm_start=True"
                raise ValueError(
                    f"{how} cannot continue this model with hidden_layer_sizes="
                    f"{self.hidden_layer_sizes!r}: it was fitted with hidden layers of "
                    f"{[shape[1] for shape in fitted[:-1]]} units. Set hidden_layer_sizes "
                    "back, or fit a new model."
                )
            if not incremental:
                self._rng = check_random_state(self.random_state)
            theta = net.layout.pack(
                self.coefs_, self.intercepts_, dtype, self.batch_norm_scales_ or (), self.batch_norm_shifts_ or ()
            )
        self.coefs_, intercepts = net.layout.unpack(theta)
        # a batch-normalized layer has no bias (beta takes its place): zeros, so that
        # intercepts_ keeps sklearn's shapes
        sizes = net.layout.layer_sizes[1:]
        self.intercepts_ = [np.zeros(n, dtype) if b is None else b for b, n in zip(intercepts, sizes)]
        self.n_outputs_ = sizes[-1]
        self.n_layers_ = len(net.layout.layer_sizes)
        self.out_activation_ = net.loss.out_activation  # the inverse of the loss's link
        return theta

    def _start_batch_norm(self, layout, theta, first_call):
        """Point the batch-norm attributes at theta's gamma and beta and at new running
        statistics (continued from the fitted ones unless first_call), and return
        those; without batch normalization set the attributes to None and return None."""
        if not layout.batch_norm:
            for name in _BATCH_NORM_ATTRIBUTES:
                setattr(self, name, None)
            return None
        self.batch_norm_scales_, self.batch_norm_shifts_ = layout.unpack_batch_norm(theta)
        if first_call:
            running = RunningStatistics(layout, theta.dtype)
        else:  # new arrays: a fit that raises leaves the fitted ones as they were
            running = RunningStatistics(
                layout, theta.dtype, self.batch_norm_means_, self.batch_norm_vars_, self._batch_norm_count
            )
        self.batch_norm_means_, self.batch_norm_vars_ = running.means, running.variances
        return running

    def _check_batch_rows(self, n_samples, batch_size):
        """Batch normalization needs two rows or more in every batch to normalize over."""
        if self.batch_norm and batch_size < 2:
            raise ValueError(
                "batch_norm=True normalizes each hidden unit over the rows of a batch and "
                f"needs at least 2 rows per batch, but the batches have 1 (n_samples={n_samples}, "
                f"batch_size={self.batch_size!r}). Use batch_size >= 2, more samples, or "
                "batch_norm=False."
            )

    def _prepare_validation_data(self, X_val, y_val, sample_weight_val, dtype, n_outputs):
        """X_val, y_val and sample_weight_val validated as fit validates X, y and
        sample_weight, with y_val encoded as for the loss: (X, y, Y, sample_weight),
        or None when no validation set is given."""
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val is given, but X_val and y_val are not.")
            return None
        if y_val is None:
            raise ValueError("X_val is given, but y_val is not: pass both, or neither.")
        if X_val is None:
            raise ValueError("y_val is given, but X_val is not: pass both, or neither.")
        if not self.early_stopping:
            raise ValueError(
                "X_val and y_val are given while early_stopping=False: the validation "
                "set serves early stopping. Set early_stopping=True, or leave them out."
            )
        try:
            X_val = validate_data(
                self, X_val, reset=False, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32)
            )
        except ValueError as error:
            raise ValueError(f"X_val: {error}") from None
        X_val = X_val.astype(dtype, copy=False)
        y_val = np.asarray(y_val)
        if y_val.ndim == 2 and y_val.shape[1] == 1 and isinstance(self, ClassifierMixin):
            y_val = column_or_1d(y_val, warn=True)
        if len(y_val) != X_val.shape[0]:
            raise ValueError(
                f"X_val and y_val have different numbers of samples: {X_val.shape[0]} and {len(y_val)}."
            )
        try:
            Y_val = self._encode_validation_targets(y_val, dtype)
        except ValueError as error:
            raise ValueError(f"y_val: {error}") from None
        if Y_val.shape[1] != n_outputs:
            raise ValueError(f"y_val has {Y_val.shape[1]} outputs, but y has {n_outputs}.")
        if sample_weight_val is not None:
            sample_weight_val = self._sample_weight(sample_weight_val, X_val, y_val)
        return X_val, y_val, Y_val, sample_weight_val

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            # sklearn's text first, so that a filter on its message catches ours
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to "
                f"be clipped: batch_size={self.batch_size} is larger than the number of "
                f"training samples ({n_samples}); using {n_samples}, one full batch per epoch."
            )
        return int(min(self.batch_size, n_samples))

    def _validation_set(self, train, validation_data, net):
        """The training Data and the ValidationSet (None without one): the validation
        data given to fit, or with early stopping, for a solver that splits (sgd,
        rmsprop, adam), sklearn's split of the training data (drawn after the initial
        weights, as sklearn's)."""
        if validation_data is None and self.early_stopping and SOLVERS[self.solver].validation_split:
            train, validation_data = self._split_validation(*train)
        if validation_data is None:
            return train, None
        return train, ValidationSet(self, net, *validation_data, scoring=self.scoring)

    def _split_validation(self, X, y, Y, sample_weight):
        """Hold out validation_fraction of the data with sklearn's draws: stratified
        for binary targets (one output) when each class can be split, else random.
        With class_weight set (skdeep's own parameter, so no parity with sklearn is
        at stake), every single-label target is stratified where it can be: a random
        split could hold out no row of a heavily weighted class, and the weighted
        validation score would then ignore that class.

        Returns
        -------
        train, validation : Data
        """
        n_val = int(np.ceil(self.validation_fraction * len(y)))
        if n_val < 2 or len(y) - n_val < 1:
            # a classifier's validation set needs a sample of each class to score it
            classes = f", {len(self.classes_)} classes" if hasattr(self, "classes_") else ""
            raise ValueError(
                f"The validation set is too small ({n_val} of {len(y)} samples{classes}): "
                "increase validation_fraction or the size of the data set, or set "
                "early_stopping=False."
            )
        stratify = None
        binary = isinstance(self, ClassifierMixin) and Y.shape[1] == 1  # sklearn's rule
        if binary or (getattr(self, "class_weight", None) is not None and y.ndim == 1):
            _, counts = np.unique(y, return_counts=True)
            # where sklearn's stratified split raises, a random one still works
            if counts.min() >= 2 and len(counts) <= min(n_val, len(y) - n_val):
                stratify = y
        arrays = [X, y, Y] + ([] if sample_weight is None else [sample_weight])
        parts = train_test_split(
            *arrays, random_state=self._rng, test_size=self.validation_fraction, stratify=stratify
        )
        train, val = parts[0::2], parts[1::2]
        if sample_weight is None:
            train.append(None)
            val.append(None)
        return Data(*train), Data(*val)

    # ------------------------------------------------------------------ predicting

    def _check_X(self, X):
        """X validated for prediction, as a float array or sparse matrix.

        sklearn's validate_data(reset=False) checks the feature names, the number of
        features, the dtype, finiteness and the sparse format, at a cost larger than
        the forward pass of a small batch. For the common case, a 2-D float ndarray
        with the right number of columns from an estimator fitted without feature
        names, those checks reduce to the ones made here; anything else, and any
        input that fails them, goes through validate_data and its messages.
        """
        if X is self._fit_validation_X:  # a scorer's call during fit: validated there
            return X
        if (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype.char in "fd"  # float32, float64
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
            and (get_config()["assume_finite"] or _all_finite(X))
        ):
            return X
        return validate_data(self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False)

    def _inference_layers(self):
        """(coefs, intercepts) of the plain MLP that prediction computes: each hidden
        layer applies ``activation``, the output layer ``out_activation_``. Prediction
        and export (ONNX) read the fitted network from here only.

        With batch normalization, each hidden layer's normalization by the running
        statistics is folded into its weights and biases (see fold_batch_norm), so
        the plain MLP computes exactly what the normalized network does at inference.
        """
        if getattr(self, "batch_norm_scales_", None) is None:
            return self.coefs_, self.intercepts_
        with np.errstate(all="ignore"):  # as prediction: overflow makes inf, then a clear error
            return fold_batch_norm(
                self.coefs_, self.intercepts_, self.batch_norm_scales_, self.batch_norm_shifts_,
                self.batch_norm_means_, self.batch_norm_vars_,
            )  # fmt: skip

    def _forward(self, X, finish):
        """forward's answer for X, in chunks of rows that sklearn's working_memory
        sizes: ``finish(Z, answer)`` turns the logits Z of a chunk into its rows of
        the answer (see forward).

        The logits are computed in the wider of X's and the parameters' dtypes, as
        sklearn computes: a model fitted on float32 answers float32 X in float32 and
        float64 X in float64. finish sees them never NaN and clipped to a finite
        range."""
        if not hasattr(self, "coefs_"):
            check_is_fitted(self, "coefs_")  # raises sklearn's NotFittedError (classes_ alone is not a fit)
        X = self._check_X(X)
        coefs, intercepts = self._inference_layers()
        big = _LOGIT_BOUNDS[X.dtype if X.dtype is coefs[0].dtype else np.promote_types(X.dtype, coefs[0].dtype)]

        def checked(Z, answer):
            if np.isnan(Z).any():
                raise ValueError(
                    "The network's outputs overflowed for this X (inf - inf in a hidden layer): "
                    "X or the weights are too large. Scale X (for example with StandardScaler), "
                    "or refit with a lower learning_rate_init or a smaller init_scale."
                )
            return finish(np.clip(Z, -big, big, out=Z), answer)

        with np.errstate(all="ignore"):
            return forward(coefs, intercepts, X, self.activation, finish=checked)

    def _logits(self, X):
        """Output pre-activations for X, shape (n_samples, n_outputs), never NaN,
        clipped to a finite range (see _forward)."""
        return self._forward(X, _logits_answer)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------ saving

    def __getstate__(self):
        """What pickle, joblib and skops save: the attributes, with the skdeep
        version and the training state as plain data (see _persistence)."""
        return saved_state(super().__getstate__())

    def __setstate__(self, state):
        """Restore a saved state; warns with skdeep.InconsistentVersionWarning when
        another skdeep version saved it."""
        super().__setstate__(loaded_state(state, type(self).__name__))


#: the fitted attributes both estimators document, in order (see _docs.ATTRIBUTES)
_ATTRIBUTES = [
    "coefs_", "intercepts_", *_BATCH_NORM_ATTRIBUTES, "loss_", "loss_curve_", "best_loss_", "validation_scores_",
    "validation_loss_curve_", "best_validation_score_", "n_iter_", "t_", "n_layers_", "n_outputs_",
    "out_activation_", "n_features_in_", "feature_names_in_",
]  # fmt: skip


def _doc(text):
    """Set a function's docstring to ``text`` (composed, so not a literal)."""

    def set_doc(function):
        function.__doc__ = text
        return function

    return set_doc


def _parameters(cls):
    """The constructor's parameters of ``cls``, in order."""
    return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]


_FIT = ["X", "y", "sample_weight", "X_val", "y_val", "sample_weight_val"]
_PARTIAL_FIT = ["X", "y", "sample_weight"]
_CLASSIFIER_TARGETS = {
    "y": (
        "array-like of shape (n_samples,) or (n_samples, n_classes)",
        "The class labels, or a label-indicator matrix for multilabel targets.",
    ),
    "y_val": (
        "array-like of shape (n_val,) or (n_val, n_classes), default=None",
        "The validation set's labels, given with X_val; only classes seen in y.",
    ),
}
_REGRESSOR_TARGETS = {
    "y": ("array-like of shape (n_samples,) or (n_samples, n_outputs)", "The target values."),
    "y_val": (
        "array-like of shape (n_val,) or (n_val, n_outputs), default=None",
        "The validation set's target values, given with X_val.",
    ),
}


class MLPClassifier(ClassifierMixin, BaseMLP):
    # the public path: pickles and skops files name skdeep.MLPClassifier, whichever
    # private module defines it
    __module__ = "skdeep"
    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring=None,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        init_scale=0.01,
        keep_prob=1.0,
        decay_rate=1.0,
        decay_steps=1,
        batch_norm=False,
        class_weight=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            scoring=scoring,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            init=init,
            init_scale=init_scale,
            keep_prob=keep_prob,
            decay_rate=decay_rate,
            decay_steps=decay_steps,
            batch_norm=batch_norm,
        )
        self.class_weight = class_weight

    def _encode_targets(self, y, first_call, classes, dtype):
        check_classification_targets(y)
        if first_call:
            multilabel = y.ndim == 2  # with more than one column: a label indicator
            self._label_binarizer = LabelBinarizer().fit(y if classes is None or multilabel else classes)
            self.classes_ = self._label_binarizer.classes_
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in the "
                    f"data, but the data contains only one class: {self.classes_[0]!r}."
                )
        else:
            multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
            new = unique_labels(y) if multilabel else np.unique(y)
            if self.warm_start and classes is None and set(new) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in "
                    f"the previous call to fit. Previously got {self.classes_}, `y` has {new}."
                )
            if not multilabel and len(np.setdiff1d(new, self.classes_)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {new}."
                )
        return self._encode_labels(y, dtype)

    def _encode_validation_targets(self, y_val, dtype):
        check_classification_targets(y_val)
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            if y_val.ndim != 2 or y_val.shape[1] != len(self.classes_):
                raise ValueError(f"multilabel targets need {len(self.classes_)} columns, as y; got shape {y_val.shape}.")
        else:
            unseen = np.unique(y_val[~np.isin(y_val, self.classes_)])
            if len(unseen):
                raise ValueError(f"classes {unseen.tolist()} are not in y, whose classes are {self.classes_.tolist()}.")
        return self._encode_labels(y_val, dtype)

    def _encode_labels(self, y, dtype):
        """Labels of known classes as the loss takes them, in ``dtype``: a label
        indicator as it is; one column, the positive class, for two classes; else
        one column per class. (sklearn's label_binarize, without its checks of what
        fit has checked already, and without its int64 matrix.)"""
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return self._label_binarizer.transform(y).astype(dtype)
        if y.ndim != 1:
            raise ValueError("Multioutput target data is not supported with label binarization")
        codes = np.searchsorted(self.classes_, y)  # classes_ is sorted
        if len(self.classes_) == 2:
            return codes.astype(dtype).reshape(-1, 1)
        Y = np.zeros((len(y), len(self.classes_)), dtype=dtype)
        Y[np.arange(len(y)), codes] = 1
        return Y

    def _loss_name(self):
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        return "log_loss" if multiclass else "binary_log_loss"

    def _sample_weight(self, sample_weight, X, y):
        sample_weight = super()._sample_weight(sample_weight, X, y)
        if self.class_weight is None:
            return sample_weight
        if self.class_weight == "balanced" and sample_weight is not None and y.ndim == 1:
            # balance the weighted class totals, S / (n_classes * S_c), so weights
            # still equal repetitions (sklearn's 'balanced' with counts for weights)
            present, codes = np.unique(y[sample_weight > 0], return_inverse=True)
            totals = np.bincount(codes, weights=sample_weight[sample_weight > 0])
            class_weight = dict(zip(present, totals.sum() / (len(present) * totals)))
        else:
            class_weight = self.class_weight
        if isinstance(class_weight, dict):
            values = np.asarray(list(class_weight.values()), dtype=float)
            if not (np.isfinite(values).all() and (values >= 0).all()):
                raise ValueError(f"class_weight values must be finite and non-negative, got {self.class_weight!r}.")
        class_sw = compute_sample_weight(class_weight, y).astype(X.dtype)
        return class_sw if sample_weight is None else sample_weight * class_sw

    def _score_outputs(self, y, P, sample_weight):
        """accuracy_score (subset accuracy for multilabel targets), computed directly:
        early stopping scores every epoch, and sklearn's checks of its arguments
        cost more than an epoch on small data."""
        correct = self._decode(P) == y
        if correct.ndim == 2:
            correct = correct.all(axis=1)
        return float(np.average(correct, weights=sample_weight))

    def _decode(self, P):
        """Class labels from the output activations P (n_samples, n_outputs), by
        sklearn's rule: the most probable class; for binary and multilabel
        outputs, each probability > 0.5."""
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return (P > 0.5).astype(int)
        if self.out_activation_ == "logistic":  # binary
            return self.classes_.take((P[:, 0] > 0.5).astype(np.intp))
        return self.classes_.take(P.argmax(axis=1))

    @_fit_context(prefer_skip_nested_validation=True)
    @_doc(method_docstring("Fit the model to X and y.", _FIT, "self", own=_CLASSIFIER_TARGETS))
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        return self._fit(X, y, sample_weight, validation_data=(X_val, y_val, sample_weight_val))

    @available_if(_check_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    @_doc(
        method_docstring(
            "One epoch over X and y, continuing from the current state.", _PARTIAL_FIT + ["classes"], "self",
            own=_CLASSIFIER_TARGETS,
        )
    )  # fmt: skip
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        first = _check_partial_fit_first_call(self, classes)
        return self._fit(X, y, sample_weight, incremental=True, classes=self.classes_ if first else None)

    def predict(self, X):
        """Predicted class labels, shape (n_samples,) or (n_samples, n_classes)."""
        return self._forward(X, self._labels)

    def _labels(self, Z, answer=None):
        """predict from the logits Z (n_samples, n_outputs), overwriting Z; into
        ``answer`` when given, else a new array."""
        labels = self._decode(OUTPUTS[self.out_activation_](Z))
        if answer is None:
            return labels
        answer[...] = labels
        return answer

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes). Never exactly 0: they
        are floored at the smallest normal float, so their log is predict_log_proba."""
        return self._forward(X, self._probabilities)

    def _probabilities(self, Z, answer=None):
        """predict_proba from the logits Z (n_samples, n_outputs), overwriting Z;
        into ``answer`` when given, else a new array (or Z). Underflow is harmless
        here: _forward calls it with floating-point errors ignored."""
        if self.out_activation_ == "softmax":
            P = softmax(Z)
        elif Z.shape[1] == 1:  # binary: 1 - p as expit(-z), without cancellation
            P = np.empty((Z.shape[0], 2), Z.dtype) if answer is None else answer
            expit(-Z[:, 0], out=P[:, 0])
            expit(Z[:, 0], out=P[:, 1])
        else:
            P = expit(Z, out=Z)
        return np.maximum(P, np.finfo(P.dtype).tiny, out=P if answer is None else answer)

    def predict_log_proba(self, X):
        """Log of predict_proba, computed from the logits: log(1 - expit(z)) is never
        taken. It is floored at the log of the smallest normal float (about -708 in
        float64, -87 in float32), so it is always finite and equals
        log(predict_proba)."""
        return self._forward(X, self._log_probabilities)

    def _log_probabilities(self, Z, answer=None):
        """predict_log_proba from the logits Z; into ``answer`` when given."""
        if self.out_activation_ == "softmax":
            L = log_softmax(Z)
        elif Z.shape[1] == 1:
            L = log_expit_pair(Z[:, 0])
        else:
            L = log_expit(Z)
        return np.maximum(L, np.log(np.finfo(L.dtype).tiny), out=L if answer is None else answer)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    __module__ = "skdeep"
    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({name for name, loss in LOSSES.items() if loss.kind == "regression"})],
        **{name: constraints for loss in LOSSES.values() for name, constraints in loss.parameters.items()},
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        scoring=None,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        init_scale=0.01,
        keep_prob=1.0,
        decay_rate=1.0,
        decay_steps=1,
        batch_norm=False,
        quantile=None,
        huber_delta=1.0,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            scoring=scoring,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            init=init,
            init_scale=init_scale,
            keep_prob=keep_prob,
            decay_rate=decay_rate,
            decay_steps=decay_steps,
            batch_norm=batch_norm,
        )
        self.loss = loss
        self.quantile = quantile
        self.huber_delta = huber_delta

    def _encode_targets(self, y, first_call, classes, dtype):
        try:
            y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{type(self).__name__} needs numeric y; got values of dtype {np.asarray(y).dtype}.") from None
        if not np.isfinite(y).all():
            raise ValueError("y contains NaN or infinity.")
        LOSSES[self.loss].check_targets(y)
        return y.reshape(len(y), -1).astype(dtype, copy=False)

    def _encode_validation_targets(self, y_val, dtype):
        return self._encode_targets(y_val, first_call=False, classes=None, dtype=dtype)

    def _loss_name(self):
        return self.loss

    def _score_outputs(self, y, P, sample_weight):
        """r2_score averaged over the outputs, computed directly as sklearn does (with
        its finite values for constant targets): early stopping scores every epoch,
        and sklearn's checks of its arguments cost more than an epoch on small data."""
        y = np.asarray(y, dtype=np.float64).reshape(P.shape[0], -1)
        P = P.reshape(y.shape)
        weight = 1.0 if sample_weight is None else sample_weight[:, None]
        numerator = np.sum(weight * (y - P) ** 2, axis=0)
        denominator = np.sum(weight * (y - np.average(y, axis=0, weights=sample_weight)) ** 2, axis=0)
        scores = np.ones(y.shape[1])
        valid = (denominator != 0) & (numerator != 0)
        scores[valid] = 1 - numerator[valid] / denominator[valid]
        scores[(numerator != 0) & (denominator == 0)] = 0.0  # a constant target missed
        return float(np.mean(scores))

    @_fit_context(prefer_skip_nested_validation=True)
    @_doc(method_docstring("Fit the model to X and y.", _FIT, "self", own=_REGRESSOR_TARGETS))
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None, sample_weight_val=None):
        return self._fit(X, y, sample_weight, validation_data=(X_val, y_val, sample_weight_val))

    @available_if(_check_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    @_doc(
        method_docstring(
            "One epoch over X and y, continuing from the current state.", _PARTIAL_FIT, "self",
            own=_REGRESSOR_TARGETS,
        )
    )  # fmt: skip
    def partial_fit(self, X, y, sample_weight=None):
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predictions, shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        P = self._forward(X, self._predictions)
        return P.ravel() if P.shape[1] == 1 else P

    def _predictions(self, Z, answer=None):
        """predict from the logits Z, overwriting Z; into ``answer`` when given."""
        if self.out_activation_ == "exp":  # keep exp(z) finite
            np.minimum(Z, np.log(np.finfo(Z.dtype).max) - 1, out=Z)
        P = OUTPUTS[self.out_activation_](Z)
        if answer is None:
            return P
        answer[...] = P
        return answer

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        loss = LOSSES.get(self.loss) if isinstance(self.loss, str) else None
        tags.target_tags.positive_only = loss is not None and loss.positive_only
        return tags


MLPClassifier.__doc__ = estimator_docstring(
    """Multi-layer perceptron classifier: sklearn's MLPClassifier, plus weight
    initialization schemes, dropout, RMSprop, learning-rate decay, batch
    normalization and class weights.

    Binary and multilabel targets use logistic outputs and the binary log loss;
    multiclass targets a softmax and the log loss.""",
    _parameters(MLPClassifier),
    ["classes_", *_ATTRIBUTES],
)
MLPRegressor.__doc__ = estimator_docstring(
    """Multi-layer perceptron regressor: sklearn's MLPRegressor, plus weight
    initialization schemes, dropout, RMSprop, learning-rate decay, batch
    normalization, and the absolute error, Huber, quantile and gamma losses.

    The loss is chosen by name, as HistGradientBoostingRegressor's; its link sets the
    output layer: the identity, or exp for the Poisson and gamma deviances. It is
    summed over the outputs and averaged over the samples, so the reported loss and
    the gradient agree for any number of outputs.""",
    _parameters(MLPRegressor),
    _ATTRIBUTES,
)
