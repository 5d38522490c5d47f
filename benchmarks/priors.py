"""Searching a dataset with the other datasets' tables as prior: leave one dataset out, all in one run, same seeds.

For each target (a dataset of NAS-Bench-201 or NAS-Bench-Graph) the prior is the tables of the benchmark's
other datasets (NB201: the other two; NAS-Bench-Graph: the other eight). Methods (every setting in
:data:`sknas.compare.METHODS`): ``sknas-prior`` (PredictorSampler with ``prior=``: ranking-weighted priors and
the target's own predictor, no random startup), ``enqueue-tpe`` (the 10 rows of best mean rank in the prior
enqueued, then TPE: the naive transfer), ``sknas-prior-shuffled`` (the prior tables with their values permuted:
an unrelated prior, the check of negative transfer), and the anchors without prior: ``gp``, ``tpe``, ``sknas``.
Reported per budget: mean ± s.e. validation regret, share of runs at the optimum, CPU seconds per study; a
verdict per target against the issue's targets; one PNG of regret against trials per target.

Results are written after every (target, method); ``--resume`` keeps those already in the result file.

    nice -n 10 python benchmarks/priors.py --seeds 30 --jobs 1                  # the full protocol
    python benchmarks/priors.py --targets nasbench201:cifar100 --seeds 2 --smoke --results-dir /tmp/x
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import markdown_table, study_arguments, write_results

from sknas.compare import METHODS, compare, curve_to_dict, load_spec, regret_curve, summarise
from sknas.datasets import BENCHMARKS
from sknas.plotting import plot_regret
from sknas.predictors import check_prior

DEFAULT_TARGETS = ["nasbench201:" + d for d in BENCHMARKS["nasbench201"].datasets] + [
    "nasbench_graph:" + d for d in BENCHMARKS["nasbench_graph"].datasets]
DEFAULT_METHODS = "sknas-prior,enqueue-tpe,sknas-prior-shuffled,sknas,tpe,gp"
#: the methods the prior is measured against (the issue's anchors)
ANCHORS = ("gp", "tpe", "sknas", "enqueue-tpe")
HEADER = ["target", "method", "seeds", "trials", "valid regret (mean ± s.e.)", "hit optimum", "CPU s per study"]


def leave_one_out(target: str) -> list[str]:
    """The prior of ``target``: every other dataset of its benchmark whose table is of the same space
    (NAS-Bench-Graph's proteins table has an op set of its own: it is no prior of the others, nor they of it)."""
    name, _, dataset = target.partition(":")
    space = load_spec(target).space
    out = []
    for d in BENCHMARKS[name].datasets:
        if d != dataset:
            try:
                check_prior(load_spec(f"{name}:{d}"), space)
            except ValueError:
                continue
            out.append(f"{name}:{d}")
    return out


def method_budgets(method: str, target: str, budgets: list[int], long: int | None) -> list[int]:
    """The budgets of ``method``: ``long`` added for the shuffled prior and its no-prior reference on NB201."""
    extra = long is not None and target.startswith("nasbench201") and method in ("sknas", "sknas-prior-shuffled")
    return sorted(set(budgets) | ({long} if extra else set()))


def verdict(per: dict, budgets: list[int]) -> list[str]:
    """The issue's targets for one target dataset, budget by budget: sknas-prior's regret no higher than the
    lowest anchor's, and lower than all wherever none is at the optimum; the shuffled prior within one s.e. of
    no prior at the larger budgets."""
    lines = []
    if "sknas-prior" in per:
        for b in budgets:
            mine = per["sknas-prior"][str(b)]["regret_mean"]
            anchors = {m: per[m][str(b)]["regret_mean"] for m in ANCHORS if m in per and str(b) in per[m]}
            if not anchors:
                continue
            best = min(anchors.values())
            ok = mine <= best + 1e-9 and (best == 0 or mine < best)
            lines.append(f"{b} trials: sknas-prior {mine:.2f} vs best anchor {best:.2f} "
                         f"({min(anchors, key=anchors.get)}): {'met' if ok else 'missed'}")
    if "sknas-prior-shuffled" in per and "sknas" in per:
        for b in sorted(set(per["sknas-prior-shuffled"]) & set(per["sknas"]), key=float):
            s, n = per["sknas-prior-shuffled"][b], per["sknas"][b]
            if int(b) < 25:
                continue
            se = (s["regret_se"] or 0.0) if n["regret_se"] is None else n["regret_se"]
            diff = s["regret_mean"] - n["regret_mean"]
            lines.append(f"{b} trials: shuffled prior {s['regret_mean']:.2f} vs no prior {n['regret_mean']:.2f} "
                         f"(difference {diff:+.2f}, one s.e. {se:.2f}): {'met' if diff <= se else 'missed'}")
    return lines


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--targets", default=",".join(DEFAULT_TARGETS))
    p.add_argument("--methods", default=DEFAULT_METHODS, help=f"from: {', '.join(METHODS)}")
    p.add_argument("--budgets", default="5,10,25")
    p.add_argument("--long-budget", type=int, default=50,
                   help="on NB201, sknas and sknas-prior-shuffled also run to this budget (0: not)")
    study_arguments(p, output="priors", jobs=1, pairs="(target, method) pairs")
    args = p.parse_args(argv)
    budgets = sorted(int(b) for b in args.budgets.split(","))
    long = args.long_budget or None
    names = args.methods.split(",")
    path = Path(args.results_dir) / f"{args.output}.json"
    saved = json.loads(path.read_text()) if args.resume and path.is_file() else {}
    results, curves, cpu = saved.get("results", {}), saved.get("curves", {}), saved.get("cpu_s", {})
    commands = saved.get("commands", []) + [" ".join(sys.argv[1:] if argv is None else argv)]

    def save():
        rows, verdicts = [], {}
        for target, per in results.items():
            for name, summary in per.items():
                rows += [[target, name, s["n_runs"], b, f"{s['regret_mean']:.2f} ± {s['regret_se'] or 0:.2f}",
                          f"{s['hit_rate']:.0%}", f"{cpu[target][name]:.1f}"] for b, s in summary.items()]
            verdicts[target] = verdict(per, budgets)
        text = ("Commands (a later one with --resume adds targets): "
                + "; ".join(f"`python benchmarks/priors.py {c}`" for c in commands)
                + "\n\nSeeds 0, 1, ... (the column 'seeds'), the same for every method of a target; mean ± s.e. "
                "of the validation regret (% points) of the best architecture found. Prior: leave one dataset "
                "out (the benchmark's other datasets).\n\n" + markdown_table(HEADER, rows)
                + "\n\nVerdicts against the issue's targets:\n\n"
                + "\n".join(f"- {t}: " + "; ".join(v) for t, v in verdicts.items()))
        write_results(args.output, {"args": vars(args), "results": results, "curves": curves, "cpu_s": cpu,
                                    "verdicts": verdicts, "commands": commands}, text, args.results_dir)
        return text

    for target in args.targets.split(","):
        bench = load_spec(target)
        optimum = bench.optimum("valid")
        prior = leave_one_out(target)
        if not prior:
            print(f"{target}: no other table of its space, skipped", flush=True)
            continue
        for d in (results, curves, cpu):
            d.setdefault(target, {})
        for name in names:
            if name in results[target]:
                continue
            own = method_budgets(name, target, budgets, long)
            t0, c0 = time.perf_counter(), time.process_time()
            runs = compare([target], [name], budget=own[-1], seeds=args.seeds, n_jobs=args.jobs, fast=args.smoke,
                           prior=prior)
            cpu[target][name] = (time.process_time() - c0) / args.seeds if args.jobs == 1 else float("nan")
            results[target][name] = {str(b): s for b, s in summarise(runs, own, optimum).items()}
            curves[target][name] = curve_to_dict(regret_curve(runs, optimum))
            print(f"{target} {name}: {time.perf_counter() - t0:.0f} s wall, {cpu[target][name]:.1f} CPU s per study",
                  flush=True)
            save()
        name, _, dataset = target.partition(":")
        fig = plot_regret({n: (c["mean"], c["se"]) for n, c in curves[target].items()},
                          title=f"{name} {dataset}, prior: the other datasets; mean ± s.e. over {args.seeds} seeds")
        fig.savefig(Path(args.results_dir) / f"{args.output}_{target.replace(':', '_')}.png", dpi=120)
    print(save())


if __name__ == "__main__":
    main()
