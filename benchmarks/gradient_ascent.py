"""Gradient ascent (PredNAS) as an acquisition optimiser: how close does it get to the best predicted architecture?

One "round" = the default predictor (sknas.search.default_predictor) fitted on ``--n-train`` random
architectures with their benchmark values; then the proposers look for the architectures it predicts best.

* Spaces small enough to enumerate (NAS-Bench-201, NAS-Bench-Graph): the gap between the best
  predicted value the proposer finds and the true maximum over every architecture, how often its first
  proposal is the argmax, the mean predicted value of its batch against the enumerated top of the same
  size, the batch's diversity (mean pairwise Hamming distance between rows) and the time.
* Spaces far too large to enumerate (NAS-Bench-101: 423,624 cells; DARTS: about 10^18), with the
  predictor fitted on the sample tables: the best predicted value found by gradient ascent against
  scoring 10,000 random architectures, and against scoring as many random architectures as gradient
  ascent's own time allows.

    python benchmarks/gradient_ascent.py                   # 30 rounds per space
    python benchmarks/gradient_ascent.py --rounds 2 --smoke
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import fit_on_sample, markdown_table, mean_se, one_thread, write_results

from sknas.utils import clip_range, n_outside

#: what the tables measure, stated in the result file
PREDICTED_NOTE = ("**These tables compare predicted values, not architectures:** every number but the seconds is "
                  "the predictor's value, which extrapolates (it can exceed the table's best, even 100%). They "
                  "measure how well each proposer optimises the predictor, not how good the proposed networks are; "
                  "`prednas_constraints.md` judges gradient ascent on the table's true values.")
#: how predictions beyond the metric's range are shown (filled in with the counts of the run)
CLIPPED_NOTE = ("Predicted accuracies are shown clipped to the tables' range, [0, 100] %, before they are averaged: "
                "{0} of the {1} predictions averaged in the first table and {2} of the {3} in the second lay above "
                "100 and count as 100. The gaps, the argmax column and the share of rounds gradient ascent is "
                "ahead compare the raw predictions.")


def _diversity(X: np.ndarray) -> float:
    if len(X) < 2:
        return 0.0
    d = (X[:, None, :] != X[None, :, :]).sum(axis=2)
    return float(d[np.triu_indices(len(X), 1)].mean())


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def enumerable_round(spec: str, seed: int, n_train: int, batch: int, smoke: bool) -> dict:
    from sknas.compare import load_spec
    from sknas.proposers import GradientAscentProposer, RandomRankProposer

    bench = load_spec(spec)
    space, shown = bench.space, bench.objective_range("valid")
    X, y, model = fit_on_sample(bench, seed, n_train, smoke)
    everything = bench.X[space.unique(bench.X)]
    seen = set(space.row_keys(X))
    everything = everything[[k not in seen for k in space.row_keys(everything)]]
    (pred_all, t_enum) = _timed(lambda: model.predict(everything))
    top = everything[np.argsort(-pred_all)[:batch]]
    top_pred = np.sort(pred_all)[-batch:]
    out = {"max": float(pred_all.max()), "top_mean": float(clip_range(top_pred, shown).mean()),
           "top_diversity": _diversity(top), "enumerate_s": t_enum, "clipped": n_outside(top_pred, shown),
           "shown": len(top_pred)}
    for name, proposer in (("gradient", GradientAscentProposer()), ("random10k", RandomRankProposer(10_000))):
        P, t = _timed(lambda p=proposer: p.propose(model, batch, X, y, random_state=seed))
        v = model.predict(P)
        out[name] = {"gap": out["max"] - float(v.max()), "argmax": bool(np.isclose(v[0], out["max"])),
                     "batch_mean": float(clip_range(v, shown).mean()), "diversity": _diversity(P), "s": t}
        out["clipped"] += n_outside(v, shown)
        out["shown"] += len(v)
    return out


def large_round(name: str, seed: int, batch: int, smoke: bool) -> dict:
    from sknas.datasets import load_nasbench101_sample, load_nasbench301_sample
    from sknas.proposers import GradientAscentProposer, RandomRankProposer
    from sknas.search import default_predictor

    bench = {"nasbench101": load_nasbench101_sample, "nasbench301": load_nasbench301_sample}[name]()
    space = bench.space  # the full space, not the table's rows
    model = default_predictor(space, random_state=seed)
    if smoke:
        model.set_params(model__max_epochs=5)
    X, y = bench.X, bench.query(bench.X)
    model.fit(X, y)
    P, t_ga = _timed(lambda: GradientAscentProposer().propose(model, batch, X, y, random_state=seed))
    R, t_r = _timed(lambda: RandomRankProposer(10_000).propose(model, batch, X, y, random_state=seed))
    # random scoring with gradient ascent's time: as many random rows as fit in t_ga
    rng = np.random.default_rng(seed)
    per_row = t_r / 10_000
    n_eq = max(batch, int(t_ga / per_row))
    E, t_e = _timed(lambda: RandomRankProposer(n_eq).propose(model, batch, X, y, random_state=rng))
    raw = {k: float(model.predict(v).max()) for k, v in (("gradient", P), ("random10k", R), ("random_same_time", E))}
    shown = bench.objective_range("valid")
    return {"best": dict(zip(raw, clip_range(list(raw.values()), shown).tolist())), "raw_best": raw,
            "clipped": n_outside(list(raw.values()), shown), "shown": len(raw),
            "s": {"gradient": t_ga, "random10k": t_r, "random_same_time": t_e}, "n_same_time": n_eq,
            "seen_max": float(model.predict(X).max())}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=30, help="rounds (seeds) per space")
    p.add_argument("--n-train", type=int, default=50)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--output", default="gradient_ascent")
    p.add_argument("--results-dir", default=None)
    args = p.parse_args(argv)
    one_thread()
    rows, results = [], {}
    for spec in ("nasbench201:cifar10-valid", "nasbench_graph:cora"):
        runs = [enumerable_round(spec, s, args.n_train, args.batch, args.smoke) for s in range(args.rounds)]
        results[spec] = runs
        for name in ("gradient", "random10k"):
            g = mean_se([r[name]["gap"] for r in runs])
            rows.append([spec, name, f"{g[0]:.3f} ± {g[1]:.3f}", f"{np.mean([r[name]['argmax'] for r in runs]):.0%}",
                         f"{np.mean([r[name]['batch_mean'] for r in runs]):.2f} "
                         f"({np.mean([r['top_mean'] for r in runs]):.2f})",
                         f"{np.mean([r[name]['diversity'] for r in runs]):.2f} "
                         f"({np.mean([r['top_diversity'] for r in runs]):.2f})",
                         f"{np.mean([r[name]['s'] for r in runs]):.2f} "
                         f"({np.mean([r['enumerate_s'] for r in runs]):.2f})"])
        print(spec, "done", flush=True)
    table = markdown_table(["space", "proposer", "gap to the best predicted (mean ± s.e.)",
                            "first proposal is the argmax",
                            f"mean predicted of its {args.batch} (enumerated top)",
                            "diversity, mean Hamming distance (enumerated top)", "s per round (enumeration)"], rows)
    rows2 = []
    for name in ("nasbench101", "nasbench301"):
        runs = [large_round(name, s, args.batch, args.smoke) for s in range(args.rounds)]
        results[name] = runs
        wins = [np.mean([r["raw_best"]["gradient"] > r["raw_best"][k] for r in runs])
                for k in ("random10k", "random_same_time")]
        rows2.append([name, *(f"{np.mean([r['best'][k] for r in runs]):.3f}" for k in
                              ("gradient", "random10k", "random_same_time")),
                      f"{wins[0]:.0%} / {wins[1]:.0%}",
                      *(f"{np.mean([r['s'][k] for r in runs]):.2f}" for k in ("gradient", "random10k")),
                      f"{np.mean([r['n_same_time'] for r in runs]):.0f}"])
        print(name, "done", flush=True)
    table2 = markdown_table(["space (predictor fitted on the sample table)", "best predicted: gradient ascent",
                             "random 10,000", "random, same time as gradient ascent",
                             "gradient ahead (vs 10,000 / same time)", "s gradient", "s random 10,000",
                             "random rows in gradient's time"], rows2)
    counts = [sum(r[key] for name in names for r in results[name]) for names in
              (("nasbench201:cifar10-valid", "nasbench_graph:cora"), ("nasbench101", "nasbench301"))
              for key in ("clipped", "shown")]
    md = (f"Command: `python benchmarks/gradient_ascent.py --rounds {args.rounds}`; predictor: the search default; "
          f"{args.n_train} training architectures; batches of {args.batch}.\n\n" + PREDICTED_NOTE + " "
          + CLIPPED_NOTE.format(*counts) + "\n\n" + table + "\n\n" + table2)
    kw = {} if args.results_dir is None else {"results_dir": args.results_dir}
    write_results(args.output, {"args": vars(args), "results": results}, md, **kw)
    print(md)


if __name__ == "__main__":
    main()
