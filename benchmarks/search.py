"""Search quality: the fit/propose loop with each proposer against random search, TPE and Optuna's random sampler.

Objective: validation accuracy of a tabular benchmark. For every benchmark, method and seed, one run of
the largest budget is made; the smaller budgets are its prefixes (the loop is budget-independent up to
there). Reported per budget: mean ± standard error of the validation regret, share of runs that hit the
global optimum, median queries to the optimum (among runs that hit it), the test accuracy of the
best-by-validation architecture, and mean wall time per run.

    python benchmarks/search.py                         # full protocol (long: run it in the background)
    python benchmarks/search.py --seeds 3 --budgets 20 --benchmarks nasbench201:cifar10-valid --smoke
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import RESULTS, markdown_table, one_thread, parallel_map, write_results

from sknas.compare import load_spec, run_study, summarise, summary_rows

DEFAULT_BENCHMARKS = [
    "nasbench201:cifar10-valid", "nasbench201:cifar100", "nasbench201:ImageNet16-120",
    "nasbench_graph:cora", "nasbench_graph:citeseer", "nasbench_graph:pubmed", "nasbench_graph:arxiv",
]
METHODS = ("default", "evolution", "gradient", "random", "tpe", "optuna-random")


def run_one(spec: str, method: str, seed: int, budget: int, smoke: bool) -> dict:
    """One search run: the validation and test values in query order and the wall time."""
    one_thread()
    from sknas.proposers import EvolutionProposer, GradientAscentProposer
    from sknas.search import default_predictor, default_proposer, run_search

    if method in ("tpe", "optuna-random"):  # Optuna's own, through the same study runner as sknas compare
        return run_study(spec, "tpe" if method == "tpe" else "random", seed, budget)
    bench = load_spec(spec)
    space = bench.space
    t0 = time.perf_counter()
    if method == "random":  # distinct (up to equivalence) random architectures
        X = space.sample(4 * budget + 100, np.random.default_rng(seed))
        X = X[space.unique(X)][:budget]
    else:
        # default: the GCN predictor's top-K of the space (Neural Predictor); gradient: PredNAS on the same GCN
        proposer = {"default": default_proposer(), "evolution": EvolutionProposer(),
                    "gradient": GradientAscentProposer()}[method]
        predictor = default_predictor(space, seed)
        if smoke:
            predictor.set_params(max_epochs=20)
        hist = run_search(bench, budget=budget, proposer=proposer, predictor=predictor, random_state=seed)
        X = np.array(hist["row"].tolist())
    wall = time.perf_counter() - t0
    test = bench.query(X, "test") if "test" in bench.metrics else np.full(len(X), np.nan)
    return {"rows": X, "valid": bench.query(X, "valid"), "test": test, "wall": wall}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmarks", default=",".join(DEFAULT_BENCHMARKS))
    p.add_argument("--methods", default="default,gradient,random,tpe,optuna-random")
    p.add_argument("--budgets", default="50,100,200")
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--smoke", action="store_true", help="tiny predictor settings, for tests")
    p.add_argument("--results-dir", default=str(RESULTS), help="where the JSON, markdown and plots go")
    p.add_argument("--output", default="search", help="name of the result files under benchmarks/results/")
    args = p.parse_args(argv)
    budgets = sorted(int(b) for b in args.budgets.split(","))
    methods = args.methods.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        p.error(f"unknown methods {unknown}; accepted: {list(METHODS)}")
    results, rows = {}, []
    for spec in args.benchmarks.split(","):
        bench = load_spec(spec)
        optimum = bench.optimum("valid")
        results[spec] = {}
        for method in methods:
            t0 = time.perf_counter()
            runs = parallel_map(run_one, [(spec, method, s, budgets[-1], args.smoke) for s in range(args.seeds)],
                                args.jobs)
            summary = summarise(runs, budgets, optimum)
            results[spec][method] = summary
            rows += [[spec, method, *row] for row in summary_rows(summary)]
            print(f"{spec} {method}: {time.perf_counter() - t0:.0f} s", flush=True)
            table = markdown_table(["benchmark", "method", "queries", "valid regret (mean ± s.e.)", "hit optimum",
                                    "median queries to optimum", "test acc. of best-by-valid",
                                    f"wall s per {budgets[-1]}-query run"], rows)
            # written after every method, so that a long run leaves its results so far
            write_results(args.output, {"args": vars(args), "results": results}, table, args.results_dir)
    print(table)


if __name__ == "__main__":
    main()
