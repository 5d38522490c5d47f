"""Shared helpers of the benchmark scripts: parallel runs, summary statistics, result files, and the predictor
protocol of ``predictors.py`` and ``predictors_other.py``.

The scripts import it as ``_common``: ``python benchmarks/x.py`` puts ``benchmarks/`` on ``sys.path``, and the
tests in ``tests/`` do the same before loading a script.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


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


@functools.cache
def git_state() -> dict | None:
    """``{"commit": short hash, "dirty": bool}`` of the checkout the scripts run from, as it was at the first call
    (made when ``_common`` is imported, so: when the script started); None outside a git checkout.

    ``dirty`` says whether tracked files outside ``benchmarks/results`` differed from the commit (the result files
    a run rewrites as it goes do not count).
    """
    import subprocess

    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)benchmarks/results")
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "dirty": bool(changed.strip())}


git_state()  # the code a script runs is the code of its start, whatever is edited while it runs


def study_arguments(parser, *, output: str, jobs: int, pairs: str) -> None:
    """The options every comparison of search methods takes: ``--seeds`` (30), ``--jobs``, ``--smoke``,
    ``--results-dir``, ``--output`` and ``--resume`` (which keeps the ``pairs`` already in the result file)."""
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=jobs)
    parser.add_argument("--smoke", action="store_true", help="tiny predictor settings, for tests")
    parser.add_argument("--results-dir", default=str(RESULTS), help="where the JSON, markdown and plots go")
    parser.add_argument("--output", default=output)
    parser.add_argument("--resume", action="store_true", help=f"keep the {pairs} already in the file")


def write_results(name: str, payload: dict, markdown: str | None = None, results_dir=RESULTS) -> Path:
    """Write ``<results_dir>/<name>.json`` and, if given, ``<name>.md``.

    The JSON begins with ``meta``: the date, machine, Python, package versions (:func:`stack_versions`) and git
    commit (:func:`git_state`); a ``meta`` in ``payload`` (one read back from an earlier file) is replaced.
    """
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version(), "versions": stack_versions(), "git": git_state()}
    path = results_dir / f"{name}.json"
    payload = {k: v for k, v in payload.items() if k != "meta"}
    path.write_text(json.dumps({"meta": meta, **payload}, indent=1, default=float) + "\n")
    if markdown is not None:
        (results_dir / f"{name}.md").write_text(markdown + "\n")
    return path


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


#: predictor configurations of ``predictors.py`` and ``predictors_other.py``: name -> ``ArchitectureRegressor``
#: keyword arguments (space and random_state are added)
PREDICTOR_CONFIGS = {
    "default": {},  # model="auto": mlp on the path encoding, pairwise loss, one member
    "gcn": dict(model="gcn", loss="mse"),
    "gcn-pairwise": dict(model="gcn", loss="pairwise"),
    "mlp-onehot": dict(model="mlp", encoding="onehot", loss="mse"),
    "mlp-onehot-pairwise": dict(model="mlp", encoding="onehot", loss="pairwise"),
    "mlp-path": dict(model="mlp", encoding="path", loss="mse"),
    "xgboost": dict(model="xgboost", loss="mse"),
    "xgboost-pairwise": dict(model="xgboost", loss="pairwise"),
    "mlp-onehot-mse+pairwise": dict(model="mlp", encoding="onehot", loss="mse+pairwise"),
    "mlp-path-mse+pairwise": dict(model="mlp", encoding="path", loss="mse+pairwise"),
    "renas-pairwise": dict(model="renas", loss="pairwise"),
    "default-ens5": dict(n_ensemble=5),
}


def fit_on_sample(bench, seed: int, n_train: int, smoke: bool = False):
    """``n_train`` rows of ``bench`` drawn with ``seed``, their values and the search's default predictor fitted on
    them (seeded with ``seed``; 5 epochs in smoke runs): ``(X, y, model)``."""
    from sknas.search import default_predictor

    X = bench.X[np.random.default_rng(seed).choice(len(bench), n_train, replace=False)]
    y = bench.query(X)
    model = default_predictor(bench.space, random_state=seed)
    if smoke:
        model.set_params(model__max_epochs=5)
    return X, y, model.fit(X, y)


def score_predictor(bench, y, params: dict, n_train: int, split: int) -> dict:
    """Fit ``ArchitectureRegressor(bench.space, random_state=split, **params)`` on ``n_train`` random rows of
    ``bench.X`` (targets ``y``; the rows drawn with seed ``split``) and score it on all other rows: Kendall's tau,
    precision@10, fit and predict seconds."""
    from sknas import ArchitectureRegressor
    from sknas.metrics import kendall_tau, precision_at_k

    idx = np.random.default_rng(split).permutation(len(y))
    tr, te = idx[:n_train], idx[n_train:]
    reg = ArchitectureRegressor(bench.space, random_state=split, **params)
    t0 = time.perf_counter()
    reg.fit(bench.X[tr], y[tr])
    t1 = time.perf_counter()
    pred = reg.predict(bench.X[te])
    t2 = time.perf_counter()
    return {"tau": kendall_tau(y[te], pred), "p@10": precision_at_k(y[te], pred, 10),
            "fit_s": t1 - t0, "predict_s": t2 - t1}


def summarise_splits(rows: list[dict]) -> dict:
    """[mean, std] over splits of each :func:`score_predictor` figure, and the number of splits."""
    out = {}
    for key in ("tau", "p@10", "fit_s", "predict_s"):
        v = np.array([r[key] for r in rows], dtype=np.float64)
        out[key] = [float(v.mean()), float(v.std())]
    out["n_splits"] = len(rows)
    return out
