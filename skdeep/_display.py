"""LossCurveDisplay: the training and validation loss per epoch, and the validation
score, in scikit-learn's Display style."""

import functools

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils.validation import check_is_fitted


class LossCurveDisplay:
    """Training and validation loss curves, with the validation score on a second
    axis.

    The training loss after each epoch (each iteration for ``solver='lbfgs'``) is
    drawn on the left axis, and with a validation set (early stopping) the
    validation loss beside it, dotted: the same data loss on the same scale (the
    training loss adds the L2 term), so the gap between them, the course's
    train/dev gap, reads off the picture. The
    validation score is drawn dashed on a second y axis sharing the epochs. The
    legend goes where it hides the fewest points of the curves of both axes.

    Create it with :meth:`from_estimator`, or from the curves themselves and then
    call :meth:`plot`. All attributes are set by :meth:`plot`.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss after each epoch, as ``loss_curve_``.
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Validation loss after each epoch, as ``validation_loss_curve_``. None draws
        none.
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score after each epoch, as ``validation_scores_`` with early
        stopping (accuracy for classifiers, R² for regressors). None draws no second
        axis.
    estimator_name : str, default=None
        Name of the estimator, used in the legend. None draws no legend unless there
        are validation scores.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training-loss curve.
    validation_loss_line_ : matplotlib Line2D or None
        The validation-loss curve, None without a validation loss.
    validation_line_ : matplotlib Line2D or None
        The validation-score curve, None without validation scores.
    ax_ : matplotlib Axes
        Axes of the training loss.
    ax2_ : matplotlib Axes or None
        Second y axis (``ax_.twinx()``) of the validation scores. Estimators plotted
        on the same axes share it, and one legend on it; None while no estimator
        drawn on these axes had validation scores.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    LossCurveDisplay.from_estimator : Plot the curves of a fitted estimator.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import make_moons
    >>> from skdeep import LossCurveDisplay, MLPClassifier
    >>> X, y = make_moons(200, noise=0.2, random_state=0)
    >>> clf = MLPClassifier((16,), early_stopping=True, learning_rate_init=0.01,
    ...                     random_state=0).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> plt.show()  # doctest: +SKIP
    """

    def __init__(self, loss_curve, *, validation_loss_curve=None, validation_scores=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, name=None, **kwargs):
        """Plot the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw the training loss on; a new figure and axes when None.
        name : str, default=None
            Name for the legend; ``estimator_name`` when None.
        **kwargs : dict
            Passed to matplotlib's ``plot`` for the training-loss line.

        Returns
        -------
        display : LossCurveDisplay
            The object itself, with its attributes set.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name

        loss = np.asarray(self.loss_curve, dtype=float)
        epochs = np.arange(1, loss.size + 1)
        with_validation_loss = self.validation_loss_curve is not None
        label = "training loss" if not name else (f"{name} training loss" if with_validation_loss else name)
        (self.line_,) = ax.plot(epochs, loss, **{"label": label, **kwargs})
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss" if with_validation_loss else "training loss")
        self.validation_loss_line_ = None
        if with_validation_loss:
            validation_loss = np.asarray(self.validation_loss_curve, dtype=float)
            (self.validation_loss_line_,) = ax.plot(
                np.arange(1, validation_loss.size + 1),
                validation_loss,
                linestyle=":",
                color=self.line_.get_color(),
                label="validation loss" if not name else f"{name} validation loss",
            )

        # one score axis per axes: an earlier plot's, so that several estimators'
        # scores share one scale and one legend
        self.ax2_ = _score_axis(ax)
        self.validation_line_ = None
        if self.validation_scores is not None:
            scores = np.asarray(self.validation_scores, dtype=float)
            if self.ax2_ is None:
                self.ax2_ = ax.twinx()
                self.ax2_.set_ylabel("validation score")
            label = "validation score" if not name else f"{name} validation score"
            # the loss line's colour, dashed: the two curves of one estimator pair up
            (self.validation_line_,) = self.ax2_.plot(
                np.arange(1, scores.size + 1),
                scores,
                linestyle="--",
                color=self.line_.get_color(),
                label=label,
            )

        if name or self.ax2_ is not None or with_validation_loss:
            # every labelled line of both axes in one legend, on the score axis when
            # there is one (it is drawn on top)
            handles, labels = ax.get_legend_handles_labels()
            if self.ax2_ is None:
                ax.legend(handles, labels)  # loc="best": clear of the lines, where it can be
            else:
                more_handles, more_labels = self.ax2_.get_legend_handles_labels()
                if ax.get_legend() is not None:
                    ax.get_legend().remove()
                _legend_clear_of_both(ax, self.ax2_, handles + more_handles, labels + more_labels)

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Plot the loss curve of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            An estimator with ``loss_curve_`` (skdeep's or scikit-learn's MLPs), or a
            Pipeline ending in one. Its ``validation_loss_curve_``, when not None
            (early stopping), is drawn beside the training loss, and its
            ``validation_scores_`` on a second y axis.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure and axes when None.
        name : str, default=None
            Name for the legend; the estimator's class name when None.
        **kwargs : dict
            Passed to matplotlib's ``plot`` for the training-loss line.

        Returns
        -------
        display : LossCurveDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        ValueError
            If the fitted estimator has no ``loss_curve_``.
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        if isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        if not hasattr(estimator, "loss_curve_"):
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_: LossCurveDisplay needs "
                "an estimator that records its training loss, such as skdeep's "
                "MLPClassifier or MLPRegressor."
            )
        display = cls(
            estimator.loss_curve_,
            validation_loss_curve=getattr(estimator, "validation_loss_curve_", None),
            validation_scores=getattr(estimator, "validation_scores_", None),
            estimator_name=type(estimator).__name__ if name is None else name,
        )
        return display.plot(ax=ax, **kwargs)


# matplotlib's legend locations, in the order its loc="best" tries them
_LOCATIONS = (
    "upper right", "upper left", "lower left", "lower right", "right",
    "center left", "center right", "lower center", "upper center", "center",
)  # fmt: skip


def _legend_clear_of_both(ax, ax2, handles, labels):
    """The legend of both axes, on the score axis ``ax2`` (drawn on top), placed
    when it is drawn where it hides the fewest points of the lines of both axes.

    matplotlib's loc="best" weighs the lines of the legend's own axes only: on the
    score axis it would sit on the loss curves' tail.
    """
    legend = ax2.legend(handles, labels)
    placer = _legend_placer()
    if not any(isinstance(child, placer) for child in ax2.get_children()):
        ax2.add_artist(placer(ax, ax2))
    return legend


@functools.cache
def _legend_placer():
    """The artist class that places the score axis's legend (a function, so that
    matplotlib is imported only when plotting)."""
    from matplotlib.artist import Artist

    class LegendPlacer(Artist):
        """Draws nothing. Drawn after the lines and before the legend (by zorder),
        when the limits and the layout are final, it moves the score axis's legend
        to the first of matplotlib's locations that crosses no line of either axis,
        else to the one that crosses least: loc="best"'s rule, over both axes. A
        location the user sets on the legend afterwards is left alone."""

        zorder = 4.5  # lines 2, legend 5

        def __init__(self, ax, ax2):
            super().__init__()
            self._pair = ax, ax2
            self._placed = None, None  # the legend last placed, and where
            self.set_in_layout(False)  # it has no extent for tight layouts to make room for

        def draw(self, renderer):
            ax, ax2 = self._pair
            legend = ax2.get_legend()
            if legend is None:
                return
            placed, code = self._placed
            # a location set since is the user's (legend._loc: matplotlib has no getter)
            if legend is placed and legend._loc != code:
                return
            paths = [line.get_transform().transform_path(line.get_path()) for a in (ax, ax2) for line in a.get_lines()]
            set_loc = getattr(legend, "set_loc", None) or legend._set_loc  # public from matplotlib 3.8
            best = None
            for name in _LOCATIONS:
                set_loc(legend.codes[name])
                box = legend.get_window_extent(renderer)
                badness = sum(box.count_contains(p.vertices) + p.intersects_bbox(box, filled=False) for p in paths)
                if best is None or badness < best[0]:
                    best = badness, name
                if badness == 0:
                    break
            set_loc(legend.codes[best[1]])
            self._placed = legend, legend.codes[best[1]]

    return LegendPlacer


def _score_axis(ax):
    """The twin of ``ax`` (same place, shared epochs) that an earlier plot made for
    validation scores, or None."""
    for other in ax.get_shared_x_axes().get_siblings(ax):
        if other is not ax and other.get_position().bounds == ax.get_position().bounds:
            return other
    return None
