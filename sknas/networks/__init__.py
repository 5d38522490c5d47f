"""Torch modules built from architecture rows, usable as skorch modules (``module__arch=row``)."""

from ._mlp import MLPNetwork, MLPSpace
from ._nb201 import NB201Network

__all__ = ["NB201Network", "MLPNetwork", "MLPSpace"]
