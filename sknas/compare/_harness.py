"""The comparison harness: studies run over seeds (in processes, resumable in a storage), summarised per budget."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from ..utils import check_int, short_repr, torch_threads
from ._methods import METHODS, make_pruner, make_sampler
from ._problems import front_points, load_spec, parse_objectives, search_space, short_training


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
               objectives: Sequence[str] = ("valid",), noisy: bool = False, fast: bool = False,
               short: bool = False, prior: Sequence[str] = ()) -> str:
    """The name of a comparison study in a storage: one per (benchmark, method, seed, constraints, objectives,
    noisy, fast, short trainings reported, prior).

    The budget is not in the name: a study's first trials do not depend on its budget, so a longer budget
    extends a stored study and a shorter one reads its first trials (the stored study keeps them all).
    """
    return (f"{spec}|{method}|seed{seed}" + "".join(f"|{c}" for c in constraints)
            + ("" if tuple(objectives) == ("valid",) else "|objectives=" + ",".join(objectives))
            + ("|noisy" if noisy else "") + ("|fast" if fast else "") + ("|short" if short else "")
            + ("|prior=" + ",".join(prior) if prior else ""))


def reports_short(bench, method: str) -> bool:
    """Whether the studies of ``method`` on ``bench`` report a short training first (see :func:`run_study`):
    those of a method that prunes, on a table that holds a short training."""
    return METHODS[method].pruner is not None and short_training(bench) is not None


def study_prior(method: str, prior: Sequence[str]) -> tuple[str, ...]:
    """The prior tables a study of ``method`` uses: ``prior`` for a method that takes one, else none."""
    return tuple(prior) if METHODS[method].prior else ()


def load_prior(prior: Sequence[str], space, data_home=None) -> list:
    """The prior tables ``"benchmark:dataset"`` (:func:`load_spec`) as ``(X, y)`` pairs of rows of ``space``
    (:func:`~sknas.predictors.check_prior`); empty for no prior."""
    if not prior:
        return []
    from ..predictors import check_prior  # scikit-learn: only for a prior

    return check_prior([load_spec(p, data_home) for p in prior], space)


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


#: the storages :func:`open_storage` accepts, for messages
STORAGE_FORMS = ("an RDB URL (sqlite:///path/to/file.db, postgresql+psycopg2://user@host:port/db, "
                 "mysql+pymysql://user@host/db) or the path of a journal file")
#: seconds a database server has to answer before :func:`open_storage` gives up on it
CONNECT_TIMEOUT = 5


def open_storage(url):
    """An Optuna storage from ``url``: an RDB URL (``sqlite:///...``, ``postgresql://...``), or the path of a
    journal file (created if needed; several processes may share it).

    A storage that cannot be used fails fast, with a ``ValueError`` saying why and naming the accepted
    forms (:data:`STORAGE_FORMS`): an unknown kind of database (``bogus://x``), a driver that is not
    installed, a server that does not answer within :data:`CONNECT_TIMEOUT` seconds, a journal file that
    cannot be written.
    """
    import optuna

    if url is None or isinstance(url, optuna.storages.BaseStorage):
        return url
    text = str(url)
    if "://" in text:
        _check_database(text)
        return _rdb_storage(text)
    from optuna.storages.journal import JournalFileBackend

    try:
        return optuna.storages.JournalStorage(JournalFileBackend(text))
    except OSError as exc:
        raise ValueError(f"storage {text!r}: cannot open the journal file ({exc.strerror or exc}); accepted: "
                         f"{STORAGE_FORMS}") from None


def _check_database(url: str) -> None:
    """Connect to the database of ``url`` once, within :data:`CONNECT_TIMEOUT` seconds; a ``ValueError`` naming
    the URL (password hidden) and the accepted forms when it cannot be used."""
    import sqlalchemy
    from sqlalchemy.exc import SQLAlchemyError

    try:
        shown = repr(sqlalchemy.engine.make_url(url).render_as_string(hide_password=True))
    except SQLAlchemyError:
        shown = short_repr(url)
    try:
        backend = sqlalchemy.engine.make_url(url).get_backend_name()
        timeout = {"connect_timeout": CONNECT_TIMEOUT} if backend in ("postgresql", "mysql", "mariadb") else {}
        engine = sqlalchemy.create_engine(url, connect_args=timeout)
    except (SQLAlchemyError, ImportError, ValueError, TypeError) as exc:  # unknown kind, missing driver
        raise ValueError(f"storage {shown} cannot be used: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}; "
                         f"accepted: {STORAGE_FORMS}") from None
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise ValueError(f"storage {shown}: cannot connect to the database ({(cause or [''])[0][:200]}); "
                         f"accepted: {STORAGE_FORMS}") from None
    finally:
        engine.dispose()


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


def run_study(spec: str, method: str, seed: int, budget: int | None, *, fast: bool = False, data_home=None,
              storage=None, stale_after: float | None = None, constraints: Sequence[str] = (),
              objectives: Sequence[str] = ("valid",), noisy: bool = False, cost_budget: float | None = None,
              recommend_at: Sequence[float] = (), on_trial: Callable[[int], None] | None = None,
              prior: Sequence[str] = ()) -> dict:
    """One study of ``budget`` trials; the rows tried, their validation and test values, and the wall time.

    ``valid`` holds each row's seed mean (the table's value); ``observed`` what the study saw, the same
    values unless ``noisy``: then every trial observes ONE training seed's validation accuracy of its
    cell, drawn among the cell's seeds with a generator seeded by ``(seed, trial number)`` (a rerun
    draws the same). With a ``cost_budget`` (seconds of training, the table's ``train_time``) the study
    runs until the cumulative cost of its trials exceeds it (and ``budget`` trials are done, if given);
    the run then holds ``cost``, each trial's training time. A method with a pruner (:class:`Method`)
    on a table with a short training (:func:`short_training`: NAS-Bench-201's 12 epochs) reports the
    short training first (``trial.report(valid_12, 12)``) and asks ``trial.should_prune()``: a pruned
    trial counts as a trial, costs 12/200 of its cell's training, and is in the run with ``observed``
    NaN (``full`` False) and its short value in ``short``. At each budget of ``recommend_at`` (trials,
    or seconds with a ``cost_budget``) the run records in ``recommended`` (keyed by the number of trials
    within the budget, see :func:`trials_within`) the trial of best mean predicted by
    :func:`~sknas.search.default_predictor` (seeded with ``seed``) fitted on the observations so far:
    one fit per budget, after the study (not in ``wall``).

    With two ``objectives`` (see :func:`parse_objectives`, e.g. ``("valid", "latency_pixel3")``) the
    study is multi-objective and the run also holds ``points``: every trial's objective values as
    :func:`front_points` (each maximised).

    With a ``storage`` (see :func:`open_storage`) the study is kept there under :func:`study_name` and
    resumed when it exists: its completed trials count towards ``budget``, and trials left running
    by a dead process are failed and their architectures tried again
    (:func:`~sknas.samplers.fail_stale_trials`; only those older than ``stale_after`` seconds when
    other processes may be working on the study). Processes sharing a study stop at exactly
    ``budget`` completed trials: a trial runs only when fewer than ``budget`` trials before it (by
    number) are complete, running or waiting, else it is pruned before it samples anything and its
    process waits for the others' trials (see :func:`_within_budget`). ``constraints`` (``"params<=0.4"``, see
    :func:`parse_constraint`) restrict the study to the architectures that meet them. Torch runs on one
    thread during the study of a method that uses it (``Method.torch``; the others do not import it) and
    Optuna's log is quiet; both are restored afterwards. ``on_trial`` (progress
    display) is called after each trial with the number of completed trials of the study. ``prior`` names tables of
    the same space (``"nasbench201:cifar10-valid"``) for the methods that use one (``Method.prior``; the
    others ignore it): ``sknas-prior`` passes them to its sampler, ``enqueue-tpe`` first enqueues the 10
    rows of best mean rank in them.
    """
    import optuna
    from optuna.trial import TrialState

    from ..samplers import fail_stale_trials

    bench = load_spec(spec, data_home)
    space = search_space(bench, constraints)  # the table's rows only, when it samples its space
    objectives = parse_objectives(objectives, bench)
    _check_regime(bench, objectives, budget, noisy, cost_budget)
    if len(objectives) > 1 and not METHODS[method].multi_objective:
        raise ValueError(f"method {method!r} optimises one objective; for several use one of "
                         f"{[m for m, spec in METHODS.items() if spec.multi_objective]}")
    directions = ["maximize" if bench.maximize[m] else "minimize" for m in objectives]
    short = short_training(bench) if reports_short(bench, method) else None
    states = (TrialState.COMPLETE,) if short is None else (TrialState.COMPLETE, TrialState.PRUNED)

    def objective(trial):
        row = space.suggest(trial)[None, :]
        if short is not None:
            trial.report(float(bench.query(row, short[0])[0]), short[1])
            if trial.should_prune():
                raise optuna.TrialPruned()
        if noisy:
            return float(bench.query(row, "valid", noisy=True, random_state=np.random.default_rng(
                [seed, trial.number]))[0])
        values = tuple(float(bench.query(row, m)[0]) for m in objectives)
        return values if len(values) > 1 else values[0]

    def rows(trials):
        return np.array([space.params_to_row(t.params, repair=True) for t in trials],  # repaired as suggest() did
                        dtype=np.int64).reshape(-1, space.n_decisions)

    def costs(trials):
        full = np.array([t.state == TrialState.COMPLETE for t in trials], dtype=bool)
        return bench.query(rows(trials), "train_time") * np.where(full, 1.0, 1.0 if short is None
                                                                   else short[1] / short[2])

    def finished(study):  # complete, or pruned after its short training, in trial order
        return sorted(filter(_counts, study.get_trials(deepcopy=False, states=states)), key=lambda t: t.number)

    def enough(study) -> bool:
        done = finished(study)
        return ((budget is None or len(done) >= budget)
                and (cost_budget is None or costs(done).sum() > cost_budget))

    def stop_when_enough(st, _):
        if on_trial is not None:
            on_trial(len(st.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))))
        if enough(st):
            st.stop()

    prior = study_prior(method, prior)
    prior_rows = load_prior(prior, space, data_home)
    with torch_threads(1 if METHODS[method].torch else None), _quiet_optuna():
        sampler = make_sampler(method, space, seed, fast=fast, prior=prior_rows)
        pruner = make_pruner(method, seed)
        name = study_name(spec, method, seed, constraints, objectives, noisy, fast, short is not None, prior)
        if storage is None:  # named all the same: Optuna's HyperbandPruner draws a trial's bracket from the name
            study = optuna.create_study(study_name=name, directions=directions, sampler=sampler, pruner=pruner)
            _enqueue_prior(study, method, space, prior_rows)
            t0 = time.perf_counter()
            study.optimize(objective, n_trials=budget if cost_budget is None else None, callbacks=[stop_when_enough])
            wall = time.perf_counter() - t0
        else:
            study = optuna.create_study(storage=open_storage(storage), study_name=name, directions=directions,
                                        sampler=sampler, pruner=pruner, load_if_exists=True)
            fail_stale_trials(study, older_than=stale_after)
            _enqueue_prior(study, method, space, prior_rows)
            slots = budget if cost_budget is None else None
            surplus: list[int] = []

            def objective_in_budget(trial):
                if slots is not None and not _within_budget(study, trial.number, slots):
                    surplus.append(trial.number)
                    raise optuna.TrialPruned("every trial of the budget is taken by another process")
                return objective(trial)

            while not enough(study):
                surplus.clear()
                study.optimize(objective_in_budget, n_trials=None,
                               callbacks=[stop_when_enough, lambda st, _: surplus and st.stop()])
                if surplus:
                    _wait_for_slot(study, slots, enough, stale_after)
    done = finished(study)
    done = done[:budget] if cost_budget is None else done
    X = rows(done)
    if storage is not None:
        wall = float(sum(t.duration.total_seconds() for t in done))
    test = bench.query(X, "test") if "test" in bench.metrics else np.full(len(X), np.nan)
    run = {"spec": spec, "method": method, "seed": seed, "rows": X, "valid": bench.query(X, "valid"),
           "test": test, "wall": wall}
    if len(objectives) > 1:
        run.update(objectives=objectives, points=front_points(bench, X, objectives))
    else:
        # a pruned trial's value is its last report (Optuna's rule): not an observation of the full training
        run.update(observed=np.array([t.value if t.state == TrialState.COMPLETE else np.nan for t in done],
                                     dtype=np.float64),
                   noisy=bool(noisy))
    if short is not None:
        run.update(full=np.array([t.state == TrialState.COMPLETE for t in done], dtype=bool),
                   short=bench.query(X, short[0]))
    if cost_budget is not None:
        run["cost"] = costs(done)
    if len(recommend_at):
        counts = trials_within(run, recommend_at, None if cost_budget is None else 1.0)
        run["recommended"] = _recommend(run, space, counts, seed, fast)
    return run


def _holding() -> tuple:
    """The trial states that hold one of a budget's trials."""
    from optuna.trial import TrialState

    return (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING)


