"""Tabular NAS benchmarks: a space, its rows and their metric arrays; the data home."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..spaces import Space
from ..utils import rng_from

__all__ = ["TabularBenchmark", "get_data_home", "data_file", "require_data_file", "read_json", "DataWarning",
           "DATA_HOME_ENV"]

#: environment variable naming the data home
DATA_HOME_ENV = "SKNAS_DATA"

#: size (bytes) and sha256 of every data file sknas knows, to detect corrupt or truncated copies
KNOWN_FILES: dict[str, tuple[int, str]] = {
    "nasbench201.csv.gz": (2987166, "aa4453bcfba8fbc249ea7ed2b587852a5d5069a346aa14279cbc4bc5d348dde2"),
    "nasbench101_sample.json": (259564, "c34840bc9af68b6ebaa7f052e42c1749a9a737d7243078be2a5548052bc5a0c2"),
    "nasbench301_sample.json": (820765, "537e9abd6f0b14fdffdfcb3c07b18a037647b5c80808b3b2cf9a51b1b491aba1"),
}


class DataWarning(UserWarning):
    """A benchmark was loaded from a fallback source with fewer metrics."""


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the folder that holds benchmark tables.

    The folder is, in order: ``data_home`` if given, the ``SKNAS_DATA``
    environment variable, else ``~/sknas_data``. Nothing is ever downloaded
    into it by sknas; copy the tables there yourself.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Explicit folder.

    Returns
    -------
    path : pathlib.Path
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or Path.home() / "sknas_data"
    return Path(data_home).expanduser()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_file(name: str, data_home=None, *, verify: bool = True) -> Path | None:
    """Path of the data file ``name`` in the data home, or ``None`` if absent.

    Known files are verified (size and sha256); a corrupt or truncated file
    raises ``ValueError`` instead of yielding a partial table.
    """
    path = get_data_home(data_home) / name
    if not path.is_file():
        return None
    if verify and name in KNOWN_FILES:
        size, digest = KNOWN_FILES[name]
        actual = path.stat().st_size
        if actual != size:
            raise ValueError(
                f"data file {path} is corrupt or truncated: expected {size} bytes, found {actual}; "
                "replace it with an intact copy"
            )
        if _sha256(path) != digest:
            raise ValueError(f"data file {path} is corrupt: its sha256 does not match; replace it with an intact copy")
    return path


def require_data_file(name: str, data_home=None) -> Path:
    """Like :func:`data_file`, but a missing file raises ``ValueError`` saying where to put it."""
    path = data_file(name, data_home)
    if path is None:
        raise ValueError(
            f"{name} is not in the data home {get_data_home(data_home)}; copy it there "
            "(or set SKNAS_DATA / data_home to the folder that holds it)"
        )
    return path


def read_json(path):
    """Parse a JSON data file; an unreadable or malformed one raises ``ValueError``."""
    import json

    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"data file {path} could not be read ({exc}); replace it with an intact copy") from exc


class TabularBenchmark:
    """A tabular NAS benchmark: every architecture of a table, as rows, with its metrics.

    Parameters
    ----------
    space : Space
        The search space of the rows.
    X : array-like of shape (n_archs, n_decisions)
        The architectures of the table.
    metrics : mapping of str to array of shape (n_archs,)
        Metric columns, e.g. ``{"valid": ..., "test": ..., "params": ...}``.
    per_seed : mapping of str to array of shape (n_archs, n_seeds), default=None
        Per-seed values of some metrics (NaN where a seed is missing), used by
        noisy queries.
    maximize : mapping of str to bool, default=None
        Direction of each metric; accuracies are maximised, costs
        (``params``, ``flops``, ``latency``, ...) minimised by default.
    name : str, default="tabular"
        Benchmark name, e.g. ``"nasbench201"``.
    dataset : str, default=""
        Dataset the metrics were measured on.
    source : str, default=""
        Where the table was read from.

    Attributes
    ----------
    metric_names : list of str
        Available metrics.
    """

    _MINIMIZED = ("params", "flops", "latency", "train_time", "size", "cost", "time")

    def __init__(self, space: Space, X, metrics: Mapping[str, np.ndarray], *, per_seed=None, maximize=None,
                 name: str = "tabular", dataset: str = "", source: str = ""):
        if not isinstance(space, Space):
            raise TypeError(f"space must be a sknas Space; got {type(space).__name__}")
        self.space = space
        self.X = space.check_rows(X)
        self.X.setflags(write=False)
        n = len(self.X)
        self.metrics: dict[str, np.ndarray] = {}
        for key, values in metrics.items():
            arr = np.asarray(values, dtype=np.float64)
            if arr.shape != (n,):
                raise ValueError(f"metric {key!r} has shape {arr.shape}; expected ({n},)")
            arr.setflags(write=False)
            self.metrics[key] = arr
        self.per_seed = {k: np.asarray(v, dtype=np.float64) for k, v in (per_seed or {}).items()}
        for key, arr in self.per_seed.items():
            if arr.ndim != 2 or len(arr) != n:
                raise ValueError(f"per_seed[{key!r}] must have shape ({n}, n_seeds); got {arr.shape}")
        self.maximize = {k: not any(t in k for t in self._MINIMIZED) for k in self.metrics}
        self.maximize.update(maximize or {})
        self.name, self.dataset, self.source = name, dataset, source
        keys = space.row_keys(self.X)
        self._exact: dict[bytes, int] = {}
        self._canon: dict[bytes, int] = {}
        for i, (r, k) in enumerate(zip(np.ascontiguousarray(self.X), keys)):
            self._exact.setdefault(r.tobytes(), i)  # the first entry wins on duplicates
            self._canon.setdefault(k, i)

    @property
    def metric_names(self) -> list[str]:
        return list(self.metrics)

    def __len__(self) -> int:
        return len(self.X)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(name={self.name!r}, dataset={self.dataset!r}, n_archs={len(self)}, "
                f"metrics={self.metric_names})")

    def _check_metric(self, metric: str) -> None:
        if metric not in self.metrics:
            raise ValueError(f"metric={metric!r} is not in {self.name} {self.dataset}; available: {self.metric_names}")

    def index(self, X) -> np.ndarray:
        """Table index of each row (an equivalent architecture's entry when the row itself is absent).

        Raises ``ValueError`` for an architecture the table does not hold.
        """
        X = np.ascontiguousarray(self.space.check_rows(X))
        out = np.empty(len(X), dtype=np.int64)
        missing = []
        for i, r in enumerate(X):
            j = self._exact.get(r.tobytes())
            if j is None:
                j = self._canon.get(self.space.row_keys(r[None, :])[0])
            if j is None:
                missing.append(i)
            else:
                out[i] = j
        if missing:
            raise ValueError(
                f"{len(missing)} architecture(s) are not in {self.name} {self.dataset}, e.g. "
                f"{self.space.to_string(X[missing[0]])!r}; this table holds {len(self)} architectures"
            )
        return out

    def query(self, X, metric: str = "valid", *, noisy: bool = False, random_state=None) -> np.ndarray:
        """Look up ``metric`` for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n, n_decisions)
            Architectures, as rows of :attr:`space`.
        metric : str, default="valid"
            One of :attr:`metric_names`.
        noisy : bool, default=False
            Return the value of one randomly drawn training seed instead of the
            seed mean (only for metrics with per-seed values).
        random_state : int, Generator or None
            Seed of the noisy draw.

        Returns
        -------
        values : ndarray of shape (n,)
        """
        self._check_metric(metric)
        idx = self.index(X)
        if not noisy:
            return self.metrics[metric][idx].copy()
        if metric not in self.per_seed:
            raise ValueError(f"noisy queries need per-seed values; {metric!r} has none (have: {list(self.per_seed)})")
        rng = rng_from(random_state)
        seeds = self.per_seed[metric][idx]
        out = np.empty(len(idx))
        for i, row in enumerate(seeds):
            ok = row[np.isfinite(row)]
            out[i] = rng.choice(ok) if len(ok) else self.metrics[metric][idx[i]]
        return out

    def argbest(self, metric: str = "valid") -> int:
        """Table index of the best architecture for ``metric``."""
        self._check_metric(metric)
        v = self.metrics[metric]
        return int(np.nanargmax(v) if self.maximize[metric] else np.nanargmin(v))

    def optimum(self, metric: str = "valid") -> float:
        """Best value of ``metric`` over the table."""
        return float(self.metrics[metric][self.argbest(metric)])

    def regret(self, values, metric: str = "valid") -> np.ndarray:
        """Distance of ``values`` to the optimum of ``metric`` (non-negative, 0 at the optimum)."""
        v = np.asarray(values, dtype=np.float64)
        best = self.optimum(metric)
        return best - v if self.maximize[metric] else v - best

    def to_frame(self):
        """The table as a ``pandas.DataFrame``: the native form of each row and its metrics."""
        import pandas as pd

        df = pd.DataFrame(self.metrics)
        df.insert(0, "arch", self.space.to_strings(self.X))
        return df
