"""Small shared helpers: random states, seeds, torch threads and the argument checks of every module.

Argument checks follow scikit-learn's ``_parameter_constraints``: a class declares, per parameter, a
constraint (:class:`Int`, :class:`Real`, :class:`Options`, :class:`Instance`, :class:`Range`), and
:func:`validate_params` checks them all at the boundary, raising ``TypeError`` for a value of the wrong
type and ``ValueError`` for one out of range, both naming the parameter and what it accepts. Unlike
scikit-learn's ``Interval``, ``True`` is not an integer here and NaN / infinity are never numbers.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import numbers
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["atomic_path", "check_random_state", "check_choice", "rng_from", "seed_from", "torch_threads", "Int", "Real",
           "Options", "Instance", "Range", "check_int", "check_real", "check_range", "clip_range", "n_outside",
           "validate_params",
           "short_repr", "moved_names", "lazy_names", "renamed", "is_int"]


def check_random_state(seed):
    """scikit-learn's :func:`~sklearn.utils.check_random_state`, imported when called: importing
    :mod:`sknas.utils` (and the CLI's parser) does not import scikit-learn."""
    from sklearn.utils import check_random_state as check

    return check(seed)


def renamed(old: str, old_value, new: str, new_value, *, stacklevel: int = 3):
    """The value of a renamed parameter: ``new_value``, or ``old_value`` with a ``FutureWarning`` when given.

    ``old_value`` counts as not given when it is ``None`` or the string ``"deprecated"`` (the default an
    estimator's ``__init__`` gives a deprecated parameter, as scikit-learn does).
    """
    if old_value is None or (isinstance(old_value, str) and old_value == "deprecated"):
        return new_value
    warnings.warn(f"{old} is deprecated; use {new} (same meaning)", FutureWarning, stacklevel=stacklevel)
    return old_value


def moved_names(module: str, moved: Mapping[str, str]):
    """A module ``__getattr__`` that still serves names which moved, with a ``FutureWarning``.

    ``moved`` maps each old name of ``module`` to the module that holds it now; in that module's
    ``__init__``: ``__getattr__ = moved_names(__name__, {"Constraint": "sknas.spaces"})``.
    """

    def __getattr__(name):
        if name in moved:
            warnings.warn(f"{module}.{name} is deprecated; import it from {moved[name]}", FutureWarning,
                          stacklevel=2)
            return getattr(importlib.import_module(moved[name]), name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


def lazy_names(module: str, names: Mapping[str, str]):
    """A module ``__getattr__`` that imports each name of ``names`` from its submodule when first used.

    ``names`` maps each public name of package ``module`` to the submodule that defines it (relative, e.g.
    ``"._samplers"``): importing the package, or one light submodule of it, then imports none of the heavy
    ones. In the package's ``__init__``: ``__getattr__ = lazy_names(__name__, {"Sampler": "._samplers"})``.
    """

    def __getattr__(name):
        if name in names:
            return getattr(importlib.import_module(names[name], module), name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__


def short_repr(value, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters (messages never echo a huge input whole)."""
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__} whose repr failed: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_choice(name: str, value, accepted: Iterable) -> None:
    """Raise a ``ValueError`` naming ``name`` when ``value`` is not one of ``accepted``."""
    accepted = list(accepted)
    try:
        ok = any(bool(value == a) and isinstance(value, bool) == isinstance(a, bool) for a in accepted)
    except (TypeError, ValueError):  # e.g. an array compared with a string
        ok = False
    if not ok:
        raise ValueError(f"{name}={short_repr(value)} is not supported; accepted values: {accepted}")


def is_int(value) -> bool:
    """Whether ``value`` is an integer (a Python or numpy one), booleans excluded (``True`` is no index)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value, name: str, *, low: int | None = 1, high: int | None = None, allow_none: bool = False):
    """Return ``value`` as an ``int`` in ``[low, high]``; ``TypeError`` / ``ValueError`` naming ``name`` otherwise.

    Booleans are not integers here (``True`` is not a count); numpy integers are.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer{' or None' if allow_none else ''}; got {short_repr(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}]; got {value}")
    return value


def check_real(value, name: str, *, low: float | None = None, high: float | None = None, closed: str = "both",
               allow_none: bool = False):
    """Return ``value`` as a finite ``float`` in the interval; ``TypeError`` / ``ValueError`` otherwise.

    ``closed`` is ``"both"``, ``"left"``, ``"right"`` or ``"neither"`` (which ends belong to the interval).
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number{' or None' if allow_none else ''}; got {short_repr(value)}")
    value = float(value)
    left_ok = low is None or (value >= low if closed in ("both", "left") else value > low)
    right_ok = high is None or (value <= high if closed in ("both", "right") else value < high)
    if not np.isfinite(value) or not (left_ok and right_ok):
        lb = "(-inf" if low is None else ("[" if closed in ("both", "left") else "(") + f"{low:g}"
        rb = "inf)" if high is None else f"{high:g}" + ("]" if closed in ("both", "right") else ")")
        raise ValueError(f"{name} must be a finite number in {lb}, {rb}; got {value!r}")
    return value


def check_range(value, name: str, *, allow_none: bool = False) -> tuple[float, float] | None:
    """Return ``value`` as a closed interval ``(low, high)`` of floats, ``low <= high`` (either end may be
    infinite); a ``ValueError`` naming ``name`` otherwise."""
    if value is None and allow_none:
        return None
    try:
        low, high = (float(v) for v in value) if not isinstance(value, (str, bytes)) else (np.nan, np.nan)
        ok = bool(low <= high)  # False with a NaN end
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(f"{name}={short_repr(value)} is not supported; accepted: {'None or ' if allow_none else ''}"
                         "a pair (low, high) of numbers with low <= high")
    return low, high


def clip_range(values, value_range: tuple[float, float] | None) -> np.ndarray:
    """``values`` as floats clipped to the closed interval ``value_range`` (unchanged when it is None; NaN
    stays NaN): how a front end shows predictions of a value that lies in a known range."""
    values = np.asarray(values, dtype=np.float64)
    return values if value_range is None else np.clip(values, *value_range)


def n_outside(values, value_range: tuple[float, float] | None) -> int:
    """How many of ``values`` :func:`clip_range` changes: those outside ``value_range`` (none when it is None)."""
    values = np.asarray(values, dtype=np.float64)
    return 0 if value_range is None else int(((values < value_range[0]) | (values > value_range[1])).sum())


@dataclass(frozen=True)
class Int:
    """Constraint: an integer in ``[low, high]`` (``None``: unbounded), optionally ``None``."""

    low: int | None = 1
    high: int | None = None
    none: bool = False

    def __call__(self, name: str, value):
        return check_int(value, name, low=self.low, high=self.high, allow_none=self.none)


@dataclass(frozen=True)
class Real:
    """Constraint: a finite real number in the interval (see :func:`check_real`), optionally ``None``."""

    low: float | None = None
    high: float | None = None
    closed: str = "both"
    none: bool = False

    def __call__(self, name: str, value):
        return check_real(value, name, low=self.low, high=self.high, closed=self.closed, allow_none=self.none)


@dataclass(frozen=True)
class Options:
    """Constraint: one of ``values`` (compared by value and type), optionally ``None``."""

    values: tuple
    none: bool = False

    def __call__(self, name: str, value):
        if value is None and self.none:
            return None
        check_choice(name, value, self.values + ((None,) if self.none else ()))
        return value


@dataclass(frozen=True)
class Instance:
    """Constraint: an instance of ``types`` (a type or tuple of types), optionally ``None``."""

    types: Any
    none: bool = False

    def __call__(self, name: str, value):
        if value is None and self.none:
            return None
        if not isinstance(value, self.types):
            types = self.types if isinstance(self.types, tuple) else (self.types,)
            names = " or ".join(t.__name__ for t in types) + (" or None" if self.none else "")
            raise TypeError(f"{name} must be {names}; got {type(value).__name__}")
        return value


@dataclass(frozen=True)
class Range:
    """Constraint: a closed interval ``(low, high)`` of numbers (see :func:`check_range`), optionally ``None``."""

    none: bool = False

    def __call__(self, name: str, value):
        return check_range(value, name, allow_none=self.none)


def validate_params(owner, constraints: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check every declared parameter of ``owner``; return ``{name: checked value}``.

    Parameters
    ----------
    owner : object
        Holds the parameters as attributes (an estimator, a proposer, a sampler).
    constraints : mapping, default=None
        ``{name: constraint}``, a constraint being any callable ``(name, value) -> value`` that raises
        on a bad value (:class:`Int`, :class:`Real`, :class:`Options`, :class:`Instance`, :class:`Range`, or a
        list of them: the first that accepts wins). Default: ``owner._parameter_constraints``.
    """
    constraints = type(owner)._parameter_constraints if constraints is None else constraints
    out = {}
    for name, constraint in constraints.items():
        value = getattr(owner, name)
        if isinstance(constraint, (list, tuple)):
            errors: list[Exception] = []
            for c in constraint:
                try:
                    out[name] = c(name, value)
                    break
                except (TypeError, ValueError) as exc:
                    errors.append(exc)
            else:  # a TypeError only when the value has a type no constraint accepts
                kind = TypeError if all(isinstance(e, TypeError) for e in errors) else ValueError
                raise kind("; or ".join(str(e) for e in errors))
        else:
            out[name] = constraint(name, value)
    return out


def rng_from(random_state) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a seed, ``RandomState`` or ``Generator``."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if random_state is None or (isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool)):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int, a numpy RandomState or Generator; got {type(random_state).__name__}"
    )


def seed_from(*parts) -> int:
    """A stable 32-bit seed from any parts (the same in every process and on every machine)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:4], "little")


@contextlib.contextmanager
def torch_threads(n):
    """Temporarily limit torch's intra-op threads (small models run fastest on one); ``None`` leaves them."""
    if n is None:
        yield
        return
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` to write to; on success it replaces ``path`` by a rename.

    So ``path`` is never seen half-written (after a crash it holds the old or the new content); on an
    error the temporary file is removed and ``path`` is left as it was.
    """
    from pathlib import Path

    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
