"""One search round, written once for every front end: the initial design, the round seed, fit -> propose.

The loop (:func:`~sknas.search.run_search`), :class:`~sknas.search.PredictorSearchCV` and the Optuna
samplers (:mod:`sknas.samplers`) are thin adapters over these functions, with one seeding rule: a front
end holds one integer ``seed``; a round's predictor and proposer both get ``round_seed(seed, X, y)``, a
hash of that seed and of the data the round is fitted on. A round therefore depends on nothing but the
seed and the history, in any process or on any machine: a search resumed from its history continues
exactly as it would have, and every worker of a distributed study computes the same round.
"""

from __future__ import annotations

import hashlib

import numpy as np
from sklearn.base import clone

from ..spaces import Space
from ..utils import rng_from, seed_from

__all__ = ["search_seed", "initial_design", "round_seed", "scalarise", "fit_predictor", "fit_and_propose"]


def search_seed(random_state) -> tuple[int, np.random.Generator]:
    """The seed of a search and the generator of its initial design, from a front end's ``random_state``."""
    rng = rng_from(random_state)
    return int(rng.integers(2**31 - 1)), rng


def initial_design(space: Space, n: int, random_state=None, *, exclude=None) -> np.ndarray:
    """Up to ``n`` uniformly drawn valid rows, distinct up to equivalence, none equivalent to ``exclude``.

    Parameters
    ----------
    space : Space
    n : int
        Number of rows.
    random_state : int, Generator or None
    exclude : array-like of rows, default=None
        Architectures not to draw (nor anything equivalent).

    Returns
    -------
    X : ndarray of shape (n_drawn, n_decisions)
        ``n_drawn < n`` only when the space has (almost) no further architectures.
    """
    rng = rng_from(random_state)
    excluded = set(space.row_keys(exclude)) if exclude is not None and len(exclude) else set()
    out: list[np.ndarray] = []
    for _ in range(20):
        cand = space.sample(max(64, 4 * n + 16), rng)
        for row, key in zip(cand, space.row_keys(cand)):
            if len(out) == n:
                break
            if key not in excluded:
                excluded.add(key)
                out.append(row)
        if len(out) == n:
            break
    return np.asarray(out, dtype=np.int64).reshape(len(out), space.n_decisions)


def round_seed(seed: int, X: np.ndarray, y: np.ndarray) -> int:
    """The seed of the round fitted on rows ``X`` with values ``y``: a hash of ``seed`` and the data."""
    X = np.ascontiguousarray(X, dtype=np.int64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    return seed_from(int(seed), (len(X), hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest()))


def scalarise(Y: np.ndarray, random_state=None) -> np.ndarray:
    """ParEGO's scalarisation (Knowles 2006) of several maximised objectives, with a random weight vector.

    Each objective is scaled to [0, 1] over the rows given (1 = the best value seen); with weights ``w``
    drawn uniformly from the simplex, a row's value is ``-(max_i w_i d_i + 0.05 sum_i w_i d_i)``, where
    ``d_i = 1 - scaled objective i`` (an augmented Chebyshev distance from the ideal point). Its
    maxima are Pareto-optimal, and every Pareto-optimal row is the maximum for some ``w``: a search that
    draws a new ``w`` every round covers the whole front, with a single-objective predictor and proposer.

    Parameters
    ----------
    Y : ndarray of shape (n, n_objectives)
        Objective values, larger is better in every column.
    random_state : int, Generator or None
        Draws the weights.

    Returns
    -------
    y : ndarray of shape (n,)
        Larger is better.
    """
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim != 2 or Y.shape[1] < 2:
        raise ValueError(f"Y must have one column per objective (at least two); got shape {Y.shape}")
    w = rng_from(random_state).dirichlet(np.ones(Y.shape[1]))
    lo, hi = Y.min(axis=0), Y.max(axis=0)
    d = w * (hi - Y) / np.where(hi > lo, hi - lo, 1.0)
    return -(d.max(axis=1) + 0.05 * d.sum(axis=1))


def fit_predictor(predictor, X: np.ndarray, y: np.ndarray, seed: int):
    """A fresh clone of ``predictor``, seeded with ``seed`` (when it has ``random_state``), fitted on ``X, y``."""
    model = clone(predictor)
    if "random_state" in model.get_params():
        model.set_params(random_state=seed)
    return model.fit(X, y)


def fit_and_propose(predictor, proposer, X: np.ndarray, y: np.ndarray, n: int, *, seed: int, exclude=None,
                    space: Space | None = None):
    """One round: fit a clone of ``predictor`` on ``X, y`` and let ``proposer`` propose ``n`` new rows.

    Parameters
    ----------
    predictor : estimator
        Cloned, seeded and fitted (:func:`fit_predictor`); see :class:`~sknas.proposers.Predictor`.
    proposer : BaseProposer
    X, y : ndarray
        Evaluated rows and their values (finite, higher is better); ``y`` of shape ``(len(X), k)`` holds
        ``k`` objectives, which the round turns into one with :func:`scalarise` (seeded by the round).
    n : int
        Number of proposals.
    seed : int
        The front end's seed; the round uses :func:`round_seed` of it and of ``X, y``.
    exclude : array-like of rows, default=None
        Further rows not to propose (e.g. failed or running evaluations).
    space : Space, default=None
        The space the front end searches, when narrower than the predictor's
        (a :class:`~sknas.spaces.PoolSpace`); default: the predictor's.

    Returns
    -------
    model : fitted estimator
    X_new : ndarray of shape (n_proposed, n_decisions)
        Best first; see :meth:`~sknas.proposers.BaseProposer.propose`.
    """
    s = round_seed(seed, X, y)
    if np.ndim(y) == 2:
        y = scalarise(y, seed_from(s, "weights"))
    model = fit_predictor(predictor, X, y, s)
    return model, proposer.propose(model, n, X, y, exclude=exclude, random_state=s,
                                   **({} if space is None else {"space": space}))
