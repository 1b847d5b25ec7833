"""The scratch run behind tabular_scratch_accuracy_search.json and
tabular_scratch_accuracy_search_check.json (docs/tabular.rst, the alpha search): the
classifier's pooled search over alpha=(1, 10) choosing the value by the members'
validation accuracy (their error rate on their validation rows, weighted as the
loss weighs them; ties to the lower data loss) instead of by their validation data
loss, as GridSearchCV would choose by the classifier's ``score``. Not an estimator
option: it patches what the search reads. Only the variant runs; the defaults' and
the loss search's scores on the same folds are in tabular_main.json,
tabular_check.json, tabular_main_search_both.json and
tabular_ablation_search_check.json.

    python benchmarks/results/scratch_accuracy_search.py out.json [data sets]
"""
import json
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import skdeep

sys.path.insert(0, "benchmarks")
import bench_tabular as bt  # noqa: E402

LABEL = "accuracy search 1,10"
_fit_member = skdeep.TabularMLPClassifier._fit_member


def fit_member(self, Xt, Y, sample_weight, seed, alpha, early):
    member, weight_sum = _fit_member(self, Xt, Y, sample_weight, seed, alpha, early)
    if early:
        _, val = self._split(Y, seed)  # the member's own validation rows (its seed's)
        weights = self._validation_weights(Y, sample_weight)
        weights = np.ones(len(val)) if weights is None else weights[val]
        error = float(weights @ (member.predict(Xt[val]) != Y[val]) / weights.sum()) if weights.sum() > 0 else 0.0
        # the search keeps the lowest pooled -best_validation_score_: the error rate
        # first, the data loss (scaled below one row's share) breaking ties
        member.best_validation_score_ = -(error - 1e-5 * member.best_validation_score_)
    return member, weight_sum


if __name__ == "__main__":
    skdeep.TabularMLPClassifier._fit_member = fit_member
    out, names = sys.argv[1], sys.argv[2:]
    results = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in bt.load_datasets(names):
            result = bt.evaluate(d, {LABEL: ("tabular", {"alpha": (1.0, 10.0)})})
            results[d.name] = vars(result)
            json.dump(results, open(out, "w"))
            print(d.name, round(float(np.mean(result.scores[LABEL])), 4), flush=True)
