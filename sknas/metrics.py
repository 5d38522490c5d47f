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

__all__ = ["kendall_tau", "spearman", "precision_at_k", "kendall_tau_scorer", "spearman_scorer"]


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


#: scikit-learn scorer for :func:`kendall_tau` (greater is better)
kendall_tau_scorer = make_scorer(kendall_tau)
#: scikit-learn scorer for :func:`spearman` (greater is better)
spearman_scorer = make_scorer(spearman)
