"""Architecture encodings: the feature views of a search space, as functions and as scikit-learn transformers."""

from ._encoders import GraphEncoder, OneHotEncoder, PathEncoder, ReNASEncoder, renas_tensor_torch
from ._views import graph, graph_torch, n_features_onehot, node_types, onehot, onehot_slices, paths, project, relax

__all__ = ["OneHotEncoder", "PathEncoder", "GraphEncoder", "ReNASEncoder", "renas_tensor_torch", "onehot",
           "onehot_slices", "n_features_onehot", "relax", "project", "node_types", "graph", "graph_torch", "paths"]
