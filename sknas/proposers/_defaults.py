"""The defaults every search front end shares (the loop, PredictorSearchCV, the samplers)."""

from __future__ import annotations

from ..spaces import Space
from ._proposers import RandomRankProposer

__all__ = ["default_predictor", "default_proposer"]


def default_predictor(space: Space, random_state=None):
    """The predictor searches use by default: the Neural Predictor's directed GCN, pairwise loss, 100 epochs.

    Chosen by measurement (``benchmarks/search.py``, 100 queries, seeds 0-29; results in
    ``benchmarks/results/search_*.md``): against the earlier default (an ensemble of 5 MLPs on one-hot
    rows with Thompson sampling), mean regret went from 0.084 to 0.016 on NB201 cifar10-valid (optimum
    hit in 73% -> 83% of runs) and from 0.203 to 0.183 on ImageNet16-120, but from 0.146 to 0.180 on
    cifar100. On NAS-Bench-Graph (10 seeds) it is better on arxiv and pubmed and worse on cora and
    citeseer. It is differentiable (:class:`GradientAscentProposer` works on it), and 100 epochs rank
    as well as the 800 steps of :class:`~sknas.ArchitectureRegressor`'s own default, at a third of the cost.
    """
    from ..predictors import ArchitectureRegressor

    return ArchitectureRegressor(space, model="gcn", max_epochs=100, random_state=random_state)


def default_proposer():
    """The proposer searches use by default: the top of (up to) 10,000 random architectures by predicted
    value (the Neural Predictor's rule; the whole space when it is that small, e.g. NAS-Bench-201).

    Works with every predictor; :class:`GradientAscentProposer` (PredNAS) needs a differentiable one.
    """
    return RandomRankProposer()
