"""Compare search methods on tabular benchmarks: the engine behind ``sknas compare`` and the benchmark scripts.

Every method runs as an Optuna study that maximises validation accuracy, so sknas's samplers and
Optuna's own are compared under exactly the same protocol.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from .datasets import TabularBenchmark, load_benchmark

__all__ = ["METHODS", "load_spec", "make_sampler", "run_study", "summarise", "summary_rows", "regret_curve",
           "curve_to_dict", "compare"]

#: method name -> short description
METHODS = {
    "prednas": "PredNASSampler: gradient ascent on a GCN predictor",
    "neural-predictor": "NeuralPredictorSampler: GCN predictor (paper training length), top-K of random architectures",
    "sknas": "PredictorSampler: sknas defaults (GCN trained 100 epochs, top-K)",
    "rea": "RegularizedEvolutionSampler (population 20, tournament 5)",
    "tpe": "Optuna TPESampler (multivariate, settings pinned)",
    "nsga2": "Optuna NSGAIISampler (population 20)",
    "random": "Optuna RandomSampler",
}


def load_spec(spec: str, data_home=None) -> TabularBenchmark:
    """Load ``"benchmark:dataset"`` (e.g. ``"nasbench201:cifar100"``; the dataset may be omitted)."""
    name, _, dataset = spec.partition(":")
    return load_benchmark(name, dataset or None, data_home=data_home)


def make_sampler(method: str, space, seed: int, *, fast: bool = False):
    """The Optuna sampler of ``method`` (see :data:`METHODS`), seeded.

    ``fast=True`` trains the predictors for fewer epochs (smoke tests).
    """
    import optuna

    from .proposers import default_predictor
    from .samplers import NeuralPredictorSampler, PredictorSampler, PredNASSampler, RegularizedEvolutionSampler

    if method in ("prednas", "neural-predictor", "sknas"):
        kw = {"predictor": default_predictor(space).set_params(max_epochs=10)} if fast else {}
        cls = {"prednas": PredNASSampler, "neural-predictor": NeuralPredictorSampler, "sknas": PredictorSampler}
        return cls[method](space, seed=seed, **kw)
    if method == "rea":
        return RegularizedEvolutionSampler(space, seed=seed)
    if method == "tpe":  # Optuna 5 changed TPE's defaults: the settings that matter here are written out
        return optuna.samplers.TPESampler(multivariate=True, group=False, n_startup_trials=10, n_ei_candidates=24,
                                          constant_liar=False, seed=seed)
    if method == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=20, seed=seed)
    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown method {method!r}; accepted: {list(METHODS)}")


def run_study(spec: str, method: str, seed: int, budget: int, *, fast: bool = False, data_home=None) -> dict:
    """One study of ``budget`` trials; the rows tried, their validation and test values, and the wall time."""
    import optuna
    import torch

    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    bench = load_spec(spec, data_home)
    study = optuna.create_study(direction="maximize", sampler=make_sampler(method, bench.space, seed, fast=fast))
    rows = []

    def objective(trial):
        row = bench.space.suggest(trial)
        rows.append(row)
        return float(bench.query(row[None, :])[0])

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=budget)
    wall = time.perf_counter() - t0
    X = np.array(rows)
    test = bench.query(X, "test") if "test" in bench.metrics else np.full(len(X), np.nan)
    return {"spec": spec, "method": method, "seed": seed, "rows": X, "valid": bench.query(X, "valid"),
            "test": test, "wall": wall}


def regret_curve(runs: Sequence[dict], optimum: float):
    """Best-so-far validation regret after each trial: (mean, standard error) over runs.

    The standard error is None for a single run, where it is undefined.
    """
    R = np.array([optimum - np.maximum.accumulate(r["valid"]) for r in runs])
    return R.mean(axis=0), _standard_error(R)


def curve_to_dict(curve: tuple, decimals: int = 4) -> dict:
    """A :func:`regret_curve` result as plain JSON values: ``{"mean": [...], "se": [...] or None}``."""
    mean, se = curve
    return {"mean": mean.round(decimals).tolist(), "se": None if se is None else se.round(decimals).tolist()}


def _standard_error(values: np.ndarray):
    """Standard error of the mean over the first axis (ddof=1); None for a single value."""
    if len(values) < 2:
        return None
    return values.std(axis=0, ddof=1) / np.sqrt(len(values))


def summarise(runs: Sequence[dict], budgets: Sequence[int], optimum: float) -> dict:
    """Per budget: mean ± s.e. of the validation regret, share of runs that hit the optimum, median
    trials to the optimum, mean test accuracy of the best-by-validation architecture, mean wall time.
    The standard error (``regret_se``) is None for a single run, where it is undefined."""
    out = {}
    for b in budgets:
        regrets, hits, to_opt, tests = [], [], [], []
        for r in runs:
            v = r["valid"][:b]
            best = int(np.argmax(v))
            regrets.append(optimum - v[best])
            hit = np.flatnonzero(np.isclose(v, optimum, atol=1e-9))
            hits.append(len(hit) > 0)
            if len(hit):
                to_opt.append(int(hit[0]) + 1)
            tests.append(r["test"][:b][best])
        regrets = np.asarray(regrets)
        se = _standard_error(regrets)
        out[int(b)] = dict(regret_mean=float(regrets.mean()), regret_se=None if se is None else float(se),
                           hit_rate=float(np.mean(hits)),
                           median_trials_to_optimum=float(np.median(to_opt)) if to_opt else None,
                           test_of_best_valid=float(np.nanmean(tests)) if np.isfinite(tests).any() else None,
                           n_runs=len(runs), wall_s=float(np.mean([r["wall"] for r in runs])))
    return out


def summary_rows(summary: dict) -> list[list]:
    """Table rows of a :func:`summarise` result, one per budget.

    Parameters
    ----------
    summary : dict
        Budget -> statistics, as returned by :func:`summarise`.

    Returns
    -------
    rows : list of list
        Per budget: the budget, the validation regret as ``"mean ± s.e."`` (``"mean (1 run)"`` when
        the standard error is undefined), the hit rate, the median trials to the optimum, the test
        accuracy of the best-by-validation architecture and the wall seconds per study; ``"-"``
        where a value does not exist.
    """
    rows = []
    for b, s in summary.items():
        se = s["regret_se"]
        regret = f"{s['regret_mean']:.3f} " + (f"± {se:.3f}" if se is not None else f"({s['n_runs']} run)")
        test = s["test_of_best_valid"]
        rows.append([b, regret, f"{s['hit_rate']:.0%}", s["median_trials_to_optimum"] or "-",
                     f"{test:.2f}" if test is not None else "-", f"{s['wall_s']:.1f}"])
    return rows


def compare(specs: Sequence[str], methods: Sequence[str], *, budget: int, seeds: int, n_jobs: int = 1,
            fast: bool = False, data_home=None, on_result: Callable[[dict], None] | None = None) -> list[dict]:
    """Run every (benchmark, method, seed) study, ``n_jobs`` at a time; returns the finished runs.

    ``on_result`` is called with each run as it finishes (progress display, incremental saving). A
    ``KeyboardInterrupt`` stops the remaining studies and propagates, its attribute ``runs`` holding
    the runs finished so far.
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; accepted: {list(METHODS)}")
    for name, v in (("budget", budget), ("seeds", seeds), ("n_jobs", n_jobs)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer; got {v!r}")
    for spec in specs:
        load_spec(spec, data_home)  # fail early on a bad name or missing data
    tasks = [(spec, m, s) for spec in specs for m in methods for s in range(seeds)]
    runs: list[dict] = []
    try:
        if n_jobs == 1:
            for spec, m, s in tasks:
                runs.append(run_study(spec, m, s, budget, fast=fast, data_home=data_home))
                if on_result:
                    on_result(runs[-1])
        else:
            from joblib import Parallel, delayed

            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            for run in parallel(delayed(run_study)(spec, m, s, budget, fast=fast, data_home=data_home)
                                for spec, m, s in tasks):
                runs.append(run)
                if on_result:
                    on_result(run)
    except KeyboardInterrupt as exc:
        exc.runs = runs
        raise
    runs.sort(key=lambda r: (specs.index(r["spec"]), list(methods).index(r["method"]), r["seed"]))
    return runs
