"""Optuna samplers compared on tabular NAS benchmarks: PredNAS, Neural Predictor, REA, TPE, NSGA-II, random.

Each study maximises validation accuracy for the largest budget; smaller budgets are its prefixes.
Reported per budget: mean ± s.e. validation regret, share of runs that hit the optimum, median trials
to the optimum, test accuracy of the best-by-validation architecture and the wall time per study;
a PNG of regret against trials per benchmark (mean with standard-error bands).

    python benchmarks/compare_samplers.py                          # the full protocol (hours on 2 cores)
    python benchmarks/compare_samplers.py --benchmarks nasbench201:cifar10-valid --seeds 5 --budgets 20 --smoke
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

try:
    from _common import (
        RESULTS,
        load_spec,
        markdown_table,
        one_thread,
        optuna_study,
        parallel_map,
        regret_curve,
        summarise,
        write_results,
    )
except ImportError:  # imported as benchmarks.compare_samplers
    from ._common import (
        RESULTS,
        load_spec,
        markdown_table,
        one_thread,
        optuna_study,
        parallel_map,
        regret_curve,
        summarise,
        write_results,
    )

DEFAULT_BENCHMARKS = [
    "nasbench201:cifar10-valid", "nasbench201:cifar100", "nasbench201:ImageNet16-120",
    "nasbench_graph:cora", "nasbench_graph:citeseer", "nasbench_graph:pubmed", "nasbench_graph:arxiv",
]
SAMPLERS = ("prednas", "neural-predictor", "rea", "tpe", "nsga2", "random")


def make_sampler(name: str, space, seed: int, smoke: bool = False):
    """The sampler ``name`` with the settings of this comparison (TPE's pinned explicitly)."""
    import optuna

    from sknas.samplers import NeuralPredictorSampler, PredNASSampler, RegularizedEvolutionSampler

    if name in ("prednas", "neural-predictor"):
        kw = {}
        if smoke:
            from sknas.proposers import default_predictor

            kw["predictor"] = default_predictor(space).set_params(max_epochs=10)
        cls = PredNASSampler if name == "prednas" else NeuralPredictorSampler
        return cls(space, seed=seed, **kw)
    if name == "rea":
        return RegularizedEvolutionSampler(space, seed=seed)
    if name == "tpe":  # Optuna 5 changed TPE's defaults: every setting that matters here is written out
        return optuna.samplers.TPESampler(multivariate=True, group=False, n_startup_trials=10, n_ei_candidates=24,
                                          consider_magic_clip=True, constant_liar=False, seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=20, seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown sampler {name!r}; accepted: {list(SAMPLERS)}")


def run_one(spec: str, name: str, seed: int, budget: int, smoke: bool):
    one_thread()
    bench = load_spec(spec)
    t0 = time.perf_counter()
    X = optuna_study(bench, make_sampler(name, bench.space, seed, smoke), budget)
    wall = time.perf_counter() - t0
    test = bench.query(X, "test") if "test" in bench.metrics else np.full(len(X), np.nan)
    return bench.query(X, "valid"), test, wall


def plot(spec: str, curves: dict, path):
    from sknas.plotting import plot_regret

    name, _, dataset = spec.partition(":")
    fig = plot_regret(curves, title=f"{name} {dataset}: samplers, validation regret")
    fig.savefig(path, dpi=120)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmarks", default=",".join(DEFAULT_BENCHMARKS))
    p.add_argument("--samplers", default=",".join(SAMPLERS))
    p.add_argument("--budgets", default="50,100,200")
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--smoke", action="store_true", help="tiny predictor settings, for tests")
    p.add_argument("--results-dir", default=str(RESULTS), help="where the JSON, markdown and plots go")
    p.add_argument("--output", default="compare_samplers")
    args = p.parse_args(argv)
    budgets = sorted(int(b) for b in args.budgets.split(","))
    names = args.samplers.split(",")
    unknown = [n for n in names if n not in SAMPLERS]
    if unknown:
        p.error(f"unknown samplers {unknown}; accepted: {list(SAMPLERS)}")
    results, curves_json, rows = {}, {}, []
    for spec in args.benchmarks.split(","):
        optimum = load_spec(spec).optimum("valid")
        results[spec], curves, curves_json[spec] = {}, {}, {}
        for name in names:
            t0 = time.perf_counter()
            runs = parallel_map(run_one, [(spec, name, s, budgets[-1], args.smoke) for s in range(args.seeds)],
                                args.jobs)
            results[spec][name] = summary = summarise(runs, budgets, optimum)
            curves[name] = regret_curve(runs, optimum)
            curves_json[spec][name] = {"mean": curves[name][0].round(4).tolist(),
                                       "se": curves[name][1].round(4).tolist()}
            for b in budgets:
                s = summary[b]
                rows.append([spec, name, b, f"{s['regret_mean']:.3f} ± {s['regret_se']:.3f}", f"{s['hit_rate']:.0%}",
                             s["median_queries_to_optimum"] or "-",
                             f"{s['test_of_best_valid']:.2f}" if s["test_of_best_valid"] is not None else "-",
                             f"{s['wall_s_full_run']:.1f}"])
            print(f"{spec} {name}: {time.perf_counter() - t0:.0f} s", flush=True)
            table = markdown_table(["benchmark", "sampler", "trials", "valid regret (mean ± s.e.)", "hit optimum",
                                    "median trials to optimum", "test acc. of best-by-valid",
                                    f"wall s per {budgets[-1]}-trial study"], rows)
            write_results(args.output, {"args": vars(args), "results": results, "curves": curves_json}, table,
                          args.results_dir)
        plot(spec, curves, Path(args.results_dir) / f"{args.output}_{spec.replace(':', '_')}.png")
    print(table)


if __name__ == "__main__":
    main()
