"""A restricted unpickler for the data files of PyPI benchmark packages."""

from __future__ import annotations

import pickle
from typing import IO, Any

__all__ = ["restricted_load"]

# The only globals these files need: numpy scalars and their dtypes.
_ALLOWED = {
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "dtype"),
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            if module.startswith("numpy.core"):
                module = "numpy._core" + module[len("numpy.core"):]
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name} from a benchmark file")


def restricted_load(file: IO[bytes]) -> Any:
    """Unpickle plain builtins and numpy scalars only; anything else raises ``UnpicklingError``.

    Benchmark files that ship in PyPI packages are pickles; this keeps them from
    running arbitrary code.
    """
    try:
        return _RestrictedUnpickler(file).load()
    except (EOFError, pickle.UnpicklingError, ValueError) as exc:
        raise ValueError(f"benchmark file {getattr(file, 'name', '')} is corrupt or not allowed: {exc}") from exc
