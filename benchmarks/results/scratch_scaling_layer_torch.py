"""The scratch prototype behind tabular_scratch_scaling_layer_torch.json and
tabular_scratch_realmlp_parts_torch.json (docs/tabular.rst), in torch (the bench
extra's), measured before building anything in skdeep's core.

The member: the tabular estimator's own preprocessing, one hidden layer of 256 relu,
Adam 3e-3, batches of 64, L2 alpha/(2n)||W||^2 on the weights (alpha=10 for both
estimators; the regressor's default searches (1, 10)), early stopping on the
validation data loss with patience 10 and best-epoch restore, 3 members on their own
tenth. Options:

- SCALE 1: a diagonal scaling layer in front of the first layer (init 1, no L2, its
  learning rate times LRF; RealMLP-TD's, LRF 6), the input scale's prototype; SCALE 0
  the member without it;
- --pbld add|replace: PBLD numeric embeddings (RealMLP-TD's): each numeric column's
  standardized value, smoothly clipped, through cos(2 pi w x + b) (16 frequencies
  w ~ N(0, 0.1^2), b uniform in [-pi, pi]) and a linear map to 3 features, all
  learned (learning rate --plr-lrf times the weights', no L2), beside the splines
  or in place of them;
- --pact F: a parametric activation per hidden unit, a + p (relu(a) - a) with p
  starting at 1 (learning rate F times the weights'; 0: plain relu).

    python benchmarks/results/scratch_scaling_layer_torch.py out.json SCALE LRF SEED [data sets] [--pbld add] [--plr-lrf 1] [--pact 0.1]

The input scale's runs used SCALE 1 LRF 6 and SCALE 0; the RealMLP-TD parts' runs
SCALE 1 LRF 6 with the options.
"""
import sys, json, time, warnings, numpy as np, torch
sys.path.insert(0, "benchmarks")
import bench_tabular as bt
from sklearn.metrics import accuracy_score, r2_score
import skdeep
from skdeep import _tabular
torch.set_num_threads(1)

PBLD = "none"  # --pbld: none | add (PBLD beside the splines) | replace (PBLD instead of them)
PLR_LRF = 1.0  # --plr-lrf
PACT = 0.0  # --pact

def member(Xt, Y, train, val, regression, n_out, seed, scale, lrf, alpha, max_iter=200, patience=10, dn=0):
    g = torch.Generator().manual_seed(int(seed) % 2**31)
    torch.manual_seed(int(seed) % 2**31)
    Xtr, Xva = torch.tensor(Xt[train]), torch.tensor(Xt[val])
    if regression:
        Ytr, Yva = torch.tensor(Y[train]).float().reshape(-1, 1), torch.tensor(Y[val]).float().reshape(-1, 1)
    else:
        Ytr, Yva = torch.tensor(Y[train]).long(), torch.tensor(Y[val]).long()
    d = Xt.shape[1]
    pbld = PBLD != "none" and dn > 0
    keep = np.arange(d)
    if pbld and PBLD == "replace":  # drop the splines: columns dn .. dn + 10 dn
        keep = np.r_[np.arange(dn), np.arange(11 * dn, d)]
    keep = torch.tensor(keep)
    d_in = len(keep) + (3 * dn if pbld else 0)
    if pbld:
        w1 = torch.nn.Parameter(0.1 * torch.randn(dn, 1, 16)); b1 = torch.nn.Parameter(np.pi * (2 * torch.rand(dn, 1, 16) - 1))
        w2 = torch.nn.Parameter((2 * torch.rand(dn, 16, 3) - 1) / 4); b2 = torch.nn.Parameter((2 * torch.rand(dn, 1, 3) - 1) / 4)
    d = d_in
    l1, l2 = torch.nn.Linear(d, 256), torch.nn.Linear(256, n_out)
    s = torch.nn.Parameter(torch.ones(d))
    groups = [{"params": list(l1.parameters()) + list(l2.parameters())}]
    if scale:
        groups.append({"params": [s], "lr": 3e-3 * lrf})
    if pbld:
        groups.append({"params": [w1, b1, w2, b2], "lr": 3e-3 * PLR_LRF})
    pa = torch.nn.Parameter(torch.ones(256))
    if PACT:
        groups.append({"params": [pa], "lr": 3e-3 * PACT})
    opt = torch.optim.Adam(groups, lr=3e-3)
    n = len(train)
    def fwd(X):
        if pbld:
            z = X[:, :dn]
            z = z / torch.sqrt(1 + z * z / 9)  # RealMLP's smooth clip of the standardized value
            z = torch.cos(2 * np.pi * z.T.unsqueeze(-1) @ w1 + b1) @ w2 + b2  # dn, batch, 3
            X = torch.cat([z.transpose(0, 1).reshape(X.shape[0], 3 * dn), X[:, keep]], dim=1)
        a = l1(X * s if scale else X)
        h = a + (torch.relu(a) - a) * pa if PACT else torch.relu(a)
        return l2(h)
    def data_loss(out, Yb):
        if regression:
            return 0.5 * ((out - Yb) ** 2).mean()
        return torch.nn.functional.cross_entropy(out, Yb)
    params = [pa, l1.weight, l1.bias, l2.weight, l2.bias, s] + ([w1, b1, w2, b2] if pbld else [])
    best, best_state, bad = np.inf, None, 0
    bs = min(64, n)
    for epoch in range(max_iter):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = data_loss(fwd(Xtr[idx]), Ytr[idx]) + alpha / (2 * n) * (l1.weight.pow(2).sum() + l2.weight.pow(2).sum())
            opt.zero_grad(); loss.backward(); opt.step()
        with torch.no_grad():
            v = float(data_loss(fwd(Xva), Yva))
        if v < best - 1e-4:
            bad = 0
        else:
            bad += 1
        if v < best:
            best = v; best_state = [p.detach().clone() for p in params]
        if bad >= patience:
            break
    with torch.no_grad():
        for p, b in zip(params, best_state):
            p.copy_(b)
    return fwd

