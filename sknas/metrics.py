"""Ranking metrics for architecture predictors, and scikit-learn scorers built on them.

A predictor that drives a search only has to *order* architectures correctly,
so these metrics measure ranking quality rather than squared error. All of
them are NaN-safe: constant predictions (no ranking information) give 0
rather than NaN or an exception.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.metrics import make_scorer

__all__ = ["kendall_tau", "spearman", "precision_at_k", "kendall_tau_scorer", "spearman_scorer", "pareto_front",
           "hypervolume", "hypervolume_improvement", "hypervolume_regret"]


def _check_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y_true, dtype=np.float64).ravel()
    b = np.asarray(y_pred, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"y_true and y_pred must have the same length; got {a.size} and {b.size}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("y_true and y_pred must be finite (no NaN or infinity)")
    return a, b


def _rank_correlation(fn, y_true, y_pred) -> float:
    """``fn(y_true, y_pred).statistic``, or 0 when an input is constant or shorter than two."""
    a, b = _check_pair(y_true, y_pred)
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    value = fn(a, b).statistic
    return float(value) if np.isfinite(value) else 0.0


def kendall_tau(y_true, y_pred) -> float:
    """Kendall's rank correlation (tau-b) between true and predicted values.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted scores.

    Returns
    -------
    tau : float
        In [-1, 1]; 0 when either input is constant or has fewer than two values.

    Examples
    --------
    >>> kendall_tau([1, 2, 3], [10, 20, 30])
    1.0
    """
    return _rank_correlation(stats.kendalltau, y_true, y_pred)


def spearman(y_true, y_pred) -> float:
    """Spearman's rank correlation between true and predicted values.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted scores.

    Returns
    -------
    rho : float
        In [-1, 1]; 0 when either input is constant or has fewer than two values.
    """
    return _rank_correlation(stats.spearmanr, y_true, y_pred)


def precision_at_k(y_true, y_pred, k: int = 10) -> float:
    """Overlap of the true and the predicted top-``k`` (higher is better), divided by ``k``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted scores (larger = better architecture).
    k : int, default=10
        Size of the top set; must be between 1 and ``n_samples``.

    Returns
    -------
    precision : float
        In [0, 1]. Ties are broken by position (stable sort), so constant
        predictions give the chance-level overlap of the first ``k`` items.
    """
    a, b = _check_pair(y_true, y_pred)
    if not isinstance(k, (int, np.integer)) or k < 1 or k > a.size:
        raise ValueError(f"k must be an integer between 1 and n_samples={a.size}; got {k!r}")
    top_true = np.argsort(-a, kind="stable")[:k]
    top_pred = np.argsort(-b, kind="stable")[:k]
    return len(np.intersect1d(top_true, top_pred)) / k


def _check_points(Y, name="Y") -> np.ndarray:
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (one row per point, one column per objective); got {Y.ndim}-D")
    if not np.all(np.isfinite(Y)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return Y


def pareto_front(Y) -> np.ndarray:
    """Which points are Pareto-optimal when every objective is maximised.

    Parameters
    ----------
    Y : array-like of shape (n_points, n_objectives)
        Objective values, larger is better in every column (negate costs).

    Returns
    -------
    mask : ndarray of bool, shape (n_points,)
        True for the points no other point dominates (at least as good in every
        objective and better in one). Duplicates of a Pareto-optimal point are all kept.

    Examples
    --------
    >>> pareto_front([[1, 0], [0, 1], [0, 0]]).tolist()
    [True, True, False]
    """
    Y = _check_points(Y)
    # in descending lexicographic order a point's dominators all come before it, and a dominated
    # dominator's own dominator dominates the point too: checking against the front so far suffices
    order = np.lexsort(Y.T[::-1] * -1)
    mask = np.zeros(len(Y), dtype=bool)
    front = np.empty((0, Y.shape[1]))
    for i in order:
        y = Y[i]
        if not ((front >= y).all(axis=1) & (front > y).any(axis=1)).any():
            mask[i] = True
            front = np.vstack([front, y])
    return mask


def hypervolume(Y, reference) -> float:
    """Area dominated by two maximised objectives' points and bounded by ``reference``.

    Parameters
    ----------
    Y : array-like of shape (n_points, 2)
        Objective values, larger is better in both columns (negate costs).
    reference : array-like of shape (2,)
        The reference point (worse than every point of interest); points that
        do not exceed it in both objectives add nothing.

    Returns
    -------
    volume : float
        The area of the union of the boxes between ``reference`` and each point.

    Examples
    --------
    >>> hypervolume([[1, 2], [2, 1]], reference=[0, 0])
    3.0
    """
    Y = _check_points(Y)
    ref = np.asarray(reference, dtype=np.float64).reshape(-1)
    if Y.shape[1] != 2 or ref.shape != (2,):
        raise ValueError(f"hypervolume takes two objectives (Y of shape (n, 2), reference of shape (2,)); got Y of "
                         f"shape {Y.shape} and reference of shape {ref.shape}")
    Y = Y[(Y > ref).all(axis=1)]
    if len(Y) == 0:
        return 0.0
    Y = Y[np.lexsort((-Y[:, 1], -Y[:, 0]))]  # first objective descending; the second rises along the front
    volume, top = 0.0, ref[1]
    for a, b in Y:
        if b > top:
            volume += (a - ref[0]) * (b - top)
            top = b
    return float(volume)


def _staircase(front: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The region a two-objective ``front`` leaves free above ``reference``, as columns ``(lo, hi, h)``.

    Column ``j`` spans the first objective in ``(lo[j], hi[j]]`` above the height ``h[j]`` of the second
    (the last column is unbounded on the right), so a point ``y`` adds
    ``sum_j max(min(y0, hi_j) - lo_j, 0) * max(y1 - h_j, 0)`` to the front's hypervolume.
    ``front`` is a finite array of shape ``(n, 2)``, larger is better, ``reference`` of shape ``(2,)``.
    """
    F = np.maximum(front[pareto_front(front)] if len(front) else front, reference)
    F = F[np.argsort(F[:, 0], kind="stable")]  # first objective rising, so the second falls
    return (np.concatenate([[reference[0]], F[:, 0]]), np.concatenate([F[:, 0], [np.inf]]),
            np.concatenate([F[:, 1], [reference[1]]]))


