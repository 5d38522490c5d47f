"""Acquisitions of several objectives: ParEGO's scalarisation and the predicted hypervolume improvement."""

from __future__ import annotations

import numpy as np

from ..metrics import _staircase, hypervolume_improvement, pareto_front
from ..predictors import fit_predictor
from ..utils import rng_from, seed_from
from ._base import Acquisition

__all__ = ["scalarise", "PredictedImprovement", "HypervolumeImprovement"]


def scalarise(Y: np.ndarray, random_state=None) -> np.ndarray:
    """ParEGO's scalarisation (Knowles 2006) of several maximised objectives, with a random weight vector.

    Each objective is scaled to [0, 1] over the rows given (1 = the best value seen); with weights ``w``
    drawn uniformly from the simplex, a row's value is ``-(max_i w_i d_i + 0.05 sum_i w_i d_i)``, where
    ``d_i = 1 - scaled objective i`` (an augmented Chebyshev distance from the ideal point). Its
    maxima are Pareto-optimal, and every Pareto-optimal row is the maximum for some ``w``: a search that
    draws a new ``w`` every round covers the whole front, with a single-objective predictor and proposer.

    Parameters
    ----------
    Y : ndarray of shape (n, n_objectives)
        Objective values, larger is better in every column.
    random_state : int, Generator or None
        Draws the weights.

    Returns
    -------
    y : ndarray of shape (n,)
        Larger is better.
    """
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim != 2 or Y.shape[1] < 2:
        raise ValueError(f"Y must have one column per objective (at least two); got shape {Y.shape}")
    w = rng_from(random_state).dirichlet(np.ones(Y.shape[1]))
    lo, hi = Y.min(axis=0), Y.max(axis=0)
    d = w * (hi - Y) / np.where(hi > lo, hi - lo, 1.0)
    return -(d.max(axis=1) + 0.05 * d.sum(axis=1))


