"""The defaults every search front end shares (the loop, PredictorSearchCV, the samplers)."""

from __future__ import annotations

from ..spaces import Space
from ._proposers import RandomRankProposer

__all__ = ["default_predictor", "default_proposer"]


def default_predictor(space: Space, random_state=None):
    """The predictor searches use by default: the Neural Predictor's directed GCN, pairwise loss, 100 epochs.

    Chosen by measurement (``benchmarks/search.py``, NB201, 20-30 seeds, 100 queries): with the GCN the
    search reached mean regret 0.04 on cifar10-valid (optimum hit in 83% of runs) and 0.09 on cifar100
    (95%), against 0.14-0.18 (67-70%) and 0.11 (80%) for an ensemble of 5 MLPs on one-hot rows with
    Thompson sampling. It is differentiable (:class:`GradientAscentProposer` works on it), and 100
    epochs rank as well as the 800 steps of :class:`~sknas.ArchitectureRegressor`'s own default, at a
    third of the cost.
    """
    from ..predictors import ArchitectureRegressor

    return ArchitectureRegressor(space, model="gcn", max_epochs=100, random_state=random_state)


def default_proposer():
    """The proposer searches use by default: the top of (up to) 10,000 random architectures by predicted
    value (the Neural Predictor's rule; the whole space when it is that small, e.g. NAS-Bench-201).

    Works with every predictor; :class:`GradientAscentProposer` (PredNAS) needs a differentiable one.
    """
    return RandomRankProposer()
