"""Optuna samplers compared on tabular NAS benchmarks: PredNAS, Neural Predictor, REA, TPE,
NSGA-II and random (the engine is :mod:`sknas.compare`, the same as ``sknas compare``).

Each study maximises validation accuracy for the largest budget; smaller budgets are its prefixes.
Reported per budget: mean ± s.e. validation regret, share of runs that hit the optimum, median trials
to the optimum, test accuracy of the best-by-validation architecture and the wall time per study;
a PNG of regret against trials per benchmark (mean with standard-error bands).

The protocol takes hours, so it can be run in parts (``--samplers``, ``--output``) and the parts
combined with ``--merge`` into one table and one plot per benchmark with every sampler.

    python benchmarks/compare_samplers.py                          # the full protocol (hours on 2 cores)
    python benchmarks/compare_samplers.py --benchmarks nasbench201:cifar10-valid --seeds 5 --budgets 20 --smoke
    python benchmarks/compare_samplers.py --merge compare_samplers_baselines,compare_samplers_prednas \\
        --output compare_samplers_all
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

try:
    from _common import RESULTS, markdown_table, write_results
except ImportError:  # imported as benchmarks.compare_samplers
    from ._common import RESULTS, markdown_table, write_results

from sknas.compare import METHODS, compare, curve_to_dict, load_spec, regret_curve, summarise, summary_rows
from sknas.plotting import plot_regret

DEFAULT_BENCHMARKS = [
    "nasbench201:cifar10-valid", "nasbench201:cifar100", "nasbench201:ImageNet16-120",
    "nasbench_graph:cora", "nasbench_graph:citeseer", "nasbench_graph:pubmed", "nasbench_graph:arxiv",
]
DEFAULT_SAMPLERS = "prednas,neural-predictor,rea,tpe,nsga2,random"  # "sknas" is neural-predictor with a shorter fit
HEADER = ["benchmark", "sampler", "trials", "valid regret (mean ± s.e.)", "hit optimum", "median trials to optimum",
          "test acc. of best-by-valid"]


def table_rows(spec: str, name: str, summary: dict) -> list[list]:
    """The markdown rows of one sampler on one benchmark, one per budget (the last cell is the wall time)."""
    return [[spec, name, *row] for row in summary_rows(summary)]


def save_plot(curves: dict, spec: str, seeds, results_dir, output: str) -> None:
    """One PNG per benchmark: every sampler's mean regret against trials, with standard-error bands."""
    name, _, dataset = spec.partition(":")
    fig = plot_regret(curves, title=f"{name} {dataset}: samplers, validation regret ({seeds} seeds)")
    fig.savefig(Path(results_dir) / f"{output}_{spec.replace(':', '_')}.png", dpi=120)


def run(args) -> None:
    budgets = sorted(int(b) for b in args.budgets.split(","))
    names = args.samplers.split(",")
    results, curves_json, wall_ratios, rows = {}, {}, {}, []
    header = HEADER + [f"wall s per {budgets[-1]}-trial study"]

    def save():  # after every sampler, so that a long run leaves its results so far
        write_results(args.output, {"args": vars(args), "results": results, "curves": curves_json,
                                    "wall_ratio_to_tpe": wall_ratios}, markdown_table(header, rows), args.results_dir)

    for spec in args.benchmarks.split(","):
        optimum = load_spec(spec).optimum("valid")
        results[spec], curves, curves_json[spec] = {}, {}, {}
        for name in names:
            t0 = time.perf_counter()
            runs = compare([spec], [name], budget=budgets[-1], seeds=args.seeds, n_jobs=args.jobs, fast=args.smoke)
            results[spec][name] = summary = summarise(runs, budgets, optimum)
            curves[name] = regret_curve(runs, optimum)
            curves_json[spec][name] = curve_to_dict(curves[name])
            rows += table_rows(spec, name, summary)
            print(f"{spec} {name}: {time.perf_counter() - t0:.0f} s", flush=True)
            save()
        if "tpe" in results[spec]:  # the cost of each sampler relative to TPE's, measured in the same run
            tpe_wall = results[spec]["tpe"][budgets[-1]]["wall_s"]
            ratios = {n: results[spec][n][budgets[-1]]["wall_s"] / max(tpe_wall, 1e-9) for n in names}
            wall_ratios[spec] = {n: round(r, 1) for n, r in ratios.items()}
            print(f"{spec}: wall time per study relative to TPE: "
                  + ", ".join(f"{n} {r:.1f}x" for n, r in ratios.items()), flush=True)
            save()
        save_plot(curves, spec, args.seeds, args.results_dir, args.output)
    print(markdown_table(header, rows))


