"""Shared helpers of the benchmark scripts: parallel runs, summary statistics, result files."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def parallel_map(fn, tasks, n_jobs: int):
    """``[fn(*t) for t in tasks]`` over ``n_jobs`` processes (one torch thread each)."""
    if n_jobs == 1:
        return [fn(*t) for t in tasks]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs, verbose=0)(delayed(fn)(*t) for t in tasks)


def one_thread():
    """Keep each worker to one BLAS / torch thread: small models run fastest that way."""
    import torch

    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def mean_se(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=np.float64)
    if len(v) < 2:
        return float(v.mean()), float("nan")
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))


def write_results(name: str, payload: dict, markdown: str | None = None, results_dir=RESULTS) -> Path:
    """Write ``<results_dir>/<name>.json`` (with the machine and date) and, if given, ``<name>.md``."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version()}
    path = results_dir / f"{name}.json"
    path.write_text(json.dumps({"meta": meta, **payload}, indent=1, default=float) + "\n")
    if markdown is not None:
        (results_dir / f"{name}.md").write_text(markdown + "\n")
    return path


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def load_spec(spec: str):
    """Load ``"benchmark:dataset"`` (e.g. ``"nasbench201:cifar100"``) through the sknas registry."""
    from sknas.datasets import load_benchmark

    name, _, dataset = spec.partition(":")
    return load_benchmark(name, dataset or None)


def optuna_study(bench, sampler, budget: int) -> np.ndarray:
    """Run an Optuna study of ``budget`` trials maximising the benchmark's validation accuracy; the rows tried."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    rows = []

    def objective(trial):
        row = bench.space.suggest(trial)
        rows.append(row)
        return float(bench.query(row[None, :])[0])

    study.optimize(objective, n_trials=budget)
    return np.array(rows)


def regret_curve(runs, optimum: float):
    """Best-so-far validation regret after each query: (mean, standard error) over runs."""
    R = np.array([optimum - np.maximum.accumulate(valid) for valid, *_ in runs])
    se = R.std(axis=0, ddof=1) / np.sqrt(len(R)) if len(R) > 1 else np.full(R.shape[1], np.nan)
    return R.mean(axis=0), se


def summarise(runs, budgets, optimum: float) -> dict:
    """Per budget: mean ± s.e. validation regret, share of runs hitting the optimum, median queries to it,
    test accuracy of the best-by-validation architecture, mean wall time of a full run.

    ``runs`` holds ``(valid values in query order, test values, wall seconds)`` per run.
    """
    out = {}
    walls = [w for *_, w in runs]
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
                      n_runs=len(runs), wall_s_full_run=float(np.mean(walls)))
    return out