def _counts(trial) -> bool:
    """Whether a trial counts as one of a study's trials: any but a pruned one that reported nothing (a worker's
    surplus trial, see :func:`_within_budget`; a trial pruned after its short training counts)."""
    from optuna.trial import TrialState

    return trial.state != TrialState.PRUNED or bool(trial.intermediate_values)


def _within_budget(study, number: int, budget: int) -> bool:
    """Whether trial ``number`` holds one of the study's ``budget`` trials: fewer than ``budget`` trials before it
    (by number) are complete, running, waiting, or pruned after reporting a short training.

    Trial numbers are given out one at a time by the storage, so of two processes that start the last trial
    together only the one with the lower number runs it: processes sharing a study stop at exactly the budget
    (counting, after each trial, the completed ones let each of ``n`` processes run one more).
    """
    from optuna.trial import TrialState

    held = filter(_counts, study.get_trials(deepcopy=False, states=_holding() + (TrialState.PRUNED,)))
    return sum(t.number < number for t in held) < budget


def _wait_for_slot(study, budget: int, enough: Callable, stale_after: float | None, poll: float = 1.0) -> None:
    """Wait until the study has its trials, or one of the budget's trials is free again (a trial failed: left
    behind by a dead process, failed here once older than ``stale_after`` seconds; None: never, as the
    others are alive) or waits to be run."""
    from optuna.trial import TrialState

    from ..samplers import fail_stale_trials

    while not enough(study):
        if stale_after is not None:
            fail_stale_trials(study, older_than=stale_after)
        held = study.get_trials(deepcopy=False, states=_holding())
        if len(held) < budget or any(t.state == TrialState.WAITING for t in held):
            return
        time.sleep(poll)


