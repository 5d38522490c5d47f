"""The fit / propose loop for scripts."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..predictors import check_prior
from ..spaces import ConstrainedSpace, Space
from ..utils import Options, atomic_path, check_int, check_range, clip_range, is_int, renamed, short_repr
from ._checkpoint import check_provenance, search_provenance
from ._defaults import ROUND_SIZE, default_predictor, default_proposer
from ._fidelity import fill_stopped, stop_early
from ._round import MULTI_OBJECTIVE, fit_and_propose, initial_design, search_seed

__all__ = ["run_search"]

_COLUMNS = ["round", "row", "arch", "value", "predicted", "elapsed"]


def _objective(objective, space, metric):
    """``(space, f)``: a benchmark's maximised metric(s), or a callable on rows with its space."""
    if hasattr(objective, "objective") and isinstance(getattr(objective, "space", None), Space):
        if space is not None and space != objective.space:
            raise ValueError("space differs from the benchmark's space; leave space=None")
        # a sample table (e.g. of NAS-Bench-101) is searched within its rows
        search_space = getattr(objective, "search_space", objective.space)
        if isinstance(metric, str):
            return search_space, objective.objective(metric)
        fs = [objective.objective(m) for m in metric]
        return search_space, lambda X: np.stack([f(X) for f in fs], axis=1)
    if not callable(objective):
        raise TypeError(f"objective must be a benchmark (with .space and .objective(metric)) or a callable on rows; "
                        f"got {type(objective).__name__}")
    if not isinstance(space, Space):
        raise ValueError("a callable objective needs the space its rows belong to: pass space=...")
    return space, objective


