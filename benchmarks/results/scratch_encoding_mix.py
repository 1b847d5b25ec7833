"""The scratch run behind tabular_scratch_encoding_mix.json (docs/tabular.rst): the
tabular estimator with its spline encoding (the defaults) and with
numeric_encoding='standard', fitted on the same rows with the same random_state, and
their combinations, on the benchmark's folds:

- 'mix': the two estimators' predicted probabilities (values) averaged, equal weights;
- 'mix2:1': weights 2/3 on the splines' and 1/3 on the standard encoding's;
- 'spN+stM': the first N members of the splines' and the last M of the standard
  encoding's (members 0, 1, 2 of each; the same seeds in both), all weighted alike;
- 'select': the one whose members had the lower data loss on their validation rows
  (the pooled loss the alpha search reads, ``validation_losses_``; both hold out the
  same rows: same seeds).

    python benchmarks/results/scratch_encoding_mix.py SEED out.json [data sets]
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from threadpoolctl import threadpool_limits

sys.path.insert(0, "benchmarks")
import bench_tabular as bt  # noqa: E402

LABELS = ("spline", "standard", "mix", "mix2:1", "select", "sp2+st1", "sp3+st1", "sp3+st2")


def run(seed, out, names):
    results = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in bt.load_datasets(names or list(bt.DATASETS)):
            scores = {k: [] for k in LABELS}
            fit = {k: [] for k in ("spline", "standard")}
            for train, test in bt.folds(d, 5):
                X_train, X_test, y_train, y_test = d.X.iloc[train], d.X.iloc[test], d.y[train], d.y[test]
                models, outputs = {}, {}
                for label, params in (("spline", {}), ("standard", {"numeric_encoding": "standard"})):
                    model = bt.make_model("tabular", d.regression, seed, params)
                    start = time.perf_counter()
                    model.fit(X_train, y_train)
                    fit[label].append(time.perf_counter() - start)
                    models[label] = model
                    outputs[label] = model.predict(X_test) if d.regression else model.predict_proba(X_test)
                losses = {k: np.nanmin(m.validation_losses_) for k, m in models.items()}
                # single members: each estimator's preprocessing, then member i's output
                method = "predict" if d.regression else "predict_proba"
                single = {
                    (k, i): np.asarray(getattr(m.members_[i], method)(m._transform(X_test)), dtype=float)
                    for k, m in models.items() for i in range(3)
                }
                if d.regression:  # the members predict the standardized target
                    single = {(k, i): v.ravel() * models[k].target_scale_ + models[k].target_mean_ for (k, i), v in single.items()}
                outputs["sp2+st1"] = (single["spline", 0] + single["spline", 1] + single["standard", 2]) / 3
                outputs["sp3+st1"] = (3 * outputs["spline"] + single["standard", 2]) / 4
                outputs["sp3+st2"] = (3 * outputs["spline"] + single["standard", 1] + single["standard", 2]) / 5
                outputs["mix"] = (outputs["spline"] + outputs["standard"]) / 2
                outputs["mix2:1"] = (2 * outputs["spline"] + outputs["standard"]) / 3
                outputs["select"] = outputs[min(losses, key=losses.get)]
                classes = models["spline"].classes_ if not d.regression else None
                for label in LABELS:
                    if d.regression:
                        scores[label].append(r2_score(y_test, outputs[label]))
                    else:
                        scores[label].append(accuracy_score(y_test, classes[np.argmax(outputs[label], axis=1)]))
            results[d.name] = {"scores": scores, "fit": fit}
            json.dump(results, open(out, "w"))
            print(d.name, {k: round(float(np.mean(v)), 4) for k, v in scores.items()}, flush=True)


if __name__ == "__main__":
    run(int(sys.argv[1]), sys.argv[2], sys.argv[3:])