#: rows of best mean prior rank the ``"enqueue"`` methods evaluate first (the issue's enqueue-then-TPE anchor)
N_ENQUEUED = 10


def _enqueue_prior(study, method: str, space, prior_rows: list) -> None:
    """Enqueue the rows of best mean rank in the prior for a method that starts that way, in a study with no trials
    yet (a resumed study has them already)."""
    if METHODS[method].prior != "enqueue" or study.get_trials(deepcopy=False):
        return
    from ..predictors import best_prior_rows

    for row in best_prior_rows(prior_rows, space, N_ENQUEUED):
        study.enqueue_trial(space.row_to_params(row))


def _check_regime(bench, objectives, budget, noisy, cost_budget) -> None:
    """ValueError naming the argument when a study cannot run in the regime asked for."""
    if noisy and (tuple(objectives) != ("valid",) or "valid" not in bench.per_seed):
        raise ValueError(f"noisy=True needs one objective, valid, with per-seed values; {bench.name} "
                         f"{bench.dataset} has per-seed values of {list(bench.per_seed) or 'none'}")
    if cost_budget is not None:
        median_cost(bench)  # ValueError without training times
    if cost_budget is not None and not cost_budget > 0:
        raise ValueError(f"cost_budget must be a positive number of seconds; got {cost_budget!r}")
    if budget is None and cost_budget is None:
        raise ValueError("budget: give a number of trials, or a cost_budget")