def run_search(objective, space: Space | None = None, *, budget: int, predictor=None, proposer=None,
               n_initial: int = 10, round_size: int = ROUND_SIZE, metric: str = "valid", random_state=None,
               history=None, checkpoint: str | os.PathLike | None = None, constraints=None, verbose: int = 0,
               batch_size: int | None = None, multi_objective: str = "mixed", short=None, prior=None,
               one_shot: bool = False, value_range=None):
    """Search architectures: random ones first, then rounds of fit -> propose -> evaluate.

    Parameters
    ----------
    objective : benchmark or callable
        A benchmark such as :class:`~sknas.datasets.TabularBenchmark` (its
        ``objective(metric)`` is maximised: minimised metrics are negated), or a
        function taking a 2-D array of rows and returning one value per row
        (higher is better), or an array of shape ``(n_rows, k)`` for ``k``
        objectives (each maximised: negate costs), whose Pareto front the
        search approximates (see ``multi_objective``). A NaN value records a failed
        evaluation: it counts against the budget, is never learned from, and is
        not proposed again.
    space : Space, default=None
        The space of the rows; needed with a callable objective.
    budget : int
        Total number of evaluated architectures; the loop always stops there.
    predictor : estimator, default=None
        Anything with ``fit(X, y)`` and ``predict(X)`` on rows of ``space``
        (cloned every round; see :class:`~sknas.proposers.Predictor`).
        Default: :func:`~sknas.search.default_predictor`.
    proposer : BaseProposer, default=None
        Default: :func:`~sknas.search.default_proposer`.
    n_initial : int, default=10
        Random architectures (distinct up to equivalence) evaluated before the first fit.
    round_size : int, default=3
        Architectures proposed and evaluated per round (:data:`~sknas.search.ROUND_SIZE`).
    metric : str or sequence of str, default="valid"
        Benchmark metric used as objective; several (e.g. ``["valid",
        "latency_pixel3"]``) for a multi-objective search.
    random_state : int, Generator or None
        Seeds the initial design and, through
        :func:`~sknas.search.round_seed`, every round.
    history : pandas.DataFrame, default=None
        The history of an earlier call (or its first rounds) to continue from:
        its evaluations are not repeated. With the same ``random_state`` (and
        ``round_size``) the continued search is the one an uninterrupted call
        would have made. A round is evaluated in one call of the objective, so
        a checkpoint always holds whole rounds.
    checkpoint : path-like, default=None
        A CSV file holding the history: read (and continued from) when it
        exists, rewritten atomically after every evaluated round, so an
        interrupted search loses no evaluation. It records the search that
        wrote it (space with its constraints, objective, metric, integer
        seed, prior fingerprint, sknas version, in a ``search`` column): a checkpoint of another
        search raises ``ValueError`` before anything is evaluated; another
        sknas version, or a checkpoint that records nothing, gives a warning.
        In any history, a non-finite value counts as a failed evaluation, and
        a repeated architecture or a row that is not integer choice indices
        raises ``ValueError``.
    constraints : Constraint, list of Constraint or dict, default=None
        Bounds on costs (e.g. ``{"params": 0.4}``, or
        ``Constraint(bench.cost("latency_pixel3"), max_value=5)``): nothing that
        breaks one is ever evaluated, the initial random architectures
        included (the search runs in a :class:`~sknas.spaces.ConstrainedSpace`).
    verbose : int, default=0
        1 prints one line per round to stderr.
    batch_size : int, default=None
        Deprecated alias of ``round_size``.
    multi_objective : {"mixed", "parego", "hvi"}, default="mixed"
        How a round of a search with several objectives proposes: a ParEGO
        scalarisation with random weights, the hypervolume improvement a
        predictor per objective predicts, or either, drawn evenly per round
        (see :func:`~sknas.search.fit_and_propose`). Ignored with one objective.
    short : str or callable, default=None
        A short training, evaluated first: a metric of the benchmark
        ``objective`` (e.g. ``"valid_12"``, NAS-Bench-201's 12-epoch
        accuracy) or a function of rows like ``objective``. An architecture
        is then evaluated in full only when it may beat the best so far
        (:func:`~sknas.search.stop_early`, the rule of
        :class:`~sknas.pruners.PredictorPruner`); ``budget`` counts full
        evaluations. Stopped ones are learned from at the final value their
        short one predicts (:func:`~sknas.search.predict_final`). One
        objective only.
    prior : (X, y), TabularBenchmark or list of those, default=None
        What other tasks measured on rows of ``space`` (:func:`~sknas.predictors.check_prior`): the search
        then starts from the prior's best rows instead of ``n_initial`` random ones, and every round
        combines the priors with the predictor by how well each ranks the evaluations so far
        (:class:`~sknas.predictors.RankWeightedPrior`); see the guide on priors.
    one_shot : bool, default=False
        The protocol of the Neural Predictor (Wen et al. 2020): the predictor is fitted once, on the
        random evaluations before the first proposal (``n_initial`` of them), and every round takes the
        next best architectures of that one ranking, so the search trains ``n_initial`` random
        architectures and then the top ``budget - n_initial`` of the ranking. ``round_size`` only sets
        how many are evaluated (and checkpointed) at a time: ``round_size=budget - n_initial`` fits once;
        smaller rounds refit the same data with the same seed, and so repeat the same ranking. Not with
        ``prior``.
    value_range : (float, float), default=None
        The closed interval the objective's values lie in, e.g. ``(0, 100)``
        for an accuracy in %. A predictor extrapolates (to accuracies above
        100%, say): the ``predicted`` column is clipped to this interval,
        while proposals are still ranked on the raw predictions. Default: a
        benchmark objective's
        :meth:`~sknas.datasets.TabularBenchmark.objective_range` of ``metric``
        (``(0, 100)`` for the accuracies of the bundled benchmarks), no
        clipping for a callable objective. Ignored with several objectives
        or a ``prior`` (``predicted`` is then an acquisition value, or a
        combined score of ranks).

    Returns
    -------
    history : pandas.DataFrame
        One row per evaluation, in order: ``round`` (0 = initial random),
        ``row`` (tuple of choice indices), ``arch`` (native form), ``value``
        (NaN for a failed evaluation), ``predicted`` (the predictor's value
        when proposed, clipped to ``value_range``; NaN in round 0 and with a
        proposer that needs no predictor), ``elapsed`` (seconds since the
        start) and ``best`` (best value so far); with ``short``, also ``short`` (its value) and
        ``stopped`` (evaluated at the short training only; ``value`` NaN).
        With ``k`` objectives, ``value_1`` ... ``value_k`` replace ``value``
        (as maximised), ``predicted`` is the round's
        acquisition value (the scalarised value, or the predicted hypervolume
        improvement), and ``pareto`` (whether the evaluation is on the Pareto
        front of all of them) replaces ``best``.

    Raises
    ------
    ValueError
        On bad arguments, before anything is evaluated; when the objective
        returns the wrong number of values (the round's rows are then not
        recorded; the checkpoint keeps every earlier round).
    """
    import pandas as pd

    round_size = renamed("batch_size", batch_size, "round_size", round_size)
    space, f = _objective(objective, space, metric)
    f_short = None if short is None else _short(objective, space, short, metric)
    if constraints is not None:
        space = ConstrainedSpace(space, constraints)
    budget, n_initial, round_size = (check_int(v, name) for name, v in
                                     (("budget", budget), ("n_initial", n_initial), ("round_size", round_size)))
    Options(MULTI_OBJECTIVE)("multi_objective", multi_objective)
    value_range = check_range(value_range, "value_range", allow_none=True)
    if value_range is None and isinstance(metric, str) and hasattr(objective, "objective_range"):
        value_range = objective.objective_range(metric)
    predictor = default_predictor(space) if predictor is None else predictor
    proposer = default_proposer() if proposer is None else proposer
    if not callable(getattr(proposer, "propose", None)):
        raise TypeError(f"proposer must be a sknas proposer (with .propose); got {type(proposer).__name__}")
    if not all(callable(getattr(predictor, m, None)) for m in ("fit", "predict", "get_params")):
        raise TypeError(f"predictor must be an estimator with fit / predict / get_params; "
                        f"got {type(predictor).__name__}")
    seed, rng = search_seed(random_state)
    priors = check_prior(prior, space)
    if one_shot and priors:
        raise ValueError("one_shot=True learns from the random initial evaluations only; it takes no prior")

    checkpoint = None if checkpoint is None else Path(checkpoint)
    name = f"{getattr(objective, 'name', '')}:{getattr(objective, 'dataset', '')}" if hasattr(objective, "objective") \
        else getattr(objective, "__qualname__", type(objective).__name__)
    provenance = search_provenance(space, name, metric, random_state, priors)
    if checkpoint is not None and history is None and checkpoint.is_file():
        history = pd.read_csv(checkpoint)
        check_provenance(_saved_provenance(history, checkpoint), provenance, checkpoint)
    records = _records(history, space)
    t0 = time.perf_counter() - (records[-1]["elapsed"] if records else 0.0)

    def evaluate(X, predicted, round_):
        stopped = np.zeros(len(X), dtype=bool)
        if f_short is None:
            return write(X, f(X), predicted, round_, np.full(len(X), np.nan), stopped)
        s = np.asarray(f_short(X), dtype=np.float64).ravel()
        if s.shape != (len(X),):
            raise ValueError(f"short returned {s.size} values for {len(X)} architectures")
        for i in range(len(X)):
            stopped[i] = _stop(records, s[i], list(s[:i]))
        y = np.full((len(X), 1), np.nan)
        if (~stopped).any():
            y[~stopped] = np.asarray(f(X[~stopped]), dtype=np.float64).reshape(int((~stopped).sum()), -1)[:, :1]
        write(X, y, predicted, round_, s, stopped)

    def write(X, y, predicted, round_, s, stopped):
        y = np.asarray(y, dtype=np.float64)
        y = y.reshape(len(y), -1) if y.ndim == 2 else y.reshape(-1, 1)
        k = len(records[0]["value"]) if records else y.shape[1]
        if y.shape[0] != len(X):
            raise ValueError(f"the objective returned {y.shape[0]} values for {len(X)} architectures")
        if y.shape[1] != k:
            raise ValueError(f"the objective returned {y.shape[1]} objectives per architecture; earlier, {k}")
        y[~np.isfinite(y).all(axis=1)] = np.nan  # a failed evaluation
        now = time.perf_counter() - t0
        for r, v, p, u, st in zip(X, y, predicted, s, stopped):
            records.append(dict(round=round_, row=tuple(int(c) for c in r), arch=space.to_string(r),
                                value=tuple(float(c) for c in v), predicted=float(p), elapsed=now,
                                short=float(u), stopped=bool(st)))
        if checkpoint is not None:
            with atomic_path(checkpoint) as tmp:
                _frame(records).assign(search=json.dumps(provenance, sort_keys=True)).to_csv(tmp, index=False)

    def n_full():
        return sum(not r["stopped"] for r in records)

    if not records and not priors:
        first = initial_design(space, min(n_initial, budget), rng)
        evaluate(first, np.full(len(first), np.nan), 0)
    while n_full() < budget:
        X_all = np.array([r["row"] for r in records], dtype=np.int64).reshape(-1, space.n_decisions)
        y_all = _learned_values(records) if records else np.empty((0, 1))
        y_all = y_all[:, 0] if y_all.shape[1] <= 1 else y_all
        ok = np.isfinite(y_all) if y_all.ndim == 1 else np.isfinite(y_all).all(axis=1)
        if one_shot:  # learn from the random evaluations only: those before the first proposal
            ok[next((i for i, r in enumerate(records) if np.isfinite(r["predicted"])), len(records)):] = False
        if ok.sum() < 2 and not priors:  # nothing to learn from yet: more random architectures
            X_new = initial_design(space, min(round_size, budget - n_full()), rng, exclude=X_all)
            if len(X_new) == 0:
                break
            evaluate(X_new, np.full(len(X_new), np.nan), records[-1]["round"] + 1)
            continue
        round_ = records[-1]["round"] + 1 if records else 0
        t_fit = time.perf_counter()
        k = min(round_size, budget - n_full())
        model, X_new = fit_and_propose(predictor, proposer, X_all[ok], y_all[ok], k, seed=seed, exclude=X_all[~ok],
                                       space=space, multi_objective=multi_objective, prior=priors)
        if len(X_new) == 0:
            break
        fit_time = time.perf_counter() - t_fit
        predicted = np.full(len(X_new), np.nan) if model is None else model.predict(X_new)
        evaluate(X_new, clip_range(predicted, value_range if y_all.ndim == 1 and not priors else None), round_)
        if verbose:
            best = ", ".join(f"{b:.4f}" for b in np.nanmax([r["value"] for r in records], axis=0))
            print(f"[sknas] round {round_}: {n_full()}/{budget} evaluated, best {best}, "
                  f"fit + propose {fit_time:.2f} s", file=sys.stderr)
    return _frame(records)


