"""Acquisitions of one objective: the predicted mean, its optimistic bound, posterior draws, expected improvement."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..utils import Real, validate_params
from ._base import Acquisition

__all__ = ["PredictedMean", "UpperConfidenceBound", "ThompsonSampling", "IndependentThompsonSampling",
           "ExpectedImprovement", "FeasibilityWeighted"]


class PredictedMean(Acquisition):
    """Greedy: the predicted mean (the Neural Predictor's top-K).

    Examples
    --------
    >>> import numpy as np
    >>> from sknas.acquisitions import PredictedMean
    >>> PredictedMean().select(np.array([[0.1, 0.9, 0.5]]), 2, rng=np.random.default_rng(0))
    array([1, 2])
    """

    def score(self, P, *, incumbent=None, rng):
        return P.mean(axis=0)


class UpperConfidenceBound(Acquisition):
    """Optimism: the ensemble's mean plus ``kappa`` times its spread (the mean with a single model).

    Parameters
    ----------
    kappa : float, default=1.0
        Weight of the spread (non-negative).
    """

    _parameter_constraints = {"kappa": Real(0.0)}

    def __init__(self, kappa: float = 1.0):
        self.kappa = kappa

    def score(self, P, *, incumbent=None, rng):
        validate_params(self)
        return P.mean(axis=0) + float(self.kappa) * P.std(axis=0)


class ThompsonSampling(Acquisition):
    """Thompson sampling over an ensemble: each slot of a batch takes the best candidate of one random member.

    The members are the posterior draws, so a batch spreads over what the ensemble disagrees on. With a
    single model there is nothing to draw from: candidates are ranked by the mean.
    """

    def score(self, P, *, incumbent=None, rng):
        """One posterior draw: the predictions of one member, chosen at random (the mean with one model)."""
        return P[rng.integers(len(P))] if len(P) > 1 else P[0]

    def select(self, P, n, *, incumbent=None, rng, predictor=None, X=None):
        if P.shape[1] == 0 or len(P) == 1:
            return super().select(P, n, incumbent=incumbent, rng=rng)
        chosen = np.zeros(P.shape[1], dtype=bool)
        picks = []
        for _ in range(min(n, P.shape[1])):  # each slot: the best row not yet chosen, by one random member
            s = np.where(chosen, -np.inf, P[rng.integers(len(P))])
            i = int(np.argmax(s))
            chosen[i] = True
            picks.append(i)
        return np.asarray(picks, dtype=np.int64)


class IndependentThompsonSampling(Acquisition):
    """Independent Thompson sampling (BANANAS, White et al. 2021): one draw per candidate.

    Each candidate's value is drawn from a normal with the ensemble's mean and spread; the best draws are
    taken. With a single model, candidates are ranked by the mean.
    """

    def score(self, P, *, incumbent=None, rng):
        mean = P.mean(axis=0)
        return mean if len(P) == 1 else rng.normal(mean, P.std(axis=0))


class ExpectedImprovement(Acquisition):
    """Expected improvement over the incumbent, with the ensemble's mean and spread as a normal posterior.

    ``EI = (mu - best - xi) Phi(z) + sigma phi(z)`` with ``z = (mu - best - xi) / sigma``; where the spread
    is zero (a single model) it is the plain improvement ``max(mu - best - xi, 0)``, and ties (no
    candidate expected to improve) are broken by the mean. Without an incumbent it is the mean.

    Parameters
    ----------
    xi : float, default=0.0
        Improvement that counts as none (exploration margin, in the values' units; non-negative).
    """

    _parameter_constraints = {"xi": Real(0.0)}

    def __init__(self, xi: float = 0.0):
        self.xi = xi

    def score(self, P, *, incumbent=None, rng):
        validate_params(self)
        mean, std = P.mean(axis=0), P.std(axis=0)
        if incumbent is None or not np.isfinite(incumbent):
            return mean
        gain = mean - float(incumbent) - float(self.xi)
        safe = np.where(std > 0, std, 1.0)
        z = gain / safe
        return np.where(std > 0, gain * stats.norm.cdf(z) + std * stats.norm.pdf(z), np.maximum(gain, 0.0))


class FeasibilityWeighted(Acquisition):
    """An acquisition times the probability that a candidate meets constraints known only after evaluation.

    Constrained expected improvement (Gardner et al. 2014) is ``FeasibilityWeighted(ExpectedImprovement(),
    feasibility)``. The weighted acquisition's scores are shifted to be non-negative over the candidates
    first (the worst scores 0), so that a weight always lowers a score; candidates certain to break a
    constraint come last.

    Parameters
    ----------
    acquisition : Acquisition, default=None
        The acquisition weighted; default :class:`ExpectedImprovement`.
    feasibility : callable, default=None
        ``feasibility(rows)`` -> probabilities in [0, 1], e.g. from
        :func:`~sknas.proposers.learn_feasibility`; None weights every candidate by 1.
    """

    def __init__(self, acquisition=None, feasibility=None):
        self.acquisition = acquisition
        self.feasibility = feasibility

    def score(self, P, *, incumbent=None, rng):
        return (self.acquisition or ExpectedImprovement()).score(P, incumbent=incumbent, rng=rng)

    def select(self, P, n, *, incumbent=None, rng, predictor=None, X=None):
        if P.shape[1] == 0:
            return np.empty(0, dtype=np.int64)
        if self.acquisition is not None and not isinstance(self.acquisition, Acquisition):
            raise TypeError(f"acquisition must be an Acquisition; got {type(self.acquisition).__name__}")
        if self.feasibility is not None and X is None:
            raise TypeError("FeasibilityWeighted needs the candidate rows (X) to weigh them")
        scores = np.asarray(self.score(P, incumbent=incumbent, rng=rng), dtype=np.float64)
        weight = np.ones(len(scores)) if self.feasibility is None else np.asarray(self.feasibility(X), np.float64)
        if weight.shape != scores.shape or not np.all((weight >= 0) & (weight <= 1)):
            raise ValueError(f"feasibility must return one probability in [0, 1] per candidate; got {weight!r}")
        # ties (e.g. at the worst score, weighted 0): the likelier feasible first, then the better predicted
        return np.lexsort((-P.mean(axis=0), -weight, -(scores - scores.min()) * weight))[:n]
