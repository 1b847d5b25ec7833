"""
======================================================
Tabular data: a raw DataFrame with categories and gaps
======================================================

:class:`~skdeep.TabularMLPRegressor` takes a pandas DataFrame as it is: numeric
columns with missing values, and categorical columns, by their dtype. Inside, a
ColumnTransformer of scikit-learn's transformers imputes the numbers, expands each
into splines of its quantile beside its standardized value, and one-hot encodes the
categories; three networks with tuned defaults (a learned scale per input, one
hidden layer of 256 ReLU units, mini-batch Adam, early stopping on the validation data loss, and an L2 strength
``alpha`` of 1 or 10, whichever has the lower validation data loss) average their
predictions, and three more that see the numbers only standardized add a third of
the say.

Here it meets what one would build by hand: scikit-learn's ``MLPRegressor`` on a
scaled one-hot pipeline, and ``HistGradientBoostingRegressor`` with its native
categorical support, by 5-fold cross-validation on the same folds.

See :doc:`/tabular` for the defaults, the ablation that chose them and the benchmark
on 16 real data sets.
"""

# %%
# The data
# --------
# scikit-learn's diabetes data (442 patients, a disease-progression score one year
# on), as a DataFrame. Its ``sex`` column is a category: we give it the category
# dtype with readable labels. The set has no missing values, so to show how they
# are handled we remove 15% of the body-mass index and the blood pressure at random.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.datasets import load_diabetes
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, cross_validate
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from skdeep import TabularMLPRegressor

start = time.perf_counter()
warnings.filterwarnings("ignore", category=ConvergenceWarning)  # sklearn's MLP at max_iter
one_thread = threadpool_limits(limits=1, user_api="blas")  # small matrices: one thread is faster

X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
X["sex"] = X["sex"].map({1: "female", 2: "male"}).astype("category")
rng = np.random.RandomState(0)
for column in ("bmi", "bp"):
    X.loc[rng.uniform(size=len(X)) < 0.15, column] = np.nan
print(X.dtypes.value_counts().to_dict())
print(X.isna().sum()[lambda s: s > 0].to_dict())
X.head()

# %%
# Three models, the same folds
# ----------------------------
# The hand-built pipeline imputes and scales the numbers and one-hot encodes the
# category. The tabular estimator needs none of it.
hand_built = make_pipeline(
    ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             make_column_selector(dtype_include="number")),
            ("categories", OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_include="category")),
        ]
    ),
    MLPRegressor(random_state=0),
)  # fmt: skip
models = {
    "sklearn MLPRegressor\n(one-hot pipeline)": hand_built,
    "HistGradientBoosting\n(native categories)": HistGradientBoostingRegressor(
        categorical_features="from_dtype", random_state=0
    ),
    "skdeep\nTabularMLPRegressor": TabularMLPRegressor(random_state=0),
}
folds = KFold(5, shuffle=True, random_state=0)
results = {}
for name, model in models.items():
    cv = cross_validate(model, X, y, cv=folds, scoring="r2")
    results[name] = cv
    print(f"{name.replace(chr(10), ' '):45s} R² {cv['test_score'].mean():.3f} ± {cv['test_score'].std():.3f}"
          f"   fit {cv['fit_time'].mean():.2f} s")  # fmt: skip

# %%
# The R² of each fold
# -------------------
fig, ax = plt.subplots(figsize=(7, 3.5))
for i, (name, cv) in enumerate(results.items()):
    scores = cv["test_score"]
    ax.scatter(np.full(len(scores), i), scores, color=f"C{i}", alpha=0.6)
    ax.hlines(scores.mean(), i - 0.25, i + 0.25, color=f"C{i}", linewidth=3)
ax.set_xticks(range(len(results)), results.keys())
ax.set_ylabel("R² on the held-out fold")
ax.set_title("Diabetes with a categorical column and missing values, 5 folds")
fig.tight_layout()

# %%
# What the estimator built
# ------------------------
# The fitted ``preprocessor_`` is an ordinary ColumnTransformer, and ``members_``
# the fitted :class:`~skdeep.MLPRegressor` networks, each stopped at the epoch of
# its lowest validation loss: three on the whole encoding, then three on the
# standardized numeric columns alone (``member_columns_`` says which columns each
# takes, ``member_weights_`` its share of the prediction). ``validation_losses_`` is the search over
# ``alpha``: the members' mean squared error (of the standardized target) on their
# validation rows, for alpha 1 and 10; ``alpha_`` is the value kept.
model = TabularMLPRegressor(random_state=0).fit(X, y)
for name, transformer, columns in model.preprocessor_.transformers_:
    print(f"{name:12s} {columns} -> {transformer}")
print("categorical columns:", list(X.columns[model.is_categorical_]))
print("epochs per member:", model.n_iter_)
print("inputs per member:", [network.coefs_[0].shape[0] for network in model.members_])
print("weights of the members:", model.member_weights_.round(3))
print("validation loss for alpha 1, 10:", model.validation_losses_.round(3), "-> alpha_ =", model.alpha_)
print("prediction for a new patient with unknown blood pressure:",
      model.predict(X.iloc[:1].assign(bp=np.nan)).round(1))  # fmt: skip
one_thread.unregister()
print(f"ran in {time.perf_counter() - start:.0f} s")
