"""Optuna samplers over the architectures of a sknas space."""

from ._base import ArchitectureSampler
from ._samplers import NeuralPredictorSampler, PredictorSampler, PredNASSampler, RegularizedEvolutionSampler

__all__ = [
    "ArchitectureSampler",
    "NeuralPredictorSampler",
    "PredNASSampler",
    "PredictorSampler",
    "RegularizedEvolutionSampler",
]
