"""Analytic costs of the layers the benchmark networks are built from (one home for the formulas)."""

from __future__ import annotations

import numpy as np

__all__ = ["conv_bn_costs", "pool_flops"]


def conv_bn_costs(cin, cout, k: int, side) -> tuple[np.ndarray, np.ndarray]:
    """Parameters and multiply-adds of a bias-free ``k x k`` convolution followed by batch norm.

    Parameters
    ----------
    cin, cout : int or ndarray
        Input and output channels (arrays broadcast).
    k : int
        Kernel side.
    side : int
        Side of the (square) output feature map.

    Returns
    -------
    params : ndarray
        ``k*k*cin*cout`` weights plus the batch norm's scale and shift (``2*cout``).
    madds : ndarray
        ``k*k*cin*cout*side*side`` multiply-adds (the batch norm and activation are not counted).
    """
    w = k * k * np.asarray(cin, dtype=np.float64) * np.asarray(cout, dtype=np.float64)
    return w + 2.0 * np.asarray(cout, dtype=np.float64), w * side * side


def pool_flops(channels, k: int, side) -> np.ndarray:
    """Operations of a stride-1 ``k x k`` pooling: ``k*k`` per output value (padding ignored)."""
    return k * k * np.asarray(channels, dtype=np.float64) * side * side
