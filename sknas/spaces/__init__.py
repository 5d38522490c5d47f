"""Search spaces: architectures as rows of choice indices."""

from ._base import Space
from ._categorical import CategoricalSpace
from ._cell import NB201_OPS, CellSpace, NASBench201Space

__all__ = ["Space", "CategoricalSpace", "CellSpace", "NASBench201Space", "NB201_OPS"]
