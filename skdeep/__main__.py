"""`python -m skdeep`: the course's lessons, compared on sklearn's digits."""

import argparse
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdeep import LossCurveDisplay, MLPClassifier, gradient_check

# (label, parameters on top of BASE): one row per lesson
RUNS = [
    ("init zeros", dict(init="zeros")),
    ("init random x10", dict(init="random", init_scale=10.0)),
    ("init he", dict(init="he")),
    ("init xavier", dict(init="xavier")),
    ("L2 alpha=1", dict(alpha=1.0)),
    ("dropout keep_prob=0.8", dict(keep_prob=0.8)),
    ("batch norm", dict(batch_norm=True)),
    ("sgd (no momentum)", dict(solver="sgd", momentum=0.0, learning_rate_init=0.05)),
    ("sgd momentum 0.9", dict(solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.01)),
    ("sgd nesterov 0.9", dict(solver="sgd", momentum=0.9, learning_rate_init=0.01)),
    (
        "momentum + exponential",
        dict(
            solver="sgd",
            momentum=0.9,
            nesterovs_momentum=False,
            learning_rate_init=0.01,
            learning_rate="exponential",
            decay_rate=0.95,
        ),
    ),
    ("rmsprop", dict(solver="rmsprop")),
    ("adam", dict(solver="adam")),
    ("adam + inverse_time", dict(solver="adam", learning_rate="inverse_time", decay_rate=0.05)),
    ("lbfgs", dict(solver="lbfgs", max_iter=200)),
]
BASE = dict(hidden_layer_sizes=(64,), solver="adam", learning_rate_init=0.002, max_iter=60, batch_size=64, random_state=0)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skdeep",
        description="Train skdeep's MLPClassifier on sklearn's digits with each "
        "initialization scheme, L2, dropout, batch normalization, each optimizer and "
        "learning-rate decay; print a table of accuracies and the gradient check's "
        "relative difference.",
    )
    parser.add_argument("--plot", metavar="FILE", help="save a figure of the loss curves to FILE (needs matplotlib)")
    parser.add_argument("--max-iter", type=int, default=BASE["max_iter"], help="epochs per sgd, rmsprop and adam run (default %(default)s); lbfgs runs up to 200 iterations")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    print(f"skdeep on sklearn's digits: {len(X_train)} train, {len(X_test)} test, 10 classes\n")
    print(f"{'run':<24}{'train':>8}{'test':>8}{'epochs':>8}{'seconds':>9}")

    curves = {}
    for label, params in RUNS:
        model = MLPClassifier(**{**BASE, "max_iter": args.max_iter, **params})
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        curves[label] = model.loss_curve_
        print(
            f"{label:<24}{model.score(X_train, y_train):>8.3f}{model.score(X_test, y_test):>8.3f}"
            f"{model.n_iter_:>8d}{seconds:>9.2f}"
        )

    check = gradient_check(MLPClassifier((16,), activation="tanh", alpha=0.1, random_state=0), X_train[:50], y_train[:50])
    print(f"\ngradient check (16 tanh units, alpha=0.1, 50 samples): relative difference "
          f"{check.difference:.2e}, {'passed' if check.passed else 'FAILED'} (threshold {check.threshold:.0e})")

    if args.plot:
        plot_curves(curves, args.plot)
        print(f"loss curves saved to {args.plot}")


# the figure's panels, one per lesson: the runs each compares, with how to draw them
# (default: the next colour, solid). The plain adam run, the base of every other, is
# the dashed reference of regularization; in the decay panel each decayed run shares
# its colour with its constant-rate run, dashed.
REFERENCE = {"color": "black", "linestyle": "--"}
PANELS = {
    "Initialization": [("init zeros", {}), ("init random x10", {}), ("init he", {}), ("init xavier", {})],
    "Regularization": [
        ("adam", {**REFERENCE, "name": "adam (none)"}),
        ("L2 alpha=1", {}),
        ("dropout keep_prob=0.8", {}),
        ("batch norm", {}),
    ],
    "Optimizers": [
        (label, {})
        for label in ("sgd (no momentum)", "sgd momentum 0.9", "sgd nesterov 0.9", "rmsprop", "adam", "lbfgs")
    ],
    "Learning-rate decay": [
        ("sgd momentum 0.9", {"color": "C0", "linestyle": "--"}),
        ("momentum + exponential", {"color": "C0"}),
        ("adam", {"color": "C1", "linestyle": "--"}),
        ("adam + inverse_time", {"color": "C1"}),
    ],
}


def curves_figure(curves):
    """The loss curves, one panel per lesson, each with its legend beside it.

    Parameters
    ----------
    curves : dict
        Run label (of RUNS) -> its loss curve.

    Returns
    -------
    figure : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(12, 7.5), layout="constrained")
    for ax, (lesson, runs) in zip(axes.flat, PANELS.items()):
        for label, style in runs:
            style = dict(style)
            LossCurveDisplay(curves[label]).plot(ax=ax, name=style.pop("name", label), **style)
        ax.set(yscale="log", title=lesson)
        if lesson == "Optimizers":  # the one panel with an L-BFGS run
            ax.set_xlabel("epoch (lbfgs: iteration)")
        # beside the panel, not over its curves; constrained layout makes the room
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize="small")
    figure.suptitle("skdeep on sklearn's digits: training loss")
    return figure


def plot_curves(curves, path):
    """Save :func:`curves_figure` of ``curves`` to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = curves_figure(curves)
    figure.savefig(path)
    plt.close(figure)


if __name__ == "__main__":
    main()
