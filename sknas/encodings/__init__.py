"""Architecture encodings (feature views of a search space) as scikit-learn transformers."""

from ._encoders import GraphEncoder, OneHotEncoder, PathEncoder, ReNASEncoder, renas_tensor_torch

__all__ = ["OneHotEncoder", "PathEncoder", "GraphEncoder", "ReNASEncoder", "renas_tensor_torch"]
