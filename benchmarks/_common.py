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


#: the packages a study's numbers depend on: a change of any of them may change a seed's trajectory
STACK = ("numpy", "scipy", "scikit-learn", "torch", "optuna")


def stack_versions() -> dict[str, str]:
    """``{package: version}`` of :data:`STACK` in this environment."""
    from importlib.metadata import version

    return {p: version(p) for p in STACK}


def write_results(name: str, payload: dict, markdown: str | None = None, results_dir=RESULTS) -> Path:
    """Write ``<results_dir>/<name>.json`` (with the machine, date and package versions) and, if given,
    ``<name>.md``."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version(), "versions": stack_versions()}
    path = results_dir / f"{name}.json"
    path.write_text(json.dumps({"meta": meta, **payload}, indent=1, default=float) + "\n")
    if markdown is not None:
        (results_dir / f"{name}.md").write_text(markdown + "\n")
    return path


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
