"""Accuracy against a cost: how close each sampler's front gets to the true Pareto front of the table.

Each study has two objectives, validation accuracy (maximised) and a cost (minimised): NAS-Bench-201's
parameter count or a device latency of its table, NAS-Bench-Graph's parameter count. The samplers see
only the trials' values (as Optuna's do): the sknas default ``PredictorSampler`` (ParEGO and hypervolume
rounds) and its ParEGO rounds only (``sknas-parego``), Optuna's ``GPSampler`` (log-EHVI), multi-objective TPE,
NSGA-II and random search, all through
:func:`sknas.compare.run_study`, one run, the same seeds. Reported per budget: the hypervolume regret
(:func:`sknas.metrics.hypervolume_regret`: the share of the true front's hypervolume the trials so far
miss, each objective scaled between its worst and its best value in the table), mean ± s.e.; one PNG per problem
shows the front of each method's median run against the true front.

Every finished study is appended at once to a cache of runs kept with the results
(``multi_objective_runs/``, one ``.jsonl.xz`` per problem: the values of every trial and the versions of the
packages it ran with), so an interrupted run loses nothing,
``--resume`` continues it or adds methods and problems, and ``--report-only`` rewrites the tables and
plots from it; the tables are rewritten from the cache after every problem.

    python benchmarks/multi_objective.py                      # every problem, 30 seeds, 100 trials
    python benchmarks/multi_objective.py --resume --budget 200 --problems nasbench_graph:cora:params  # and 200
    python benchmarks/multi_objective.py --problems nasbench201:cifar10-valid:latency_pixel3 --seeds 3 --budget 30
"""

from __future__ import annotations

import argparse
import collections
import json
import lzma
import os
import sys
import warnings
from pathlib import Path

import numpy as np
from _common import RESULTS, markdown_table, one_thread, stack_versions, write_results

from sknas.compare import METHODS

NB201 = ("cifar10-valid", "cifar100", "ImageNet16-120")
#: a mobile phone, an embedded CPU and an FPGA: three kinds of device from NAS-Bench-201's latency columns
DEVICES = ("latency_pixel3", "latency_raspi4", "latency_fpga")
GRAPH = ("cora", "citeseer", "pubmed", "arxiv")
PROBLEMS = ([f"nasbench201:{d}:{c}" for d in NB201 for c in ("params",) + DEVICES]
            + [f"nasbench_graph:{d}:params" for d in GRAPH])


def split(problem: str) -> tuple[str, tuple[str, str]]:
    """``"bench:dataset:cost"`` -> (``"bench:dataset"``, (``"valid"``, cost))."""
    bench, dataset, cost = problem.split(":")
    return f"{bench}:{dataset}", ("valid", cost)


def run_one(problem: str, method: str, seed: int, budget: int) -> dict:
    import optuna

    from sknas.compare import run_study

    one_thread()
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    spec, objectives = split(problem)
    run = run_study(spec, method, seed, budget, objectives=objectives)
    return {"problem": problem, "method": method, "seed": seed, "budget": budget, "wall": run["wall"],
            "points": run["points"].tolist(), "versions": stack_versions()}


