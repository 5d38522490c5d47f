"""Does the HyperNetwork (ADWPNAS) earn its place where the parameter count does not decide accuracy?

In ``MacroCNNSpace`` (4 layers, kernels 1/3/5, widths 2/4/8/16, skips) the parameter count alone ranks trained
accuracy better than the HyperNetwork (``benchmarks/results/hypernetwork.md``): narrow layers dominate. This
study asks the question where the parameter count cannot answer it: among architectures of similar size.
The pool is split into ``--bins`` bins of parameter count (quantiles over the pool), and every ranking is scored
by Kendall's tau *within* the bins (the mean over bins, weighted by their sizes), beside the tau over the
whole pool. Compared, on the same pool of ``--n-archs`` random architectures, each trained ``--seeds`` times
(ground truth: the mean test accuracy over the seeds):

* the HyperNetwork's validation accuracy with predicted weights (no training);
* the parameter count;
* a predictor fitted on the same wall time of trainings as the HyperNetwork's fit: as many architectures as
  one training each (seed A, validation accuracy, as a user would observe) fit into that time, drawn at
  random ``--repeats`` times; sknas's regressor with its defaults, ranking the architectures it was not
  fitted on (the HyperNetwork and the parameter count are scored on the same architectures);
* the HyperNetwork's score as a feature: a ridge regression on the one-hot rows with and without the
  HyperNetwork's score (standardised) as one more column, fitted on ``--sizes`` trained architectures (the
  same draws for both), scored on the others.

The HyperNetwork, the pool and the trainings are those of ``benchmarks/hypernetwork.py`` (its ``_ranking``),
once per data split of ``--splits`` (each its own HyperNetwork and pool); the ± over draws does not include a
pool's own sampling error, which the splits show.

    python benchmarks/hypernetwork_bins.py            # about 4 CPU-minutes per split
    python benchmarks/hypernetwork_bins.py --smoke    # seconds
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import RESULTS, markdown_table, mean_se, one_thread, write_results
from hypernetwork import _ints, _ranking


def within_bins(truth, score, bins) -> float:
    """Kendall's tau of ``score`` against ``truth`` within each bin, averaged with the bins' sizes as weights
    (bins of fewer than 3 members, or where either side is constant, are left out)."""
    from sknas.metrics import kendall_tau

    taus, sizes = [], []
    for b in np.unique(bins):
        m = bins == b
        if m.sum() >= 3 and np.ptp(truth[m]) > 0 and np.ptp(score[m]) > 0:
            taus.append(kendall_tau(truth[m], score[m]))
            sizes.append(m.sum())
    return float(np.average(taus, weights=sizes)) if taus else float("nan")


def param_bins(params, n_bins: int) -> np.ndarray:
    """Bin index of each architecture: quantile bins of the pool's parameter counts (ties share a bin)."""
    edges = np.quantile(params, np.linspace(0, 1, n_bins + 1)[1:-1])
    return np.searchsorted(edges, params, side="right")


def _scores(truth, bins, rest, named):
    """Per named score (values on the ``rest`` architectures): (tau over ``rest``, tau within bins on it)."""
    from sknas.metrics import kendall_tau

    return {name: (kendall_tau(truth[rest], s), within_bins(truth[rest], s, bins[rest])) for name, s in named.items()}


