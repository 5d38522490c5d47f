"""A cost of architectures as a differentiable function of relaxed rows: the constraint penalty of gradient ascent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..encodings import onehot, onehot_slices
from ..spaces import ConstrainedSpace, Constraint, Space
from ..utils import check_int, rng_from

__all__ = ["RelaxedCost", "relaxed_cost"]

#: pairwise terms are fitted only while there are at most this many of them (NB101 has 1,560, DARTS 13,612)
MAX_PAIRS = 4096


@dataclass(frozen=True)
class RelaxedCost:
    """A cost as a polynomial of degree at most two in the one-hot view, evaluated on relaxed rows.

    ``cost(h) = intercept + coef @ h + h @ pair @ h``, where ``pair`` links only choices of different
    decisions. On a relaxed row ``P`` (one probability distribution per decision, :func:`~sknas.encodings.relax`)
    the same formula is the expected cost of a row whose decisions are drawn independently from ``P``;
    on a one-hot row it is the cost of that row. Made by :func:`relaxed_cost`.

    Attributes
    ----------
    constraint : Constraint
        The constraint whose cost it models.
    intercept : float
    coef : ndarray of shape (n_features_onehot,)
    pair : ndarray of shape (n_features_onehot, n_features_onehot) or None
        Strictly upper-triangular; None for a linear model.
    exact : bool
        Whether the cost is linear in the one-hot view (it then equals the true cost on every row checked,
        e.g. the parameters and FLOPs of NAS-Bench-201, sums over edges of per-operation counts).
    error : float
        Mean absolute error on held-out sample rows (0 for an exact model). The penalty keeps the
        modelled cost this far inside the bounds.
    scale : float
        Cost units per unit of the penalty: the larger of the bound's magnitude and the sample's spread.
    """

    constraint: Constraint
    intercept: float
    coef: np.ndarray
    pair: np.ndarray | None
    exact: bool
    error: float
    scale: float

    def predict(self, X_onehot) -> np.ndarray:
        """The modelled cost of one-hot (or relaxed) rows, as numpy."""
        H = np.asarray(X_onehot, dtype=np.float64)
        out = self.intercept + H @ self.coef
        return out if self.pair is None else out + np.einsum("ni,ij,nj->n", H, self.pair, H)

    def __call__(self, P):
        """The modelled cost of relaxed rows ``P`` (a torch tensor), differentiable."""
        import torch

        out = self.intercept + P @ torch.as_tensor(self.coef, dtype=P.dtype)
        if self.pair is not None:
            out = out + ((P @ torch.as_tensor(self.pair, dtype=P.dtype)) * P).sum(dim=1)
        return out

    def excess(self, P):
        """How far (in ``scale`` units) the modelled cost of relaxed rows ``P``, kept :attr:`error` inside the
        bounds, exceeds them; zero where it meets them. Differentiable."""
        import torch

        cost, c, out, margin = self(P), self.constraint, 0.0, self.error
        if c.max_value is not None:
            out = out + torch.relu((cost + margin - c.max_value) / self.scale)
        if c.min_value is not None:
            out = out + torch.relu((c.min_value - cost + margin) / self.scale)
        return out


def _pairs(space: Space) -> tuple[np.ndarray, np.ndarray]:
    """Column pairs ``(i, j)``, ``i < j``, of the one-hot view that belong to different decisions."""
    slices = onehot_slices(space)
    block = np.concatenate([np.full(s.stop - s.start, d) for d, s in enumerate(slices)])
    i, j = np.triu_indices(len(block), 1)
    keep = block[i] != block[j]
    return i[keep], j[keep]


def relaxed_cost(space: Space, constraint: Constraint, *, n_samples: int = 2048, random_state=None) -> RelaxedCost:
    """Model a constraint's cost as a differentiable function of relaxed rows (:class:`RelaxedCost`).

    The cost is computed on ``n_samples`` random rows of ``space`` (of its base, for a
    :class:`~sknas.spaces.ConstrainedSpace`, so that both sides of the bounds are seen). When a linear
    model in the one-hot view reproduces every one of them (a cost that adds up over decisions, as the
    analytic parameter and FLOP counts of NAS-Bench-201 do), that model is exact and kept. Otherwise (a
    measured latency read from a benchmark table, a count that depends on the graph) a ridge regression
    on the one-hot view and the products of pairs of choices of different decisions is fitted on four
    fifths of the rows and scored on the rest (:attr:`RelaxedCost.error`), then refitted on all of them.

    Parameters
    ----------
    space : Space
    constraint : Constraint
    n_samples : int, default=2048
        Rows whose cost is computed (at least 16).
    random_state : int, Generator or None

    Returns
    -------
    cost : RelaxedCost

    Examples
    --------
    >>> from sknas.encodings import relax
    >>> from sknas.proposers import relaxed_cost
    >>> from sknas.spaces import Constraint, NASBench201Space, cost
    >>> space = NASBench201Space()
    >>> model = relaxed_cost(space, Constraint("params", max_value=0.4), random_state=0)
    >>> model.exact
    True
    >>> X = space.sample(3, random_state=1)
    >>> bool(abs(model.predict(relax(space, X)) - cost(space, X, "params")).max() < 1e-9)
    True
    """
    from sklearn.linear_model import Ridge

    if not isinstance(constraint, Constraint):
        raise TypeError(f"constraint must be a Constraint; got {type(constraint).__name__}")
    n_samples = check_int(n_samples, "n_samples", low=16)
    rng = rng_from(random_state)
    base = space.base if isinstance(space, ConstrainedSpace) else space
    X = base.sample(n_samples, rng)
    H = onehot(base, X).astype(np.float64)
    y = constraint.values(base, X)
    bound = constraint.max_value if constraint.max_value is not None else constraint.min_value
    scale = max(abs(float(bound)), float(np.std(y)), 1e-12)

    A = np.hstack([H, np.ones((len(H), 1))])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    if np.abs(A @ coef - y).max() <= 1e-9 * max(1.0, float(np.abs(y).max())):
        return RelaxedCost(constraint, float(coef[-1]), coef[:-1], None, True, 0.0, scale)

    i, j = _pairs(base)
    pairwise = len(i) <= MAX_PAIRS
    F = np.hstack([H, H[:, i] * H[:, j]]) if pairwise else H
    cut = (4 * len(F)) // 5
    held = Ridge(alpha=1.0).fit(F[:cut], y[:cut]).predict(F[cut:]) - y[cut:]
    model = Ridge(alpha=1.0).fit(F, y)
    width = H.shape[1]
    pair = None
    if pairwise:
        pair = np.zeros((width, width))
        pair[i, j] = model.coef_[width:]
    return RelaxedCost(constraint, float(model.intercept_), model.coef_[:width].copy(), pair, False,
                       float(np.abs(held).mean()), scale)