def report(problem: str, runs: list[dict], methods, budgets, seeds: int, results_dir: Path, png: bool) -> tuple:
    """(JSON of the problem, markdown rows) from its cached runs; the fronts PNG when ``png``.

    The runs may have different budgets: at each budget ``b`` of ``budgets`` a method's figures come from its
    shortest runs of at least ``b`` trials (of which ``b`` is a prefix), the first ``seeds`` seeds; its wall time
    is given for each budget it was run at. The PNG shows the median run of each method run at the longest budget.
    """
    from sknas.compare import load_spec, median_front, summarise_fronts, true_front
    from sknas.plotting import plot_fronts

    spec, objectives = split(problem)
    bench = load_spec(spec)
    front, reference = true_front(bench, objectives)
    out, rows, fronts = {"true_front_size": len(front)}, [], {}
    longest = max(r["budget"] for r in runs)
    for m in methods:
        by_budget = {}
        for r in sorted((r for r in runs if r["method"] == m), key=lambda r: r["seed"]):
            by_budget.setdefault(r["budget"], []).append(dict(r, points=np.asarray(r["points"])))
        if not by_budget:
            continue
        cell = out[m] = {"n_runs": {}, "regret": {}, "wall_s": {}}
        for b in budgets:
            n = min((n for n in by_budget if n >= b), default=None)
            if n is not None:
                s = summarise_fronts(by_budget[n][:seeds], [b], front, reference)[b]
                cell["n_runs"][b], cell["regret"][b] = s["n_runs"], (s["regret_mean"], s["regret_se"])
                cell["wall_s"][n] = s["wall_s"]
        rows.append([problem, m, "/".join(str(cell["n_runs"].get(b, 0)) for b in budgets),
                     *[_regret_text(cell["regret"].get(b)) for b in budgets],
                     " / ".join(f"{cell['wall_s'][n]:.1f} ({n})" for n in sorted(cell["wall_s"]))])
        if longest in by_budget:
            median, points = median_front(by_budget[longest][:seeds], front, reference)
            fronts[f"{m} (seed {median['seed']})"] = points
            shown = len(by_budget[longest][:seeds])
    if png and fronts:
        fig = plot_fronts(front, fronts, labels=objectives, maximize=[bench.maximize[o] for o in objectives],
                          title=f"{spec} vs {objectives[1]}: median run of {shown}, {longest} trials")
        fig.savefig(results_dir / f"multi_objective_{problem.replace(':', '_')}.png", dpi=110)
        import matplotlib.pyplot as plt

        plt.close(fig)
    return out, rows


def _regret_text(regret) -> str:
    """``mean ± s.e.`` of a (mean, s.e.) pair; ``—`` for none, ``(1 run)`` when there is no s.e."""
    if regret is None:
        return "—"
    mu, se = regret
    return f"{mu:.2f} ± {se:.2f}" if se is not None else f"{mu:.2f} (1 run)"