def _recommend(run: dict, space, counts, seed: int, fast: bool) -> dict:
    """``{n: trial}`` for each count ``n`` of first trials: the trial among them of best mean predicted by
    :func:`~sknas.search.default_predictor` fitted on their observations (the first trial when it is alone)."""
    from ..search import default_predictor

    out = {}
    with torch_threads(1):
        for n in sorted(set(int(c) for c in counts)):
            if n < 2:
                out[n] = 0
                continue
            full = np.flatnonzero(np.isfinite(run["observed"][:n]))
            if len(full) < 2:
                out[n] = int(returned(run)[n - 1])
                continue
            reg = default_predictor(space, random_state=seed)
            if fast:
                reg.set_params(model__max_epochs=10)
            X = run["rows"][full]
            out[n] = int(full[np.argmax(reg.fit(X, run["observed"][full]).predict(X))])
    return out


def trials_within(run: dict, budgets: Sequence[float], cost_unit: float | None = None) -> np.ndarray:
    """How many first trials of ``run`` each budget holds.

    Without ``cost_unit`` a budget is a number of trials (at most the run's). With it, a budget is a
    training time, in units of ``cost_unit`` seconds (1.0: seconds), and holds the trials whose
    cumulative cost (the run's ``cost``) fits in it, at least one (a method returns its first
    architecture even when that training alone overruns the budget). ValueError when the run stops
    before the budget is spent: its figure at that budget would be unknown.
    """
    budgets = np.asarray(budgets, dtype=np.float64)
    if cost_unit is None:
        return np.minimum(budgets, len(run["valid"])).astype(np.int64)
    if "cost" not in run:
        raise ValueError("cost_unit: the run has no cost; run its study with a cost_budget")
    spent = np.cumsum(run["cost"])
    if len(spent) == 0 or spent[-1] <= budgets.max() * cost_unit:
        raise ValueError(f"budgets: the run of {run['method']} seed {run['seed']} spent "
                         f"{spent[-1] if len(spent) else 0:.0f} s, not more than the largest budget "
                         f"{budgets.max() * cost_unit:.0f} s; run its study with a larger cost_budget")
    return np.maximum(np.searchsorted(spent, budgets * cost_unit, side="right"), 1)


