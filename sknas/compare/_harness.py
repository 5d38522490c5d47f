"""The comparison harness: studies run over seeds (in processes, resumable in a storage), summarised per budget."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence

import numpy as np

from ..utils import check_int, torch_threads
from ._methods import METHODS, make_sampler
from ._problems import front_points, load_spec, parse_objectives, search_space


@contextlib.contextmanager
def _quiet_optuna():
    """Optuna's per-trial log lines (and its tracebacks of interrupted trials) off for the duration."""
    import optuna

    old = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(old)


def study_name(spec: str, method: str, seed: int, constraints: Sequence[str] = (),
               objectives: Sequence[str] = ("valid",)) -> str:
    """The name of a comparison study in a storage: one per (benchmark, method, seed, constraints, objectives)."""
    return (f"{spec}|{method}|seed{seed}" + "".join(f"|{c}" for c in constraints)
            + ("" if tuple(objectives) == ("valid",) else "|objectives=" + ",".join(objectives)))


def summarise_fronts(runs: Sequence[dict], budgets: Sequence[int], front: np.ndarray, reference: np.ndarray) -> dict:
    """Per budget: mean ± s.e. of the hypervolume regret (:func:`~sknas.metrics.hypervolume_regret`, in % of
    the true ``front``'s hypervolume above ``reference``) of the points each run found, and the mean wall time."""
    from ..metrics import hypervolume_regret

    out = {}
    for b in budgets:
        regrets = np.array([hypervolume_regret(r["points"][:b], front, reference) for r in runs])
        se = standard_error(regrets)
        out[int(b)] = dict(regret_mean=float(regrets.mean()), regret_se=None if se is None else float(se),
                           n_runs=len(runs), wall_s=float(np.mean([r["wall"] for r in runs])))
    return out


def median_front(runs: Sequence[dict], front: np.ndarray, reference: np.ndarray) -> tuple[dict, np.ndarray]:
    """The run of median hypervolume regret after its whole budget (the lower median for an even count) and
    the Pareto front of its points: what a typical run of a method finds, for plots against the true front."""
    from ..metrics import hypervolume_regret, pareto_front

    regrets = [hypervolume_regret(r["points"], front, reference) for r in runs]
    run = runs[int(np.argsort(regrets, kind="stable")[(len(runs) - 1) // 2])]
    return run, run["points"][pareto_front(run["points"])]


def open_storage(url):
    """An Optuna storage from ``url``: an RDB URL (``sqlite:///...``, ``postgresql://...``), or the path of a
    journal file (created if needed; several processes may share it)."""
    import optuna

    if url is None or isinstance(url, optuna.storages.BaseStorage):
        return url
    text = str(url)
    if "://" in text:
        return _rdb_storage(text)
    from optuna.storages.journal import JournalFileBackend

    return optuna.storages.JournalStorage(JournalFileBackend(text))


def _rdb_storage(url: str, attempts: int = 8):
    """``RDBStorage(url)``, retried: workers that open a fresh database together race to create Optuna's schema
    (``UNIQUE constraint failed: alembic_version``); the losers find it created on the next attempt."""
    import random

    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(url)
        except SQLAlchemyError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 + random.random() * 0.8)


def run_study(spec: str, method: str, seed: int, budget: int, *, fast: bool = False, data_home=None,
              storage=None, stale_after: float | None = None, constraints: Sequence[str] = (),
              objectives: Sequence[str] = ("valid",)) -> dict:
    """One study of ``budget`` trials; the rows tried, their validation and test values, and the wall time.

    With two ``objectives`` (see :func:`parse_objectives`, e.g. ``("valid", "latency_pixel3")``) the
    study is multi-objective and the run also holds ``points``: every trial's objective values as
    :func:`front_points` (each maximised).

    With a ``storage`` (see :func:`open_storage`) the study is kept there under :func:`study_name` and
    resumed when it exists: its completed trials count towards ``budget``, and trials left running
    by a dead process are failed and their architectures tried again
    (:func:`~sknas.samplers.fail_stale_trials`; only those older than ``stale_after`` seconds when
    other processes may be working on the study). ``constraints`` (``"params<=0.4"``, see
    :func:`parse_constraint`) restrict the study to the architectures that meet them. Torch runs on one
    thread and Optuna's log is quiet during the study; both are restored afterwards.
    """
    import optuna
    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    from ..samplers import fail_stale_trials

    bench = load_spec(spec, data_home)
    space = search_space(bench, constraints)  # the table's rows only, when it samples its space
    objectives = parse_objectives(objectives, bench)
    if len(objectives) > 1 and not METHODS[method].multi_objective:
        raise ValueError(f"method {method!r} optimises one objective; for several use one of "
                         f"{[m for m, spec in METHODS.items() if spec.multi_objective]}")
    directions = ["maximize" if bench.maximize[m] else "minimize" for m in objectives]

    def objective(trial):
        row = space.suggest(trial)[None, :]
        values = tuple(float(bench.query(row, m)[0]) for m in objectives)
        return values if len(values) > 1 else values[0]

    with torch_threads(1), _quiet_optuna():
        sampler = make_sampler(method, space, seed, fast=fast)
        if storage is None:
            study = optuna.create_study(directions=directions, sampler=sampler)
            t0 = time.perf_counter()
            study.optimize(objective, n_trials=budget)
            wall = time.perf_counter() - t0
        else:
            study = optuna.create_study(storage=open_storage(storage),
                                        study_name=study_name(spec, method, seed, constraints, objectives),
                                        directions=directions, sampler=sampler, load_if_exists=True)
            fail_stale_trials(study, older_than=stale_after)
            if len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))) < budget:
                study.optimize(objective, n_trials=None,
                               callbacks=[MaxTrialsCallback(budget, states=(TrialState.COMPLETE,))])
    done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))[:budget]
    X = np.array([space.params_to_row(t.params, repair=True) for t in done],  # repaired as suggest() did
                 dtype=np.int64).reshape(-1, space.n_decisions)
    if storage is not None:
        wall = float(sum(t.duration.total_seconds() for t in done))
    test = bench.query(X, "test") if "test" in bench.metrics else np.full(len(X), np.nan)
    run = {"spec": spec, "method": method, "seed": seed, "rows": X, "valid": bench.query(X, "valid"),
           "test": test, "wall": wall}
    if len(objectives) > 1:
        run.update(objectives=objectives, points=front_points(bench, X, objectives))
    return run


