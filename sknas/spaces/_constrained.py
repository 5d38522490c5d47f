"""Cost constraints, and the space of the architectures that meet them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..utils import check_choice, seed_from, short_repr
from ._base import Space
from ._costs import cost as space_cost
from ._sub import SubSpace

__all__ = ["Constraint", "ConstrainedSpace", "check_constraints"]


@dataclass(frozen=True)
class Constraint:
    """A bound (upper, lower or both) on a cost of an architecture.

    Parameters
    ----------
    cost : {"params", "flops"} or callable
        A cost the space computes (:func:`cost`), or a function of
        rows returning one value per row, e.g. a benchmark column:
        ``bench.cost("latency_pixel3")``.
    max_value : float or None, default=None
        Architectures with a higher cost are infeasible.
    min_value : float or None, default=None
        Architectures with a lower cost are infeasible (e.g. a model at least
        this large). At least one of the two bounds must be given.
    name : str, default=None
        Label for messages; defaults to the cost's name.

    Examples
    --------
    >>> from sknas.spaces import Constraint, NASBench201Space
    >>> space = NASBench201Space()
    >>> Constraint("params", max_value=0.4).feasible(space, [[3, 3, 3, 3, 3, 3], [0, 0, 0, 0, 0, 0]])
    array([False,  True])
    """

    cost: str | Callable[[np.ndarray], np.ndarray]
    max_value: float | None = None
    min_value: float | None = None
    name: str | None = None

    def __post_init__(self):
        if isinstance(self.cost, str):
            check_choice("Constraint.cost", self.cost, ("params", "flops"))
        elif not callable(self.cost):
            raise TypeError(f"Constraint.cost must be 'params', 'flops' or a callable; got {short_repr(self.cost)}")
        if self.max_value is None and self.min_value is None:
            raise ValueError("a Constraint needs max_value, min_value or both")
        for bound in ("max_value", "min_value"):
            v = getattr(self, bound)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float, np.number))
                                  or not np.isfinite(v)):
                raise ValueError(f"Constraint.{bound} must be a finite number or None; got {short_repr(v)}")
        if self.max_value is not None and self.min_value is not None and self.min_value > self.max_value:
            raise ValueError(f"Constraint.min_value ({self.min_value}) exceeds max_value ({self.max_value})")

    @property
    def label(self) -> str:
        return self.name or (self.cost if isinstance(self.cost, str) else getattr(self.cost, "__name__", "cost"))

    def __str__(self) -> str:
        lo = "" if self.min_value is None else f"{self.min_value:g} <= "
        hi = "" if self.max_value is None else f" <= {self.max_value:g}"
        return f"{lo}{self.label}{hi}"

    def values(self, space: Space, X) -> np.ndarray:
        """The cost of each row."""
        X = np.asarray(X)
        out = space_cost(space, X, self.cost) if isinstance(self.cost, str) else self.cost(X)
        out = np.asarray(out, dtype=np.float64).reshape(-1)
        if out.shape != (len(X),) or not np.all(np.isfinite(out)):
            raise ValueError(f"constraint {self.label!r} must give one finite cost per row")
        return out

    def feasible(self, space: Space, X) -> np.ndarray:
        """Whether each row meets the bound(s)."""
        v = self.values(space, X)
        ok = np.ones(len(v), dtype=bool)
        if self.max_value is not None:
            ok &= v <= self.max_value
        if self.min_value is not None:
            ok &= v >= self.min_value
        return ok


def check_constraints(constraints) -> list[Constraint]:
    """Normalise ``None``, a :class:`Constraint`, a ``{cost: max_value}`` dict or a list of constraints."""
    if constraints is None:
        return []
    if isinstance(constraints, Constraint):
        return [constraints]
    if isinstance(constraints, Mapping):
        return [Constraint(k, max_value=float(v)) for k, v in constraints.items()]
    if isinstance(constraints, (str, bytes)):
        raise TypeError(f"constraints must be Constraint objects or a {{cost: max_value}} dict; got "
                        f"{short_repr(constraints)}")
    out = list(constraints)
    for c in out:
        if not isinstance(c, Constraint):
            raise TypeError(f"constraints must be Constraint objects or a {{cost: max_value}} dict; got "
                            f"{short_repr(c)}")
    return out


class ConstrainedSpace(SubSpace):
    """The architectures of ``base`` that meet every constraint.

    Every search front end takes ``constraints=`` and searches this space, so nothing that breaks a
    known bound is ever evaluated, the random initial architectures included: sampling rejects
    infeasible rows, proposers keep only valid (so feasible) rows, and :meth:`repair` (hence
    ``space.suggest`` under any Optuna sampler) maps an infeasible row to a feasible neighbour, else to
    a feasible random row. The views, canonical and string forms are those of ``base``.

    Parameters
    ----------
    base : Space
    constraints : Constraint, list of Constraint or dict
        See :func:`check_constraints`.

    Examples
    --------
    >>> from sknas.spaces import ConstrainedSpace, Constraint, NASBench201Space, cost
    >>> space = ConstrainedSpace(NASBench201Space(), [Constraint("params", max_value=0.4)])
    >>> bool((cost(space, space.sample(100, random_state=0), "params") <= 0.4).all())
    True
    """

    name = "constrained"

    def __init__(self, base: Space, constraints):
        super().__init__(base)
        constraints = check_constraints(constraints)
        if not constraints:
            raise ValueError("constraints must hold at least one Constraint")
        self.constraints = tuple(constraints)
        self.name = f"{base.name} with {', '.join(map(str, constraints))}"

    def _key(self):
        return (type(self.base).__name__, self.base._key(),
                tuple((c.cost, c.max_value, c.min_value) for c in self.constraints))

    def __repr__(self) -> str:
        return f"ConstrainedSpace({self.base!r}, [{', '.join(map(str, self.constraints))}])"

    def feasible(self, X) -> np.ndarray:
        """Whether each (valid) row of ``base`` meets every constraint."""
        ok = np.ones(len(X), dtype=bool)
        for c in self.constraints:
            if ok.any():
                ok[ok] = c.feasible(self.base, np.asarray(X)[ok])
        return ok

    def _valid_mask(self, X: np.ndarray) -> np.ndarray:
        return self._base_valid(X, self.feasible)

    def explain_invalid(self, row) -> str:
        row = self.check_rows(row, name="row", require_valid=False)
        if self._valid_mask(row)[0]:
            return ""
        reason = self.base.explain_invalid(row[0])
        if reason:
            return reason
        broken = [str(c) for c in self.constraints if not c.feasible(self.base, row)[0]]
        return f"it breaks the constraint(s) {', '.join(broken)}"

    def _sample_raw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.base._sample_raw(n, rng)

    def canonical(self, X) -> np.ndarray:
        """The base space's canonical form where it meets the constraints; otherwise the row itself.

        A cost read from a benchmark (a measured latency) can differ between equivalent rows, e.g. when
        dead operations still run: then a feasible row whose representative is infeasible stands for itself.
        """
        X = self.check_rows(X, require_valid=False)
        C = self.base.canonical(X)
        return np.where(self._valid_mask(C)[:, None], C, X)

    def enumerate(self) -> np.ndarray:
        """The feasible rows of ``base.enumerate()``."""
        E = self.base.enumerate()
        return E[self.feasible(E)]

    def repair(self, X, scores=None) -> np.ndarray:
        """Feasible rows unchanged; others repaired in ``base``, then moved to the best-scoring feasible
        neighbour, else to a feasible random row (drawn from a seed of the row: deterministic)."""
        X = self.base.repair(self.check_rows(X, require_valid=False), scores=scores)
        bad = np.flatnonzero(~self.feasible(X))
        for i in bad:
            nb = self.neighbours(X[i])  # the valid (so feasible) neighbours
            if len(nb):
                s = self._onehot(X[i:i + 1])[0] if scores is None else self._check_scores(scores, len(X))[i]
                X[i] = nb[int(np.argmax((self._onehot(nb) * s).sum(axis=1)))]
            else:
                X[i] = self.sample(1, seed_from("repair", X[i].tobytes()))[0]
        return X
