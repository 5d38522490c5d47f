"""Performance predictors for architectures: ``ArchitectureRegressor``, its model backends and torch modules.

Each model (GCN, MLP, ReNAS, XGBoost, any scikit-learn regressor) is a backend of ``_backends``;
``ArchitectureRegressor`` validates, encodes, standardises, ensembles and calibrates around it.

The torch modules (``DirectedGCN``, ``MLP``, ``ReNASNet``, ``RankingLoss``,
``TensorBatches``, ``pairwise_logistic``) are imported lazily, so that
``import sknas`` does not pay for importing torch.
"""

from ._cascade import CascadePredictor
from ._fitting import fit_predictor
from ._prior import PRIOR_ACCEPTED, RankWeightedPrior, best_prior_rows, check_prior, fit_prior_model
from ._regressor import ENCODINGS, LOSSES, MODELS, ArchitectureRegressor

_LAZY = ("LeanNeuralNetRegressor", "DirectedGCN", "MLP", "ReNASNet", "RankingLoss", "TensorBatches",
         "pairwise_logistic")

__all__ = ["ArchitectureRegressor", "CascadePredictor", "MODELS", "ENCODINGS", "LOSSES", "fit_predictor", "check_prior",
           "fit_prior_model",
           "best_prior_rows",
           "RankWeightedPrior", "PRIOR_ACCEPTED", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        from . import _modules

        return getattr(_modules, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
