"""Benchmark of sknas architecture predictors beyond NAS-Bench-201.

The protocol of ``benchmarks/predictors.py`` (the same configurations and
scoring, from ``_common``) on NAS-Bench-Graph (cora, citeseer, pubmed, arxiv: 26,206
architectures; 50 / 100 / 200 training architectures), the NASLib sample of
NAS-Bench-101 (500 rows; 100 training rows) and the NASLib DARTS sample of
NAS-Bench-301 (725 cells; 100 / 200 / 500 training cells). For every size a
split trains on that many random rows and tests on all other rows; the
target is the benchmark's ``valid`` metric (validation accuracy). Reported:
Kendall's tau and precision@10 on the test rows (mean ± std over splits),
fit and predict time.

Splits run in passes (split 0 of every benchmark, size and configuration,
then split 1, ...), so that a ``--time-budget`` cut leaves every cell with
the same number of splits; after the budget only the fast XGBoost
configurations go on to ``--splits``. Every cell records its own number of
splits.

Usage::

    python benchmarks/predictors_other.py            # full run
    python benchmarks/predictors_other.py --smoke    # seconds

Results: a markdown table on stdout and ``<results-dir>/predictors_other.{json,md}``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from _common import (
    PREDICTOR_CONFIGS,
    RESULTS,
    markdown_table,
    one_thread,
    score_predictor,
    summarise_splits,
    write_results,
)

#: benchmark id ("name:dataset" of ``sknas.datasets.load_benchmark``) -> training-set sizes
TASKS = {
    "nasbench_graph:cora": (50, 100, 200),
    "nasbench_graph:citeseer": (50, 100, 200),
    "nasbench_graph:pubmed": (50, 100, 200),
    "nasbench_graph:arxiv": (50, 100, 200),
    "nasbench101:cifar10": (100,),
    "nasbench301:cifar10": (100, 200, 500),
}
#: configurations of ``_common.PREDICTOR_CONFIGS`` measured by default
DEFAULT_CONFIGS = ("default", "gcn", "gcn-pairwise", "mlp-onehot-pairwise", "xgboost", "xgboost-pairwise")
#: configurations cheap enough to go on to ``--splits`` after the time budget
FAST_CONFIGS = ("xgboost", "xgboost-pairwise")
#: smoke mode: benchmarks, sizes and configurations (with few epochs / trees)
SMOKE_TASKS = {"nasbench101:cifar10": (50,), "nasbench301:cifar10": (50,)}
SMOKE_CONFIGS = {"mlp-onehot-pairwise": dict(PREDICTOR_CONFIGS["mlp-onehot-pairwise"], model__max_epochs=3),
                 "xgboost": dict(PREDICTOR_CONFIGS["xgboost"], model__n_estimators=20)}
NOTES = (
    "NAS-Bench-Graph: the test set is all other ~26,000 architectures, so precision@10 asks for the top 0.04 %; "
    "it is near 0 for every predictor at these training sizes and says little beyond that.",
    "NAS-Bench-101 sample: the 500 rows hold only 292 distinct cells (NAS-Bench-101 hashes); NASLib keeps "
    "differently ordered copies of a cell, each with one training seed's accuracy. Splits are on rows as given, "
    "so a test cell may also appear (with another seed's accuracy) in the training rows, and the test top-10 "
    "may hold copies of one cell.",
    "Small test sets: precision@10 moves in steps of 0.1 and is noisy on the 400 NB101 test rows and the "
    "225 NB301 test cells left at n=500 (top 4.4 %).",
)


def load_task(task: str):
    """Load benchmark ``task`` ("name:dataset") and its validation accuracy.

    Parameters
    ----------
    task : str
        Benchmark id, a key of :data:`TASKS`.

    Returns
    -------
    bench : TabularBenchmark
        The loaded benchmark.
    y : ndarray of shape (n_rows,)
        ``bench.query(bench.X, "valid")``.
    """
    from sknas.datasets import load_benchmark

    name, dataset = task.split(":")
    bench = load_benchmark(name, dataset)
    return bench, np.asarray(bench.query(bench.X, "valid"), dtype=np.float64)


def describe(bench, y) -> dict:
    """Size of the benchmark, its distinct cells and accuracies, and the ties at its 10th best accuracy.

    Parameters
    ----------
    bench : TabularBenchmark
        The benchmark.
    y : ndarray of shape (n_rows,)
        Its targets.

    Returns
    -------
    info : dict
        ``n_rows``, ``n_distinct_cells`` (canonical forms, or NAS-Bench-101
        hashes), ``n_distinct_targets`` and ``n_at_or_above_10th_best``.
    """
    space = bench.space
    if hasattr(space, "spec_hashes"):
        n_cells = len(set(space.spec_hashes(bench.X)))
    else:
        n_cells = len(np.unique(space.canonical(bench.X), axis=0))
    return {"n_rows": int(len(y)), "n_distinct_cells": int(n_cells), "n_distinct_targets": int(len(np.unique(y))),
            "n_at_or_above_10th_best": int((y >= np.sort(y)[-10]).sum())}


def _cell(s, key: str, fmt: str) -> str:
    return f"{s[key][0]:{fmt}} ± {s[key][1]:{fmt}}"


def markdown(results: dict, tasks: dict, configs) -> str:
    """Markdown tables of a run: Kendall tau and precision@10, then fit / predict time.

    Parameters
    ----------
    results : dict
        ``results[task][config][str(size)]`` as written by :func:`main` (see
        ``_common.summarise_splits``).
    tasks : dict
        Benchmark id -> training-set sizes.
    configs : sequence of str
        Configurations, in table order.

    Returns
    -------
    text : str
        The tables, one row per (benchmark, size, configuration).
    """
    rows_q, rows_t = [], []
    for task, sizes in tasks.items():
        for n in sizes:
            for name in configs:
                s = results.get(task, {}).get(name, {}).get(str(n))
                if s is None:
                    continue
                lead = [task, n, s["n_test"], name, s["n_splits"]]
                rows_q.append(lead + [_cell(s, "tau", ".3f"), _cell(s, "p@10", ".2f")])
                rows_t.append(lead + [f"{s['fit_s'][0]:.2f}", f"{s['predict_s'][0]:.3f}"])
    head = ["benchmark", "n train", "n test", "predictor", "splits"]
    return "\n".join([
        "Kendall tau and precision@10 on all other rows (mean ± std over splits); target: validation accuracy", "",
        markdown_table(head + ["Kendall tau", "precision@10"], rows_q), "",
        "Fit / predict time (s, mean over splits; one torch thread)", "",
        markdown_table(head + ["fit s", "predict s"], rows_t), "",
        "Notes:", "", *[f"- {note}" for note in NOTES]])


def main(argv=None):
    """Run the benchmark and write ``predictors_other.{json,md}``; return the JSON payload."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmarks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--splits", type=int, default=10, help="random splits per size (default 10)")
    parser.add_argument("--configs", nargs="+", default=list(DEFAULT_CONFIGS), choices=list(PREDICTOR_CONFIGS))
    parser.add_argument("--time-budget", type=float, default=None,
                        help="seconds; no new split pass of the slow configurations starts after it")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny run (NB101 and NB301 samples, n=50, 2 configs with few epochs, 1 split)")
    parser.add_argument("--results-dir", default=str(RESULTS))
    args = parser.parse_args(argv)
    one_thread()
    tasks = {t: TASKS[t] for t in args.benchmarks}
    params = {name: PREDICTOR_CONFIGS[name] for name in args.configs}
    if args.smoke:
        tasks, params, args.splits = dict(SMOKE_TASKS), dict(SMOKE_CONFIGS), 1
    command = " ".join(["python benchmarks/predictors_other.py"]
                       + (list(argv) if argv is not None else sys.argv[1:]))
    loaded = {task: load_task(task) for task in tasks}
    results: dict = {task: {name: {} for name in params} for task in tasks}
    rows: dict = {}
    payload = {"protocol": "train on n random rows, test on all other rows; split seed = random_state; "
                           "target: the benchmark's 'valid' metric (validation accuracy)",
               "command": command, "sizes": {t: list(s) for t, s in tasks.items()}, "splits": args.splits,
               "time_budget_s": args.time_budget, "configs": params,
               "benchmarks": {t: describe(*loaded[t]) for t in tasks}, "notes": list(NOTES), "results": results}
    start = time.perf_counter()
    slow_stopped = False
    for split in range(args.splits):
        if args.time_budget is not None and time.perf_counter() - start > args.time_budget:
            slow_stopped = True
        names = [n for n in params if not slow_stopped or n in FAST_CONFIGS]
        if not names:
            break
        for task, sizes in tasks.items():
            bench, y = loaded[task]
            for n in sizes:
                for name in names:
                    r = score_predictor(bench, y, params[name], n, split)
                    rows.setdefault((task, name, n), []).append(r)
                    results[task][name][str(n)] = dict(summarise_splits(rows[(task, name, n)]), n_test=len(y) - n)
        payload["elapsed_s"] = time.perf_counter() - start
        print(f"split {split} done ({', '.join(names)}) after {payload['elapsed_s']:.0f} s", flush=True)
        write_results("predictors_other", payload, results_dir=args.results_dir)
    text = markdown(results, tasks, list(params))
    write_results("predictors_other", payload, f"Command: `{command}`\n\n{text}", results_dir=args.results_dir)
    print(text)
    return payload


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
