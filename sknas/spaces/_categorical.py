"""A generic product of named categorical choices."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..utils import short_repr
from ._base import Space

__all__ = ["CategoricalSpace"]


class CategoricalSpace(Space):
    """A product of named categorical decisions, e.g. a layer-wise macro space.

    Every combination is valid. The graph view is a chain (input, one node per
    decision, output), so graph predictors work on it too.

    Parameters
    ----------
    decisions : mapping of str to sequence
        Decision name to its choice labels, e.g.
        ``{"layer1": ["mb3_e3", "mb3_e6", "id"], "layer2": [...]}``.

    Examples
    --------
    >>> from sknas.spaces import CategoricalSpace
    >>> space = CategoricalSpace({"depth": [1, 2, 3], "act": ["relu", "tanh"]})
    >>> space.n_decisions, space.n_rows
    (2, 6)
    >>> space.to_string([2, 0])
    'depth=3,act=relu'
    """

    name = "categorical"

    def __init__(self, decisions: Mapping[str, Sequence[Any]]):
        super().__init__(decisions)

    def __repr__(self) -> str:
        inner = ", ".join(f"{n!r}: {list(c)!r}" for n, c in zip(self.decision_names, self.choices))
        if len(inner) > 120:
            inner = inner[:117] + "..."
        return f"CategoricalSpace({{{inner}}})"


def choice_tuple(name: str, values, check: Callable[[str, Any], Any]) -> tuple:
    """``values`` as a non-empty tuple of distinct choice labels, each checked by ``check(name, value)``.

    ``check`` is a constraint of :mod:`sknas.utils` (e.g. ``Int()`` or ``Options(...)``); the errors name ``name``.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty sequence; got {short_repr(values)}")
    out = tuple(check(f"each of {name}", v) for v in values)
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct; got {list(out)}")
    return out
