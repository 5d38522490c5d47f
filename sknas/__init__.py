"""sknas: predictor-based neural architecture search with scikit-learn and Optuna interfaces.

The subpackages follow the flow of data: ``spaces`` -> ``encodings`` -> ``predictors`` ->
``proposers`` -> ``search`` / ``samplers`` -> ``cli``. The estimators most people start from are
re-exported here; they load lazily, so ``import sknas.spaces`` does not import torch.
"""

__version__ = "0.1.0"

_LAZY = {
    "ArchitectureRegressor": "sknas.predictors",
    "PredictorSearchCV": "sknas.search",
    "run_search": "sknas.search",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sknas' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
