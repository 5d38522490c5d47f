"""What every proposer shares: the predictor protocol, constraints, acquisition, deduplication and ranking."""

from __future__ import annotations

import warnings
from typing import Protocol, runtime_checkable

import numpy as np

from ..spaces import Constraint, Space, check_constraints
from ..utils import Options, Real, check_int, rng_from, validate_params

__all__ = ["Constraint", "BaseProposer", "ACQUISITIONS", "Predictor", "EnsemblePredictor", "DifferentiablePredictor"]

ACQUISITIONS = ("mean", "ucb", "thompson", "its")


@runtime_checkable
class Predictor(Protocol):
    """What a proposer needs of a fitted predictor: the hook between predictors and proposers.

    Any object with these members can drive every proposer (it need not be an
    :class:`~sknas.ArchitectureRegressor`); the search front ends fit a clone of
    it every round with ``fit(X, y)`` first.

    Attributes
    ----------
    space : Space
        The space whose rows the predictor scores; proposals are rows of it.

    Methods
    -------
    predict(X)
        ``X``: 2-D int array of valid rows of ``space``. Returns a float array of
        shape ``(len(X),)``, larger is better (only the order matters to
        ``acquisition="mean"``).

    See Also
    --------
    EnsemblePredictor : adds ``predict_members`` (spread for ``"ucb"`` / ``"thompson"``).
    DifferentiablePredictor : adds ``predict_relaxed`` (needed by :class:`GradientAscentProposer`).

    Examples
    --------
    A predictor that knows nothing but a cost, preferring small networks:

    >>> import numpy as np
    >>> from sknas.spaces import NASBench201Space
    >>> from sknas.proposers import Predictor, RandomRankProposer
    >>> class Smallest:
    ...     space = NASBench201Space()
    ...     def predict(self, X):
    ...         return -self.space.params(X)
    >>> isinstance(Smallest(), Predictor)
    True
    >>> RandomRankProposer().propose(Smallest(), 1, random_state=0).shape
    (1, 6)
    """

    space: Space

    def predict(self, X) -> np.ndarray: ...


@runtime_checkable
class EnsemblePredictor(Predictor, Protocol):
    """A :class:`Predictor` with ``predict_members(X)``: one row of predictions per ensemble member.

    Returns an array of shape ``(n_members, len(X))`` whose mean over members is
    ``predict(X)``. ``acquisition="ucb"`` uses its spread, ``"thompson"`` draws one
    member per proposal; without it (or with one member) both rank by the mean.
    """

    def predict_members(self, X) -> np.ndarray: ...


@runtime_checkable
class DifferentiablePredictor(Predictor, Protocol):
    """A :class:`Predictor` with ``predict_relaxed(Z)``, differentiable in the relaxed rows.

    ``Z`` is a ``torch.Tensor`` of shape ``(n, space.n_features_onehot)``, one
    probability simplex per decision (:meth:`~sknas.spaces.Space.relax`); it returns
    a tensor of shape ``(n,)`` equal to ``predict`` on one-hot ``Z``.
    :class:`GradientAscentProposer` ascends its gradient.
    """

    def predict_relaxed(self, Z): ...


