"""sknas: predictor-based neural architecture search with scikit-learn and Optuna interfaces."""

__version__ = "0.1.0"
