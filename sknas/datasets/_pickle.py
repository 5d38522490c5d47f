"""A restricted unpickler for the data files of PyPI benchmark packages (plain values and numpy scalars only).

The two numpy globals these files need are dangerous as they are: ``numpy.dtype`` takes a state
(pickle's BUILD) that can describe any memory layout, and ``numpy._core.multiarray.scalar`` builds a
scalar from raw bytes with that layout, e.g. a void scalar whose object slot is a raw pointer, which
crashes the interpreter when it is printed. So neither is handed to the pickle: ``dtype`` becomes
:class:`_DType`, which accepts only the plain numeric dtypes and only their own, unmodified state, and
``scalar`` becomes :func:`_scalar`, which accepts only a :class:`_DType` and exactly its item size of
bytes and decodes them with a fresh numpy dtype.
"""

from __future__ import annotations

import pickle
from typing import IO, Any

import numpy as np

__all__ = ["restricted_load"]

#: the dtypes a benchmark scalar may have: booleans, integers and floats, in either byte order
_NUMERIC = {f"{order}{kind}{size}" for order in "<>|=" for kind, sizes in (("f", "248"), ("i", "1248"),
                                                                            ("u", "1248"), ("b", "1"))
            for size in sizes} | {"f8", "f4", "f2", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"}


class _DType:
    """``numpy.dtype`` as a pickle may use it: a plain numeric dtype with its own state, nothing else."""

    def __init__(self, spec=None, align=False, copy=True):
        if not isinstance(spec, str) or spec not in _NUMERIC or align not in (False, 0):
            raise pickle.UnpicklingError(f"refusing dtype {_short(spec)} in a benchmark file (plain numbers only)")
        self.dtype = np.dtype(spec)

    def __setstate__(self, state) -> None:
        expected = self.dtype.__reduce__()[2]
        byteorders = {expected[1], "<" if self.dtype.byteorder in "=<" else ">", "|"}
        if (not isinstance(state, tuple) or len(state) != len(expected) or state[0] != expected[0]
                or state[1] not in byteorders or state[2:] != expected[2:]):
            raise pickle.UnpicklingError(f"refusing a modified state {_short(state)} of dtype {self.dtype.str}")


def _scalar(dtype=None, data=None):
    """``numpy._core.multiarray.scalar`` for :class:`_DType` and exactly ``itemsize`` bytes."""
    if not isinstance(dtype, _DType) or not isinstance(data, bytes) or len(data) != dtype.dtype.itemsize:
        raise pickle.UnpicklingError("refusing a numpy scalar that is not a plain number")
    return np.frombuffer(data, dtype=dtype.dtype)[0]


def _short(value) -> str:
    text = repr(value) if isinstance(value, (str, bytes, int, float, tuple, type(None))) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


_ALLOWED = {
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy", "dtype"): _DType,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except (KeyError, TypeError):
            raise pickle.UnpicklingError(
                f"refusing to load global {_short(module)}.{_short(name)} from a benchmark file") from None


def restricted_load(file: IO[bytes]) -> Any:
    """Unpickle plain builtins and numeric numpy scalars only; anything else raises ``ValueError``.

    Benchmark files that ship in PyPI packages are pickles; this keeps them from running code or
    building objects with a crafted memory layout.
    """
    try:
        return _RestrictedUnpickler(file).load()
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            MemoryError, OverflowError, RecursionError) as exc:
        raise ValueError(f"benchmark file {getattr(file, 'name', '')} is corrupt or not allowed: "
                         f"{type(exc).__name__}: {str(exc)[:200]}") from exc