def median_cost(bench) -> float:
    """The median training time of a table's cells, in seconds: the unit of cost budgets."""
    if "train_time" not in bench.metrics:
        raise ValueError(f"cost budgets need the training time of each architecture; {bench.name} "
                         f"{bench.dataset} has no train_time")
    return float(np.median(bench.metrics["train_time"]))


def cost_grid(budgets: Sequence[float], n: int = 40) -> np.ndarray:
    """Training times at which a regret curve against cost is drawn: ``n`` log-spaced points from 1 to the
    largest budget (in the budgets' unit)."""
    return np.geomspace(1.0, max(float(max(budgets)), 1.0), n)


def returned(run: dict) -> np.ndarray:
    """After each trial, the index of the architecture the run returns: the first one of best observation
    so far (of best validation value in a noise-free run), among the fully trained; while every trial so
    far was pruned, the first one of best short training."""
    seen = np.asarray(run.get("observed", run["valid"]), dtype=np.float64)
    short = np.asarray(run.get("short", seen), dtype=np.float64)
    keys = [(True, v) if np.isfinite(v) else (False, u) for v, u in zip(seen, short)]  # full ones rank first
    out, best = np.zeros(len(keys), dtype=np.int64), 0
    for i, key in enumerate(keys):
        best = i if key > keys[best] else best
        out[i] = best
    return out


def regret_curve(runs: Sequence[dict], optimum: float, costs=None, cost_unit: float = 1.0):
    """Validation regret of the architecture each run returns (see :func:`returned`; the optimum minus its
    seed mean) after each trial, or at each training time of ``costs`` (in units of ``cost_unit`` seconds,
    see :func:`trials_within`): (mean, standard error) over runs.

    The standard error is None for a single run, where it is undefined.
    """
    R = np.array([optimum - r["valid"][returned(r)] if costs is None else
                  (optimum - r["valid"][returned(r)])[trials_within(r, costs, cost_unit) - 1] for r in runs])
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


