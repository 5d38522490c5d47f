"""Optuna pruners that predict what a full training would give (short trainings first)."""

from ._predictor import PredictorPruner

__all__ = ["PredictorPruner"]
