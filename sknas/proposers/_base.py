"""What every proposer shares: the predictor protocol, constraints, acquisition, deduplication and ranking."""

from __future__ import annotations

import inspect
import warnings
from typing import Protocol, runtime_checkable

import numpy as np

from ..acquisitions import ACQUISITIONS, Acquisition, predict_members
from ..spaces import Space, check_constraints
from ..utils import Instance, Options, Real, check_int, rng_from, validate_params

__all__ = ["BaseProposer", "Predictor", "EnsemblePredictor", "DifferentiablePredictor"]


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

    A predictor may also have ``candidates()``: rows it knows to be worth scoring (e.g. the best rows of a
    prior table, :class:`~sknas.predictors.RankWeightedPrior`); every proposer scores them besides its own.

    See Also
    --------
    EnsemblePredictor : adds ``predict_members`` (spread for ``"ucb"`` / ``"thompson"``).
    DifferentiablePredictor : adds ``predict_relaxed`` (needed by :class:`GradientAscentProposer`).

    Examples
    --------
    A predictor that knows nothing but a cost, preferring small networks:

    >>> import numpy as np
    >>> from sknas.spaces import NASBench201Space, cost
    >>> from sknas.proposers import Predictor, RandomRankProposer
    >>> class Smallest:
    ...     space = NASBench201Space()
    ...     def predict(self, X):
    ...         return -cost(self.space, X, "params")
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

    ``Z`` is a ``torch.Tensor`` of shape ``(n, n_features_onehot(space))``, one
    probability simplex per decision (:func:`sknas.encodings.relax`); it returns
    a tensor of shape ``(n,)`` equal to ``predict`` on one-hot ``Z``.
    :class:`GradientAscentProposer` ascends its gradient.
    """

    def predict_relaxed(self, Z): ...


class BaseProposer:
    """Propose new architectures: an optimiser of an acquisition over the rows of a space.

    Subclasses generate candidate rows (:meth:`_candidates`); this base class
    keeps those that are valid, satisfy every constraint and are not equivalent
    to an excluded row or to each other, predicts them once, and lets the
    acquisition choose the batch. Parameters are declared in
    ``_parameter_constraints`` and checked when :meth:`propose` is called.

    Parameters
    ----------
    acquisition : Acquisition or {"mean", "ucb", "thompson", "its", "ei"}, default="mean"
        How candidates are chosen (:mod:`sknas.acquisitions`): an instance, or
        the short name of one with its defaults (:data:`ACQUISITIONS`): the
        predicted mean, the upper confidence bound, Thompson sampling over the
        ensemble, independent Thompson sampling (BANANAS) or expected
        improvement. The spread comes from the predictor's ``predict_members``
        (:class:`EnsemblePredictor`); without it, or with a single model, every
        one of them ranks by the mean (expected improvement by the plain
        improvement).
    kappa : float, default=None
        Deprecated: the weight of the spread of ``acquisition="ucb"``; use
        ``acquisition=UpperConfidenceBound(kappa=...)``.
    constraints : dict or list of Constraint, default=None
        Bounds on costs, e.g. ``{"params": 0.5}``.
    """

    _parameter_constraints: dict = {"acquisition": [Instance(Acquisition), Options(tuple(ACQUISITIONS))],
                                    "kappa": Real(0.0, none=True)}
    #: whether the proposer needs a :class:`DifferentiablePredictor` (``predict_relaxed``)
    needs_differentiable: bool = False
    #: whether the proposer needs a fitted predictor at all (regularized evolution does not)
    needs_predictor: bool = True

    def __init__(self, *, acquisition="mean", kappa: float | None = None, constraints=None):
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

    def _acquisition(self) -> Acquisition:
        """The acquisition instance (a short name resolved through :data:`ACQUISITIONS`)."""
        if isinstance(self.acquisition, Acquisition):
            return self.acquisition
        cls = ACQUISITIONS[self.acquisition]
        if self.kappa is None:
            return cls()
        warnings.warn("kappa is deprecated; pass acquisition=UpperConfidenceBound(kappa=...)", FutureWarning,
                      stacklevel=4)
        return cls(kappa=self.kappa) if "kappa" in inspect.signature(cls).parameters else cls()

    # -------------------------------------------------------------- interface
    def propose(self, predictor, n: int, X=None, y=None, *, exclude=None, random_state=None,
                space: Space | None = None) -> np.ndarray:
        """Return up to ``n`` new architectures, best first.

        Parameters
        ----------
        predictor : Predictor or None
            A fitted predictor (see :class:`Predictor`); its ``space`` defines the rows.
            ``None`` for a proposer that needs none (``needs_predictor=False``): then
            ``space`` is required and candidates keep the order they were generated in.
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
        acquisition = self._acquisition()
        n = check_int(n, "n")
        space = space if space is not None else getattr(predictor, "space_", None) or getattr(predictor, "space", None)
        if not isinstance(space, Space):
            raise ValueError("the predictor must be fitted on rows of a sknas space (its space is None)")
        if predictor is None and self.needs_predictor:
            raise ValueError(f"{type(self).__name__} needs a fitted predictor; got None")
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
        # best-predicted row) and then the acquisition's choice
        cands = self._filter(space, self._candidates(predictor, space, n, X, y, rng, constraints), constraints)
        offered = getattr(predictor, "candidates", None)  # rows a predictor knows to be worth scoring (a prior's)
        if callable(offered):
            cands = np.concatenate([cands, self._filter(space, offered(), constraints)])
        P = predict_members(predictor, cands)
        keep = self._distinct(space, cands, P, excluded)
        cands, P = cands[keep], P[:, keep]
        tries = 0
        while len(cands) < n and tries < 5:  # top up with random rows (e.g. when the search stalls)
            extra = self._filter(space, space.sample(min(max(4 * n, 256), 100_000), rng), constraints)
            cands, P = np.concatenate([cands, extra]), np.concatenate([P, predict_members(predictor, extra)], axis=1)
            keep = self._distinct(space, cands, P, excluded)
            cands, P = cands[keep], P[:, keep]
            tries += 1
        if len(cands) < n:
            warnings.warn(f"only {len(cands)} of the {n} requested proposals exist", RuntimeWarning, stacklevel=2)
        finite = y[np.isfinite(y)]
        incumbent = float(finite.max()) if len(finite) else None
        return cands[acquisition.select(P, n, incumbent=incumbent, rng=rng, predictor=predictor, X=cands)]

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

    @staticmethod
    def _best_rows(space, X, y, predictor, k: int) -> np.ndarray:
        """The ``k`` best evaluated rows (by value, or by prediction when values are unknown)."""
        if len(X) == 0:
            return X
        y = y if np.all(np.isfinite(y)) else np.asarray(predictor.predict(X), dtype=np.float64)
        return X[np.argsort(-y, kind="stable")[:k]]
