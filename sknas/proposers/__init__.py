"""Proposers: given a fitted predictor and the architectures evaluated so far, propose the next ones.

A proposer needs only what :class:`Predictor` declares (``space`` and ``predict``; optionally
``predict_members`` and ``predict_relaxed``), so it knows nothing of how the predictor was trained, and
nothing of the search front end (loop, ``PredictorSearchCV`` or Optuna sampler) that calls it.
"""

from ._base import (
    ACQUISITIONS,
    BaseProposer,
    Constraint,
    DifferentiablePredictor,
    EnsemblePredictor,
    Predictor,
)
from ._proposers import EvolutionProposer, GradientAscentProposer, MixtureProposer, RandomRankProposer

__all__ = [
    "ACQUISITIONS",
    "BaseProposer",
    "Constraint",
    "DifferentiablePredictor",
    "EnsemblePredictor",
    "EvolutionProposer",
    "GradientAscentProposer",
    "MixtureProposer",
    "Predictor",
    "RandomRankProposer",
]
