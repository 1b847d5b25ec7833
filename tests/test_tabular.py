"""TabularMLPClassifier and TabularMLPRegressor: raw DataFrames in (categorical columns,
missing values, unseen categories), the preprocessing they build, the target
standardization, the alpha search, and sklearn's conventions (clone, pipelines,
searches, sample and class weights, reproducibility, inputs left as they were,
pickle and skops)."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler

from skdeep import MLPClassifier, MLPRegressor, TabularMLPClassifier, TabularMLPRegressor

pd = pytest.importorskip("pandas")

# small and quick: a few epochs of one small network (the standard members have tests
# of their own)
FAST = dict(
    hidden_layer_sizes=(16,), max_iter=30, learning_rate_init=0.02, alpha=1.0, n_members=1, n_standard_members=0,
    random_state=0,
)


def _frame(n=120, seed=0):
    """Numbers with missing values, a category column with missing values, a string
    column, and targets that depend on all three."""
    rng = np.random.RandomState(seed)
    x = rng.standard_normal(n)
    z = rng.uniform(0, 10, n)
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.choice(["S", "M", "L"], n)
    X = pd.DataFrame(
        {
            "x": np.where(rng.uniform(size=n) < 0.1, np.nan, x),
            "z": z,
            "colour": pd.Categorical(np.where(rng.uniform(size=n) < 0.1, None, colour)),
            "size": pd.Series(size, dtype=object),
        }
    )
    signal = 2 * x + np.sin(z) + (colour == "red") - (size == "S")
    y_reg = signal + 0.1 * rng.standard_normal(n)
    y_clf = np.where(signal > np.median(signal), "yes", "no")
    return X, y_clf, y_reg


ESTIMATORS = [(TabularMLPClassifier, 1), (TabularMLPRegressor, 2)]


def _data(cls, **kwargs):
    X, y_clf, y_reg = _frame(**kwargs)
    return X, (y_clf if cls is TabularMLPClassifier else y_reg)


# ------------------------------------------------------------------ input


def test_categorical_columns_from_dtype_and_missing_values():
    X, y, _ = _frame()
    clf = TabularMLPClassifier(**FAST).fit(X, y)
    assert clf.is_categorical_.tolist() == [False, False, True, True]
    np.testing.assert_array_equal(clf.feature_names_in_, ["x", "z", "colour", "size"])
    assert set(clf.preprocessor_.named_transformers_) == {"numeric", "categorical"}
    # the one-hot encoder made a category of the missing colour
    categories = clf.preprocessor_.named_transformers_["categorical"].categories_
    assert any(isinstance(c, float) and np.isnan(c) for c in categories[0])
    assert clf.score(X, y) > 0.8


@pytest.mark.parametrize("categorical_features", [["colour", "size"], [2, 3], [False, False, True, True]])
def test_categorical_features_by_name_index_or_mask(categorical_features):
    X, y, _ = _frame()
    X = X.astype({"colour": object})
    clf = TabularMLPClassifier(categorical_features=categorical_features, **FAST).fit(X, y)
    assert clf.is_categorical_.tolist() == [False, False, True, True]


def test_a_numeric_column_can_be_declared_categorical():
    X, y, _ = _frame()
    X["code"] = np.arange(len(X)) % 4
    clf = TabularMLPClassifier(categorical_features=["colour", "size", "code"], **FAST).fit(X, y)
    assert clf.is_categorical_.tolist() == [False, False, True, True, True]
    assert len(clf.preprocessor_.named_transformers_["categorical"].categories_[2]) == 4


def test_strings_not_listed_as_categorical_get_a_clear_error():
    X, y, _ = _frame()
    with pytest.raises(ValueError, match="Column 'size' holds strings"):
        TabularMLPClassifier(categorical_features=["colour"], **FAST).fit(X, y)


def test_bad_categorical_features_are_named():
    X, y, _ = _frame()
    with pytest.raises(ValueError, match="'nope', which is not a column"):
        TabularMLPClassifier(categorical_features=["nope"], **FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 3\]"):
        TabularMLPClassifier(categorical_features=[7], **FAST).fit(X, y)
    with pytest.raises(ValueError, match="needs X with column names"):
        TabularMLPClassifier(categorical_features=["a"], **FAST).fit(X.to_numpy(), y)


@pytest.mark.parametrize(
    "value, message",
    [({"a": 1}, "Column 'size' holds a value of type dict"), (3, "Column 'size' mixes strings and numbers")],
)
def test_unusable_columns_are_named(value, message):
    X, y, _ = _frame()
    X["size"] = X["size"].astype(object)
    X.at[5, "size"] = value
    with pytest.raises(TypeError, match=message):
        TabularMLPClassifier(**FAST).fit(X, y)


def test_a_date_column_is_named():
    X, y, _ = _frame()
    X["when"] = pd.date_range("2020-01-01", periods=len(X))
    with pytest.raises(TypeError, match="Column 'when' has dtype datetime64.*TabularMLPClassifier cannot use"):
        TabularMLPClassifier(**FAST).fit(X, y)


def test_unseen_categories_and_new_missing_values_at_predict():
    X, y, _ = _frame()
    clf = TabularMLPClassifier(**FAST).fit(X, y)
    new = X.iloc[:4].copy()
    new["size"] = ["XXL", None, "S", "M"]
    new["z"] = [np.nan, 1.0, 2.0, 3.0]  # z had no missing values in fit
    proba = clf.predict_proba(new)
    assert proba.shape == (4, 2) and np.isfinite(proba).all()


def test_an_object_array_splits_into_numeric_and_string_columns():
    X, y, _ = _frame()
    array = X.astype(object).to_numpy()
    array[:, 2] = np.where(pd.isna(X["colour"]), None, X["colour"].astype(object))
    clf = TabularMLPClassifier(**FAST).fit(array, y)
    assert clf.is_categorical_.tolist() == [False, False, True, True]
    assert not hasattr(clf, "feature_names_in_")
    assert clf.predict(array).shape == (len(y),)


def test_missing_indicators_only_for_numeric_columns_with_missing_values():
    X, y, _ = _frame()
    clf = TabularMLPClassifier(**FAST, missing_indicator=True).fit(X, y)
    indicator = clf.preprocessor_.named_transformers_["missing"]
    assert indicator.features_.tolist() == [0]  # x, not z
    clf = TabularMLPClassifier(**FAST).fit(X, y)  # the default: none
    assert "missing" not in clf.preprocessor_.named_transformers_


@pytest.mark.parametrize("encoding, n_features", [("spline", 1 + 8 + 2), ("quantile", 2), ("standard", 1), ("kbins", 1 + 8)])
def test_numeric_encodings(encoding, n_features):
    X, y, _ = _frame()
    X = X[["z"]]
    clf = TabularMLPClassifier(numeric_encoding=encoding, **FAST).fit(X, y)
    assert clf.members_[0].coefs_[0].shape[0] == n_features
    if encoding == "spline":
        assert any(isinstance(step, SplineTransformer) for _, step in clf.preprocessor_.named_transformers_["numeric"].steps[-1][1].transformer_list[1][1].steps)
    clf = TabularMLPClassifier(numeric_encoding=encoding, linear_numeric=False, **FAST).fit(X, y)
    assert clf.members_[0].coefs_[0].shape[0] == n_features - (encoding != "standard")


def test_stacked_splines_equal_one_spline_per_column():
    """The spline encoding runs one SplineTransformer on the numeric columns' quantiles
    stacked into one column (they share the knots): its features must be, bit for
    bit and in the same order, those of sklearn's SplineTransformer with one spline
    per column."""
    X, y, _ = _frame()
    rng = np.random.RandomState(0)
    X = X.assign(w=rng.exponential(size=len(y)), v=np.round(rng.normal(size=len(y)), 1))
    clf = TabularMLPClassifier(n_knots=6, **FAST).fit(X, y)
    numeric = clf.preprocessor_.named_transformers_["numeric"]
    scale, rank_splines = (t for _, t in numeric.named_steps["encode"].transformer_list)
    imputed = numeric.named_steps["impute"].transform(X[list(numeric.feature_names_in_)])
    quantiles = rank_splines.named_steps["quantile"].transform(imputed)
    n_features = quantiles.shape[1]
    knots = np.repeat(np.linspace(0.0, 1.0, 6)[:, None], n_features, axis=1)
    per_column = SplineTransformer(degree=3, knots=knots, extrapolation="continue").fit(quantiles)
    for rows in (slice(None), slice(3, 4)):
        expected = per_column.transform(quantiles[rows])
        assert expected.shape[1] == n_features * (6 + 2)
        np.testing.assert_array_equal(rank_splines.transform(imputed[rows]), expected)


@pytest.mark.parametrize("encoding", ["spline", "quantile", "standard", "kbins"])
@pytest.mark.parametrize("options", [{}, {"linear_numeric": False}, {"missing_indicator": True}])
def test_prediction_transforms_as_the_column_transformer_does(encoding, options):
    """Prediction calls the fitted transformers itself (_transform_tree), without the
    ColumnTransformer's, Pipeline's and FeatureUnion's per-call machinery: the
    networks' input must be the preprocessor's transform bit for bit, for arrays
    with and without categorical columns, on many rows and on one."""
    from skdeep._tabular import _transform_tree

    X, y, _ = _frame()
    numbers = X[["x", "z"]].to_numpy()
    mixed = X.to_numpy(dtype=object)  # strings and None in the object columns
    for data in (numbers, mixed):
        est = TabularMLPClassifier(numeric_encoding=encoding, **options, **FAST).fit(data, y)
        for rows in (data, data[5:6]):
            expected = est.preprocessor_.transform(rows)
            got = _transform_tree(est.preprocessor_, rows)
            assert got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)
            np.testing.assert_array_equal(est._transform(rows), expected)


def _assert_transforms_as_sklearn(transform, transformer, X):
    """transform(transformer, rows) is transformer.transform(rows), bit for bit and
    in its dtype, on all of X's rows and on one, and leaves X as it was."""
    before = X.copy()
    for rows in (X, X[4:5]):
        expected = transformer.transform(rows)
        got = transform(transformer, rows)
        assert got.dtype == expected.dtype == X.dtype
        np.testing.assert_array_equal(got, expected)
        assert not np.shares_memory(got, X)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("kind", ["normal", "few values", "heavy tail", "mostly zeros", "constant"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_quantile_transform_of_prediction_is_sklearns(kind, dtype):
    """Prediction maps the columns to their quantiles for all columns at once
    (_quantile_uniform): the same values as QuantileTransformer.transform, bit for
    bit, for values in fit and between, on the quantiles (runs of equal ones where
    a value repeats), a hair off them, beyond both ends, and missing."""
    from sklearn.preprocessing import QuantileTransformer

    from skdeep._tabular import _quantile_uniform, _quantile_uniform_applies

    rng = np.random.default_rng(["normal", "few values", "heavy tail", "mostly zeros", "constant"].index(kind))
    n, f = 150, 7
    X = {
        "normal": lambda: rng.normal(size=(n, f)),
        "few values": lambda: rng.integers(0, 4, size=(n, f)).astype(float),
        "heavy tail": lambda: np.exp(5 * rng.normal(size=(n, f))),
        "mostly zeros": lambda: rng.integers(0, 17, size=(n, f)) * (rng.random((n, f)) < 0.3),
        "constant": lambda: np.ones((n, f)) * rng.normal(size=f),
    }[kind]().astype(float)
    for n_quantiles in (2, 3, 40, 1000):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # n_quantiles > n_samples
            transformer = QuantileTransformer(n_quantiles=n_quantiles, subsample=None).fit(X)
        new = np.concatenate([X, 3 * X.std() * rng.normal(size=(50, f)), X[:20] + 1e-12, X[:20] - 1e-300])
        new[rng.random(new.shape) < 0.05] = np.nan
        new = new.astype(dtype)
        assert _quantile_uniform_applies(transformer, new)
        _assert_transforms_as_sklearn(_quantile_uniform, transformer, new)
    # refit, it maps with its new quantiles (their runs are kept between calls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        transformer.fit(np.round(X))
    new = np.round(new)
    np.testing.assert_array_equal(_quantile_uniform(transformer, new), transformer.transform(new))


@pytest.mark.parametrize("degree", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("include_bias", [True, False])
def test_the_splines_of_prediction_are_sklearns(degree, dtype, include_bias):
    """Prediction evaluates the B-splines itself (_splines): the same values as
    SplineTransformer.transform, bit for bit, with the estimator's fixed knots on
    [0, 1] and with knots fitted on each column, for values between the knots, on
    them, and beyond both ends (extrapolation='continue'). Anything else goes to
    sklearn: a missing value (its error), repeated knots, another extrapolation."""
    from skdeep._tabular import _splines, _splines_apply

    rng = np.random.default_rng(degree)
    X = np.column_stack([rng.uniform(size=200), rng.normal(size=200), np.exp(rng.normal(size=200))])
    fixed = SplineTransformer(degree=degree, knots=np.linspace(0.0, 1.0, 8)[:, None], extrapolation="continue")
    fitted = SplineTransformer(degree=degree, n_knots=6, extrapolation="continue", include_bias=include_bias)
    cases = [
        (fixed.set_params(include_bias=include_bias).fit(X[:, :1]), np.r_[X[:, 0], np.linspace(0, 1, 8), -0.3, 1.7]),
        (fitted.fit(X), None),
    ]
    for transformer, values in cases:
        knots = transformer.bsplines_[0].t
        new = np.concatenate([X, X + 1e-13, np.tile(knots[:, None], X.shape[1]), 3 * X - 1]) if values is None else values[:, None]
        new = new.astype(dtype)
        assert _splines_apply(transformer, new)
        _assert_transforms_as_sklearn(_splines, transformer, new)
    missing = X.copy()
    missing[3, 1] = np.nan
    assert not _splines_apply(fitted, missing)
    assert not _splines_apply(clone(fitted).set_params(extrapolation="constant").fit(X), X)
    constant = SplineTransformer(degree=degree, n_knots=4).set_params(extrapolation="continue").fit(np.ones((10, 1)))
    assert not _splines_apply(constant, np.ones((3, 1)))


def test_a_numeric_column_missing_in_every_row():
    """A numeric column with no value in fit is kept as a constant (zeros after
    imputation), at fit and predict: not sklearn's shape error from deep inside."""
    X, y, y_reg = _frame()
    X = X.assign(empty=np.nan)
    for est, target in ((TabularMLPClassifier(**FAST), y), (TabularMLPRegressor(**FAST), y_reg)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            est.fit(X, target)
        answer = getattr(est, "predict_proba", est.predict)(X.assign(empty=1.0))
        assert answer.shape[0] == len(X) and np.isfinite(answer).all()


def test_a_frame_of_numbers_goes_through_the_preprocessing_as_one_array():
    """Without categorical columns, a DataFrame enters the ColumnTransformer as one
    float array (pandas' per-column checks in every transformer cost more than the
    transforms on a few rows); the values are the same, so is every fit and answer,
    and the feature names are still checked."""
    X, y, _ = _frame()
    numbers = X[["x", "z"]].assign(
        count=pd.array(np.where(np.arange(len(y)) % 9 == 0, None, np.arange(len(y)) % 4), dtype="Int64"),
        flag=np.arange(len(y)) % 3 == 0,
    )
    values = np.c_[numbers[["x", "z"]].to_numpy(), numbers["count"].to_numpy(dtype=float, na_value=np.nan), numbers["flag"]]
    from_frame = TabularMLPClassifier(**FAST).fit(numbers, y)
    from_array = TabularMLPClassifier(**FAST).fit(values, y)
    assert not hasattr(from_frame.preprocessor_, "feature_names_in_")  # it saw an array
    np.testing.assert_array_equal(from_frame.members_[0].coefs_[0], from_array.members_[0].coefs_[0])
    np.testing.assert_array_equal(from_frame.predict_proba(numbers), from_array.predict_proba(values))
    assert from_frame.feature_names_in_.tolist() == ["x", "z", "count", "flag"]
    with pytest.raises(ValueError, match="feature names"):
        from_frame.predict(numbers[["z", "x", "count", "flag"]])
    # float32 columns stay float32, as SimpleImputer keeps them
    single = numbers[["x", "z"]].astype(np.float32)
    clf = TabularMLPClassifier(**FAST).fit(single, y)
    np.testing.assert_array_equal(clf.predict_proba(single), TabularMLPClassifier(**FAST).fit(single.to_numpy(), y).predict_proba(single.to_numpy()))


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_dtype_sets_the_networks_precision_and_answers_stay_float64(cls, _):
    X, y = _data(cls)
    est = cls(**{**FAST, "n_members": 2}, dtype=np.float32).fit(X, y)
    # trained in float32, held in float64 for prediction: every weight is a float32
    weights = [c for m in est.members_ for c in m.coefs_ + m.intercepts_]
    assert {c.dtype for c in weights} == {np.dtype(np.float64)}
    for c in weights:
        np.testing.assert_array_equal(c, c.astype(np.float32))
    # prediction computes in float64: a row's answer does not depend on the others
    Xt = est.preprocessor_.transform(X)
    order = np.random.RandomState(0).permutation(len(X))
    if cls is TabularMLPClassifier:
        proba = est.predict_proba(X)
        assert proba.dtype == np.float64
        expected = np.mean([m.predict_proba(Xt) for m in est.members_], axis=0)
        np.testing.assert_allclose(proba, expected, rtol=1e-12)
        np.testing.assert_allclose(est.predict_proba(X.iloc[order]), proba[order], rtol=1e-12, atol=1e-15)
    else:
        pred = est.predict(X)
        assert pred.dtype == np.float64
        expected = np.mean([m.predict(Xt) for m in est.members_], axis=0)
        np.testing.assert_allclose(pred, expected * est.target_scale_[0] + est.target_mean_[0], rtol=1e-12)
        np.testing.assert_allclose(est.predict(X.iloc[order]), pred[order], rtol=1e-12)
    other = cls(**FAST, dtype=np.float64).fit(X, y)
    assert {c.dtype for c in other.members_[0].coefs_} == {np.dtype(np.float64)}
    assert not np.array_equal(other.members_[0].coefs_[0], other.members_[0].coefs_[0].astype(np.float32))
    with pytest.raises(ValueError, match="dtype"):
        cls(dtype="float16").fit(X, y)


def test_the_preprocessor_is_a_column_transformer_of_sklearns_transformers():
    X, y, _ = _frame()
    clf = TabularMLPClassifier(**FAST).fit(X, y)
    assert isinstance(clf.preprocessor_, ColumnTransformer)
    for module in {type(t).__module__ for _, t, _ in clf.preprocessor_.transformers_}:
        assert module.startswith("sklearn.")


# ------------------------------------------------------------------ fitting


def test_regressor_standardizes_its_target():
    X, _, y = _frame()
    reg = TabularMLPRegressor(**FAST).fit(X, 1000 + 50 * y)
    assert reg.target_mean_[0] == pytest.approx(np.mean(1000 + 50 * y))
    assert reg.target_scale_[0] == pytest.approx(np.std(1000 + 50 * y))
    member = reg.members_[0]
    Xt = reg.preprocessor_.transform(X)
    np.testing.assert_allclose(reg.predict(X), member.predict(Xt) * reg.target_scale_[0] + reg.target_mean_[0])
    assert reg.score(X, 1000 + 50 * y) > 0.8
    # the same fit, up to the scale, on the target itself
    other = TabularMLPRegressor(**FAST).fit(X, y)
    np.testing.assert_allclose((reg.predict(X) - 1000) / 50, other.predict(X), rtol=1e-6, atol=1e-6)


def test_regressor_takes_several_outputs():
    X, _, y = _frame()
    Y = np.c_[y, -3 * y + 7]
    reg = TabularMLPRegressor(**FAST).fit(X, Y)
    assert reg.predict(X).shape == (len(y), 2)
    assert reg.target_mean_.shape == (2,)


def test_early_stopping_holds_out_a_stratified_validation_set_and_keeps_the_best_epoch():
    X, y, _ = _frame(n=200)
    clf = TabularMLPClassifier(**{**FAST, "max_iter": 200}).fit(X, y)
    member = clf.members_[0]
    assert member.early_stopping and member.scoring == "loss"
    # the best epoch's weights are kept: its validation loss is the lowest of the curve
    assert -member.best_validation_score_ == pytest.approx(min(member.validation_loss_curve_))
    train, val = clf._split(y, 0)
    assert len(val) == 20 and len(np.intersect1d(train, val)) == 0
    assert abs(np.mean(y[val] == "yes") - np.mean(y == "yes")) <= 0.05


def _member_seeds(random_state, n_members):
    """The members' seeds: the first n_members that random_state draws."""
    return np.random.RandomState(random_state).randint(np.iinfo(np.int32).max, size=n_members + 1)[:-1]


@pytest.mark.parametrize("cls", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("weighted", [False, True])
def test_alpha_search_keeps_the_lowest_data_loss_over_all_members_validation_rows(cls, weighted):
    X, y = _data(cls, n=150)
    alphas = (0.1, 10.0, 1000.0)
    # float64 networks: the losses early stopping measured in training, recomputed
    # here, agree to rounding
    params = {key: value for key, value in FAST.items() if key != "alpha"} | {"n_members": 2, "dtype": np.float64}
    weights = np.random.RandomState(1).uniform(0.5, 2.0, len(y)) if weighted else None
    model = cls(**params, alpha=alphas).fit(X, y, sample_weight=weights)
    # each value on its own: the same members (the same seeds and splits), whose data
    # loss on their validation rows is recomputed by hand
    Xt = model.preprocessor_.transform(X)
    Yt = y if cls is TabularMLPClassifier else (y - model.target_mean_[0]) / model.target_scale_[0]
    expected = []
    for alpha in alphas:
        single = cls(**params, alpha=alpha).fit(X, y, sample_weight=weights)
        loss_sum = weight_sum = 0.0
        for member, seed in zip(single.members_, _member_seeds(params["random_state"], 2)):
            _, val = single._split(y, seed)
            w = np.ones(len(val)) if weights is None else weights[val]
            if cls is TabularMLPClassifier:
                P = member.predict_proba(Xt[val])
                rows = -np.log(P[np.arange(len(val)), np.searchsorted(member.classes_, Yt[val])])
            else:  # the squared error's data term: half of it
                rows = 0.5 * (member.predict(Xt[val]) - Yt[val]) ** 2
            loss_sum += np.dot(w, rows)
            weight_sum += w.sum()
        expected.append(loss_sum / weight_sum)
        if alpha == model.alpha_:
            kept = single
    np.testing.assert_allclose(model.validation_losses_, expected, rtol=1e-6)
    assert model.alpha_ == alphas[int(np.argmin(expected))]
    assert max(expected) > min(expected)  # the search had something to choose
    # every member keeps the chosen value, and the model is that value's model
    assert [member.alpha for member in model.members_] == [model.alpha_] * 2
    np.testing.assert_array_equal(model.predict(X), kept.predict(X))


def test_the_regressor_searches_alpha_1_and_10_by_default_the_classifier_takes_10():
    X, y_clf, y_reg = _frame()
    assert TabularMLPRegressor().alpha == (1.0, 10.0) and TabularMLPClassifier().alpha == 10.0
    fast = {key: value for key, value in FAST.items() if key != "alpha"}
    reg = TabularMLPRegressor(**fast).fit(X, y_reg)
    assert reg.alpha_ in (1.0, 10.0)
    assert reg.validation_losses_.shape == (2,) and np.isfinite(reg.validation_losses_).all()
    clf = TabularMLPClassifier(**fast).fit(X, y_clf)
    assert clf.alpha_ == 10.0 and clf.validation_losses_.shape == (1,)


@pytest.mark.parametrize("setting", ["early_stopping=False", "fewer than 20 rows"])
def test_without_a_validation_set_the_search_takes_the_largest_alpha(setting):
    X, _, y = _frame()
    params = {**FAST, "early_stopping": False} if setting == "early_stopping=False" else FAST
    if setting == "fewer than 20 rows":
        X, y = X.iloc[:19], y[:19]
    model = TabularMLPRegressor(**{**params, "alpha": (1.0, 10.0)}).fit(X, y)
    assert model.alpha_ == 10.0 and np.isnan(model.validation_losses_).all()
    assert not model.members_[0].early_stopping
    alone = TabularMLPRegressor(**{**params, "alpha": 10.0}).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), alone.predict(X))


def test_members_average_their_predictions():
    X, y, _ = _frame()
    clf = TabularMLPClassifier(**{**FAST, "n_members": 3}).fit(X, y)
    assert len(clf.members_) == 3
    Xt = clf.preprocessor_.transform(X)
    expected = np.mean([m.predict_proba(Xt) for m in clf.members_], axis=0)
    assert expected.dtype == np.float64
    np.testing.assert_allclose(clf.predict_proba(X), expected)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(axis=1)])
    # each member has its own initial weights and validation split
    assert not np.array_equal(clf.members_[0].coefs_[0], clf.members_[1].coefs_[0])


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_standard_members_see_the_standardized_columns_without_the_expansion(cls, _):
    X, y = _data(cls)
    params = {**FAST, "n_members": 2, "n_standard_members": 2, "standard_share": 0.25}
    est = cls(**params).fit(X, y)
    assert len(est.members_) == 4
    np.testing.assert_allclose(est.member_weights_, [0.375, 0.375, 0.125, 0.125])
    Xt = est.preprocessor_.transform(X)
    assert est.member_columns_[:2] == [None, None]
    columns = est.member_columns_[2]
    np.testing.assert_array_equal(est.member_columns_[3], columns)
    # their columns are what numeric_encoding='standard' makes of X: the numbers
    # imputed and standardized, the categories one-hot, and nothing else
    standard = cls(**{**FAST, "numeric_encoding": "standard"}).fit(X, y)
    np.testing.assert_array_equal(Xt[:, columns], standard.preprocessor_.transform(X))
    assert [m.coefs_[0].shape[0] for m in est.members_] == [Xt.shape[1]] * 2 + [len(columns)] * 2
    # the prediction: the members' outputs on their columns, weighted
    method = "predict" if cls is TabularMLPRegressor else "predict_proba"
    outputs = [getattr(m, method)(Xt if c is None else Xt[:, c]) for m, c in zip(est.members_, est.member_columns_)]
    expected = sum(w * out for w, out in zip(est.member_weights_, outputs))
    if cls is TabularMLPRegressor:
        expected = expected * est.target_scale_[0] + est.target_mean_[0]
    np.testing.assert_allclose(getattr(est, method)(X), expected, rtol=1e-12)
    if cls is TabularMLPClassifier:
        np.testing.assert_array_equal(est.predict(X), est.classes_[expected.argmax(axis=1)])
    # the members of the expansion are those of a model without standard members:
    # their seeds come first
    alone = cls(**{**params, "n_standard_members": 0}).fit(X, y)
    for a, b in zip(alone.members_, est.members_[:2]):
        np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_members_leave_out_the_columns_zero_in_every_row_of_fit(cls, _):
    """A column of the preprocessing that is zero in every row of fit moves nothing
    in training: the members leave it out, and take every other column of their
    set. Here a constant's standardized column, and its B-splines away from its
    rank; its three B-splines at the rank are constants but not zero (like the
    bias), and stay."""
    X, y = _data(cls)
    X = X.assign(flat=3.0)  # the third numeric column
    est = cls(**{**FAST, "n_standard_members": 1}).fit(X, y)
    Xt = est.preprocessor_.transform(X)
    zero = np.flatnonzero(~Xt.any(axis=0))
    block = est.preprocessor_.output_indices_["numeric"]
    splines_of_flat = np.arange(block.stop - (est.n_knots + 2), block.stop)
    at_its_rank = splines_of_flat[Xt[:, splines_of_flat].any(axis=0)]
    assert len(at_its_rank) == 3
    np.testing.assert_array_equal(zero, np.r_[block.start + 2, np.setdiff1d(splines_of_flat, at_its_rank)])
    # the column sets of the layout: what a preprocessing with no zero column gives
    layout = est._member_columns(np.ones_like(Xt))
    for member, columns, every in zip(est.members_, est.member_columns_, layout):
        every = np.arange(Xt.shape[1]) if every is None else every
        np.testing.assert_array_equal(columns, np.setdiff1d(every, zero))
        assert member.coefs_[0].shape[0] == len(columns)
    # new rows where that column is not zero are predicted on the other columns
    method = "predict_proba" if cls is TabularMLPClassifier else "predict"
    moved = X.assign(flat=-1.0)
    Xt_moved = est.preprocessor_.transform(moved)
    assert Xt_moved[:, zero].any()
    outputs = [getattr(m, method)(Xt_moved[:, c]) for m, c in zip(est.members_, est.member_columns_)]
    expected = sum(w * out for w, out in zip(est.member_weights_, outputs))
    if cls is TabularMLPRegressor:
        expected = expected * est.target_scale_[0] + est.target_mean_[0]
    np.testing.assert_allclose(getattr(est, method)(moved), expected, rtol=1e-12)


def test_without_linear_numeric_only_the_standard_members_see_the_standardized_columns():
    X, y, _ = _frame()
    est = TabularMLPClassifier(**{**FAST, "linear_numeric": False, "n_standard_members": 1}).fit(X, y)
    Xt = est.preprocessor_.transform(X)
    expansion, standard = est.member_columns_
    without = TabularMLPClassifier(**{**FAST, "linear_numeric": False}).fit(X, y)
    np.testing.assert_array_equal(Xt[:, expansion], without.preprocessor_.transform(X))
    standard_encoding = TabularMLPClassifier(**{**FAST, "numeric_encoding": "standard"}).fit(X, y)
    np.testing.assert_array_equal(Xt[:, standard], standard_encoding.preprocessor_.transform(X))
    # the two views share the categories' columns, and cover every column
    assert set(expansion) | set(standard) == set(range(Xt.shape[1]))


@pytest.mark.parametrize("case", ["numeric_encoding='standard'", "no numeric column"])
def test_no_standard_members_without_an_expansion_to_leave_out(case):
    X, y, _ = _frame()
    params = {**FAST, "n_members": 2, "n_standard_members": 3}
    if case == "no numeric column":
        X = X[["colour", "size"]]
    else:
        params["numeric_encoding"] = "standard"
    est = TabularMLPClassifier(**params).fit(X, y)
    assert len(est.members_) == 2 and est.member_columns_ == [None, None]
    np.testing.assert_array_equal(est.member_weights_, [0.5, 0.5])


def test_the_defaults_average_three_members_with_three_standard_ones():
    est = TabularMLPClassifier()
    assert (est.n_members, est.n_standard_members, est.standard_share) == (3, 3, 1 / 3)
    X, y, _ = _frame()
    fitted = TabularMLPClassifier(**{**FAST, "n_members": 3, "n_standard_members": 3, "standard_share": 1 / 3}).fit(X, y)
    np.testing.assert_allclose(fitted.member_weights_, [2 / 9] * 3 + [1 / 9] * 3)


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_input_scaling_trains_a_scale_per_input_into_the_members(cls, _):
    # the members train with an input scale (see _network) when input_scaling is on,
    # and come out as plain MLPs either way: the same attributes, coefs_[0] with one
    # row per input of the preprocessing
    X, y = _data(cls)
    on = cls(**FAST).fit(X, y)
    off = cls(**FAST, input_scaling=False).fit(X, y)
    assert on.members_[0]._input_scale == 6.0 and off.members_[0]._input_scale == 0.0
    n_inputs = on.preprocessor_.transform(X).shape[1]
    assert on.members_[0].coefs_[0].shape == off.members_[0].coefs_[0].shape == (n_inputs, 16)
    fitted = [{k for k in vars(est.members_[0]) if k.endswith("_")} for est in (on, off)]
    assert fitted[0] == fitted[1]
    method = "predict" if cls is TabularMLPRegressor else "predict_proba"
    assert not np.allclose(getattr(on, method)(X[:20]), getattr(off, method)(X[:20]))


def test_tiny_data_trains_without_early_stopping():
    X, y, _ = _frame(n=12)
    clf = TabularMLPClassifier(**FAST).fit(X, y)
    assert not clf.members_[0].early_stopping
    assert clf.n_iter_ == [FAST["max_iter"]]


# ------------------------------------------------------------------ conventions


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_reproducible_and_inputs_left_alone(cls, _):
    X, y = _data(cls)
    X_before, y_before = X.copy(), np.copy(y)
    a = cls(**FAST).fit(X, y)
    b = cls(**FAST).fit(X, y)
    pd.testing.assert_frame_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    pd.testing.assert_frame_equal(X, X_before)
    c = cls(**{**FAST, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.members_[0].coefs_[0], c.members_[0].coefs_[0])


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_pipeline_grid_search_and_cross_validation(cls, _):
    X, y = _data(cls)
    scores = cross_val_score(cls(**FAST), X, y, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    search = GridSearchCV(cls(**FAST), {"numeric_encoding": ["spline", "standard"]}, cv=2).fit(X, y)
    assert search.best_params_["numeric_encoding"] in ("spline", "standard")
    clone(search.best_estimator_).set_params(n_knots=4).fit(X, y)
    numeric = X[["x", "z"]].fillna(0)
    pipe = make_pipeline(StandardScaler(), cls(**FAST)).fit(numeric, y)
    assert pipe.predict(numeric).shape[0] == len(y)


def test_a_frame_with_integer_column_labels():
    """Labels that are not strings are no feature names (sklearn's rule): the columns
    go by position, for a DataFrame at fit and predict and for an array at predict."""
    X, y, _ = _frame()
    X = X.set_axis([10, 20, 30, 40], axis=1)
    clf = TabularMLPClassifier(**FAST).fit(X, y)
    assert not hasattr(clf, "feature_names_in_")
    np.testing.assert_array_equal(clf.predict_proba(X.to_numpy(dtype=object)), clf.predict_proba(X))


def test_feature_names_are_checked_at_predict():
    X, y, _ = _frame()
    clf = TabularMLPClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X[["z", "x", "colour", "size"]])
    # a name changed, a column more: sklearn's errors, as before the fast check
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X.rename(columns={"z": "Z"}))
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X.assign(extra=1.0))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        with pytest.raises(ValueError, match="fitted on a DataFrame with categorical columns"):
            clf.predict(X.to_numpy(dtype=object))
    numbers = TabularMLPClassifier(**FAST).fit(X[["x", "z"]], y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        numbers.predict(X[["x", "z"]].to_numpy())
    numbers = TabularMLPClassifier(**FAST).fit(X[["x", "z"]].to_numpy(), y)
    with pytest.warns(UserWarning, match="was fitted without feature names"):
        numbers.predict(X[["x", "z"]])


def test_sample_weight_and_class_weight():
    X, y, _ = _frame()
    weights = np.where(y == "yes", 5.0, 1.0)
    weighted = TabularMLPClassifier(**FAST).fit(X, y, sample_weight=weights)
    balanced = TabularMLPClassifier(**FAST, class_weight={"yes": 5.0, "no": 1.0}).fit(X, y)
    plain = TabularMLPClassifier(**FAST).fit(X, y)
    # the weighted class gets higher probabilities than the unweighted fit gives it
    assert weighted.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()
    assert balanced.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()
    assert balanced.members_[0].class_weight == {"yes": 5.0, "no": 1.0}
    X, _, y = _frame()
    reg = TabularMLPRegressor(**FAST).fit(X, y, sample_weight=np.arange(len(y)) + 1.0)
    assert reg.target_mean_[0] == pytest.approx(np.average(y, weights=np.arange(len(y)) + 1.0))


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_pickle_round_trip(cls, _):
    X, y = _data(cls)
    est = cls(**{**FAST, "n_standard_members": 1}).fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


@pytest.mark.parametrize("cls, _", ESTIMATORS)
def test_skops_trusts_only_public_classes(cls, _):
    sio = pytest.importorskip("skops.io", reason='skops is not installed: pip install "skdeep[skops]"')
    X, y = _data(cls)
    est = cls(**{**FAST, "n_standard_members": 1}).fit(X, y)
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert f"skdeep.{cls.__name__}" in untrusted
    for name in untrusted:
        assert not any(part.startswith("_") for part in name.split(".")), name
    loaded = sio.loads(data, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))


