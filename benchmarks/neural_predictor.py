"""The Neural Predictor as published (Wen et al. 2020): train N random architectures, fit once, train the top K.

Against regularized evolution, on table lookups (no training noise: NAS-Bench-201's ``valid`` is the mean of
its three seeds), in one run with the same seeds: each search's first architectures are the same random ones.

* one-shot: ``run_search(..., n_initial=N, one_shot=True)`` with the search's default predictor (the directed
  GCN, 64 wide), scoring every architecture of the table (``RandomRankProposer(n_candidates=len(bench))``),
  then walking down that one ranking (the curve of the plot); the top K are its first K.
* cascade: the same with :class:`~sknas.predictors.CascadePredictor` (a GCN classifier of "at least the
  median of the N" first, the GCN regressor fitted on the upper half).
* rea: ``run_search`` with :class:`~sknas.proposers.RegularizedEvolutionProposer` (population 20,
  tournament 5, one architecture per round), as ``RegularizedEvolutionSampler`` runs it.

For each N and K the table gives the one-shot search's mean regret after N + K trainings, evolution's at as
many trainings, and how many trainings evolution needs to reach the one-shot regret; their ratio to N + K is
the paper's "more than 20 times as sample efficient as Regularized Evolution" (on NAS-Bench-101).

    python benchmarks/neural_predictor.py                 # 30 seeds
    python benchmarks/neural_predictor.py --seeds 2 --output neural_predictor_check
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import markdown_table, mean_se, one_thread, parallel_map, write_results

PROBLEMS = ("nasbench201:cifar10-valid", "nasbench201:cifar100", "nasbench201:ImageNet16-120", "nasbench101")
#: regularized evolution's budget of trainings, per benchmark (NAS-Bench-101: its sample of 500 rows has 292
#: distinct cells, all of them)
REA_BUDGET = {"nasbench201": 1000, "nasbench101": 292}


def _predictor(space, cascade: bool, smoke: bool):
    from sknas.predictors import CascadePredictor
    from sknas.search import default_predictor

    def gcn():
        model = default_predictor(space)
        return model.set_params(model__max_epochs=5) if smoke else model

    return CascadePredictor(space, regressor=gcn(), classifier=gcn().set_params(loss="mse")) if cascade else gcn()


def run(spec: str, seed: int, method: str, n: int, walk: int, smoke: bool) -> dict:
    """One search: its best-so-far regret after every training, and its CPU seconds."""
    from sknas.compare import load_spec
    from sknas.proposers import RandomRankProposer, RegularizedEvolutionProposer
    from sknas.search import run_search

    one_thread()
    bench = load_spec(spec)
    t0 = time.process_time()
    if method == "rea":
        budget = min(REA_BUDGET[bench.name], 60 if smoke else 10**9)
        h = run_search(bench, budget=budget, n_initial=20, round_size=1, proposer=RegularizedEvolutionProposer(),
                       random_state=seed)
    else:
        # every architecture is scored: NAS-Bench-201's 15,625 rows, NAS-Bench-101's sample table
        h = run_search(bench, budget=n + walk, n_initial=n, round_size=walk, one_shot=True,
                       predictor=_predictor(bench.space, method == "cascade", smoke),
                       proposer=RandomRankProposer(n_candidates=len(bench)), random_state=seed)
    return {"regret": bench.regret(h["best"].to_numpy()).tolist(), "cpu_s": time.process_time() - t0}


def _first(regret, target: float) -> tuple[int, bool]:
    """Trainings until the best-so-far ``regret`` is at most ``target`` (the budget if never), and whether reached."""
    hit = np.flatnonzero(np.asarray(regret) <= target + 1e-9)
    return (int(hit[0]) + 1, True) if len(hit) else (len(regret), False)


def _pm(values) -> str:
    m, se = mean_se(values)
    return f"{m:.3f} ± {se:.3f}"


def summarise(runs: dict, spec: str, ns, ks, methods) -> list[list]:
    rows = []
    rea = runs[(spec, "rea", 0)]
    for method in methods:
        for n in ns:
            curves = runs.get((spec, method, n))
            if curves is None:
                continue
            for k in ks:
                if n + k > min(len(c) for c in curves):
                    continue
                r_nk = np.array([c[n + k - 1] for c in curves])
                t_rea = [_first(c, float(r_nk.mean())) for c in rea]
                t, se = mean_se([t for t, _ in t_rea])
                rows.append([spec, method, n, k, _pm(r_nk), _pm([c[min(n + k, len(c)) - 1] for c in rea]),
                             f"{t:.0f} ± {se:.0f}",
                             sum(not ok for _, ok in t_rea), f"{t / (n + k):.2f} ± {se / (n + k):.2f}"])
    return rows


def _plot(runs, problems, ns, methods, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(problems), figsize=(4.2 * len(problems), 3.6), squeeze=False)
    for ax, spec in zip(axes[0], problems):
        for (s, method, n), curves in runs.items():
            if s != spec or (method != "rea" and n not in (min(ns), max(ns))):
                continue
            L = min(len(c) for c in curves)
            m = np.mean([c[:L] for c in curves], axis=0)
            label = "regularized evolution" if method == "rea" else f"{method}, N={n}"
            ax.plot(np.arange(1, L + 1), m, label=label, lw=1.5 if method == "rea" else 1.0,
                    ls="-" if method != "cascade" else "--")
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=0.1)
        ax.set_title(spec, fontsize=9)
        ax.set_xlabel("trainings")
    axes[0][0].set_ylabel("mean best-so-far regret (points)")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def compact_curves(runs: dict) -> dict:
    """Per (benchmark, method, N): the mean and standard error of the best-so-far regret after each training
    up to the shortest run's end, rounded to 1e-4 (the per-seed curves would make the results file megabytes)."""
    out = {}
    for (spec, method, n), curves in runs.items():
        L = min(len(c) for c in curves)
        C = np.asarray([c[:L] for c in curves], dtype=np.float64)
        se = C.std(axis=0, ddof=1) / np.sqrt(len(C)) if len(C) > 1 else np.zeros(C.shape[1])
        out[f"{spec}|{method}|{n}"] = {"mean": np.round(C.mean(axis=0), 4).tolist(), "se": np.round(se, 4).tolist()}
    return out