def summarise(runs: Sequence[dict], budgets: Sequence[float], optimum: float, cost_unit: float | None = None
              ) -> dict:
    """Per budget: mean ± s.e. of the validation regret of the architecture each run returns (the first
    of best observation, see :func:`returned`; the regret is the optimum minus its seed mean), share of
    runs that evaluated the optimum, median trials to the optimum, mean test accuracy of the returned
    architecture, mean wall time. The standard error (``regret_se``) is None for a single run, where it
    is undefined.

    With a ``cost_unit`` the budgets are training times in units of ``cost_unit`` seconds (see
    :func:`trials_within`) and ``trials_mean`` is the mean number of trials they held. Runs with a
    ``recommended`` trial at each budget (:func:`run_study`'s ``recommend_at``) add the regret of
    those (``recommended_regret_mean``, ``recommended_regret_se``).
    """
    out = {}
    for b in budgets:
        regrets, hits, to_opt, tests, counts, picks = [], [], [], [], [], []
        for r in runs:
            n = int(trials_within(r, [b], cost_unit)[0])
            v = r["valid"][:n]
            best = int(returned(r)[n - 1])
            regrets.append(optimum - v[best])
            hit = np.flatnonzero(np.isclose(v, optimum, atol=1e-9))
            hits.append(len(hit) > 0)
            if len(hit):
                to_opt.append(int(hit[0]) + 1)
            tests.append(r["test"][best])
            counts.append(n)
            if n in r.get("recommended", {}):
                picks.append(optimum - v[r["recommended"][n]])
        key = int(b) if float(b).is_integer() else float(b)
        out[key] = dict(_mean_se("regret", regrets), hit_rate=float(np.mean(hits)),
                        median_trials_to_optimum=float(np.median(to_opt)) if to_opt else None,
                        test_of_best_valid=float(np.nanmean(tests)) if np.isfinite(tests).any() else None,
                        n_runs=len(runs), wall_s=float(np.mean([r["wall"] for r in runs])))
        if cost_unit is not None:
            out[key]["trials_mean"] = float(np.mean(counts))
        if len(picks) == len(runs):
            out[key].update(_mean_se("recommended_regret", picks))
    return out


