"""Priors from other tasks: what public tables already measured, combined with the target's own predictor.

A search on a new dataset is rarely the first of its space: NAS-Bench-201 says how its cells do on three image
datasets, NAS-Bench-Graph how its GNNs do on nine graph datasets, and the rankings carry over between related
tasks. :func:`check_prior` reads ``prior=`` (the one normaliser of every front end) and
:func:`fit_prior_model` fits, each round, a :class:`RankWeightedPrior`: one scorer per prior task and the
target's own predictor, weighted by how well each ranks the target's evaluations so far (ranking-weighted
ensembles, as RGPE of Feurer et al. 2018). A prior whose values are unrelated to the target loses the
comparisons against the target's cross-fitted predictor as evaluations come in, and its weight goes to zero.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..spaces import Space
from ._fitting import fit_predictor

__all__ = ["check_prior", "fit_prior_model", "best_prior_rows", "RankWeightedPrior", "PRIOR_ACCEPTED"]

#: what ``prior=`` accepts, for error messages and docs
PRIOR_ACCEPTED = ("an (X, y) pair (rows of the space searched and their values on another task, higher is "
                  "better), a tabular benchmark of the same space (its 'valid' metric), or a list of those")
#: target evaluations before the target's own predictor joins the combination (it is cross-fitted on folds)
MIN_TARGET = 5
#: folds of the target's cross-fitted predictions (each fold: one more fit of the predictor)
N_FOLDS = 3
#: bootstrap resamples of the target's evaluations that decide the weights
N_BOOTSTRAP = 256
#: a prior whose median bootstrap loss is above this percentile of the target predictor's takes no weight (RGPE)
DILUTION_PERCENTILE = 95
#: rows of the space the target's predictions are ranked against (its rank scale)
N_REFERENCE = 2000

#: a prior's best rows every round scores (:meth:`RankWeightedPrior.candidates`)
N_TOP = 100
#: the target's best evaluations whose neighbours every round scores
N_TOP_TARGET = 5

_FITTED_PRIORS: dict[tuple, object] = {}  # scorers of priors and predictors fitted on them, by data and predictor


def _is_table(obj) -> bool:
    """A tabular benchmark (duck-typed: predictors sit below datasets): rows ``X``, a ``space`` and ``objective``."""
    return all(hasattr(obj, a) for a in ("X", "space", "objective", "metrics"))


def _is_pair(obj) -> bool:
    return isinstance(obj, tuple) and len(obj) == 2 and not _is_table(obj[0]) and not isinstance(obj[0], tuple)


def _unconstrained(space: Space) -> Space:
    """The space under a :class:`~sknas.spaces.ConstrainedSpace` or :class:`~sknas.spaces.PoolSpace`: a prior's
    rows need not meet the search's bounds nor lie in its pool."""
    while isinstance(getattr(space, "base", None), Space):
        space = space.base
    return space


def _same_decisions(a: Space, b: Space) -> bool:
    a, b = _unconstrained(a), _unconstrained(b)
    return type(a) is type(b) and a.decision_names == b.decision_names and a.choices == b.choices