def test_inner_networks_are_skdeeps():
    X, y, y_reg = _frame()
    assert isinstance(TabularMLPClassifier(**FAST).fit(X, y).members_[0], MLPClassifier)
    assert isinstance(TabularMLPRegressor(**FAST).fit(X, y_reg).members_[0], MLPRegressor)


# ------------------------------------------------------------------ ONNX


@pytest.mark.parametrize("cls, _", ESTIMATORS)
@pytest.mark.filterwarnings("ignore:Feature 4 is constant:UserWarning")
def test_onnx_export_where_every_piece_converts(cls, _):
    pytest.importorskip("skl2onnx", reason='skl2onnx is not installed: pip install "skdeep[onnx]"')
    rt = pytest.importorskip("onnxruntime", reason='onnxruntime is not installed: pip install "skdeep[onnx]"')
    from skl2onnx import to_onnx

    import skdeep.onnx  # noqa: F401

    rng = np.random.RandomState(0)
    X = rng.standard_normal((80, 5))
    X[::7, 1] = np.nan
    X[:, 4] = 2.5  # constant: zero once standardized, so the network leaves it out
    y = (X[:, 0] + X[:, 2] > 0).astype(int) if cls is TabularMLPClassifier else 3 * X[:, 0] + 10
    est = cls(**FAST, numeric_encoding="kbins", missing_indicator=False).fit(X, y)
    assert 4 not in est.member_columns_[0]
    options = {id(est): {"zipmap": False}} if cls is TabularMLPClassifier else None
    onx = to_onnx(est, X[:1].astype(np.float32), options=options)
    session = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = session.run(None, {session.get_inputs()[0].name: X.astype(np.float32)})
    if cls is TabularMLPClassifier:
        np.testing.assert_array_equal(outputs[0], est.predict(X))
        np.testing.assert_allclose(outputs[1], est.predict_proba(X), atol=1e-5)
    else:
        np.testing.assert_allclose(outputs[0].ravel(), est.predict(X), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "params, piece",
    [
        ({}, "SplineTransformer, which skl2onnx cannot convert; it comes from numeric_encoding='spline'"),
        ({"numeric_encoding": "standard", "missing_indicator": True}, "MissingIndicator, which skl2onnx cannot convert"),
        ({"numeric_encoding": "quantile", "missing_indicator": False}, "output_distribution='normal'"),
        ({"numeric_encoding": "standard", "missing_indicator": False, "n_members": 2}, "averages 2 networks"),
        ({"numeric_encoding": "kbins", "n_standard_members": 1}, "averages 2 networks .*n_standard_members=0"),
    ],
)
def test_onnx_export_names_the_piece_that_does_not_convert(params, piece):
    pytest.importorskip("skl2onnx", reason='skl2onnx is not installed: pip install "skdeep[onnx]"')
    from skl2onnx import to_onnx

    import skdeep.onnx  # noqa: F401

    X, _, y = _frame()
    X = X[["x", "z"]].to_numpy()
    est = TabularMLPRegressor(**{**FAST, **params}).fit(X, y)
    with pytest.raises(NotImplementedError, match=piece):
        to_onnx(est, X[:1].astype(np.float32))
