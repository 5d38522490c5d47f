"""Optuna samplers compared on tabular NAS benchmarks, all in one run with the same seeds.

The sknas default sampler, PredNAS, BANANAS (as NASLib runs it), Optuna's GPSampler and TPESampler,
regularized evolution, NSGA-II and random search (the engine is :mod:`sknas.compare`, the same as
``sknas compare``; every setting is in :data:`sknas.compare.METHODS`). Each study maximises validation
accuracy for the largest budget; smaller budgets are its prefixes. Reported per budget: mean ± s.e.
validation regret, share of runs that hit the optimum, median trials to the optimum, test accuracy of the
best-by-validation architecture and the wall time per study (with its ratio to GPSampler's and TPE's in
the same run); one PNG of regret against trials per benchmark.

``--noisy`` measures the regime users pay for: each trial observes one training seed's validation
accuracy, a method returns the architecture of best observation and its regret is the optimum minus that
architecture's seed mean; a further column gives the regret of the architecture the sknas default
predictor, fitted on the observations, ranks best among those evaluated. ``--cost`` counts budgets in
training time (the table's ``train_time``), as multiples of the median training time of the table's
cells (``--budget-cost``); the plots then show regret against training time.

Results are written after every (benchmark, sampler); ``--resume`` skips those already in the result
file, so an interrupted run continues where it stopped.

    python benchmarks/compare_samplers.py                       # the full protocol (hours on 2 cores)
    python benchmarks/compare_samplers.py --benchmarks nasbench201:cifar10-valid --seeds 3 --budgets 20 --smoke
    python benchmarks/compare_samplers.py --noisy --cost --budget-cost 10,25,50 --output noisy_cost \
        --benchmarks nasbench201:cifar10-valid,nasbench201:cifar100,nasbench201:ImageNet16-120
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import markdown_table, study_arguments, write_results

from sknas.compare import (
    METHODS,
    compare,
    cost_grid,
    curve_to_dict,
    load_spec,
    median_cost,
    regret_curve,
    summarise,
    summary_rows,
)
from sknas.plotting import plot_regret

DEFAULT_BENCHMARKS = [
    "nasbench201:cifar10-valid", "nasbench201:cifar100", "nasbench201:ImageNet16-120",
    "nasbench_graph:cora", "nasbench_graph:citeseer", "nasbench_graph:pubmed", "nasbench_graph:arxiv",
]
DEFAULT_SAMPLERS = "sknas,prednas,bananas,gp,tpe,rea,nsga2,random"
HEADER = ["benchmark", "sampler", "trials", "valid regret (mean ± s.e.)", "hit optimum", "median trials to optimum",
          "test acc. of best-by-valid"]


def save_plot(curves: dict, spec: str, seeds, results_dir, output: str, x=None, xlabel=None) -> None:
    """One PNG per benchmark: every sampler's mean regret against trials (or training time ``x``), with
    standard-error bands."""
    name, _, dataset = spec.partition(":")
    fig = plot_regret(curves, title=f"{name} {dataset}: validation regret, mean ± s.e. over {seeds} seeds",
                      x=x, **({"xlabel": xlabel} if xlabel else {}))
    fig.savefig(Path(results_dir) / f"{output}_{spec.replace(':', '_')}.png", dpi=120)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmarks", default=",".join(DEFAULT_BENCHMARKS))
    p.add_argument("--samplers", default=DEFAULT_SAMPLERS, help=f"from: {', '.join(METHODS)}")
    p.add_argument("--budgets", default="25,50,100")
    study_arguments(p, output="compare_samplers", jobs=2, pairs="(benchmark, sampler) pairs")
    p.add_argument("--noisy", action="store_true",
                   help="each trial observes one training seed's value; adds the regret of the predictor's pick")
    p.add_argument("--cost", action="store_true", help="budgets in training time: see --budget-cost")
    p.add_argument("--budget-cost", default="10,25,50", help="with --cost: multiples of the median training time")
    args = p.parse_args(argv)
    budgets = sorted(_number(b) for b in (args.budget_cost if args.cost else args.budgets).split(","))
    names = args.samplers.split(",")
    path = Path(args.results_dir) / f"{args.output}.json"
    saved = json.loads(path.read_text()) if args.resume and path.is_file() else {}
    results, curves_json = saved.get("results", {}), saved.get("curves", {})

    def save():  # after every sampler, so that a long run leaves its results so far
        rows, ratios = [], {}
        for spec, per in results.items():
            for name, summary in per.items():
                rows += [[spec, name, *row] for row in summary_rows(summary)]
            walls = {n: s[str(budgets[-1])]["wall_s"] if str(budgets[-1]) in s else s[budgets[-1]]["wall_s"]
                     for n, s in per.items()}
            ratios[spec] = {ref: {n: round(w / max(walls[ref], 1e-9), 2) for n, w in walls.items()}
                            for ref in ("gp", "tpe") if ref in walls}
        header = (HEADER[:2] + ["training time (x median)" if args.cost else "trials"] + HEADER[3:]
                  + [f"wall s per {budgets[-1]}{'x' if args.cost else '-trial'} study"]
                  + (["trials in budget (mean)"] if args.cost else [])
                  + (["valid regret of the predictor's pick (mean ± s.e.)"] if args.noisy else []))
        table = markdown_table(header, rows)
        note = "\n\nWall time per study relative to GPSampler's and TPE's in the same run:\n\n" + "\n".join(
            f"- {spec}: " + "; ".join(f"/{ref}: " + ", ".join(f"{n} {r}x" for n, r in per.items())
                                      for ref, per in ratio.items()) for spec, ratio in ratios.items())
        command = f"Command: `python benchmarks/compare_samplers.py {' '.join(sys.argv[1:] if argv is None else argv)}`"
        command = command.replace(" `", "`") + "\n\n" if command.endswith(" `") else command + "\n\n"
        regime = "".join([
            "Noisy: each trial observed one training seed's validation accuracy (drawn per study seed and trial "
            "number); the regret is the optimum's seed mean minus the seed mean of the architecture of best "
            "observation; the last column, that of the architecture the sknas default predictor fitted on the "
            "observations ranks best among those evaluated.\n\n" if args.noisy else "",
            "Budgets in training time (the table's train_time), as multiples of the median training time of the "
            "table's cells: " + ", ".join(f"{spec} {u:.0f} s" for spec, u in units.items()) + ".\n\n"
            if args.cost else ""])
        write_results(args.output, {"args": vars(args), "results": results, "curves": curves_json,
                                    "wall_ratio": ratios, "cost_unit_s": units},
                      command + regime + table + note, args.results_dir)
        return table

    units = saved.get("cost_unit_s", {})
    for spec in args.benchmarks.split(","):
        bench = load_spec(spec)
        optimum = bench.optimum("valid")
        unit = units.setdefault(spec, median_cost(bench)) if args.cost else None
        results.setdefault(spec, {})
        curves_json.setdefault(spec, {})
        for name in names:
            if name in results[spec]:
                continue
            t0 = time.perf_counter()
            runs = compare([spec], [name], budget=None if args.cost else budgets[-1], seeds=args.seeds,
                           n_jobs=args.jobs, fast=args.smoke, noisy=args.noisy,
                           cost_budget=budgets[-1] * unit if args.cost else None,
                           recommend_at=[b * (unit or 1) for b in budgets] if args.noisy else ())
            results[spec][name] = summarise(runs, budgets, optimum, unit)
            curves_json[spec][name] = curve_to_dict(regret_curve(runs, optimum, cost_grid(budgets) if args.cost
                                                                 else None, unit or 1.0))
            print(f"{spec} {name}: {time.perf_counter() - t0:.0f} s", flush=True)
            save()
        save_plot({n: (c["mean"], c["se"]) for n, c in curves_json[spec].items()}, spec, args.seeds,
                  args.results_dir, args.output, *((cost_grid(budgets), f"training time (x the median, {unit:.0f} s)")
                                                   if args.cost else ()))
    print(save())


def _number(text: str):
    """A budget: an int when it is one, else a float."""
    value = float(text)
    return int(value) if value.is_integer() else value


if __name__ == "__main__":
    main()
