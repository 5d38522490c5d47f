"""Proposers: optimisers of an acquisition over the rows of a space, from a fitted predictor and the history.

A proposer generates candidate rows (random rows, the whole space, mutations of the best, regularized
evolution, gradient ascent on the relaxation) and lets an acquisition (:mod:`sknas.acquisitions`) choose
among them. It needs only what :class:`Predictor` declares (``space`` and ``predict``; optionally
``predict_members`` and ``predict_relaxed``), so it knows nothing of how the predictor was trained, and
nothing of the search front end (loop, ``PredictorSearchCV`` or Optuna sampler) that calls it.
"""

from ..utils import moved_names
from ._base import BaseProposer, DifferentiablePredictor, EnsemblePredictor, Predictor
from ._costs import RelaxedCost, relaxed_cost
from ._learned import learn_constraints, learn_feasibility
from ._proposers import (
    EvolutionProposer,
    GradientAscentProposer,
    MixtureProposer,
    RandomRankProposer,
    RegularizedEvolutionProposer,
)

__all__ = [
    "BaseProposer",
    "DifferentiablePredictor",
    "EnsemblePredictor",
    "EvolutionProposer",
    "GradientAscentProposer",
    "MixtureProposer",
    "Predictor",
    "RandomRankProposer",
    "RegularizedEvolutionProposer",
    "RelaxedCost",
    "learn_constraints",
    "learn_feasibility",
    "relaxed_cost",
]

#: names that moved, and where they live now
__getattr__ = moved_names(__name__, {"Constraint": "sknas.spaces", "ACQUISITIONS": "sknas.acquisitions"})
