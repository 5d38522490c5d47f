"""The defaults every search front end shares (the loop, PredictorSearchCV, the samplers)."""

from __future__ import annotations

from ..spaces import Space
from ._proposers import EvolutionProposer, MixtureProposer, RandomRankProposer

__all__ = ["default_predictor", "default_proposer"]


def default_predictor(space: Space, random_state=None):
    """The predictor searches use by default: an ensemble of 5 small MLPs on one-hot rows, MSE + pairwise loss.

    Small and quick to refit every round; differentiable, so gradient ascent works on it too; the
    ensemble's spread drives Thompson sampling.
    """
    from ..predictors import ArchitectureRegressor

    return ArchitectureRegressor(space, model="mlp", encoding="onehot", loss="mse+pairwise", n_ensemble=5,
                                 hidden_size=128, n_layers=2, max_epochs=60, random_state=random_state)


def default_proposer():
    """The proposer searches use by default: half Thompson sampling over (up to) 10,000 random
    architectures, half Thompson-ranked single mutations of the 3 best evaluated ones."""
    return MixtureProposer([RandomRankProposer(acquisition="thompson"),
                            EvolutionProposer(n_parents=3, max_mutations=1, acquisition="thompson")])