def _mean_se(name: str, values) -> dict:
    """``{name_mean: mean, name_se: standard error or None}`` of ``values``."""
    values = np.asarray(values, dtype=np.float64)
    se = standard_error(values)
    return {f"{name}_mean": float(values.mean()), f"{name}_se": None if se is None else float(se)}


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
        accuracy of the returned architecture and the wall seconds per study; ``"-"`` where a value
        does not exist. Then, where the summary has them, the mean trials within a cost budget and
        the regret of the predictor's recommendation.
    """
    def mean_se(s, name):
        se = s[f"{name}_se"]
        return f"{s[f'{name}_mean']:.3f} " + (f"± {se:.3f}" if se is not None else f"({s['n_runs']} run)")

    rows = []
    for b, s in summary.items():
        test = s["test_of_best_valid"]
        rows.append([b, mean_se(s, "regret"), f"{s['hit_rate']:.0%}", s["median_trials_to_optimum"] or "-",
                     f"{test:.2f}" if test is not None else "-", f"{s['wall_s']:.1f}"]
                    + ([f"{s['trials_mean']:.1f}"] if "trials_mean" in s else [])
                    + ([mean_se(s, "recommended_regret")] if "recommended_regret_mean" in s else []))
    return rows


def _end_with_parent(poll: float = 0.5) -> None:
    """End this (worker) process as soon as its parent is gone, once started (later calls do nothing).

    A thread watches the parent's pid: when the main process dies without a word (``kill -9``), its worker
    processes would otherwise go on running their studies beside a rerun. The watch is portable, unlike Linux's
    ``PR_SET_PDEATHSIG``, which fires when the parent *thread* that started the worker ends.
    """
    global _WATCHING
    with _WATCH_LOCK:
        if _WATCHING:
            return
        _WATCHING = True
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)  # a trial left running is failed and retried by the rerun (fail_stale_trials)

    threading.Thread(target=watch, name="sknas-end-with-parent", daemon=True).start()


_WATCHING = False
_WATCH_LOCK = threading.Lock()


def _run_quietly(*args, **kwargs):
    """:func:`run_study` in a worker process: an interrupt (Ctrl-C reaches every worker) ends it without a traceback;
    the worker ends with its parent (:func:`_end_with_parent`)."""
    _end_with_parent()
    try:
        return run_study(*args, **kwargs)
    except KeyboardInterrupt:
        return None


def compare(specs: Sequence[str], methods: Sequence[str], *, budget: int, seeds: int, n_jobs: int = 1,
            fast: bool = False, data_home=None, on_result: Callable[[dict], None] | None = None, storage=None,
            worker: bool = False, constraints: Sequence[str] = (), objectives: Sequence[str] = ("valid",),
            noisy: bool = False, cost_budget: float | None = None, recommend_at: Sequence[float] = (),
            prior: Sequence[str] = ()) -> list[dict]:
    """Run every (benchmark, method, seed) study, ``n_jobs`` at a time; returns the finished runs.

    ``on_result`` is called with each run as it finishes (progress display, incremental saving). A
    ``KeyboardInterrupt`` stops the remaining studies and propagates, its attribute ``runs`` holding
    the runs finished so far. With a ``storage`` (:func:`open_storage`) every study lives there and a
    second call resumes where the first stopped (see :func:`run_study`). ``worker=True`` says that other
    processes run the same comparison on the same storage: the studies are taken in an order of this
    process's own, a study already being run by another process is shared with it, and only trials
    running for more than 10 minutes count as left behind by a dead process. Two ``objectives`` make
    every study multi-objective (see :func:`run_study`). ``noisy``, ``cost_budget`` and ``recommend_at``
    set the regime of every study: one seed's observation per trial, trials until a training time is
    spent, the predictor's recommendations (see :func:`run_study`); ``budget`` may then be None. ``prior``
    names tables of the benchmarks' space for the methods that use one (see :func:`run_study`).
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; accepted: {list(METHODS)}")
    seeds, n_jobs = (check_int(v, name) for name, v in (("seeds", seeds), ("n_jobs", n_jobs)))
    budget = None if budget is None and cost_budget is not None else check_int(budget, "budget")
    open_storage(storage)  # fail early: a storage that cannot be used (not in every worker, with a traceback)
    for spec in specs:  # fail early: a bad name, data, constraint, objective or regime
        bench = load_spec(spec, data_home)
        load_prior(prior, search_space(bench, constraints), data_home)
        _check_regime(bench, parse_objectives(objectives, bench), budget, noisy, cost_budget)
        if len(parse_objectives(objectives, bench)) > 1:
            single = [m for m in methods if not METHODS[m].multi_objective]
            if single:
                raise ValueError(f"methods {single} optimise one objective; for several use methods from "
                                 f"{[m for m, spec in METHODS.items() if spec.multi_objective]}")
    needing = [m for m in methods if METHODS[m].prior and not prior]
    if needing:
        raise ValueError(f"methods {needing} need prior tables (prior=, sknas compare --prior); none given")
    # methods interleaved (seed 0 of every method, then seed 1, ...): the first results represent them all; within a
    # seed those without torch first, whose first trials come while the workers of the others still import torch
    tasks = [(spec, m, s) for spec in specs for s in range(seeds)
             for m in sorted(methods, key=lambda m: METHODS[m].torch)]
    if worker:
        import os

        tasks = [tasks[i] for i in np.random.default_rng(os.getpid()).permutation(len(tasks))]
    kw = dict(fast=fast, data_home=data_home, storage=storage, stale_after=600.0 if worker else None,
              constraints=tuple(constraints), objectives=(objectives,) if isinstance(objectives, str) else
              tuple(objectives), noisy=noisy, cost_budget=cost_budget, recommend_at=tuple(recommend_at),
              prior=tuple(prior))
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
