"""Torch modules built from architecture rows, usable as skorch modules (``module__arch=row``)."""

from ._mlp import MLPNetwork
from ._nb201 import NB201Network
from ._seed import seed_parameters

__all__ = ["NB201Network", "MLPNetwork", "seed_parameters"]