def pivot(results: dict, methods, budgets, seeds: int) -> str:
    """One row per problem and budget it was run to, one column per method, the lowest mean in bold; ``—`` where
    a method did not run that long, the number of runs where it ran on fewer than ``seeds``."""
    rows = []
    for problem, cell in results.items():
        for k, b in enumerate(budgets):
            ran = [m for m in methods if m in cell and b in cell[m]["regret"]]
            if not ran:
                continue
            best = min(ran, key=lambda m: cell[m]["regret"][b][0])
            row = [problem if k == 0 else "", b]
            for m in methods:
                if m not in ran:
                    row.append("—")
                    continue
                mu, se = cell[m]["regret"][b]
                text = f"{mu:.2f} ± {se:.2f}" if se is not None else f"{mu:.2f}"
                text = f"**{text}**" if m == best else text
                row.append(text + (f" ({cell[m]['n_runs'][b]} runs)" if cell[m]["n_runs"][b] < seeds else ""))
            rows.append(row)
    return markdown_table(["problem", "trials", *methods], rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--problems", default=",".join(PROBLEMS), help="comma-separated benchmark:dataset:cost")
    p.add_argument("--methods", default="sknas,sknas-parego,gp,tpe,nsga2,random",
                   help="comma-separated, from: " + ", ".join(m for m, s in METHODS.items() if s.multi_objective))
    p.add_argument("--budget", type=int, default=100)
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--results-dir", default=str(RESULTS), help="where the JSON, markdown and PNGs go")
    p.add_argument("--cache", default=None, help="folder every finished study is appended to, one .jsonl.xz "
                   "per problem, read back with --resume (default: multi_objective_runs in --results-dir)")
    p.add_argument("--resume", action="store_true", help="keep the studies already in --cache")
    p.add_argument("--report-only", action="store_true", help="write the tables from --cache, run nothing")
    args = p.parse_args(argv)
    problems, methods = args.problems.split(","), args.methods.split(",")
    results_dir = Path(args.results_dir)
    cache = Path(args.cache) if args.cache else results_dir / "multi_objective_runs"
    results_dir.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    if not (args.resume or args.report_only):
        for old in cache.glob("*.jsonl.xz"):
            old.unlink()
    done = [json.loads(line) for f in sorted(cache.glob("*.jsonl.xz"))
            for line in lzma.decompress(f.read_bytes()).decode().splitlines()]
    have = {(r["problem"], r["method"], r["seed"], r["budget"]) for r in done}

    for problem in problems:
        # seed-major order: an interrupted problem still has every method at (nearly) the same seeds
        tasks = [(problem, m, s, args.budget) for s in range(args.seeds) for m in methods
                 if (problem, m, s, args.budget) not in have]
        if tasks and not args.report_only:
            from joblib import Parallel, delayed

            path = cache / f"{problem.replace(':', '_')}.jsonl.xz"
            for run in Parallel(n_jobs=args.jobs, return_as="generator_unordered")(delayed(run_one)(*t) for t in tasks):
                with lzma.open(path, "at") as f:  # one closed stream per study: a kill loses at most the study
                    f.write(json.dumps(run) + "\n")
                done.append(run)
            tmp = path.with_name(path.name + ".tmp")
            with lzma.open(tmp, "wt") as f:  # the problem's streams as one (smaller)
                f.writelines(json.dumps(r) + "\n" for r in done if r["problem"] == problem)
            os.replace(tmp, path)
        # the tables cover every problem and method in the cache (a resumed run may add methods or problems)
        run_at = sorted({r["budget"] for r in done} or {args.budget})
        budgets = sorted({b for b in (50, 100) if b < run_at[-1]} | set(run_at))
        results, table = {}, []
        shown = [m for m in METHODS if any(r["method"] == m for r in done)]
        for q in PROBLEMS + [q for q in problems if q not in PROBLEMS]:
            mine = [r for r in done if r["problem"] == q]
            if mine:
                results[q], rows = report(q, mine, shown, budgets, args.seeds, results_dir, png=q == problem)
                table += rows
        print("\n".join(" | ".join(map(str, r)) for r in table if r[0] == problem), flush=True)
        command = "python benchmarks/multi_objective.py " + " ".join(argv if argv is not None else sys.argv[1:])
        studies = ", ".join(f"{sum(r['budget'] == n for r in done)} of {n} trials" for n in run_at)
        stacks = collections.Counter(", ".join(f"{k} {v}" for k, v in r["versions"].items()) if "versions" in r
                                     else "not recorded" for r in done)
        stacks = "; ".join(f"{s} ({n} studies)" for s, n in stacks.items())
        head = (f"Latest command: `{command.strip()}`; {args.seeds} seeds (0-{args.seeds - 1}); studies in the "
                f"cache: {studies}. A budget below a study's length is its prefix: each figure comes from the "
                f"shortest studies that reach it. Package versions: {stacks}; a seed's trials depend on them, so a "
                "longer study run with other versions need not begin with the shorter one.\n\nHypervolume regret, "
                "% of the true front's hypervolume (each objective scaled between its worst value in the table, the "
                "reference point, and its best), mean ± s.e. over seeds; lower is better. Problems: "
                "benchmark:dataset:cost, each against validation accuracy.\n\n")
        write_results("multi_objective", {"args": vars(args), "budgets": budgets, "results": results},
                      head + pivot(results, shown, budgets, args.seeds) + "\n\nPer method, with the runs and the mean "
                      "wall time of a study:\n\n"
                      + markdown_table(["problem", "method", "runs at " + "/".join(map(str, budgets)),
                                        *[f"@{b}" for b in budgets], "wall s per study (its trials)"], table),
                      results_dir=results_dir)
    return results if problems else {}


if __name__ == "__main__":
    main()
