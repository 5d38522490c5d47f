"""What a space narrowed from another shares: the decisions, views and forms of its base, fewer valid rows."""

from __future__ import annotations

import numpy as np

from ._base import Space

__all__ = ["SubSpace"]


class SubSpace(Space):
    """Base of the spaces that keep some architectures of ``base`` (:class:`PoolSpace`, :class:`ConstrainedSpace`).

    A subclass decides which rows are valid (``_valid_mask``, ``explain_invalid``), how to draw and
    repair them; the one-hot, graph and path views, the canonical and string forms and the costs
    are the base space's.
    """

    def __init__(self, base: Space):
        if not isinstance(base, Space):
            raise TypeError(f"base must be a sknas Space; got {type(base).__name__}")
        super().__init__(dict(zip(base.decision_names, base.choices)))
        self.base = base

    def _base_valid(self, X: np.ndarray, keep) -> np.ndarray:
        """``base``'s validity, narrowed by ``keep(rows)`` on the rows valid in ``base``."""
        ok = self.base._valid_mask(X)
        if ok.any():
            ok[ok] = keep(X[ok])
        return ok

    def canonical(self, X) -> np.ndarray:
        return self.base.canonical(self.check_rows(X, require_valid=False))

    def to_string(self, row) -> str:
        return self.base.to_string(row)

    def from_string(self, s: str) -> np.ndarray:
        return self.base.from_string(s)

    @property
    def _node_types(self) -> tuple[str, ...]:
        return self.base._node_types

    def _graph(self, X):
        return self.base._graph(X)

    def _graph_torch(self, Z):
        return self.base._graph_torch(Z)

    def _paths(self, X) -> np.ndarray:
        return self.base._paths(X)

    def _has_cost(self, kind: str) -> bool:
        return self.base._has_cost(kind)

    def _params(self, X) -> np.ndarray:
        return self.base._params(X)

    def _flops(self, X) -> np.ndarray:
        return self.base._flops(X)

    def _node_type_costs(self, X) -> np.ndarray:
        return self.base._node_type_costs(X)
