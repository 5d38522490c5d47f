"""The search policy every front end shares: the default predictor and proposer.

The loop, :class:`~sknas.search.PredictorSearchCV` and :class:`~sknas.samplers.PredictorSampler` all take
their defaults from here; how they were chosen, with the measurements, is in the guide
(``docs/guide/fit_propose.rst``) and ``benchmarks/results/``.
"""

from __future__ import annotations

from ..predictors import ArchitectureRegressor
from ..proposers import RandomRankProposer
from ..spaces import Space

__all__ = ["default_predictor", "default_proposer", "ROUND_SIZE"]

#: architectures proposed per round (one predictor fit per this many evaluations) by default
ROUND_SIZE = 3


def default_predictor(space: Space, random_state=None) -> ArchitectureRegressor:
    """The predictor searches use by default: the directed GCN of the Neural Predictor, 64 wide, 60 epochs.

    Pairwise ranking loss. Differentiable, so :class:`~sknas.proposers.GradientAscentProposer` works on it too.
    At most 1,000 optimizer steps (``model__max_steps``): 60 epochs up to 512 evaluations, fewer beyond, so that
    a round of a long study costs no more than one at 512 evaluations.
    """
    return ArchitectureRegressor(space, model="gcn", model__hidden_size=64, model__max_epochs=60,
                                 model__max_steps=1000, random_state=random_state)


def default_proposer() -> RandomRankProposer:
    """The proposer searches use by default: the top of (up to) 10,000 random architectures by predicted value.

    The Neural Predictor's rule; when the space has no more rows than that, one row of every equivalence class
    is scored instead. (NAS-Bench-201's 15,625 rows are more: a round scores about 2,800 of its 4,930 cells.)
    """
    return RandomRankProposer()