def fit_predict(Xtr_df, ytr, Xte_df, regression, seed, scale, lrf):
    est = (skdeep.TabularMLPRegressor if regression else skdeep.TabularMLPClassifier)(random_state=seed)
    X = est._check_input(Xtr_df, reset=True)
    est.is_categorical_ = _tabular._categorical_mask(X, "from_dtype", "x")
    X = est._numbers_as_array(X)
    rng = np.random.RandomState(seed)
    seeds = rng.randint(np.iinfo(np.int32).max, size=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pre = est._make_preprocessor(X, est.is_categorical_, int(seeds[-1]))
        Xt = pre.fit_transform(X).astype(np.float32)
        Xte = pre.transform(est._numbers_as_array(Xte_df)).astype(np.float32)
    if regression:
        mu, sd = ytr.mean(), ytr.std() or 1.0
        Y = ((ytr - mu) / sd).astype(np.float32); n_out = 1; alpha = 10.0
    else:
        classes, Y = np.unique(ytr, return_inverse=True); n_out = len(classes); alpha = 10.0
    preds = []
    for sd_ in seeds[:3]:
        train, val = est._split(Y, int(sd_))
        f = member(Xt, Y, train, val, regression, n_out, sd_, scale, lrf, alpha, dn=int((~est.is_categorical_).sum()))
        with torch.no_grad():
            out = f(torch.tensor(Xte))
            preds.append(out.numpy().ravel() if regression else torch.softmax(out, 1).numpy())
    P = np.mean(preds, axis=0)
    return P * sd + mu if regression else classes[P.argmax(1)]

if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("out"); parser.add_argument("scale"); parser.add_argument("lrf", type=float)
    parser.add_argument("seed", type=int); parser.add_argument("names", nargs="*")
    parser.add_argument("--pbld", default="none", choices=["none", "add", "replace"])
    parser.add_argument("--plr-lrf", type=float, default=1.0); parser.add_argument("--pact", type=float, default=0.0)
    args = parser.parse_args()
    out, scale, lrf, seed, names = args.out, args.scale == "1", args.lrf, args.seed, args.names
    PBLD, PLR_LRF, PACT = args.pbld, args.plr_lrf, args.pact
    res = {}
    for d in bt.load_datasets(names):
        scores = []
        t = time.perf_counter()
        for train, test in bt.folds(d, 5):
            Xtr, Xte = d.X.iloc[train].reset_index(drop=True), d.X.iloc[test].reset_index(drop=True)
            p = fit_predict(Xtr, d.y[train], Xte, d.regression, seed, scale, lrf)
            scores.append(r2_score(d.y[test], p) if d.regression else accuracy_score(d.y[test], p))
        res[d.name] = scores
        json.dump(res, open(out, "w"))
        print(f"{d.name:16s} {np.mean(scores):.4f} {time.perf_counter()-t:.0f}s", flush=True)