def _short(objective, space, short, metric):
    """The short training of ``run_search(short=...)``: a function of rows."""
    if not isinstance(metric, str):
        raise ValueError("short: a short training needs one objective (metric is a single name)")
    if isinstance(short, str):
        if not hasattr(objective, "objective"):
            raise ValueError(f"short={short!r}: a metric name needs a benchmark objective; with a callable "
                             "objective, pass a callable short training")
        return _objective(objective, space, short)[1]
    if not callable(short):
        raise TypeError(f"short must be a benchmark metric name or a callable on rows; got {type(short).__name__}")
    return short


def _stop(records, value: float, batch: list) -> bool:
    """Whether an architecture whose short training gave ``value`` stops there (see
    :func:`~sknas.search.stop_early`), given the search's ``records`` and the short values ``batch`` of its
    round judged before it."""
    ref = np.array([(r["short"], r["value"][0]) for r in records
                    if not r["stopped"] and np.isfinite(r["short"]) and np.isfinite(r["value"][0])]).reshape(-1, 2)
    seen = [r["short"] for r in records if np.isfinite(r["short"])] + batch
    return bool(stop_early([value], ref[:, 0], ref[:, 1], seen)[0])


def _learned_values(records) -> np.ndarray:
    """The value of every record a round learns from: its own, or for one stopped at its short training the
    final value that predicts (:func:`~sknas.search.fill_stopped`; NaN before there is a reference)."""
    y = np.array([r["value"] for r in records], dtype=np.float64)
    y[:, 0] = fill_stopped([r["short"] for r in records], y[:, 0], [r["stopped"] for r in records])
    return y


