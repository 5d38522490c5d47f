"""Optuna samplers over the architectures of a sknas space.

The names load lazily: ``fail_stale_trials`` (for any Optuna study) imports neither scikit-learn nor torch.
"""

from ..utils import lazy_names

__all__ = [
    "ArchitectureSampler",
    "fail_stale_trials",
    "NeuralPredictorSampler",
    "PredNASSampler",
    "PredictorSampler",
    "RegularizedEvolutionSampler",
]

#: the public names (and ROW_ATTR, the trial attribute of a sampler's row claim) -> their submodule
_HOMES = {"ArchitectureSampler": "._base", "ROW_ATTR": "._optuna", "fail_stale_trials": "._optuna",
          **dict.fromkeys(["NeuralPredictorSampler", "PredNASSampler", "PredictorSampler",
                           "RegularizedEvolutionSampler"], "._samplers")}

__getattr__ = lazy_names(__name__, _HOMES)


def __dir__():
    return sorted([*__all__, "ROW_ATTR"])
