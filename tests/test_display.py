"""Tests of LossCurveDisplay."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier, MLPRegressor
from skdeep._display import LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def fitted(kind, **params):
    """A small skdeep estimator of ``kind`` fitted for a few epochs."""
    params = {"hidden_layer_sizes": (5,), "max_iter": 12, "learning_rate_init": 0.01, "random_state": 0, **params}
    if kind == "classifier":
        X, y = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0, random_state=0)
        return MLPClassifier(**params).fit(X, y)
    X, y = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
    return MLPRegressor(**params).fit(X, y / y.std())


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_from_estimator_draws_the_loss_curve(kind, solver):
    est = fitted(kind, solver=solver)
    display = LossCurveDisplay.from_estimator(est)

    assert len(est.loss_curve_) > 1
    np.testing.assert_array_equal(display.line_.get_ydata(), est.loss_curve_)
    np.testing.assert_array_equal(display.line_.get_xdata(), np.arange(1, len(est.loss_curve_) + 1))
    assert display.line_.axes is display.ax_
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_ylabel() == "training loss"
    assert display.estimator_name == type(est).__name__
    # no early stopping: no validation scores, so no second axis
    assert display.ax2_ is None and display.validation_line_ is None
    assert display.figure_.axes == [display.ax_]


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_early_stopping_adds_the_validation_score_on_a_second_axis(kind):
    est = fitted(kind, solver="adam", early_stopping=True, validation_fraction=0.25)
    display = LossCurveDisplay.from_estimator(est)

    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == len(est.loss_curve_) > 1
    np.testing.assert_array_equal(display.line_.get_ydata(), est.loss_curve_)
    # the validation loss beside the training loss, on the same axis and scale
    np.testing.assert_array_equal(display.validation_loss_line_.get_ydata(), est.validation_loss_curve_)
    assert display.validation_loss_line_.axes is display.ax_
    assert display.ax_.get_ylabel() == "loss"
    np.testing.assert_array_equal(display.validation_line_.get_ydata(), est.validation_scores_)
    np.testing.assert_array_equal(display.validation_line_.get_xdata(), display.line_.get_xdata())
    assert display.validation_line_.axes is display.ax2_
    assert display.ax2_ is not display.ax_
    assert display.ax2_.get_shared_x_axes().joined(display.ax_, display.ax2_)
    assert display.ax2_.get_ylabel() == "validation score"
    assert set(display.figure_.axes) == {display.ax_, display.ax2_}
    legend = display.ax2_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        f"{type(est).__name__} training loss",
        f"{type(est).__name__} validation loss",
        f"{type(est).__name__} validation score",
    ]


def test_the_axes_passed_in_are_used():
    est = fitted("classifier", early_stopping=True, validation_fraction=0.25)
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(est, ax=ax, name="mine", color="red")

    assert display.ax_ is ax
    assert display.figure_ is fig
    assert display.line_ in ax.get_lines()
    assert display.line_.get_label() == "mine training loss"
    assert matplotlib.colors.same_color(display.line_.get_color(), "red")
    # the validation lines pair with their training-loss line by colour
    assert matplotlib.colors.same_color(display.validation_line_.get_color(), "red")
    assert matplotlib.colors.same_color(display.validation_loss_line_.get_color(), "red")
    assert len(plt.get_fignums()) == 1


def test_plot_from_the_curves_returns_self():
    loss, scores = [3.0, 2.0, 1.5], [0.5, 0.7, 0.8]
    display = LossCurveDisplay(loss, validation_scores=scores, estimator_name="net")

    assert display.plot() is display
    np.testing.assert_array_equal(display.line_.get_ydata(), loss)
    np.testing.assert_array_equal(display.validation_line_.get_ydata(), scores)
    assert display.line_.get_label() == "net"
    # name given to plot wins over estimator_name
    other = LossCurveDisplay(loss).plot(name="renamed")
    assert other.line_.get_label() == "renamed"
    assert other.ax_ is not display.ax_


def test_without_name_or_validation_there_is_no_legend():
    display = LossCurveDisplay([1.0, 0.5]).plot()

    assert display.ax_.get_legend() is None
    assert display.line_.get_label() == "training loss"


@pytest.mark.parametrize(
    "estimator",
    [MLPClassifier((3,)), SklearnMLPClassifier((3,)), make_pipeline(StandardScaler(), MLPClassifier((3,)))],
    ids=["skdeep", "sklearn", "pipeline"],
)
def test_unfitted_estimator_raises_not_fitted_error(estimator):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(estimator)
    assert plt.get_fignums() == []


def test_pipeline_uses_its_last_step():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((5,), max_iter=8, random_state=0)).fit(X, y)
    display = LossCurveDisplay.from_estimator(pipe)

    np.testing.assert_array_equal(display.line_.get_ydata(), pipe[-1].loss_curve_)
    assert display.estimator_name == "MLPClassifier"


def test_sklearn_mlp_with_early_stopping():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    est = SklearnMLPClassifier((5,), max_iter=8, early_stopping=True, random_state=0).fit(X, y)
    display = LossCurveDisplay.from_estimator(est)

    np.testing.assert_array_equal(display.line_.get_ydata(), est.loss_curve_)
    np.testing.assert_array_equal(display.validation_line_.get_ydata(), est.validation_scores_)


def test_estimator_without_loss_curve_raises():
    X, y = make_classification(n_samples=30, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="has no loss_curve_"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))


def test_curves_of_several_estimators_share_one_legend():
    fig, ax = plt.subplots()
    for name, curve in [("first", [2.0, 1.0]), ("second", [3.0, 1.5, 1.0])]:
        display = LossCurveDisplay(curve, estimator_name=name).plot(ax=ax)

    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["first", "second"]
    assert len(ax.get_lines()) == 2
    np.testing.assert_array_equal(display.line_.get_ydata(), [3.0, 1.5, 1.0])


def test_early_stopping_curves_of_several_estimators_share_one_score_axis():
    fig, ax = plt.subplots()
    first = LossCurveDisplay([2.0, 1.0], validation_scores=[0.8, 0.87], estimator_name="a").plot(ax=ax)
    second = LossCurveDisplay([3.0, 1.5], validation_scores=[0.7, 0.81], estimator_name="b").plot(ax=ax)
    third = LossCurveDisplay([2.5, 2.0], estimator_name="c").plot(ax=ax)  # no scores

    assert len(fig.axes) == 2  # ax and one score axis, not a twin per estimator
    assert first.ax2_ is second.ax2_ is third.ax2_
    assert len(first.ax2_.get_lines()) == 2
    low, high = first.ax2_.get_ylim()
    assert low <= 0.7 and high >= 0.87  # one scale for both estimators' scores
    assert ax.get_legend() is None  # one legend, on the score axis
    labels = [t.get_text() for t in first.ax2_.get_legend().get_texts()]
    assert labels == ["a", "b", "c", "a validation score", "b validation score"]


def test_subplots_sharing_epochs_are_not_taken_for_the_score_axis():
    fig, (top, bottom) = plt.subplots(2, sharex=True)
    LossCurveDisplay([2.0, 1.0], validation_scores=[0.8, 0.87]).plot(ax=top)
    display = LossCurveDisplay([3.0, 1.5], validation_scores=[0.7, 0.81]).plot(ax=bottom)
    assert len(fig.axes) == 4 and display.ax2_.get_position().bounds == bottom.get_position().bounds


def test_validation_loss_alone_is_drawn_on_the_loss_axis_with_a_legend():
    display = LossCurveDisplay([1.0, 0.6, 0.4], validation_loss_curve=[1.1, 0.8, 0.9]).plot()

    np.testing.assert_array_equal(display.validation_loss_line_.get_ydata(), [1.1, 0.8, 0.9])
    assert display.validation_loss_line_.axes is display.ax_
    assert display.ax2_ is None and display.validation_line_ is None
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == ["training loss", "validation loss"]


def _covered(legend, axes):
    """How much of the lines of ``axes`` the legend hides: the points of theirs inside
    its box, plus the lines that cross it (0 when it hides none)."""
    legend.figure.canvas.draw()
    box = legend.get_window_extent()
    paths = [line.get_transform().transform_path(line.get_path()) for ax in axes for line in ax.get_lines()]
    assert paths
    return sum(box.count_contains(path.vertices) + path.intersects_bbox(box, filled=False) for path in paths)


def _training_curves(n, start, end, seed):
    """Curves shaped like a fit's: a loss falling from ``start`` to ``end``, a
    validation score rising to a plateau."""
    epochs = np.arange(n)
    noise = np.random.RandomState(seed).normal(0, 0.005, n)
    loss = end + (start - end) * np.exp(-epochs / (n / 6))
    return loss, loss * 0.95, np.clip(0.98 - 0.9 * np.exp(-epochs / (n / 8)) + noise, 0, 1)


@pytest.mark.parametrize("n_estimators", [1, 2])
def test_the_legend_hides_no_curve_of_either_axis(n_estimators):
    # the loss curves fall to the lower right, the scores rise to the upper right:
    # the legend's place is where neither axis draws (loc="best" on the score axis
    # sees only the scores, and sat on the loss curves' tail)
    _, ax = plt.subplots()
    for k in range(n_estimators):
        loss, validation_loss, scores = _training_curves(55 - 30 * k, 2.4, 0.15 / (k + 1), seed=k)
        display = LossCurveDisplay(
            loss, validation_loss_curve=validation_loss, validation_scores=scores, estimator_name=f"net {k}"
        ).plot(ax=ax)
    legend = display.ax2_.get_legend()
    assert len(legend.get_texts()) == 3 * n_estimators
    assert _covered(legend, [ax, display.ax2_]) == 0


def test_the_legend_of_loss_curves_alone_hides_none():
    _, ax = plt.subplots()
    for k, name in enumerate(["adam", "sgd"]):
        LossCurveDisplay(_training_curves(60, 2.4, 0.05 * (k + 1), seed=k)[0], estimator_name=name).plot(ax=ax)
    assert _covered(ax.get_legend(), [ax]) == 0


def test_the_legend_moves_when_the_limits_change_after_plotting():
    # placed when drawn, so limits set after plot() count: here the loss axis is
    # rescaled so that the loss curves' tail runs through the middle right, where
    # the legend stood for the curves as plotted
    fig, ax = plt.subplots()
    loss, validation_loss, scores = _training_curves(55, 2.4, 0.15, seed=0)
    display = LossCurveDisplay(
        loss, validation_loss_curve=validation_loss, validation_scores=scores, estimator_name="net"
    ).plot(ax=ax)
    legend = display.ax2_.get_legend()
    fig.canvas.draw()
    before = legend.get_window_extent()
    ax.set_ylim(-0.7, 1.0)  # the loss tail (0.15) now runs through the middle
    assert _covered(legend, [ax, display.ax2_]) == 0
    assert legend.get_window_extent() != before


def test_a_legend_location_set_by_the_user_is_kept():
    fig, ax = plt.subplots()
    loss, validation_loss, scores = _training_curves(55, 2.4, 0.15, seed=0)
    display = LossCurveDisplay(loss, validation_loss_curve=validation_loss, validation_scores=scores).plot(ax=ax)
    legend = display.ax2_.get_legend()
    fig.canvas.draw()
    legend.set_loc("lower left")
    fig.canvas.draw()
    axes_box, box = display.ax2_.get_window_extent(), legend.get_window_extent()
    assert box.x0 - axes_box.x0 < 20 and box.y0 - axes_box.y0 < 20  # in the lower left corner