def _saved_provenance(history, path) -> dict | None:
    """The search a checkpoint CSV records (its ``search`` column), or None when it records none."""
    if "search" not in getattr(history, "columns", ()) or not len(history):
        return None
    try:
        return json.loads(history["search"].iloc[0])
    except (TypeError, ValueError):
        raise ValueError(f"checkpoint {str(path)!r} is damaged (its search column is not a record); remove it or "
                         "pass another path") from None


def _records(history, space: Space) -> list[dict]:
    """The evaluations of an earlier history (a DataFrame, e.g. read back from a checkpoint CSV)."""
    if history is None:
        return []
    columns = list(getattr(history, "columns", ()))
    values = ["value"] if "value" in columns else [c for c in columns if c.startswith("value_")]
    missing = [c for c in ("round", "row") if c not in columns] + ([] if values else ["value"])
    if missing:
        raise ValueError(f"history lacks the columns {missing}; pass a DataFrame returned by run_search")
    rows = [_parse_row(r) for r in history["row"]]
    try:
        X = np.asarray(rows, dtype=np.int64).reshape(len(rows), space.n_decisions)
    except (OverflowError, ValueError):
        raise ValueError(f"history rows must hold {space.n_decisions} choice indices each") from None
    X = space.check_rows(X, name="history rows")
    keys = space.row_keys(X) if len(X) else []
    if len(set(keys)) < len(keys):
        first = next(i for i, k in enumerate(keys) if keys.index(k) != i)
        raise ValueError(f"history row {first} repeats an earlier architecture ({space.to_string(X[first])}); a "
                         "search evaluates each architecture once")
    out = []
    for i, r in enumerate(X):
        value = tuple(float(history[c].iloc[i]) for c in values)
        value = value if np.all(np.isfinite(value)) else (np.nan,) * len(value)  # as a failed evaluation
        out.append(dict(round=int(history["round"].iloc[i]), row=tuple(int(c) for c in r),
                        arch=space.to_string(r), value=value,
                        predicted=float(history["predicted"].iloc[i]) if "predicted" in history else np.nan,
                        elapsed=float(history["elapsed"].iloc[i]) if "elapsed" in history else 0.0,
                        short=float(history["short"].iloc[i]) if "short" in history else np.nan,
                        stopped=bool(history["stopped"].iloc[i]) if "stopped" in history else False))
    return out