def regret_curve(runs: Sequence[dict], optimum: float):
    """Best-so-far validation regret after each trial: (mean, standard error) over runs.

    The standard error is None for a single run, where it is undefined.
    """
    R = np.array([optimum - np.maximum.accumulate(r["valid"]) for r in runs])
    return R.mean(axis=0), standard_error(R)


def curve_to_dict(curve: tuple, decimals: int = 4) -> dict:
    """A :func:`regret_curve` result as plain JSON values: ``{"mean": [...], "se": [...] or None}``."""
    mean, se = curve
    return {"mean": mean.round(decimals).tolist(), "se": None if se is None else se.round(decimals).tolist()}


def standard_error(values: np.ndarray):
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
        se = standard_error(regrets)
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


def _run_quietly(*args, **kwargs):
    """:func:`run_study` in a worker process: an interrupt (Ctrl-C reaches every worker) ends it without a traceback."""
    try:
        return run_study(*args, **kwargs)
    except KeyboardInterrupt:
        return None


def compare(specs: Sequence[str], methods: Sequence[str], *, budget: int, seeds: int, n_jobs: int = 1,
            fast: bool = False, data_home=None, on_result: Callable[[dict], None] | None = None, storage=None,
            worker: bool = False, constraints: Sequence[str] = (), objectives: Sequence[str] = ("valid",)
            ) -> list[dict]:
    """Run every (benchmark, method, seed) study, ``n_jobs`` at a time; returns the finished runs.

    ``on_result`` is called with each run as it finishes (progress display, incremental saving). A
    ``KeyboardInterrupt`` stops the remaining studies and propagates, its attribute ``runs`` holding
    the runs finished so far. With a ``storage`` (:func:`open_storage`) every study lives there and a
    second call resumes where the first stopped (see :func:`run_study`). ``worker=True`` says that other
    processes run the same comparison on the same storage: the studies are taken in an order of this
    process's own, a study already being run by another process is shared with it, and only trials
    running for more than 10 minutes count as left behind by a dead process. Two ``objectives`` make
    every study multi-objective (see :func:`run_study`).
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; accepted: {list(METHODS)}")
    budget, seeds, n_jobs = (check_int(v, name) for name, v in (("budget", budget), ("seeds", seeds),
                                                                ("n_jobs", n_jobs)))
    for spec in specs:  # fail early: a bad name, data, constraint or objective
        bench = load_spec(spec, data_home)
        search_space(bench, constraints)
        if len(parse_objectives(objectives, bench)) > 1:
            single = [m for m in methods if not METHODS[m].multi_objective]
            if single:
                raise ValueError(f"methods {single} optimise one objective; for several use methods from "
                                 f"{[m for m, spec in METHODS.items() if spec.multi_objective]}")
    tasks = [(spec, m, s) for spec in specs for m in methods for s in range(seeds)]
    if worker:
        import os

        tasks = [tasks[i] for i in np.random.default_rng(os.getpid()).permutation(len(tasks))]
    kw = dict(fast=fast, data_home=data_home, storage=storage, stale_after=600.0 if worker else None,
              constraints=tuple(constraints), objectives=(objectives,) if isinstance(objectives, str) else
              tuple(objectives))
    runs: list[dict] = []
    try:
        if n_jobs == 1:
            results = (run_study(spec, m, s, budget, **kw) for spec, m, s in tasks)
        else:
            from joblib import Parallel, delayed

            results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
                delayed(_run_quietly)(spec, m, s, budget, **kw) for spec, m, s in tasks)
        for run in results:
            if run is None:  # a worker was interrupted
                raise KeyboardInterrupt
            runs.append(run)
            if on_result:
                on_result(run)
    except KeyboardInterrupt as exc:
        exc.runs = runs
        raise
    runs.sort(key=lambda r: (list(specs).index(r["spec"]), list(methods).index(r["method"]), r["seed"]))
    return runs
