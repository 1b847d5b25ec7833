"""The scratch run behind tabular_scratch_label_smoothing.json (docs/tabular.rst):
the tabular classifier with its members trained on smoothed labels, (1 - eps) times
the one-hot target plus eps / n_classes (RealMLP-TD's label smoothing, eps = 0.1),
against the defaults' saved scores on the same folds (tabular_main.json). Not an
estimator option: it patches the training targets of skdeep's MLPClassifier; the
validation targets, and so early stopping's loss, stay as they are.

    python benchmarks/results/scratch_label_smoothing.py out.json 0.1 [data sets]
"""
import json
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from skdeep import _mlp

sys.path.insert(0, "benchmarks")
import bench_tabular as bt  # noqa: E402

_encode_targets = _mlp.MLPClassifier._encode_targets


def smoothed(eps):
    def encode_targets(self, y, first_call, classes, dtype):
        Y = _encode_targets(self, y, first_call, classes, dtype)
        return (Y * (1 - eps) + eps / len(self.classes_)).astype(dtype)

    return encode_targets


if __name__ == "__main__":
    out, eps, names = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    _mlp.MLPClassifier._encode_targets = smoothed(eps)
    label = f"label smoothing {eps}"
    results = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in bt.load_datasets(names):
            result = bt.evaluate(d, {label: ("tabular", {})})
            results[d.name] = vars(result)
            json.dump(results, open(out, "w"))
            print(d.name, round(float(np.mean(result.scores[label])), 4), flush=True)