def hypervolume_improvement(Y, front, reference) -> np.ndarray:
    """The area each point of ``Y`` alone would add to the hypervolume of ``front`` (two maximised objectives).

    Parameters
    ----------
    Y : array-like of shape (n_points, 2)
        Candidate points, larger is better in both columns.
    front : array-like of shape (n_front, 2)
        The points so far (dominated ones add nothing; may be empty).
    reference : array-like of shape (2,)
        The reference point, as in :func:`hypervolume`.

    Returns
    -------
    improvement : ndarray of shape (n_points,)
        ``hypervolume(front + [y]) - hypervolume(front)`` for each ``y``; 0 for a dominated point.

    Examples
    --------
    >>> hypervolume_improvement([[2, 2], [1, 1]], front=[[1, 2], [2, 1]], reference=[0, 0]).tolist()
    [1.0, 0.0]
    """
    Y = _check_points(Y)
    F = _check_points(np.asarray(front, dtype=np.float64).reshape(-1, 2), "front")
    ref = np.asarray(reference, dtype=np.float64).reshape(-1)
    if Y.shape[1] != 2 or ref.shape != (2,):
        raise ValueError(f"hypervolume_improvement takes two objectives (Y of shape (n, 2), reference of shape (2,)); "
                         f"got Y of shape {Y.shape} and reference of shape {ref.shape}")
    lo, hi, h = _staircase(F, ref)
    width = np.clip(np.minimum(Y[:, [0]], hi) - lo, 0.0, None)
    height = np.clip(Y[:, [1]] - h, 0.0, None)
    return (width * height).sum(axis=1)


def hypervolume_regret(Y, front, reference) -> float:
    """Share (%) of the true front's hypervolume that the points ``Y`` miss (two maximised objectives).

    Each objective is scaled to [0, 1] between ``reference`` (0) and the front's best value (1), so
    that both count alike whatever their units; the regret is 0 when ``Y`` reaches the whole front and
    100 when it dominates nothing beyond the reference point.

    Parameters
    ----------
    Y : array-like of shape (n_points, 2)
        The points found (larger is better in both columns).
    front : array-like of shape (n_front, 2)
        The true Pareto front (e.g. of a whole benchmark table).
    reference : array-like of shape (2,)
        The reference point, e.g. the worst value of each objective over the table.

    Returns
    -------
    regret : float
        In [0, 100] for points of the same table.
    """
    F, Y = _check_points(front, "front"), _check_points(Y)
    ref = np.asarray(reference, dtype=np.float64).reshape(-1)
    span = F.max(axis=0) - ref
    if ref.shape != (2,) or F.shape[1] != 2 or not (span > 0).all():
        raise ValueError("hypervolume_regret takes two objectives and a reference point below the front's best "
                         f"values; got front of shape {F.shape} and reference {ref.tolist()}")
    best = hypervolume((F - ref) / span, np.zeros(2))
    return float(100.0 * (best - hypervolume((Y - ref) / span, np.zeros(2))) / best)


#: scikit-learn scorer for :func:`kendall_tau` (greater is better)
kendall_tau_scorer = make_scorer(kendall_tau)
#: scikit-learn scorer for :func:`spearman` (greater is better)
spearman_scorer = make_scorer(spearman)