class PredictedImprovement:
    """A predictor of the hypervolume an architecture would add to the evaluations' front (two objectives).

    One clone of ``predictor`` per objective is fitted (:func:`fit_predictor`); each one's predictions are
    mapped to its objective's scale by matching their mean and spread over the evaluated rows (a ranking
    loss predicts an order, not values; matching the spread, unlike a least-squares fit, does not shrink
    the best candidates' predictions below the best value seen). Both objectives are then scaled by
    their range over the evaluations, and :meth:`predict` is an architecture's
    :func:`~sknas.metrics.hypervolume_improvement` over the evaluated front, with the reference point a
    tenth of the range below the worst values; a candidate predicted dominated scores minus its
    distance (additive epsilon) from the front instead, so the nearest come first when nothing improves.
    Any proposer that ranks by ``predict`` ranks by it; :meth:`greedy` orders a batch.

    Parameters
    ----------
    predictor : estimator
        Cloned once per objective.
    X, Y : ndarray
        Evaluated rows and their values, shape ``(n, 2)``, larger is better in both columns.
    seed : int
        Seeds the clones.

    Attributes
    ----------
    models_ : list of fitted estimators
        One per objective.
    calibration_ : list of (float, float)
        Per objective, the slope and intercept mapping predictions to values.
    front_ : ndarray of shape (n_front, 2)
        The evaluations' Pareto front, scaled.
    reference_ : ndarray of shape (2,)
        The reference point on that scale.
    space : Space or None
        The fitted predictors' space (proposers read it).
    """

    def __init__(self, predictor, X: np.ndarray, Y: np.ndarray, seed: int):
        Y = np.asarray(Y, dtype=np.float64)
        if Y.ndim != 2 or Y.shape[1] != 2:
            raise ValueError(f"the hypervolume rounds take two objectives; got values of shape {Y.shape}")
        self.models_ = [fit_predictor(predictor, X, Y[:, k], seed_from(seed, ("objective", k))) for k in range(2)]
        self.space = getattr(self.models_[0], "space_", None) or getattr(self.models_[0], "space", None)
        lo, hi = Y.min(axis=0), Y.max(axis=0)
        self.offset_, self.scale_ = lo, np.where(hi > lo, hi - lo, 1.0)
        self.calibration_ = []
        for k, m in enumerate(self.models_):
            p = np.asarray(m.predict(X), dtype=np.float64)
            a = Y[:, k].std() / p.std() if p.std() > 0 else 0.0
            self.calibration_.append((a, Y[:, k].mean() - a * p.mean()))
        S = self._scaled(Y)
        self.front_ = S[pareto_front(S)]
        self.reference_ = np.full(2, -0.1)

    def _scaled(self, Y):
        return (np.asarray(Y, dtype=np.float64) - self.offset_) / self.scale_

    def predict_objectives(self, X) -> np.ndarray:
        """Both objectives' predictions for rows ``X``, on the values' scale, shape ``(len(X), 2)``."""
        return np.stack([a * np.asarray(m.predict(X), dtype=np.float64) + b
                         for m, (a, b) in zip(self.models_, self.calibration_)], axis=1)

    def _score(self, S, front) -> np.ndarray:
        gain = hypervolume_improvement(S, front, self.reference_)
        distance = np.min(np.max(front[None, :, :] - S[:, None, :], axis=2), axis=1)
        return np.where(gain > 0, gain, -np.maximum(distance, 0.0) - 1e-12)

    def predict(self, X) -> np.ndarray:
        """The predicted hypervolume improvement of each row (or minus its distance from the front)."""
        return self._score(self._scaled(self.predict_objectives(X)), self.front_)

    def predict_relaxed(self, Z):
        """:meth:`predict` on relaxed rows, differentiable in ``Z`` (for gradient-based proposers).

        Needs predictors with ``predict_relaxed`` (see
        :class:`~sknas.proposers.DifferentiablePredictor`); one-hot ``Z`` gives the values of :meth:`predict`.
        """
        import torch

        if not all(hasattr(m, "predict_relaxed") for m in self.models_):
            raise ValueError(f"predict_relaxed needs a differentiable predictor (predict_relaxed); "
                             f"got {type(self.models_[0]).__name__}")
        S = torch.stack([a * m.predict_relaxed(Z) + b for m, (a, b) in zip(self.models_, self.calibration_)], dim=1)
        S = (S - torch.as_tensor(self.offset_, dtype=S.dtype)) / torch.as_tensor(self.scale_, dtype=S.dtype)
        lo, hi, h = (torch.as_tensor(v, dtype=S.dtype) for v in _staircase(self.front_, self.reference_))
        gain = ((torch.minimum(S[:, :1], hi) - lo).clamp(min=0) * (S[:, 1:] - h).clamp(min=0)).sum(dim=1)
        front = torch.as_tensor(self.front_, dtype=S.dtype)
        distance = (front[None, :, :] - S[:, None, :]).amax(dim=2).amin(dim=1)
        return torch.where(gain > 0, gain, -distance.clamp(min=0) - 1e-12)

    def greedy(self, X, n: int) -> np.ndarray:
        """Indices of ``n`` rows of ``X`` chosen one by one, each adding most to the front with the ones before."""
        S, front = self._scaled(self.predict_objectives(X)), self.front_
        free, picks = np.ones(len(X), dtype=bool), []
        for _ in range(min(n, len(X))):
            i = int(np.argmax(np.where(free, self._score(S, front), -np.inf)))
            picks.append(i)
            free[i] = False
            front = np.vstack([front, S[i]])
            front = front[pareto_front(front)]
        return np.asarray(picks, dtype=np.int64)


class HypervolumeImprovement(Acquisition):
    """The predicted hypervolume improvement, a batch chosen greedily (two objectives).

    Works on a :class:`PredictedImprovement`, whose predictions are each candidate's improvement of the
    evaluations' front: a batch takes, one by one, the candidate adding most to the front together with
    the ones chosen before it, from the ``pool_factor * n`` candidates predicted to improve it most alone.

    Parameters
    ----------
    pool_factor : int, default=20
        How many candidates per slot the greedy choice looks at.
    """

    def __init__(self, pool_factor: int = 20):
        self.pool_factor = pool_factor

    def score(self, P, *, incumbent=None, rng):
        return P.mean(axis=0)

    def select(self, P, n, *, incumbent=None, rng, predictor=None, X=None):
        if not callable(getattr(predictor, "greedy", None)) or X is None:
            raise TypeError(f"HypervolumeImprovement needs a PredictedImprovement and the candidate rows; "
                            f"got predictor={type(predictor).__name__}")
        pool = super().select(P, int(self.pool_factor) * n, rng=rng)
        return pool[predictor.greedy(X[pool], n)]
