"""Search: the fit / propose loop for scripts and ``PredictorSearchCV`` for scikit-learn."""

from ..proposers import default_predictor, default_proposer
from ._loop import run_search
from ._search_cv import PredictorSearchCV

__all__ = ["PredictorSearchCV", "run_search", "default_predictor", "default_proposer"]
