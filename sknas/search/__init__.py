"""Search: the fit / propose round written once, and the front ends for scripts and scikit-learn.

``run_search`` (the loop) and ``PredictorSearchCV`` are thin adapters over the round in ``_round``
(``initial_design``, ``round_seed``, ``fit_and_propose``), which the Optuna samplers share too; the
defaults every front end uses are ``default_predictor`` and ``default_proposer``.
"""

from ..utils import moved_names
from ._defaults import ROUND_SIZE, default_predictor, default_proposer
from ._fidelity import MIN_REFERENCE, chance_to_beat, fill_stopped, predict_final, stop_early
from ._loop import run_search
from ._round import MULTI_OBJECTIVE, fit_and_propose, initial_design, round_seed, search_seed
from ._search_cv import PredictorSearchCV

__all__ = ["PredictorSearchCV", "run_search", "default_predictor", "default_proposer", "ROUND_SIZE", "fit_and_propose",
           "initial_design", "round_seed", "search_seed", "MULTI_OBJECTIVE",
           "predict_final", "chance_to_beat", "stop_early", "fill_stopped", "MIN_REFERENCE"]

#: names that moved, and where they live now
__getattr__ = moved_names(__name__, {"PredictedImprovement": "sknas.acquisitions", "scalarise": "sknas.acquisitions",
                                     "fit_predictor": "sknas.predictors"})

