"""Search spaces: architectures as rows of choice indices."""

from ._base import Space
from ._categorical import CategoricalSpace
from ._cell import NB201_OPS, CellSpace, NASBench201Space
from ._darts import DARTS_OPS, DARTSSpace
from ._nasbench101 import NB101_OPS, NASBench101Space
from ._nasbench_graph import NASBenchGraphSpace

__all__ = ["Space", "CategoricalSpace", "CellSpace", "NASBench201Space", "NB201_OPS", "DARTSSpace", "DARTS_OPS",
           "NASBench101Space", "NB101_OPS", "NASBenchGraphSpace"]