class BaseProposer:
    """Propose new architectures from a fitted predictor.

    Subclasses generate candidate rows (:meth:`_candidates`); this base class
    keeps those that are valid, satisfy every constraint, are not equivalent
    to an excluded row or to each other, and ranks them by the acquisition.
    Parameters are declared in ``_parameter_constraints`` and checked when
    :meth:`propose` is called.

    Parameters
    ----------
    acquisition : {"mean", "ucb", "thompson", "its"}, default="mean"
        How candidates are ranked: the predicted mean; mean + ``kappa`` x
        the ensemble's spread; Thompson sampling over the ensemble (each
        proposal slot takes the best candidate of one randomly drawn member);
        or independent Thompson sampling (BANANAS): one draw per candidate
        from a normal with the ensemble's mean and spread, best draws first.
        The spread comes from the predictor's ``predict_members``
        (:class:`EnsemblePredictor`); a predictor without it, or a single
        model, is ranked by its mean.
    kappa : float, default=1.0
        Weight of the spread for ``"ucb"``.
    constraints : dict or list of Constraint, default=None
        Upper bounds on costs, e.g. ``{"params": 0.5}``.
    """

    _parameter_constraints: dict = {"acquisition": Options(ACQUISITIONS), "kappa": Real(0.0)}
    #: whether the proposer needs a :class:`DifferentiablePredictor` (``predict_relaxed``)
    needs_differentiable: bool = False

    def __init__(self, *, acquisition: str = "mean", kappa: float = 1.0, constraints=None):
        self.acquisition = acquisition
        self.kappa = kappa
        self.constraints = constraints

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"

    def _validate(self) -> None:
        constraints = {}
        for cls in reversed(type(self).__mro__):  # the base's constraints and every subclass's
            constraints.update(vars(cls).get("_parameter_constraints", {}))
        validate_params(self, constraints)

    # -------------------------------------------------------------- interface
    def propose(self, predictor, n: int, X=None, y=None, *, exclude=None, random_state=None,
                space: Space | None = None) -> np.ndarray:
        """Return up to ``n`` new architectures, best first.

        Parameters
        ----------
        predictor : Predictor
            A fitted predictor (see :class:`Predictor`); its ``space`` defines the rows.
        n : int
            Number of proposals.
        X, y : array-like, default=None
            Architectures evaluated so far and their values (higher is
            better); proposers start from the best of them. ``X`` is
            also excluded from the proposals.
        exclude : array-like, default=None
            Further rows that must not be proposed (nor anything equivalent),
            e.g. those being evaluated right now.
        random_state : int, Generator or None
        space : Space, default=None
            The space to propose from, when it is narrower than the predictor's
            (e.g. the :class:`~sknas.spaces.PoolSpace` of a sample table);
            default: the predictor's ``space``.

        Returns
        -------
        X_new : ndarray of shape (n_proposed, n_decisions)
            Valid, mutually distinct (up to equivalence), none equivalent to an
            evaluated or excluded row, every constraint met. Fewer than ``n``
            only when the space holds no more such rows (with a warning).
        """
        self._validate()
        n = check_int(n, "n")
        space = space if space is not None else getattr(predictor, "space_", None) or getattr(predictor, "space", None)
        if not isinstance(space, Space):
            raise ValueError("the predictor must be fitted on rows of a sknas space (its space is None)")
        rng = rng_from(random_state)
        X, y = self._check_history(space, X, y)
        excluded = set(space.row_keys(X)) if len(X) else set()
        if exclude is not None:
            ex = space.check_rows(exclude, name="exclude", require_valid=False)
            ex = ex[space.is_valid(ex)]
            if len(ex):
                excluded |= set(space.row_keys(ex))
        constraints = check_constraints(self.constraints)

        # every candidate is predicted once: the predictions order the deduplication (each class keeps its
        # best-predicted row) and then the ranking
        cands = self._filter(space, self._candidates(predictor, space, n, X, y, rng, constraints), constraints)
        P = self._predict(predictor, cands)
        keep = self._distinct(space, cands, P, excluded)
        cands, P = cands[keep], P[:, keep]
        tries = 0
        while len(cands) < n and tries < 5:  # top up with random rows (e.g. when the search stalls)
            extra = self._filter(space, space.sample(min(max(4 * n, 256), 100_000), rng), constraints)
            cands, P = np.concatenate([cands, extra]), np.concatenate([P, self._predict(predictor, extra)], axis=1)
            keep = self._distinct(space, cands, P, excluded)
            cands, P = cands[keep], P[:, keep]
            tries += 1
        if len(cands) < n:
            warnings.warn(f"only {len(cands)} of the {n} requested proposals exist", RuntimeWarning, stacklevel=2)
        return cands[self._rank(P, n, rng)]

    def _candidates(self, predictor, space, n, X, y, rng, constraints) -> np.ndarray:
        """Candidate rows (any number, duplicates and invalid rows allowed): the one method a proposer writes.

        ``X, y`` are the evaluated rows and values (``y`` NaN when unknown), ``rng`` a numpy
        ``Generator``, ``constraints`` a list of :class:`Constraint` (for proposers that steer by them).
        """
        raise NotImplementedError

    # ----------------------------------------------------------------- helpers
    @staticmethod
    def _check_history(space, X, y):
        if X is None:
            if y is not None:
                raise ValueError("y was given without X")
            return np.empty((0, space.n_decisions), dtype=np.int64), np.empty(0)
        X = space.check_rows(X, name="X")
        if y is None:
            return X, np.full(len(X), np.nan)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if len(y) != len(X):
            raise ValueError(f"y has {len(y)} values for {len(X)} rows of X")
        return X, y

    @staticmethod
    def _filter(space, X, constraints) -> np.ndarray:
        """The valid rows of ``X`` that satisfy every constraint (order kept)."""
        X = np.asarray(X, dtype=np.int64).reshape(-1, space.n_decisions)
        X = X[space.is_valid(X)] if len(X) else X
        for c in constraints:
            if len(X):
                X = X[c.feasible(space, X)]
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
    def _distinct(space, X, P, excluded: set) -> np.ndarray:
        """Indices of one row per equivalence class not in ``excluded`` (its best-predicted one), best first."""
        if len(X) == 0:
            return np.empty(0, dtype=np.int64)
        order = np.argsort(-P.mean(axis=0), kind="stable")
        keys = space.row_keys(X[order])
        keep, seen = [], set(excluded)
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
        if self.acquisition == "its":
            return np.argsort(-rng.normal(mean, std), kind="stable")[:n]
        chosen = np.zeros(P.shape[1], dtype=bool)
        picks = []
        for _ in range(min(n, P.shape[1])):  # each slot: the best row not yet chosen, by one random member
            s = np.where(chosen, -np.inf, P[rng.integers(len(P))])
            i = int(np.argmax(s))
            chosen[i] = True
            picks.append(i)
        return np.asarray(picks, dtype=np.int64)

    @staticmethod
    def _best_rows(space, X, y, predictor, k: int) -> np.ndarray:
        """The ``k`` best evaluated rows (by value, or by prediction when values are unknown)."""
        if len(X) == 0:
            return X
        y = y if np.all(np.isfinite(y)) else np.asarray(predictor.predict(X), dtype=np.float64)
        return X[np.argsort(-y, kind="stable")[:k]]
