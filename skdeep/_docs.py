"""The estimators' docstrings, composed from one numpydoc entry per parameter and per
fitted attribute, so that both estimators share each description and a new parameter
without one fails at import (and in tests/test_docstrings.py)."""

import textwrap

#: parameter -> (its numpydoc type line, its description)
PARAMETERS = {
    "loss": (
        "{'squared_error', 'absolute_error', 'huber', 'quantile', 'poisson', 'gamma'}, default='squared_error'",
        """
        What training minimizes, per sample and output, with r = prediction - y
        (HistGradientBoostingRegressor's names):

        - 'squared_error': r**2 / 2, sklearn's MLP's. Predicts the conditional mean.
        - 'absolute_error': abs(r). Predicts the conditional median; grossly wrong
          targets pull it far less than they pull the squared error.
        - 'huber': r**2 / 2 where abs(r) <= huber_delta, huber_delta * (abs(r) -
          huber_delta / 2) beyond: the squared error near the target, the absolute
          error far from it.
        - 'quantile': the pinball loss of ``quantile``, (1 - quantile) * r where r > 0
          and -quantile * r where r < 0. Predicts that quantile of y given X: two such
          models give a prediction interval.
        - 'poisson': half the Poisson deviance, with an exp output; needs y >= 0.
        - 'gamma': half the gamma deviance, y / p - log(y / p) - 1 with p the
          prediction, with an exp output; needs y > 0.

        The output activation (``out_activation_``) is the inverse of the loss's link:
        exp for 'poisson' and 'gamma', the identity otherwise. The absolute error,
        Huber and pinball losses have kinks, where backprop takes the derivative 0, as
        at a ReLU's kink (lbfgs then may end its line search early, with a
        ConvergenceWarning). ``score`` is R^2 whatever the loss, as
        HistGradientBoosting's; ``scoring='loss'`` makes early stopping follow this
        loss on the validation set.
        """,
    ),
    "hidden_layer_sizes": (
        "array-like of shape (n_layers - 2,), default=(100,)",
        "The number of units of each hidden layer, in order: (100,) is one layer of 100 units.",
    ),
    "activation": (
        "{'identity', 'logistic', 'tanh', 'relu'}, default='relu'",
        """
        The hidden layers' activation: f(z) = z, 1 / (1 + exp(-z)), tanh(z) or
        max(z, 0). The output layer's is set by the loss.
        """,
    ),
    "solver": (
        "{'lbfgs', 'sgd', 'rmsprop', 'adam'}, default='adam'",
        """
        The weight optimizer. 'lbfgs' is scipy's L-BFGS-B on the whole training set;
        'sgd' is mini-batch gradient descent with momentum; 'adam' is Adam; 'rmsprop'
        is the course's RMSprop: s = beta_2 * s + (1 - beta_2) * g**2, then theta -= lr
        * g / (sqrt(s) + epsilon), s starting at zero and without bias correction, so
        its first step is lr / sqrt(1 - beta_2) per parameter (32 lr at the default
        beta_2; 0.9 gives 3.2 lr). Only the stochastic solvers (sgd, rmsprop, adam)
        take mini-batches, dropout, learning-rate schedules and partial_fit.
        """,
    ),
    "alpha": (
        "float, default=0.0001",
        """
        L2 strength. The cost carries alpha / (2 n) * sum of squared weights (not
        biases), n the number of training samples (or the sum of sample weights), and
        every mini-batch's weight gradient gets alpha / n * W, so alpha means the same
        for any batch_size. For a full batch this is sklearn's term; sklearn divides by
        the batch size instead, so with mini-batches its alpha acts n / batch_size
        times stronger.
        """,
    ),
    "batch_size": (
        "int or 'auto', default='auto'",
        """
        Mini-batch size of the stochastic solvers; 'auto' is min(200, n_samples). Each
        epoch shuffles (when shuffle) and partitions the rows, keeping the last partial
        batch. lbfgs ignores it.
        """,
    ),
    "learning_rate": (
        "{'constant', 'invscaling', 'adaptive', 'inverse_time', 'exponential'}, default='constant'",
        """
        The learning-rate schedule, applied after each epoch. 'constant' keeps
        learning_rate_init. As sklearn's (sgd and rmsprop; adam ignores them, as
        sklearn's does): 'invscaling', lr = learning_rate_init / (``t_`` + 1) ** power_t;
        'adaptive', which divides the rate by 5 each time training stalls for
        n_iter_no_change epochs, and stops once it is at most 1e-6. The course's
        decays, for every stochastic solver: 'inverse_time', lr = learning_rate_init /
        (1 + decay_rate * floor(epoch / decay_steps)); 'exponential', lr =
        learning_rate_init * decay_rate ** floor(epoch / decay_steps).
        """,
    ),
    "learning_rate_init": (
        "float, default=0.001",
        """
        The learning rate of sgd, rmsprop and adam at the first epoch: the size of
        their steps, which the schedule of ``learning_rate`` then changes. lbfgs has
        none.
        """,
    ),
    "power_t": (
        "float, default=0.5",
        "The exponent of learning_rate='invscaling'.",
    ),
    "max_iter": (
        "int, default=200",
        """
        The most epochs of sgd, rmsprop and adam (each sees every training row once),
        or iterations of lbfgs. partial_fit runs one epoch whatever it is.
        """,
    ),
    "shuffle": (
        "bool, default=True",
        "Shuffle the training rows before every epoch (sgd, rmsprop, adam).",
    ),
    "random_state": (
        "int, RandomState instance or None, default=None",
        """
        The only source of randomness: initial weights, shuffling, the validation
        split and the dropout masks. The same value gives identical fits.
        """,
    ),
    "tol": (
        "float, default=1e-4",
        """
        The improvement that counts. An epoch improves when the training loss falls
        more than tol below the lowest so far or, with early stopping, when the
        validation score rises by at least tol above the best; after more than
        n_iter_no_change epochs in a row without improvement, training stops (or
        learning_rate='adaptive' slows down). For lbfgs it is also scipy's gtol: it
        stops once no entry of the projected gradient exceeds tol.
        """,
    ),
    "verbose": (
        "bool, default=False",
        """
        Print the training loss after each epoch (each lbfgs iteration), the
        validation score with early stopping, and why training stopped, in sklearn's
        words.
        """,
    ),
    "warm_start": (
        "bool, default=False",
        """
        When True, fit continues from the fitted weights instead of drawing new ones,
        and the training record carries on (``loss_curve_``, ``t_``, the epochs of the decay
        schedules); the optimizer starts afresh, as sklearn's. hidden_layer_sizes and
        batch_norm must stay as they were.
        """,
    ),
    "momentum": (
        "float, default=0.9",
        """
        sgd's momentum, in [0, 1], in sklearn's velocity form: v = momentum * v - lr *
        g, theta += v. The course's form v = beta * v + (1 - beta) * g, theta -= a * v
        takes the same steps with lr = a * (1 - beta).
        """,
    ),
    "nesterovs_momentum": (
        "bool, default=True",
        """
        Whether sgd's momentum is Nesterov's, which steps by momentum * v - lr * g with
        the new velocity v: it looks ahead along the velocity. Used when momentum > 0.
        """,
    ),
    "early_stopping": (
        "bool, default=False",
        """
        Stop when the score on a validation set stops improving (more than
        n_iter_no_change epochs in a row without improving the best by tol), and
        restore the weights of the best epoch. The validation set is ``X_val`` and
        ``y_val`` when fit is given them; else sgd, rmsprop and adam hold out
        validation_fraction of the data (sklearn's split: stratified for binary
        targets). lbfgs holds nothing out, as sklearn's: it stops early only on a given
        ``X_val``.
        """,
    ),
    "validation_fraction": (
        "float, default=0.1",
        """
        The share of the training data held out as the validation set of early
        stopping when fit is given no ``X_val``, in [0, 1); the split must leave at
        least 2 validation rows. Ignored without early stopping.
        """,
    ),
    "scoring": (
        "str, callable, 'loss' or None, default=None",
        """
        What early stopping follows on the validation set, higher being better: None,
        the estimator's ``score`` (accuracy or R^2, as sklearn); 'loss', the negative
        validation data loss (the training loss's data term: the log loss, or the
        regressor's loss, weighted by sample_weight_val, without the L2 term, so that
        a large alpha cannot keep it falling); or any scorer name or callable that
        :func:`sklearn.metrics.check_scoring` takes.
        """,
    ),
    "beta_1": (
        "float, default=0.9",
        "Adam's decay rate of its first moment, the running mean of the gradients; in [0, 1).",
    ),
    "beta_2": (
        "float, default=0.999",
        """
        The decay rate of the running mean of the squared gradients, in [0, 1): Adam's
        second moment, and RMSprop's s.
        """,
    ),
    "epsilon": (
        "float, default=1e-8",
        """
        Added to the root of the squared-gradient average in Adam's and RMSprop's step,
        so that it never divides by zero. (sklearn's MLP names it so; the regressor's
        Huber threshold is therefore ``huber_delta``.)
        """,
    ),
    "n_iter_no_change": (
        "int or np.inf, default=10",
        """
        How many epochs in a row may bring no improvement by tol: one more stops
        training, or slows down learning_rate='adaptive'. With np.inf training runs
        max_iter epochs. lbfgs counts only the validation score's epochs (given an
        ``X_val``); it stops on its own convergence test otherwise.
        """,
    ),
    "max_fun": (
        "int, default=15000",
        "lbfgs only: the most evaluations of the loss and its gradient.",
    ),
    "init": (
        "{'auto', 'zeros', 'random', 'he', 'xavier', 'glorot_uniform'} or callable, default='auto'",
        """
        Initialization. 'auto' is scikit-learn's: weights and biases uniform on
        +-sqrt(f / (fan_in + fan_out)), f = 2 for logistic and 6 otherwise, the same
        draws as sklearn's MLP for the same random_state. The course's named schemes
        start the biases at zero: 'random' is standard normal times init_scale; 'he'
        has variance 2 / fan_in; 'xavier' variance 1 / fan_in; 'glorot_uniform' is
        sklearn's weight range. A callable ``init(fan_in, fan_out, rng)`` returns the
        (fan_in, fan_out) weights, or the pair (weights, biases of shape (fan_out,)).
        """,
    ),
    "init_scale": (
        "float, default=0.01",
        "The scale of init='random' (10 reproduces the course's 'too large' lesson).",
    ),
    "keep_prob": (
        "float or sequence of float, default=1.0",
        """
        Inverted dropout on the hidden layers during training: each hidden unit is
        kept with this probability (one value, or one per hidden layer) and kept
        activations are divided by it. Never applied at predict. The stochastic solvers
        only.
        """,
    ),
    "decay_rate": (
        "float, default=1.0",
        """
        Decay rate of 'inverse_time' and 'exponential'. For 'exponential' it is the
        factor the rate is multiplied by, in (0, 1]: the default 1.0 keeps the rate
        constant, so set it, e.g. 0.95 (the course's example).
        """,
    ),
    "decay_steps": (
        "int, default=1",
        """
        Epochs per decay step of 'inverse_time' and 'exponential': the rate is
        constant within each block of decay_steps epochs (the course's staircase).
        """,
    ),
    "batch_norm": (
        "bool, default=False",
        """
        Batch normalization of every hidden layer. In training, each hidden unit's
        pre-activation z = a W is normalized over the rows of the mini-batch (rows
        weighted by their sample weights) to z_hat = (z - mean) / sqrt(var + 1e-5),
        then scaled and shifted by a learned gamma and beta, gamma * z_hat + beta,
        before the activation; dropout follows the activation. A normalized layer has
        no bias (the mean subtraction cancels it; beta takes its place); alpha
        penalizes the weights, not gamma and beta. Prediction normalizes with running
        averages of the batch statistics instead (the attributes
        ``batch_norm_means_`` and ``batch_norm_vars_``), so a row's prediction never
        depends on the rows predicted with it. lbfgs normalizes with the whole
        training set's statistics. Needs at least 2 rows per batch.
        """,
    ),
    "class_weight": (
        "dict, 'balanced' or None, default=None",
        """
        Weights of the classes, multiplied into the sample weights as in sklearn's
        linear models: a dict {class: weight}, or 'balanced' for n_samples /
        (n_classes * count of the class). None weighs every class alike.
        """,
    ),
    "quantile": (
        "float in (0, 1), default=None",
        """
        With loss='quantile', the quantile to predict (HistGradientBoosting's name),
        which must then be set: 0.5 for the median, 0.05 and 0.95 for the bounds of a
        90% interval. Ignored by the other losses.
        """,
    ),
    "huber_delta": (
        "float > 0, default=1.0",
        """
        With loss='huber', the size of residual where the loss turns from squared to
        absolute, in the units of y: residuals beyond it pull the fit no more than the
        absolute error does. The default suits targets of unit scale (standardized:
        it treats residuals beyond one standard deviation as outlying, as PyTorch's
        and Keras' default delta=1 do). sklearn's HuberRegressor names its threshold
        ``epsilon`` and measures it in units of a scale it fits (default 1.35), and
        SGDRegressor's ``epsilon`` (default 0.1) is in the units of y; the MLP's
        ``epsilon`` is Adam's, hence this name. Ignored by the other losses.
        """,
    ),
}