def main(argv=None):
    from _common import RESULTS

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--ns", default="20,50,100,172", help="N: random architectures the predictor is fitted on")
    p.add_argument("--ks", default="10,20", help="K: top architectures trained")
    p.add_argument("--walk", type=int, default=100, help="trainings down the ranking after the N (the curve)")
    p.add_argument("--no-cascade", action="store_true", help="leave out the cascade")
    p.add_argument("--problems", default=",".join(PROBLEMS))
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="5-epoch predictors and short evolution runs, for tests")
    p.add_argument("--results-dir", default=str(RESULTS))
    p.add_argument("--output", default="neural_predictor")
    args = p.parse_args(argv)
    ns = [int(v) for v in args.ns.split(",")]
    ks = [int(v) for v in args.ks.split(",")]
    problems = args.problems.split(",")
    methods = ["one-shot"] + ([] if args.no_cascade else ["cascade"])
    tasks = [(spec, s, "rea", 0, 0, args.smoke) for spec in problems for s in range(args.seeds)]
    tasks += [(spec, s, m, n, args.walk, args.smoke) for spec in problems for m in methods for n in ns
              for s in range(args.seeds)]
    t0, c0 = time.perf_counter(), time.process_time()
    out = parallel_map(run, tasks, args.jobs)
    wall = time.perf_counter() - t0
    runs: dict = {}
    cpu: dict = {}
    for (spec, _, method, n, _, _), r in zip(tasks, out):
        runs.setdefault((spec, method, n), []).append(r["regret"])
        cpu[f"{spec} {method}" + (f" N={n}" if method != "rea" else "")] = \
            cpu.get(f"{spec} {method}" + (f" N={n}" if method != "rea" else ""), 0.0) + r["cpu_s"]
    rows = [row for spec in problems for row in summarise(runs, spec, ns, ks, methods)]
    table = markdown_table(["benchmark", "method", "N", "K", "regret after N + K trainings (mean ± s.e.)",
                            "evolution's regret after N + K", "evolution's trainings to the one-shot regret",
                            "not reached", "ratio: evolution's trainings / (N + K)"], rows)
    total_cpu = sum(cpu.values())
    command = (f"python benchmarks/neural_predictor.py --seeds {args.seeds} --ns {args.ns} --ks {args.ks} "
               f"--walk {args.walk}" + (" --no-cascade" if args.no_cascade else "")
               + ("" if args.problems == ",".join(PROBLEMS) else f" --problems {args.problems}"))
    md = (f"Command: `{command}` ({args.seeds} seeds, one run, the same seeds for every method; "
          f"{total_cpu:.0f} CPU-s in the searches, {wall:.0f} s wall with --jobs {args.jobs}).\n\n"
          "Regret in accuracy points against the table's best (NAS-Bench-101: the best of NASLib's sample of "
          "500 rows, 292 distinct cells, which is all this search sees: the full NAS-Bench-101 of 423,624 cells "
          "is not shipped, so the paper's NAS-Bench-101 ratio cannot be reproduced here). "
          "Evolution's trainings to the one-shot regret: per seed, the first training at which its best-so-far "
          "regret is at most the one-shot search's mean regret after N + K (a run that never gets there counts at "
          f"its budget, {REA_BUDGET}, a lower bound; how many did not is 'not reached'). The ratio is the "
          "paper's sample efficiency: above 1, the one-shot search needs fewer trainings than evolution.\n\n"
          + table)
    kw = {"results_dir": args.results_dir}
    write_results(args.output, {"args": vars(args), "cpu_s": cpu, "wall_s": wall, "rows": rows,
                                "curves": compact_curves(runs)}, md, **kw)
    _plot(runs, problems, ns, methods, f"{args.results_dir}/{args.output}.png")
    print(md)
    print(f"CPU {time.process_time() - c0:.0f} s in this process")


if __name__ == "__main__":
    main()
