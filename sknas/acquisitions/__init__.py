"""Acquisition functions: how much a candidate architecture is worth evaluating next, from a fitted predictor.

An acquisition is a small class with one scoring method over the candidates' predictions (one row per
ensemble member): :class:`PredictedMean`, :class:`UpperConfidenceBound`, :class:`ThompsonSampling`,
:class:`IndependentThompsonSampling`, :class:`ExpectedImprovement`, :class:`FeasibilityWeighted` (any of them
times the probability of meeting constraints learned from evaluations), and for two objectives
:class:`HypervolumeImprovement` (on a :class:`PredictedImprovement`) beside ParEGO's :func:`scalarise`.
Proposers (:mod:`sknas.proposers`) optimise an acquisition over the rows of a space; a new acquisition is
one subclass of :class:`Acquisition`, usable by every proposer and front end as ``acquisition=``.
"""

from ._base import Acquisition, predict_members
from ._multi import HypervolumeImprovement, PredictedImprovement, scalarise
from ._single import (
    ExpectedImprovement,
    FeasibilityWeighted,
    IndependentThompsonSampling,
    PredictedMean,
    ThompsonSampling,
    UpperConfidenceBound,
)

#: the short names ``acquisition=`` also accepts, and the class each stands for
ACQUISITIONS = {"mean": PredictedMean, "ucb": UpperConfidenceBound, "thompson": ThompsonSampling,
                "its": IndependentThompsonSampling, "ei": ExpectedImprovement}

__all__ = ["ACQUISITIONS", "Acquisition", "ExpectedImprovement", "FeasibilityWeighted", "HypervolumeImprovement",
           "IndependentThompsonSampling", "PredictedImprovement", "PredictedMean", "ThompsonSampling",
           "UpperConfidenceBound", "predict_members", "scalarise"]
