"""Proposers: given a fitted predictor and the architectures seen so far, propose the next ones."""

from ._base import ACQUISITIONS, BaseProposer, Constraint
from ._defaults import default_predictor, default_proposer
from ._proposers import EvolutionProposer, GradientAscentProposer, MixtureProposer, RandomRankProposer

__all__ = [
    "ACQUISITIONS",
    "BaseProposer",
    "Constraint",
    "EvolutionProposer",
    "GradientAscentProposer",
    "MixtureProposer",
    "RandomRankProposer",
    "default_predictor",
    "default_proposer",
]