def _parse_row(value) -> tuple[int, ...]:
    """A row from a history cell: a tuple of integers, or its text ``"(3, 3, 4)"`` as written to CSV.

    Nothing is rounded: ``1.7`` or ``True`` is not a choice index (truncating them would turn distinct
    rows into duplicates).
    """
    if isinstance(value, str):
        parts = [p.strip() for p in value.strip().strip("()[]").split(",") if p.strip()]
        ok = all(p.lstrip("-").isdigit() for p in parts)
    else:
        parts = list(value) if isinstance(value, (tuple, list, np.ndarray)) else None
        ok = parts is not None and all(is_int(p) for p in parts)
    if not ok:
        raise ValueError(f"history row {short_repr(value, 60)} is not a tuple of choice indices")
    return tuple(int(p) for p in parts)


def _frame(records):
    import pandas as pd

    from ..metrics import pareto_front

    short = any(np.isfinite(r["short"]) for r in records)
    frame = pd.DataFrame.from_records(records, columns=_COLUMNS + (["short", "stopped"] if short else []))
    Y = np.array([r["value"] for r in records], dtype=np.float64).reshape(len(records), -1) if records else \
        np.empty((0, 1))
    if Y.shape[1] == 1:
        frame["value"] = Y[:, 0]
        frame["best"] = frame["value"].cummax().ffill()
        return frame
    frame = frame.drop(columns="value")
    at = frame.columns.get_loc("predicted")
    for j in range(Y.shape[1]):
        frame.insert(at + j, f"value_{j + 1}", Y[:, j])
    ok = np.isfinite(Y).all(axis=1)
    on_front = np.zeros(len(Y), dtype=bool)
    on_front[np.flatnonzero(ok)[pareto_front(Y[ok])]] = True
    frame["pareto"] = on_front
    return frame