#: fitted attribute -> (its numpydoc type line, its description)
ATTRIBUTES = {
    "classes_": ("ndarray of shape (n_classes,)", "The class labels (for multilabel targets, 0 to n_labels - 1)."),
    "coefs_": (
        "list of ndarray",
        "The weight matrices: coefs_[i] of shape (units of layer i, units of layer i + 1).",
    ),
    "intercepts_": (
        "list of ndarray",
        "The bias vectors, intercepts_[i] of shape (units of layer i + 1,); zeros for the hidden layers "
        "under batch_norm, which have none.",
    ),
    "batch_norm_scales_": (
        "list of ndarray or None",
        "With batch_norm, each hidden layer's learned scale gamma, of shape (units,); None without.",
    ),
    "batch_norm_shifts_": (
        "list of ndarray or None",
        "With batch_norm, each hidden layer's learned shift beta, of shape (units,); None without.",
    ),
    "batch_norm_means_": (
        "list of ndarray or None",
        """
        With batch_norm, the means that prediction normalizes each hidden layer's
        pre-activations with: running averages of the training batches' (weighted)
        means, each batch weighing 1 - 0.9 against the average before it, with the
        course's bias correction so that they start from the first batch's; carried
        on by partial_fit and warm_start. lbfgs sets them to the whole training set's
        at its solution. None without batch_norm.
        """,
    ),
    "batch_norm_vars_": (
        "list of ndarray or None",
        "With batch_norm, the variances that go with ``batch_norm_means_``, averaged alike; None without.",
    ),
    "loss_": (
        "float",
        """
        The training loss of the last epoch (lbfgs: at its last point), the last of
        ``loss_curve_``: the mean data loss plus the L2 term.
        """,
    ),
    "loss_curve_": (
        "list of float",
        """
        The training loss after each epoch (each lbfgs iteration), over every call of
        fit with warm_start and of partial_fit: each epoch's batch losses averaged over
        its rows, each batch's mean data loss plus the L2 term.
        """,
    ),
    "best_loss_": (
        "float or None",
        "The lowest training loss in ``loss_curve_``; None with a validation set (as sklearn's).",
    ),
    "validation_scores_": (
        "list of float or None",
        """
        The validation score after each epoch (``scoring``'s measure), with early
        stopping; None without. Aligned with ``loss_curve_``: NaN for the epochs of
        warm-started fits that had no validation set.
        """,
    ),
    "validation_loss_curve_": (
        "list of float or None",
        """
        The data loss on the validation set after each epoch, with early stopping:
        the data term of ``loss_curve_``'s loss (weighted by sample_weight_val),
        without the L2 term, the course's dev-set error. None without early stopping.
        """,
    ),
    "best_validation_score_": (
        "float or None",
        "The best of ``validation_scores_`` in the last fit; its epoch's weights are the ones kept.",
    ),
    "n_iter_": (
        "int",
        """
        The epochs (lbfgs: iterations) that the last call of fit or partial_fit ran,
        as sklearn's: a partial_fit runs one.
        """,
    ),
    "t_": (
        "int",
        """
        The training samples seen over every call: each epoch adds the rows it trained
        on (lbfgs, the training set's size per iteration). The t of 'invscaling'.
        """,
    ),
    "n_layers_": ("int", "The number of layers, the input and output layers included."),
    "n_outputs_": (
        "int",
        "The output units: 1 for binary targets, one per class or label otherwise, and one per column of a "
        "regressor's y.",
    ),
    "out_activation_": (
        "str",
        "The output layer's activation, the inverse of the loss's link: 'softmax', 'logistic', 'identity' or "
        "'exp'.",
    ),
    "n_features_in_": ("int", "The number of features seen during fit."),
    "feature_names_in_": (
        "ndarray of shape (n_features,)",
        "The names of the features seen during fit, when X had string column names (a DataFrame).",
    ),
}

