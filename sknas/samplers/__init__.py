"""Optuna samplers over the architectures of a sknas space."""

from ._base import ArchitectureSampler
from ._optuna import fail_stale_trials
from ._samplers import NeuralPredictorSampler, PredictorSampler, PredNASSampler, RegularizedEvolutionSampler

__all__ = [
    "ArchitectureSampler",
    "fail_stale_trials",
    "NeuralPredictorSampler",
    "PredNASSampler",
    "PredictorSampler",
    "RegularizedEvolutionSampler",
]