def merge(args) -> None:
    """Combine result files: per benchmark and sampler the run with the most trials (the later file on a tie)."""
    chosen: dict[str, dict[str, tuple]] = {}
    for source in args.merge.split(","):
        path = Path(args.results_dir) / f"{source}.json"
        if not path.is_file():
            raise ValueError(f"--merge: no result file {path}")
        saved = json.loads(path.read_text())
        for spec, per_sampler in saved["results"].items():
            for name, summary in per_sampler.items():
                if name not in saved["curves"].get(spec, {}):
                    continue  # an interrupted sampler: summary without curve
                longest = max(int(b) for b in summary)
                old = chosen.setdefault(spec, {}).get(name)
                if old is None or longest >= old[0]:
                    chosen[spec][name] = (longest, source, saved)
    order = {s: i for i, s in enumerate(DEFAULT_BENCHMARKS)}
    rank = {m: i for i, m in enumerate(METHODS)}
    results, curves_json, sources, wall_ratios, rows = {}, {}, {}, {}, []
    for spec in sorted(chosen, key=lambda s: (order.get(s, len(order)), s)):
        per = dict(sorted(chosen[spec].items(), key=lambda kv: rank.get(kv[0], len(rank))))
        results[spec], curves_json[spec], sources[spec], wall_ratios[spec] = {}, {}, {}, {}
        for n, (longest, source, saved) in per.items():
            results[spec][n] = saved["results"][spec][n]
            curves_json[spec][n] = saved["curves"][spec][n]
            sources[spec][n] = source
            ratio = wall_ratios[spec][n] = saved.get("wall_ratio_to_tpe", {}).get(spec, {}).get(n)
            for row in table_rows(spec, n, results[spec][n]):
                rows.append(row[:-1] + [f"{row[-1]} ({longest})", "-" if ratio is None else f"{ratio}x", source])
        seeds = sorted({saved["args"]["seeds"] for _, _, saved in per.values()})
        save_plot({n: (c["mean"], c["se"]) for n, c in curves_json[spec].items()}, spec,
                  "/".join(map(str, seeds)), args.results_dir, args.output)
    header = HEADER + ["wall s per study (its trials)", "wall / TPE's (same run)", "source"]
    write_results(args.output, {"args": vars(args), "results": results, "curves": curves_json, "sources": sources,
                                "wall_ratio_to_tpe": wall_ratios}, markdown_table(header, rows), args.results_dir)
    print(markdown_table(header, rows))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmarks", default=",".join(DEFAULT_BENCHMARKS))
    p.add_argument("--samplers", default=DEFAULT_SAMPLERS, help=f"from: {', '.join(METHODS)}")
    p.add_argument("--budgets", default="50,100,200")
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--smoke", action="store_true", help="tiny predictor settings, for tests")
    p.add_argument("--results-dir", default=str(RESULTS), help="where the JSON, markdown and plots go")
    p.add_argument("--output", default="compare_samplers")
    p.add_argument("--merge", default=None, metavar="NAMES",
                   help="comma-separated result names in --results-dir: run nothing, combine them into --output")
    args = p.parse_args(argv)
    merge(args) if args.merge else run(args)


if __name__ == "__main__":
    main()
