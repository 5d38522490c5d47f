"""The fit / propose loop for scripts."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np

from ..datasets import TabularBenchmark
from ..proposers import default_predictor, default_proposer
from ..spaces import Space
from ..utils import rng_from

__all__ = ["run_search"]


def _objective(objective, space, metric):
    if isinstance(objective, TabularBenchmark):
        bench = objective
        if space is not None and space != bench.space:
            raise ValueError("space differs from the benchmark's space; leave space=None")
        sign = 1.0 if bench.maximize.get(metric, True) else -1.0
        bench._check_metric(metric)
        return bench.space, (lambda X: sign * bench.query(X, metric))
    if not callable(objective):
        raise TypeError(f"objective must be a TabularBenchmark or a callable on rows; got {type(objective).__name__}")
    if not isinstance(space, Space):
        raise ValueError("a callable objective needs the space its rows belong to: pass space=...")
    return space, objective


def run_search(objective: TabularBenchmark | Callable[[np.ndarray], np.ndarray], space: Space | None = None, *,
               budget: int, predictor=None, proposer=None, n_initial: int = 10, batch_size: int = 10,
               metric: str = "valid", random_state=None, verbose: int = 0):
    """Search architectures: random ones first, then rounds of fit -> propose -> evaluate.

    Parameters
    ----------
    objective : TabularBenchmark or callable
        A benchmark (its ``metric`` is queried; minimised metrics are negated
        so that higher is always better), or a function taking a 2-D array of
        rows and returning one value per row (higher is better).
    space : Space, default=None
        The space of the rows; needed with a callable objective.
    budget : int
        Total number of evaluated architectures; the loop always stops there.
    predictor : estimator, default=None
        Anything with ``fit(X, y)`` and ``predict(X)`` on rows of ``space``
        (cloned every round). Default: :func:`default_predictor`.
    proposer : BaseProposer, default=None
        Default: :func:`default_proposer`.
    n_initial : int, default=10
        Random architectures evaluated before the first fit.
    batch_size : int, default=10
        Architectures proposed and evaluated per round.
    metric : str, default="valid"
        Benchmark metric used as objective.
    random_state : int, Generator or None
    verbose : int, default=0
        1 prints one line per round to stderr.

    Returns
    -------
    history : pandas.DataFrame
        One row per evaluation, in order: ``round`` (0 = initial random),
        ``row`` (tuple of choice indices), ``arch`` (native form), ``value``,
        ``predicted`` (the predictor's value when proposed; NaN in round 0),
        ``best`` (best value so far) and ``elapsed`` (seconds since the start).
    """
    import pandas as pd
    from sklearn.base import clone

    space, f = _objective(objective, space, metric)
    for name, v, low in (("budget", budget, 1), ("n_initial", n_initial, 1), ("batch_size", batch_size, 1)):
        if not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {v!r}")
    rng = rng_from(random_state)
    seed = int(rng.integers(2**31 - 1))
    predictor = default_predictor(space, seed) if predictor is None else predictor
    proposer = default_proposer() if proposer is None else proposer

    t0 = time.perf_counter()
    records: list[dict] = []
    X_all = np.empty((0, space.n_decisions), dtype=np.int64)
    y_all = np.empty(0)

    def evaluate(X, predicted, round_):
        nonlocal X_all, y_all
        y = np.asarray(f(X), dtype=np.float64).reshape(-1)
        if y.shape != (len(X),):
            raise ValueError(f"the objective returned {y.shape[0]} values for {len(X)} architectures")
        if not np.all(np.isfinite(y)):
            raise ValueError("the objective returned NaN or infinite values")
        X_all = np.concatenate([X_all, X])
        y_all = np.concatenate([y_all, y])
        now = time.perf_counter() - t0
        for r, v, p in zip(X, y, predicted):
            records.append(dict(round=round_, row=tuple(int(c) for c in r), arch=space.to_string(r), value=float(v),
                                predicted=float(p), elapsed=now))

    first = space.sample(4 * min(n_initial, budget) + 16, rng)
    first = first[space.unique(first)][: min(n_initial, budget)]
    evaluate(first, np.full(len(first), np.nan), 0)
    round_ = 0
    while len(X_all) < budget:
        round_ += 1
        t_fit = time.perf_counter()
        model = clone(predictor)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed + round_)
        model.fit(X_all, y_all)
        fit_time = time.perf_counter() - t_fit
        k = min(batch_size, budget - len(X_all))
        X_new = proposer.propose(model, k, X_all, y_all, random_state=rng)
        if len(X_new) == 0:
            break
        evaluate(X_new, model.predict(X_new), round_)
        if verbose:
            print(f"[sknas] round {round_}: {len(X_all)}/{budget} evaluated, best {y_all.max():.4f}, "
                  f"fit {fit_time:.2f} s", file=sys.stderr)
    history = pd.DataFrame.from_records(records)
    history["best"] = history["value"].cummax()
    return history
