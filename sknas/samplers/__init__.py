"""Optuna samplers over the architectures of a sknas space."""

from ._base import ROW_ATTR as ROW_ATTR  # the trial attribute of a sampler's row claim
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