def check_prior(prior, space: Space) -> list[tuple[np.ndarray, np.ndarray]]:
    """``prior=`` of every front end, as a list of ``(X, y)`` pairs of rows of ``space`` (higher is better).

    Parameters
    ----------
    prior : None, (X, y), TabularBenchmark, or list of those
        ``(X, y)``: rows of ``space`` (array of shape ``(n, n_decisions)``) and their values on another
        task (finite, higher is better). A tabular benchmark of the same space gives its rows and its
        ``"valid"`` metric (its rows without a value are left out); for another metric pass
        ``(bench.X, bench.objective(metric)(bench.X))``.
    space : Space
        The space searched.

    Returns
    -------
    priors : list of (ndarray, ndarray)
        Empty for ``prior=None``.

    Raises
    ------
    ValueError
        For an empty prior, rows of another width or space, non-finite values, or X and y of different lengths.
    TypeError
        For anything else.
    """
    if prior is None:
        return []
    items = [prior] if _is_table(prior) or _is_pair(prior) else prior
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"prior must be {PRIOR_ACCEPTED}; got {type(prior).__name__}")
    if not len(items):
        raise ValueError(f"prior is empty; accepted: {PRIOR_ACCEPTED}")
    out = []
    for i, item in enumerate(items):
        where = "prior" if len(items) == 1 else f"prior[{i}]"
        if _is_table(item):
            if not _same_decisions(item.space, space):
                raise ValueError(f"{where} is a table of {item.space!r}, not of the space searched ({space!r}); "
                                 f"accepted: {PRIOR_ACCEPTED}")
            X = np.asarray(item.X, dtype=np.int64)
            y = np.asarray(item.objective("valid" if "valid" in item.metrics else next(iter(item.metrics)))(X),
                           dtype=np.float64)
            keep = np.isfinite(y)
            X, y = X[keep], y[keep]
        elif _is_pair(item):
            try:
                X = _unconstrained(space).check_rows(item[0], name=f"{where} X")
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}; accepted: {PRIOR_ACCEPTED}") from None
            try:
                y = np.asarray(item[1], dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(f"{where} y must hold numbers; accepted: {PRIOR_ACCEPTED}") from None
            if y.shape != (len(X),):
                raise ValueError(f"{where} y has shape {y.shape}; expected ({len(X)},), one value per row of X")
            if not np.isfinite(y).all():
                raise ValueError(f"{where} y holds {int((~np.isfinite(y)).sum())} NaN or infinite values; "
                                 "leave those rows out")
        else:
            raise TypeError(f"{where} must be {PRIOR_ACCEPTED}; got {type(item).__name__}")
        if len(X) < 2 or np.ptp(y) == 0:
            raise ValueError(f"{where} holds {len(X)} rows with {len(np.unique(y))} distinct values: a prior ranks "
                             f"at least two rows; accepted: {PRIOR_ACCEPTED}")
        out.append((X, y))
    return out


def best_prior_rows(priors: list, space: Space, n: int) -> np.ndarray:
    """The ``n`` rows of best mean rank over ``priors`` (:func:`check_prior`) among the rows they hold, valid in
    ``space`` and distinct up to equivalence: what a prior says to try first (``enqueue_trial`` of Optuna)."""
    scorers = [_PriorScorer(space, X, y, None) for X, y in priors]
    X = np.concatenate([X for X, _ in priors])
    X = X[space.unique(X)]
    X = X[space.is_valid(X)]
    scores = [s.held(X) for s in scorers]
    mean = np.nanmean(np.stack(scores), axis=0) if len(X) else np.empty(0)
    return X[np.argsort(-np.nan_to_num(mean, nan=-1.0), kind="stable")[:n]]


def _quantiles(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Where ``values`` fall among the sorted ``reference``, in [0, 1] (the mid-rank of ties)."""
    lo = np.searchsorted(reference, values, side="left")
    hi = np.searchsorted(reference, values, side="right")
    return (lo + hi) / (2.0 * len(reference))


class _PriorScorer:
    """A prior task's score of rows, on its rank scale: the quantile of its value among its rows.

    Exact for the rows it holds (up to equivalence); other rows are scored by ``predictor`` fitted once on
    the prior (cached for the process), ranked against its predictions of the prior's rows.
    """

    def __init__(self, space: Space, X: np.ndarray, y: np.ndarray, predictor):
        self.space, self.X, self.y, self.predictor = space, X, y, predictor
        self._sorted = np.sort(y)
        self._q = dict(zip(space.row_keys(X), _quantiles(self._sorted, y)))
        self.top = X[np.argsort(-y, kind="stable")[:N_TOP]]

    def _fitted(self):
        key = (hashlib.sha256(self.X.tobytes() + self.y.tobytes()).hexdigest(), repr(self.predictor.get_params()))
        if key not in _FITTED_PRIORS:
            model = fit_predictor(self.predictor, self.X, self.y, int(key[0][:7], 16))
            _FITTED_PRIORS[key] = (model, np.sort(model.predict(self.X)))
        return _FITTED_PRIORS[key]

    def held(self, X: np.ndarray) -> np.ndarray:
        """The rank of each row of ``X`` among the prior's rows; NaN for a row the prior does not hold."""
        return np.array([self._q.get(k, np.nan) for k in self.space.row_keys(X)], dtype=np.float64)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        q = self.held(X)
        missing = np.isnan(q)
        if missing.any():
            model, ref = self._fitted()
            q[missing] = _quantiles(ref, model.predict(X[missing]))
        return q


def _scorer(space: Space, X: np.ndarray, y: np.ndarray, predictor) -> _PriorScorer:
    """The scorer of a prior, built once per process (its rows' keys and ranks are the same every round)."""
    key = ("scorer", space, hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest(), repr(predictor.get_params()))
    if key not in _FITTED_PRIORS:
        if len(_FITTED_PRIORS) > 64:
            _FITTED_PRIORS.clear()
        _FITTED_PRIORS[key] = _PriorScorer(space, X, y, predictor)
    return _FITTED_PRIORS[key]


def _misordered(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``M[i, j]`` = 1 where ``y[i] < y[j]`` but the score ``s`` does not say so (a half for a tie in ``s``)."""
    worse = y[:, None] < y[None, :]
    return worse * ((s[:, None] > s[None, :]) + 0.5 * (s[:, None] == s[None, :]))


def _rank_weights(scores: list[np.ndarray], y: np.ndarray, rng: np.random.Generator, target: bool) -> np.ndarray:
    """The share of bootstrap resamples of the target's evaluations in which each scorer misorders the fewest
    pairs (ties split evenly): the ranking weights of RGPE.

    With ``target`` (the last scorer is the target's cross-fitted predictor), a prior whose median loss over the
    resamples exceeds the target's 95th percentile takes no weight: RGPE's guard against weight dilution, where
    many unrelated priors would each win a few resamples by chance and together outweigh the target.
    """
    M = np.stack([_misordered(s, y) for s in scores])
    counts = np.stack([np.bincount(rng.integers(len(y), size=len(y)), minlength=len(y))
                       for _ in range(N_BOOTSTRAP)]).astype(np.float64)
    losses = np.einsum("bi,kij,bj->bk", counts, M, counts)
    if target:
        diluting = np.median(losses[:, :-1], axis=0) > np.percentile(losses[:, -1], DILUTION_PERCENTILE)
        losses[:, :-1][:, diluting] = np.inf
    best = losses == losses.min(axis=1, keepdims=True)
    return (best / best.sum(axis=1, keepdims=True)).mean(axis=0)


class RankWeightedPrior:
    """A fitted combination of prior tasks and the target's own predictor, on a rank scale.

    Its prediction of a row is ``sum_k weights_[k] * q_k(row)``: ``q_k`` is the quantile of the row's value
    (or predicted value) among prior ``k``'s rows, and for the target's predictor (the last weight) among
    its predictions of ``N_REFERENCE`` random rows of the space. Built by :func:`fit_prior_model`; it has
    ``predict`` and ``predict_members`` (the target's ensemble members, each combined with the priors), so
    every proposer and acquisition that ranks candidates works with it unchanged.

    Attributes
    ----------
    space : Space
    weights_ : ndarray of shape (n_priors + 1,)
        The priors' weights, then the target predictor's (0 while it has fewer than ``MIN_TARGET``
        evaluations); they sum to 1.
    target_ : fitted estimator or None
        The target's predictor, fitted on all its evaluations (None while it has too few).
    """

    def __init__(self, space: Space, scorers: list, weights: np.ndarray, target=None, reference=None,
                 X=None, y=None):
        self.space, self.scorers_, self.weights_, self.target_ = space, scorers, weights, target
        self._reference = reference
        self._X = np.empty((0, space.n_decisions), dtype=np.int64) if X is None else X
        self._y = np.empty(0) if y is None else y

    def candidates(self) -> np.ndarray:
        """Rows worth scoring besides a proposer's own: the ``N_TOP`` best rows of each weighted prior and
        the neighbours (one decision changed) of the target's ``N_TOP_TARGET`` best evaluations."""
        rows = [s.top for w, s in zip(self.weights_, self.scorers_) if w > 0]
        for row in self._X[np.argsort(-self._y, kind="stable")[:N_TOP_TARGET]]:
            rows.append(self.space.neighbours(row))
        return np.concatenate(rows) if rows else np.empty((0, self.space.n_decisions), dtype=np.int64)

    def _prior_part(self, X: np.ndarray) -> np.ndarray:
        out = np.zeros(len(X))
        for w, scorer in zip(self.weights_, self.scorers_):
            if w > 0:
                out += w * scorer(X)
        return out

    def predict_members(self, X) -> np.ndarray:
        """Predictions of rows ``X``, one row per member of the target's predictor (one row without it)."""
        X = self.space.check_rows(X, require_valid=False)
        base = self._prior_part(X)
        w = self.weights_[-1]
        if self.target_ is None or w == 0:
            return base[None, :]
        members = getattr(self.target_, "predict_members", None)
        P = np.atleast_2d(members(X) if members is not None else self.target_.predict(X))
        return base[None, :] + w * np.stack([_quantiles(self._reference, p) for p in P])

    def predict(self, X) -> np.ndarray:
        """The combined score of rows ``X`` (higher is better; only its order is meaningful)."""
        return self.predict_members(X).mean(axis=0)


def fit_prior_model(predictor, X: np.ndarray, y: np.ndarray, priors: list, seed: int) -> RankWeightedPrior:
    """A round's :class:`RankWeightedPrior`: the priors and ``predictor`` fitted on the target's ``X, y``.

    The weights are the shares of ``N_BOOTSTRAP`` resamples of the target's evaluations (drawn from
    ``seed``) in which each model misorders the fewest pairs of them: the priors with their scores, the
    target's predictor with predictions cross-fitted on ``N_FOLDS`` folds (so it is not judged on what it
    was fitted on), once it has ``MIN_TARGET`` evaluations. With fewer than two distinct values the priors
    weigh the same (their mean rank) and the target's predictor nothing.

    Parameters
    ----------
    predictor : estimator
        The target's predictor (cloned, seeded and fitted as every round does).
    X, y : ndarray
        The target's evaluated rows and their values (higher is better); may be empty.
    priors : list of (X, y)
        From :func:`check_prior`.
    seed : int
        The round's seed.
    """
    space = predictor.space
    scorers = [_scorer(space, Xp, yp, predictor) for Xp, yp in priors]
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    rng = np.random.default_rng(seed)
    n = len(y)
    if n < 2 or np.ptp(y) == 0:
        return RankWeightedPrior(space, scorers, np.append(np.full(len(scorers), 1 / len(scorers)), 0.0), X=X, y=y)
    scores = [scorer(X) for scorer in scorers]
    target = reference = None
    if n >= MIN_TARGET:
        folds = rng.permutation(n) % N_FOLDS
        cross = np.empty(n)
        for f in range(N_FOLDS):
            model = fit_predictor(predictor, X[folds != f], y[folds != f], int(rng.integers(2**31 - 1)))
            cross[folds == f] = model.predict(X[folds == f])
        scores.append(cross)
        target = fit_predictor(predictor, X, y, seed)
        reference = np.sort(target.predict(space.sample(N_REFERENCE, rng)))
    weights = _rank_weights(scores, y, rng, target is not None)
    if target is None:
        weights = np.append(weights, 0.0)
    return RankWeightedPrior(space, scorers, weights, target, reference, X, y)