#: fit's and partial_fit's parameters -> (type line, description), but y and y_val,
#: which each estimator describes (see method_docstring)
FIT_PARAMETERS = {
    "X": ("{array-like, sparse matrix} of shape (n_samples, n_features)", "The training samples."),
    "sample_weight": (
        "array-like of shape (n_samples,), default=None",
        """
        The weight of each sample in the loss (and in the L2 term's n, their sum): with
        full-batch training an integer weight k fits as k copies of the row would.
        """,
    ),
    "X_val": (
        "{array-like, sparse matrix} of shape (n_val, n_features), default=None",
        """
        A validation set of your own for early stopping (which it needs), in place of
        the validation_fraction split; validated as X. In a Pipeline,
        ``Pipeline(..., transform_input=["X_val"])`` transforms it as X.
        """,
    ),
    "sample_weight_val": (
        "array-like of shape (n_val,), default=None",
        "Weights of the validation samples in the validation loss and score.",
    ),
    "classes": (
        "array of shape (n_classes,), default=None",
        "All the classes; required on the first call, ignored after.",
    ),
}


def _entry(name, type_line, description, indent):
    body = textwrap.indent(textwrap.dedent(description).strip(), " " * (indent + 4))
    return f"{' ' * indent}{name} : {type_line}\n{body}\n"


