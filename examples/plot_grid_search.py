"""
============================================
Tuning alpha and keep_prob with GridSearchCV
============================================

skdeep's estimators are scikit-learn estimators, so their regularization
parameters are tuned like any other: here a cross-validated grid over the L2
strength ``alpha`` and the dropout ``keep_prob``, drawn as a heatmap of the mean
validation accuracy.

See :doc:`/l2_regularization` and :doc:`/dropout` for the two parameters.
"""

# %%
# The search
# ----------
# 100 noisy training points from two moons and a network large enough to overfit
# them; 3-fold cross-validation over 4 × 4 settings.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split

from skdeep import MLPClassifier

# every fit stops at max_iter on purpose
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=1000, noise=0.35, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=100, random_state=0)

alphas = [0.0, 0.1, 0.3, 1.0]
keep_probs = [1.0, 0.8, 0.6, 0.4]
search = GridSearchCV(
    MLPClassifier(
        hidden_layer_sizes=(32, 32),
        learning_rate_init=0.02,
        max_iter=200,
        n_iter_no_change=np.inf,
        random_state=0,
    ),
    param_grid={"alpha": alphas, "keep_prob": keep_probs},
    cv=3,
).fit(X_train, y_train)

print("best parameters:", search.best_params_)
print(f"cross-validated accuracy {search.best_score_:.3f}, test accuracy {search.score(X_test, y_test):.3f}")

# %%
# The heatmap
# -----------
# ``cv_results_`` lists the settings in the order of the grid, alpha varying slowest.
scores = search.cv_results_["mean_test_score"].reshape(len(alphas), len(keep_probs))

fig, ax = plt.subplots(figsize=(5.5, 4.5))
image = ax.imshow(scores, cmap="viridis")
middle = (scores.min() + scores.max()) / 2
for i in range(len(alphas)):
    for j in range(len(keep_probs)):
        colour = "k" if scores[i, j] > middle else "w"  # readable on light and dark cells
        ax.text(j, i, f"{scores[i, j]:.3f}", ha="center", va="center", color=colour)
ax.set_xticks(range(len(keep_probs)), labels=[str(p) for p in keep_probs])
ax.set_yticks(range(len(alphas)), labels=[str(a) for a in alphas])
ax.set_xlabel("keep_prob")
ax.set_ylabel("alpha")
ax.set_title("Mean cross-validated accuracy")
fig.colorbar(image, ax=ax)
fig.tight_layout()
plt.show()
