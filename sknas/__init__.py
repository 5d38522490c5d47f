"""sknas: predictor-based neural architecture search with scikit-learn and Optuna interfaces."""

__version__ = "0.1.0"

from .predictors import ArchitectureRegressor  # noqa: E402

__all__ = ["ArchitectureRegressor", "__version__"]
