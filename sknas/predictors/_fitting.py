"""Fitting a predictor the way every search round does: a fresh clone, seeded, fitted."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

__all__ = ["fit_predictor"]


def fit_predictor(predictor, X: np.ndarray, y: np.ndarray, seed: int):
    """A fresh clone of ``predictor``, seeded with ``seed`` (when it has ``random_state``), fitted on ``X, y``."""
    model = clone(predictor)
    if "random_state" in model.get_params():
        model.set_params(random_state=seed)
    return model.fit(X, y)
