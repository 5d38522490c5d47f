"""Search: the fit / propose round written once, and the front ends for scripts and scikit-learn.

``run_search`` (the loop) and ``PredictorSearchCV`` are thin adapters over the round in ``_round``
(``initial_design``, ``round_seed``, ``fit_and_propose``), which the Optuna samplers share too; the
defaults every front end uses are ``default_predictor`` and ``default_proposer``.
"""

from ._defaults import ROUND_SIZE, default_predictor, default_proposer
from ._loop import run_search
from ._round import (
    MULTI_OBJECTIVE,
    PredictedImprovement,
    fit_and_propose,
    fit_predictor,
    initial_design,
    round_seed,
    scalarise,
    search_seed,
)
from ._search_cv import PredictorSearchCV

__all__ = ["PredictorSearchCV", "run_search", "default_predictor", "default_proposer", "ROUND_SIZE", "fit_and_propose",
           "fit_predictor", "initial_design", "round_seed", "scalarise", "search_seed", "PredictedImprovement",
           "MULTI_OBJECTIVE"]