def _section(title, entries, indent):
    pad = " " * indent
    return f"{pad}{title}\n{pad}{'-' * len(title)}\n" + "".join(entries)


def estimator_docstring(summary, parameters, attributes, *, parameter_entries=PARAMETERS, attribute_entries=ATTRIBUTES):
    """A class docstring: the summary (indented as a class body's), then a
    Parameters section with the entries of ``parameters`` and an Attributes section
    with those of ``attributes``, in the order given, looked up in
    ``parameter_entries`` and ``attribute_entries`` (name -> (type line, description);
    by default the MLPs')."""
    return (
        summary.rstrip()
        + "\n\n"
        + _section("Parameters", [_entry(name, *parameter_entries[name], indent=4) for name in parameters], 4)
        + "\n"
        + _section("Attributes", [_entry(name, *attribute_entries[name], indent=4) for name in attributes], 4)
    )


def method_docstring(summary, parameters, returns, own=None):
    """A method docstring (indented as a method body's): the summary, then the entries
    of ``parameters`` from ``own`` (name -> (type line, description), the method's
    own) or else FIT_PARAMETERS, and a Returns section."""
    own = own or {}
    entries = [_entry(name, *own.get(name, FIT_PARAMETERS.get(name, ())), indent=8) for name in parameters]
    return (
        summary.rstrip()
        + "\n\n"
        + _section("Parameters", entries, 8)
        + "\n"
        + _section("Returns", [f"        {returns}\n"], 8)
    )
