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

try:
    from _common import markdown_table, mean_se, one_thread, parallel_map, write_results
except ImportError:  # imported as benchmarks.search
    from ._common import markdown_table, mean_se, one_thread, parallel_map, write_results

DEFAULT_BENCHMARKS = [
    "nasbench201:cifar10-valid", "nasbench201:cifar100", "nasbench201:ImageNet16-120",
    "nasbench_graph:cora", "nasbench_graph:citeseer", "nasbench_graph:pubmed", "nasbench_graph:arxiv",
]
METHODS = ("default", "rank", "evolution", "gradient", "random", "tpe", "optuna-random")


def _load(spec: str):
    from sknas.datasets import load_benchmark

    name, _, dataset = spec.partition(":")
    return load_benchmark(name, dataset or None)


def run_one(spec: str, method: str, seed: int, budget: int, smoke: bool):
    """One search run; returns the validation values in query order, their test values and the wall time."""
    one_thread()
    import optuna

    from sknas.proposers import EvolutionProposer, GradientAscentProposer, RandomRankProposer
    from sknas.search import default_predictor, default_proposer, run_search

    bench = _load(spec)
    space = bench.space
    t0 = time.perf_counter()
    if method in ("default", "rank", "evolution", "gradient"):
        proposer = {"default": default_proposer(), "rank": RandomRankProposer(acquisition="thompson"),
                    "evolution": EvolutionProposer(acquisition="thompson"),
                    "gradient": GradientAscentProposer()}[method]
        predictor = default_predictor(space, seed)
        if smoke:
            predictor.set_params(max_epochs=20)
        hist = run_search(bench, budget=budget, proposer=proposer, predictor=predictor, random_state=seed)
        X = np.array(hist["row"].tolist())
    elif method == "random":
        rng = np.random.default_rng(seed)
        X = space.sample(4 * budget + 100, rng)
        X = X[space.unique(X)][:budget]
    else:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = (optuna.samplers.TPESampler(multivariate=True, n_startup_trials=10, n_ei_candidates=24,
                                              seed=seed)
                   if method == "tpe" else optuna.samplers.RandomSampler(seed=seed))
        study = optuna.create_study(direction="maximize", sampler=sampler)
        rows = []

        def objective(trial):
            row = space.suggest(trial)
            rows.append(row)
            return float(bench.query(row[None, :])[0])

        study.optimize(objective, n_trials=budget)
        X = np.array(rows)
    wall = time.perf_counter() - t0
    test = bench.query(X, "test") if "test" in bench.metrics else np.full(len(X), np.nan)
    return bench.query(X, "valid"), test, wall


def summarise(spec, method, runs, budgets, optimum):
    out = {}
    for b in budgets:
        regrets, hits, to_opt, tests = [], [], [], []
        for valid, test, _ in runs:
            v = valid[:b]
            best = int(np.argmax(v))
            regrets.append(optimum - v[best])
            hit = np.flatnonzero(np.isclose(v, optimum, atol=1e-9))
            hits.append(len(hit) > 0)
            if len(hit):
                to_opt.append(int(hit[0]) + 1)
            tests.append(test[:b][best])
        m, se = mean_se(regrets)
        out[b] = dict(regret_mean=m, regret_se=se, hit_rate=float(np.mean(hits)),
                      median_queries_to_optimum=float(np.median(to_opt)) if to_opt else None,
                      test_of_best_valid=float(np.nanmean(tests)) if np.isfinite(tests).any() else None,
                      n_runs=len(runs))
    walls = [w for *_, w in runs]
    for b in budgets:
        out[b]["wall_s_full_run"] = float(np.mean(walls))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmarks", default=",".join(DEFAULT_BENCHMARKS))
    p.add_argument("--methods", default="default,gradient,rank,random,tpe,optuna-random")
    p.add_argument("--budgets", default="50,100,200")
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--smoke", action="store_true", help="tiny predictor settings, for tests")
    p.add_argument("--output", default="search", help="name of the result files under benchmarks/results/")
    args = p.parse_args(argv)
    budgets = sorted(int(b) for b in args.budgets.split(","))
    methods = args.methods.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        p.error(f"unknown methods {unknown}; accepted: {list(METHODS)}")
    results, rows = {}, []
    for spec in args.benchmarks.split(","):
        bench = _load(spec)
        optimum = bench.optimum("valid")
        results[spec] = {}
        for method in methods:
            t0 = time.perf_counter()
            runs = parallel_map(run_one, [(spec, method, s, budgets[-1], args.smoke) for s in range(args.seeds)],
                                args.jobs)
            summary = summarise(spec, method, runs, budgets, optimum)
            results[spec][method] = summary
            for b in budgets:
                s = summary[b]
                rows.append([spec, method, b, f"{s['regret_mean']:.3f} ± {s['regret_se']:.3f}",
                             f"{s['hit_rate']:.0%}", s["median_queries_to_optimum"] or "-",
                             f"{s['test_of_best_valid']:.2f}" if s["test_of_best_valid"] is not None else "-",
                             f"{s['wall_s_full_run']:.1f}"])
            print(f"{spec} {method}: {time.perf_counter() - t0:.0f} s", flush=True)
            table = markdown_table(["benchmark", "method", "queries", "valid regret (mean ± s.e.)", "hit optimum",
                                    "median queries to optimum", "test acc. of best-by-valid",
                                    f"wall s per {budgets[-1]}-query run"], rows)
            write_results(args.output, {"args": vars(args), "results": results}, table)  # after every method
    print(table)


if __name__ == "__main__":
    main()
