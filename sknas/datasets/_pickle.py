"""A restricted unpickler for the data files of PyPI benchmark packages (plain values and numpy scalars only).

The two numpy globals these files need are dangerous as they are: ``numpy.dtype`` takes a state
(pickle's BUILD) that can describe any memory layout, and ``numpy._core.multiarray.scalar`` builds a
scalar from raw bytes with that layout, e.g. a void scalar whose object slot is a raw pointer, which
crashes the interpreter when it is printed. So neither is handed to the pickle: ``dtype`` becomes
:class:`_DType`, which accepts only the plain numeric dtypes and only their own, unmodified state, and
``scalar`` becomes :func:`_scalar`, which accepts only a :class:`_DType` and exactly its item size of
bytes and decodes them with a fresh numpy dtype.

Before anything is built, :func:`_nesting` reads the opcodes and refuses containers nested deeper than
:data:`MAX_DEPTH`: hashing a dict key that is a tuple nested 150,000 deep recurses in C and kills the
process with a segmentation fault, which no ``except`` can catch.
"""

from __future__ import annotations

import io
import pickle
import pickletools
from typing import IO, Any

import numpy as np

__all__ = ["restricted_load"]

#: the deepest nesting of containers a benchmark file may hold (the real ones hold 4)
MAX_DEPTH = 32

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


#: opcodes that take the items above the topmost mark: those that build a container of them, and those that
#: add them to the container below the mark
_MARK_BUILDS = {"TUPLE", "LIST", "DICT", "FROZENSET"}
_MARK_ADDS = {"APPENDS", "SETITEMS", "ADDITEMS"}


def _nesting(data: bytes) -> int:
    """How deep the containers of a pickle nest, read from its opcodes without building anything.

    A small stack machine holds, for each object the pickle would push, its nesting depth (0 for a
    number or a string); a container is one deeper than the deepest item it holds. Reading stops as
    soon as the depth passes :data:`MAX_DEPTH`. Opcodes that take a mark and are none of the
    container opcodes (``OBJ``, ``INST``) are refused: a benchmark file has no use for them.
    """
    stack: list[int] = []
    marks: list[int] = []
    memo: dict = {}
    deepest = 0
    for op, arg, _ in pickletools.genops(data):
        name = op.name
        if name == "MARK":
            marks.append(len(stack))
        elif name in _MARK_BUILDS or name in _MARK_ADDS or name == "POP_MARK":
            start = marks.pop()
            items = stack[start:]
            del stack[start:]
            if name in _MARK_BUILDS:
                stack.append(max(items, default=0) + 1)
            elif name in _MARK_ADDS:
                stack[-1] = max(stack[-1], max(items, default=0) + 1)
        elif any(item is pickletools.markobject for item in op.stack_before):
            raise pickle.UnpicklingError(f"refusing opcode {name} in a benchmark file")
        elif name in ("APPEND", "SETITEM"):
            items = [stack.pop() for _ in range(len(op.stack_before) - 1)]
            stack[-1] = max(stack[-1], max(items) + 1)
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            items = [stack.pop() for _ in range(len(op.stack_before))]
            stack.append(max(items) + 1)
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[arg] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo[arg])
        elif name == "DUP":
            stack.append(stack[-1])
        else:  # any other opcode: what it takes off the stack, the result holds
            items = [stack.pop() for _ in range(len(op.stack_before))]
            stack.extend([max(items, default=0)] * len(op.stack_after))
        if stack and stack[-1] > deepest:
            deepest = stack[-1]
            if deepest > MAX_DEPTH:
                break
    return deepest


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
        data = file.read()
        depth = _nesting(data)
        if depth > MAX_DEPTH:
            raise pickle.UnpicklingError(f"refusing containers nested more than {MAX_DEPTH} deep")
        return _RestrictedUnpickler(io.BytesIO(data)).load()
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            MemoryError, OverflowError, RecursionError) as exc:
        raise ValueError(f"benchmark file {getattr(file, 'name', '')} is corrupt or not allowed: "
                         f"{type(exc).__name__}: {str(exc)[:200]}") from exc
