"""The scratch run behind tabular_scratch_model_seeds.json (docs/tabular.rst, the
7-of-8 target): sklearn's MLP and the tabular estimator with model seeds
(random_state) 0 to 4 on the benchmark's folds (always those of seed 0), to see how
much of the count of sets where one beats the other is the seed's. Seed 0 is the
benchmark's own run (tabular_main.json), and the run reproduced it fold for fold.

    python benchmarks/results/scratch_model_seeds.py run out.json 1,2,3,4 [data sets]
    python benchmarks/results/scratch_model_seeds.py report tabular_scratch_model_seeds.json
"""
import json
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, "benchmarks")
import bench_tabular as bt  # noqa: E402

MODELS = ("sklearn-mlp", "tabular")


def run(out, seeds, names):
    results = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in bt.load_datasets(names or list(bt.DATASETS)):
            scores = {m: {} for m in MODELS}
            for seed in seeds:
                result = bt.evaluate(d, {m: (m, None) for m in MODELS}, model_seed=seed)
                for m in MODELS:
                    scores[m][str(seed)] = result.scores[m]
            results[d.name] = scores
            json.dump(results, open(out, "w"))
            print(d.name, {m: [round(float(np.mean(v)), 4) for v in scores[m].values()] for m in MODELS}, flush=True)


def report(path):
    results = json.load(open(path))
    n_rows = {d.name: len(d.y) for d in bt.load_datasets(list(results))}
    tasks = {name: task for name, (task, _, _) in bt.ALL_DATASETS.items()}
    seeds = list(next(iter(results.values()))["tabular"])
    counts = {s: [0, 0, 0] for s in seeds}  # better, tie, behind, by the benchmark's rule
    print(f"{'data set':16s} {'tabular':>8s} {'sklearn':>8s} {'mean diff ± s.e.':>18s}  seeds ahead / behind")
    for name, r in results.items():
        regression = tasks[name] == "regression"
        diffs = np.array([np.mean(r["tabular"][s]) - np.mean(r["sklearn-mlp"][s]) for s in seeds])
        outcomes = [bt.outcome(d, n_rows[name], regression) for d in diffs]
        for s, o in zip(seeds, outcomes):
            counts[s][1 - o] += 1
        se = diffs.std(ddof=1) / np.sqrt(len(diffs))
        tab = np.mean([np.mean(v) for v in r["tabular"].values()])
        skl = np.mean([np.mean(v) for v in r["sklearn-mlp"].values()])
        print(f"{name:16s} {tab:8.4f} {skl:8.4f} {diffs.mean():+9.4f} ± {se:.4f}  {outcomes.count(1)} / {outcomes.count(-1)}")
    for s, (better, tie, behind) in counts.items():
        print(f"seed {s}: better on {better} of {len(results)}, tie {tie}, behind {behind}")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], [int(s) for s in sys.argv[3].split(",")], sys.argv[4:])
    else:
        report(sys.argv[2])