def _split(space, args, split: int) -> dict:
    """One data split: the HyperNetwork, the pool and its trainings (``hypernetwork._ranking``), then every
    ranking scored over the pool and within the parameter bins; its markdown section and its payload."""
    from sklearn.linear_model import Ridge

    from sknas import ArchitectureRegressor
    from sknas.encodings import onehot

    rng = np.random.default_rng(split)
    _, ev, pool, hn_val, _, va_s, te_s, time_s, ranking = _ranking(space, args, split, rng)
    truth, observed = te_s.mean(0), va_s[0]
    params = np.asarray(ranking["params"])
    bins = param_bins(params, args.bins)
    everyone = np.arange(len(pool))
    whole = _scores(truth, bins, everyone, {"HyperNetwork": hn_val, "parameter count": params})
    ceiling = _scores(te_s[1], bins, everyone, {"a second training (seed B vs A)": te_s[0]})

    # a predictor fitted on the wall time the HyperNetwork took to fit, one training per architecture
    k = int(np.clip(round(ev.fit_time_ / time_s[0].mean()), 3, args.n_archs - 3))
    same_time: dict[str, list] = {}
    for r in range(args.repeats):
        seen = np.sort(np.random.default_rng([split, r]).choice(len(pool), k, replace=False))
        rest = np.setdiff1d(everyone, seen)
        reg = ArchitectureRegressor(space, random_state=r).fit(pool[seen], observed[seen])
        got = _scores(truth, bins, rest, {"predictor": reg.predict(pool[rest]), "HyperNetwork": hn_val[rest],
                                          "parameter count": params[rest]})
        for name, v in got.items():
            same_time.setdefault(name, []).append(v)

    # the HyperNetwork's score as one more feature of a ridge regression on the one-hot rows
    H = onehot(space, pool)
    z = ((hn_val - hn_val.mean()) / (hn_val.std() or 1.0))[:, None]
    Hz = np.hstack([H, z])
    feature: dict[int, dict[str, list]] = {}
    for n in args.sizes:
        for r in range(args.repeats):
            seen = np.sort(np.random.default_rng([split, n, r]).choice(len(pool), n, replace=False))
            rest = np.setdiff1d(everyone, seen)
            alone = Ridge(alpha=1.0).fit(H[seen], observed[seen]).predict(H[rest])
            both = Ridge(alpha=1.0).fit(Hz[seen], observed[seen]).predict(Hz[rest])
            got = _scores(truth, bins, rest, {"ridge on one-hot": alone, "ridge on one-hot + HyperNetwork": both,
                                              "HyperNetwork": hn_val[rest]})
            got["with the HyperNetwork minus without (paired)"] = tuple(
                b - a for a, b in zip(got["ridge on one-hot"], got["ridge on one-hot + HyperNetwork"]))
            for name, v in got.items():
                feature.setdefault(n, {}).setdefault(name, []).append(v)

    def fmt(values, j):
        m, s = mean_se([v[j] for v in values])
        return f"{m:.3f} ± {s:.3f}"

    rows = [["whole pool", name, f"{a:.3f}", f"{b:.3f}"] for name, (a, b) in {**whole, **ceiling}.items()]
    rows += [[f"{len(pool) - k} not trained, {k} trained in the HyperNetwork's fit time", name, fmt(v, 0), fmt(v, 1)]
             for name, v in same_time.items()]
    rows += [[f"{len(pool) - n} not trained, {n} trained", name, fmt(v, 0), fmt(v, 1)]
             for n, per in feature.items() for name, v in per.items()]
    md = "\n\n".join([
        f"## Data split {split}",
        f"HyperNetwork fitted in {ev.fit_time_:.1f} s; one training takes {time_s[0].mean():.2f} s on average; "
        f"bin sizes {np.bincount(bins).tolist()}.",
        markdown_table(["architectures ranked", "ranking by", "Kendall tau (all)",
                        f"Kendall tau within {args.bins} parameter bins"], rows),
    ])
    payload = dict(split=split, hn_fit_s=ev.fit_time_, train_one_s=float(time_s[0].mean()), n_same_time=k,
                   bins=bins.tolist(), whole=whole, ceiling=ceiling, same_time=same_time,
                   feature={str(n): v for n, v in feature.items()}, ranking=ranking)
    return dict(md=md, payload=payload)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-archs", type=int, default=80, help="random architectures trained from scratch")
    p.add_argument("--seeds", type=int, default=2, help="from-scratch trainings per architecture (ground truth)")
    p.add_argument("--n-layers", type=int, default=4)
    p.add_argument("--kernel-sizes", type=_ints, default=(1, 3, 5))
    p.add_argument("--widths", type=_ints, default=(2, 4, 8, 16))
    p.add_argument("--hn-epochs", type=int, default=60)
    p.add_argument("--archs-per-step", type=int, default=4)
    p.add_argument("--hidden-size", type=int, default=64)
    p.add_argument("--train-epochs", type=int, default=20)
    p.add_argument("--bins", type=int, default=4, help="quantile bins of the parameter count")
    p.add_argument("--sizes", type=_ints, default=(20, 50), help="trained architectures the ridge models see")
    p.add_argument("--repeats", type=int, default=30, help="random draws of the trained architectures")
    p.add_argument("--splits", type=_ints, default=(0, 2), help="data splits (and pool seeds), one study each")
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--results-dir", default=str(RESULTS))
    p.add_argument("--output", default="hypernetwork_bins")
    args = p.parse_args(argv)
    if args.smoke:
        args.n_archs, args.hn_epochs, args.hidden_size, args.train_epochs, args.archs_per_step = 12, 1, 8, 1, 2
        args.n_layers, args.widths, args.sizes, args.repeats, args.bins, args.splits = 2, (2, 4), (4, 6), 3, 2, (0,)
    if args.seeds < 2 or max(args.sizes) > args.n_archs - 3:
        raise ValueError("--seeds must be >= 2 and every --sizes at most --n-archs - 3")
    one_thread()

    from sknas.spaces import MacroCNNSpace

    space = MacroCNNSpace(n_layers=args.n_layers, kernel_sizes=args.kernel_sizes, widths=args.widths)
    splits = [_split(space, args, split) for split in args.splits]
    md = "\n\n".join([
        "# The HyperNetwork where parameter count does not decide: ranking within parameter bins",
        f"{space!r}; per data split, a pool of {args.n_archs} random architectures, each trained {args.seeds} times "
        f"for {args.train_epochs} epochs (ground truth: the mean test accuracy); {args.bins} quantile bins of the "
        "parameter count. Rows below the first three of a split: mean ± s.e. over "
        f"{args.repeats} random draws of the trained architectures, scored on the others (the ± leaves out the "
        "pool's own sampling error: compare the splits); the predictors learn from one training's validation "
        "accuracy (seed A).",
        *[part["md"] for part in splits],
    ])
    print(md)
    payload = dict(config=vars(args), space=repr(space), splits=[part["payload"] for part in splits])
    write_results(args.output, payload, md, results_dir=args.results_dir)
    return payload


if __name__ == "__main__":
    main()
