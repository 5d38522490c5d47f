"""What every proposer shares: constraints, acquisition, deduplication and ranking."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..spaces import Space
from ..utils import check_choice, rng_from

__all__ = ["Constraint", "BaseProposer", "ACQUISITIONS"]

ACQUISITIONS = ("mean", "ucb", "thompson")


@dataclass(frozen=True)
class Constraint:
    """An upper bound on a cost of the proposed architectures.

    Parameters
    ----------
    cost : {"params", "flops"} or callable
        A cost the space computes (``space.cost(X, kind)``), or a function of
        rows returning one value per row (e.g. a benchmark column:
        ``lambda X: bench.query(X, "latency")``).
    max_value : float
        Proposals with a cost above this are never returned.
    name : str, default=None
        Label for messages; defaults to the cost's name.
    """

    cost: str | Callable[[np.ndarray], np.ndarray]
    max_value: float
    name: str | None = None

    def __post_init__(self):
        if isinstance(self.cost, str):
            check_choice("Constraint.cost", self.cost, ("params", "flops"))
        elif not callable(self.cost):
            raise TypeError(f"Constraint.cost must be 'params', 'flops' or a callable; got {self.cost!r}")
        if not np.isfinite(self.max_value):
            raise ValueError(f"Constraint.max_value must be a finite number; got {self.max_value!r}")

    @property
    def label(self) -> str:
        return self.name or (self.cost if isinstance(self.cost, str) else getattr(self.cost, "__name__", "cost"))

    def values(self, space: Space, X: np.ndarray) -> np.ndarray:
        """The cost of each row."""
        out = space.cost(X, self.cost) if isinstance(self.cost, str) else self.cost(X)
        out = np.asarray(out, dtype=np.float64).reshape(-1)
        if out.shape != (len(X),) or not np.all(np.isfinite(out)):
            raise ValueError(f"constraint {self.label!r} must give one finite cost per row")
        return out


def check_constraints(constraints) -> list[Constraint]:
    """Normalise ``None``, a ``{cost: max_value}`` dict or a list of :class:`Constraint`."""
    if constraints is None:
        return []
    if isinstance(constraints, Constraint):
        return [constraints]
    if isinstance(constraints, Mapping):
        return [Constraint(k, float(v)) for k, v in constraints.items()]
    out = list(constraints)
    for c in out:
        if not isinstance(c, Constraint):
            raise TypeError(f"constraints must be Constraint objects or a {{cost: max_value}} dict; got {c!r}")
    return out


class BaseProposer:
    """Propose new architectures from a fitted predictor.

    Subclasses generate candidate rows (:meth:`_candidates`); this base class
    keeps those that are valid, satisfy every constraint, are not equivalent
    to an excluded row or to each other, and ranks them by the acquisition.

    Parameters
    ----------
    acquisition : {"mean", "ucb", "thompson"}, default="mean"
        How candidates are ranked: the predicted mean; mean + ``kappa`` x
        the ensemble's spread; or Thompson sampling over the ensemble (each
        proposal slot takes the best candidate of one randomly drawn member).
        The spread comes from the predictor's ``predict_members`` (as
        :class:`~sknas.ArchitectureRegressor` has); a predictor without it, or
        a single model, is ranked by its mean.
    kappa : float, default=1.0
        Weight of the spread for ``"ucb"``.
    constraints : dict or list of Constraint, default=None
        Upper bounds on costs, e.g. ``{"params": 0.5}``.
    """

    def __init__(self, *, acquisition: str = "mean", kappa: float = 1.0, constraints=None):
        self.acquisition = acquisition
        self.kappa = kappa
        self.constraints = constraints

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"

    # -------------------------------------------------------------- interface
    def propose(self, predictor, n: int, X_seen=None, y_seen=None, *, exclude=None, random_state=None) -> np.ndarray:
        """Return up to ``n`` new architectures, best first.

        Parameters
        ----------
        predictor : fitted ArchitectureRegressor
            Its ``space`` defines the rows.
        n : int
            Number of proposals.
        X_seen, y_seen : array-like, default=None
            Architectures evaluated so far and their values (higher is
            better); proposers start from the best of them. ``X_seen`` is
            also excluded from the proposals.
        exclude : array-like, default=None
            Further rows that must not be proposed (nor anything equivalent).
        random_state : int, Generator or None

        Returns
        -------
        X : ndarray of shape (n_proposed, n_decisions)
            Valid, mutually distinct (up to equivalence), none equivalent to an
            excluded row, every constraint met. Fewer than ``n`` only when the
            space holds no more such rows (with a warning).
        """
        check_choice("acquisition", self.acquisition, ACQUISITIONS)
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive integer; got {n!r}")
        space = getattr(predictor, "space_", None) or getattr(predictor, "space", None)
        if not isinstance(space, Space):
            raise ValueError("the predictor must be fitted on rows of a sknas space (its space is None)")
        rng = rng_from(random_state)
        X_seen, y_seen = self._check_seen(space, X_seen, y_seen)
        banned = set(space.row_keys(X_seen)) if len(X_seen) else set()
        if exclude is not None:
            ex = space.check_rows(exclude, name="exclude", require_valid=False)
            ex = ex[space.is_valid(ex)]
            if len(ex):
                banned |= set(space.row_keys(ex))
        constraints = check_constraints(self.constraints)

        # every candidate is predicted once: the predictions order the deduplication (each class keeps its
        # best-predicted row) and then the ranking
        cands = self._filter(space, self._candidates(predictor, space, n, X_seen, y_seen, rng, constraints),
                             constraints)
        P = self._predict(predictor, cands)
        keep = self._distinct(space, cands, P, banned)
        cands, P = cands[keep], P[:, keep]
        tries = 0
        while len(cands) < n and tries < 5:  # top up with random rows (e.g. when the search stalls)
            extra = self._filter(space, space.sample(max(4 * n, 256), rng), constraints)
            cands, P = np.concatenate([cands, extra]), np.concatenate([P, self._predict(predictor, extra)], axis=1)
            keep = self._distinct(space, cands, P, banned)
            cands, P = cands[keep], P[:, keep]
            tries += 1
        if len(cands) < n:
            warnings.warn(f"only {len(cands)} of the {n} requested proposals exist", RuntimeWarning, stacklevel=2)
        return cands[self._rank(P, n, rng)]

    def _candidates(self, predictor, space, n, X_seen, y_seen, rng, constraints) -> np.ndarray:
        raise NotImplementedError

    # ----------------------------------------------------------------- helpers
    @staticmethod
    def _check_seen(space, X_seen, y_seen):
        if X_seen is None:
            if y_seen is not None:
                raise ValueError("y_seen was given without X_seen")
            return np.empty((0, space.n_decisions), dtype=np.int64), np.empty(0)
        X_seen = space.check_rows(X_seen, name="X_seen")
        if y_seen is None:
            return X_seen, np.full(len(X_seen), np.nan)
        y_seen = np.asarray(y_seen, dtype=np.float64).reshape(-1)
        if len(y_seen) != len(X_seen):
            raise ValueError(f"y_seen has {len(y_seen)} values for {len(X_seen)} rows of X_seen")
        return X_seen, y_seen

    @staticmethod
    def _filter(space, X, constraints) -> np.ndarray:
        """The valid rows of ``X`` that satisfy every constraint (order kept)."""
        X = np.asarray(X, dtype=np.int64).reshape(-1, space.n_decisions)
        X = X[space.is_valid(X)] if len(X) else X
        for c in constraints:
            if len(X):
                X = X[c.values(space, X) <= c.max_value]
        return X

    @staticmethod
    def _predict(predictor, X) -> np.ndarray:
        """Predictions of shape (n_members, n): every ensemble member's, or one row of means."""
        if len(X) == 0:
            return np.empty((1, 0))
        members = getattr(predictor, "predict_members", None)
        P = members(X) if members is not None else predictor.predict(X)
        return np.atleast_2d(np.asarray(P, dtype=np.float64))

    @staticmethod
    def _distinct(space, X, P, banned: set) -> np.ndarray:
        """Indices of one row per equivalence class not in ``banned`` (its best-predicted one), best first."""
        if len(X) == 0:
            return np.empty(0, dtype=np.int64)
        order = np.argsort(-P.mean(axis=0), kind="stable")
        keys = space.row_keys(X[order])
        keep, seen = [], set(banned)
        for i, k in zip(order, keys):
            if k not in seen:
                seen.add(k)
                keep.append(i)
        return np.asarray(keep, dtype=np.int64)

    def _rank(self, P, n, rng) -> np.ndarray:
        """Indices of the ``n`` best candidates under the acquisition, from their predictions ``P``."""
        if P.shape[1] == 0:
            return np.empty(0, dtype=np.int64)
        mean, std = P.mean(axis=0), P.std(axis=0)
        if self.acquisition == "mean":
            return np.argsort(-mean, kind="stable")[:n]
        if self.acquisition == "ucb":
            return np.argsort(-(mean + float(self.kappa) * std), kind="stable")[:n]
        if len(P) == 1:  # Thompson sampling with a single model: nothing to draw from, rank by mean
            return np.argsort(-mean, kind="stable")[:n]
        taken = np.zeros(P.shape[1], dtype=bool)
        picks = []
        for _ in range(min(n, P.shape[1])):  # each slot: the best untaken row of one random member
            s = np.where(taken, -np.inf, P[rng.integers(len(P))])
            i = int(np.argmax(s))
            taken[i] = True
            picks.append(i)
        return np.asarray(picks, dtype=np.int64)

    @staticmethod
    def _best_seen(space, X_seen, y_seen, predictor, k: int) -> np.ndarray:
        """The ``k`` best evaluated rows (by value, or by prediction when values are unknown)."""
        if len(X_seen) == 0:
            return X_seen
        y = y_seen if np.all(np.isfinite(y_seen)) else np.asarray(predictor.predict(X_seen), dtype=np.float64)
        return X_seen[np.argsort(-y, kind="stable")[:k]]
