"""Search spaces: architectures as rows of choice indices.

Every space keeps the contract of :class:`Space`, a small core (rows, validity and repair, canonical forms,
sampling, neighbours, native strings, the Optuna bridge), whose laws :func:`check_space` checks; the costs of
rows are functions of the space (:func:`cost`, :func:`has_cost`, :func:`node_type_costs`, :func:`node_costs`),
and its feature views live in :mod:`sknas.encodings`. This package
depends on numpy only (Optuna inside ``distributions``): it imports neither torch nor the networks built
from rows (:mod:`sknas.networks`, :mod:`sknas.hypernet`), which sit above it.
"""

from ._base import Space
from ._categorical import CategoricalSpace
from ._cell import NB201_OPS, CellSpace, NASBench201Space
from ._checks import check_space
from ._constrained import ConstrainedSpace, Constraint, check_constraints
from ._costs import cost, has_cost, node_costs, node_type_costs
from ._darts import DARTS_OPS, DARTSSpace
from ._macro import MacroCNNSpace
from ._mlp import MLPSpace
from ._nasbench101 import NB101_OPS, NASBench101Space
from ._nasbench_graph import NASBenchGraphSpace
from ._pool import PoolSpace

__all__ = ["Space", "CategoricalSpace", "CellSpace", "NASBench201Space", "NB201_OPS", "DARTSSpace", "DARTS_OPS",
           "NASBench101Space", "NB101_OPS", "NASBenchGraphSpace", "MLPSpace", "MacroCNNSpace", "PoolSpace",
           "ConstrainedSpace", "Constraint", "check_constraints", "check_space", "cost", "has_cost", "node_costs",
           "node_type_costs"]
