"""A space restricted to a pool of architectures: searching a benchmark that covers part of its space."""

from __future__ import annotations

import hashlib

import numpy as np

from ._base import Space
from ._sub import SubSpace

__all__ = ["PoolSpace"]


class PoolSpace(SubSpace):
    """The architectures of ``base`` that are (equivalent to) one of ``rows``, e.g. the cells of a sample table.

    Every search front end works on it unchanged: sampling draws pool architectures, proposers keep
    only valid rows (so only pool rows), :meth:`repair` and :func:`~sknas.encodings.project` map any row, or a relaxed
    encoding, to the pool architecture that agrees with it most, and Optuna's own samplers are
    mapped into the pool by ``space.suggest``. The views (one-hot, graph, paths, costs), the canonical
    form and the string form are those of ``base``.

    Parameters
    ----------
    base : Space
        The full space.
    rows : array-like of shape (n, base.n_decisions)
        The pool: valid rows of ``base`` (duplicates and equivalent rows count once).

    Examples
    --------
    >>> from sknas.spaces import NASBench201Space, PoolSpace
    >>> base = NASBench201Space()
    >>> pool = PoolSpace(base, base.sample(50, random_state=0))
    >>> pool.is_valid(base.sample(1000, random_state=1)).sum() <= 50
    True
    """

    name = "pool"

    def __init__(self, base: Space, rows):
        super().__init__(base)
        rows = base.check_rows(rows, name="rows")
        if len(rows) == 0:
            raise ValueError("rows must hold at least one architecture")
        pool = rows[base.unique(rows)]
        self.pool_ = pool[np.lexsort(pool.T[::-1])]  # in lexicographic order, as enumerate() promises
        self._keys = set(base.row_keys(self.pool_))
        self._pool_onehot = base._onehot(self.pool_).astype(np.float64)
        self.name = f"{base.name} pool"

    def _key(self):
        digest = hashlib.sha256(b"".join(sorted(self._keys))).hexdigest()
        return (type(self.base).__name__, self.base._key(), digest)

    def __repr__(self) -> str:
        return f"PoolSpace({self.base!r}, {len(self.pool_)} architectures)"

    def _valid_mask(self, X: np.ndarray) -> np.ndarray:
        return self._base_valid(X, lambda rows: [k in self._keys for k in self.base.row_keys(rows)])

    def explain_invalid(self, row) -> str:
        row = self.check_rows(row, name="row", require_valid=False)
        if self._valid_mask(row)[0]:
            return ""
        return self.base.explain_invalid(row[0]) or f"it is not one of the {len(self.pool_)} architectures of the pool"

    def _sample_raw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.pool_[rng.integers(len(self.pool_), size=n)]

    def enumerate(self) -> np.ndarray:
        """The pool's architectures (one row each)."""
        return self.pool_.copy()

    def repair(self, X, scores=None) -> np.ndarray:
        """Pool rows unchanged; any other row becomes the pool architecture with the highest score
        (``scores``: a relaxed encoding; default: agreement with the row's one-hot view)."""
        X = self.check_rows(X, require_valid=False).copy()
        bad = ~self._valid_mask(X)
        if bad.any():
            S = self._onehot(X[bad]) if scores is None else self._check_scores(scores, len(X))[bad]
            X[bad] = self.pool_[np.argmax(S @ self._pool_onehot.T, axis=1)]
        return X
