"""Tabular NAS benchmarks: a space, its rows and their metric arrays; where the tables are found."""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..spaces import Space
from ..utils import check_range, rng_from, short_repr

__all__ = ["TabularBenchmark", "DataFile", "get_data_home", "find_data_file", "read_json", "DataWarning",
           "DATA_HOME_ENV", "PACKAGE_DATA", "PERCENT"]

#: the range of an accuracy in % (the bundled benchmarks' accuracies, and a user table's ``acc`` columns)
PERCENT = (0.0, 100.0)

#: environment variable naming the data home
DATA_HOME_ENV = "SKNAS_DATA"

#: the folder of the tables shipped inside the package (see its NOTICE.md for sources and licences)
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


class DataWarning(UserWarning):
    """A benchmark was loaded from a source with fewer or different metrics than the shipped table."""


@dataclass(frozen=True)
class DataFile:
    """A data file sknas knows, with the size (bytes) and sha256 every copy of it must have."""

    name: str
    size: int
    sha256: str


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the folder that may hold further or larger benchmark tables.

    The tables sknas needs most ship inside the package; the data home holds
    the others (or your own copies, which take precedence). It is, in order:
    ``data_home`` if given, the ``SKNAS_DATA`` environment variable, else
    ``~/sknas_data``. Nothing is ever downloaded into it by sknas.

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


@functools.lru_cache(maxsize=32)
def _verified(path: str, mtime: float, size: int, expected: DataFile) -> bool:
    if size != expected.size:
        raise ValueError(f"data file {path} is corrupt or truncated: expected {expected.size} bytes, found {size}; "
                         "replace it with an intact copy")
    if _sha256(Path(path)) != expected.sha256:
        raise ValueError(f"data file {path} is corrupt: its sha256 does not match; replace it with an intact copy")
    return True


def find_data_file(file: DataFile, data_home=None) -> tuple[Path, str]:
    """The verified copy of ``file`` to read, and where it came from.

    A copy in the data home wins (``"data home"``); otherwise the copy shipped in
    the package (``"package"``). Either is checked against the file's size and
    sha256 first, so a corrupt or truncated copy raises ``ValueError`` instead of
    yielding a partial table.
    """
    for path, origin in ((get_data_home(data_home) / file.name, "data home"), (PACKAGE_DATA / file.name, "package")):
        if path.is_file():
            stat = path.stat()
            _verified(str(path), stat.st_mtime, stat.st_size, file)
            return path, origin
    raise ValueError(f"{file.name} is neither in the data home {get_data_home(data_home)} nor in the package "
                     f"({PACKAGE_DATA}); reinstall sknas or copy the file to the data home")


def read_json(path):
    """Parse a JSON data file; an unreadable or malformed one raises ``ValueError``."""
    import json

    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"data file {path} could not be read ({exc}); replace it with an intact copy") from exc


def check_metric_range(values: np.ndarray, column: str, low: float, high: float, where: str = "",
                       rows=None) -> None:
    """Raise a ``ValueError`` naming ``column`` and its first row whose value lies outside ``[low, high]``.

    The one home of the loaders' range rule (see :func:`metric_bounds`); ``where`` prefixes the message
    (e.g. the file); ``rows`` names the rows (e.g. a benchmark's keys: ``entry <key>``), by default their
    positions (``row <i>``).
    """
    values = np.asarray(values, dtype=np.float64)
    bad = np.flatnonzero(~((values >= low) & (values <= high)))
    if len(bad):
        i = int(bad[0])
        row = f"row {i}" if rows is None else f"entry {rows[i]}"
        raise ValueError(f"{where}metric column {column!r} has {len(bad)} value(s) outside [{low:g}, {high:g}], "
                         f"e.g. {row}: {float(values[i])!r}")


def metric_bounds(name: str, maximize: bool | None = None) -> tuple[float, float] | None:
    """The interval a metric of a user table must lie in, by its name, or None (any finite value).

    A cost (a name :class:`TabularBenchmark` minimises by default: ``params``, ``flops``, ``latency``,
    ``train_time``, ``size``, ``cost``, ``time``) is ``>= 0`` unless ``maximize`` says it is maximised; an
    accuracy (a name containing ``acc``) lies in ``[0, 100]``, fractions or percents.
    """
    lower = name.lower()
    if any(t in lower for t in TabularBenchmark._MINIMIZED) and maximize is not True:
        return 0.0, np.inf
    if "acc" in lower:
        return PERCENT
    return None


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
    complete : bool, default=True
        Whether the table holds every architecture of ``space`` (up to
        equivalence). A sample (``False``) is searched within its rows: see
        :attr:`search_space`.
    bounds : mapping of str to (float, float), default=None
        The closed interval each named metric's values lie in, e.g.
        :data:`PERCENT` for an accuracy in % (checked here; NaN cells aside).
        Front ends clip the *predictions* of a metric they show to it (see
        :meth:`objective_range`). A metric not named has no bound.

    Attributes
    ----------
    metric_names : list of str
        Available metrics.
    bounds : dict of str to (float, float)
        The declared intervals, by metric.
    """

    _MINIMIZED = ("params", "flops", "latency", "train_time", "size", "cost", "time")

    def __init__(self, space: Space, X, metrics: Mapping[str, np.ndarray], *, per_seed=None, maximize=None,
                 name: str = "tabular", dataset: str = "", source: str = "", complete: bool = True, bounds=None):
        if not isinstance(space, Space):
            raise TypeError(f"space must be a sknas Space; got {type(space).__name__}")
        self.space = space
        self.X = space.check_rows(X)
        self.X.setflags(write=False)
        n = len(self.X)
        self.metrics: dict[str, np.ndarray] = {}
        for key, values in metrics.items():
            try:
                arr = np.asarray(values, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"metric {key!r} must hold numbers: {str(exc)[:100]}") from None
            if arr.shape != (n,):
                raise ValueError(f"metric {key!r} has shape {arr.shape}; expected ({n},)")
            if np.isinf(arr).any() or (n and np.isnan(arr).all()):
                raise ValueError(f"metric {key!r} holds infinite values or no value at all; the optimum would be "
                                 "meaningless")
            arr.setflags(write=False)
            self.metrics[key] = arr
        self.per_seed = {k: np.asarray(v, dtype=np.float64) for k, v in (per_seed or {}).items()}
        for key, arr in self.per_seed.items():
            if arr.ndim != 2 or len(arr) != n:
                raise ValueError(f"per_seed[{key!r}] must have shape ({n}, n_seeds); got {arr.shape}")
        self.maximize = {k: not any(t in k for t in self._MINIMIZED) for k in self.metrics}
        self.maximize.update(maximize or {})
        self.name, self.dataset, self.source, self.complete = name, dataset, source, bool(complete)
        self.bounds: dict[str, tuple[float, float]] = {}
        for key, interval in (bounds or {}).items():
            self._check_metric(key)
            self.bounds[key] = check_range(interval, f"bounds[{key!r}]")
            known = np.flatnonzero(~np.isnan(self.metrics[key]))
            check_metric_range(self.metrics[key][known], key, *self.bounds[key], rows=known)
        keys = space.row_keys(self.X)
        self._exact: dict[bytes, int] = {}
        self._canon: dict[bytes, int] = {}
        for i, (r, k) in enumerate(zip(np.ascontiguousarray(self.X), keys)):
            self._exact.setdefault(r.tobytes(), i)  # the first entry wins on duplicates
            self._canon.setdefault(k, i)

    @property
    def search_space(self) -> Space:
        """The space a search over this table draws from: :attr:`space` itself when the table is complete,
        else the :class:`~sknas.spaces.PoolSpace` of the table's rows (every proposal is then in the table)."""
        if self.complete:
            return self.space
        if getattr(self, "_pool", None) is None:
            from ..spaces import PoolSpace

            self._pool = PoolSpace(self.space, self.X)
        return self._pool

    @property
    def metric_names(self) -> list[str]:
        return list(self.metrics)

    def __len__(self) -> int:
        return len(self.X)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(name={self.name!r}, dataset={self.dataset!r}, n_archs={len(self)}, "
                f"metrics={self.metric_names})")

    def _check_metric(self, metric: str) -> None:
        if not isinstance(metric, str) or metric not in self.metrics:
            raise ValueError(f"metric={short_repr(metric)} is not in {self.name} {self.dataset}; available: "
                             f"{self.metric_names}")

    def objective(self, metric: str = "valid"):
        """The function a search maximises: rows -> ``metric``, negated when the metric is minimised.

        Parameters
        ----------
        metric : str, default="valid"
            One of :attr:`metric_names`.

        Returns
        -------
        objective : callable
            Takes a 2-D array of rows of :attr:`space`, returns one float per row (higher is better).
        """
        self._check_metric(metric)
        sign = 1.0 if self.maximize.get(metric, True) else -1.0
        return lambda X: sign * self.query(X, metric)

    def objective_range(self, metric: str = "valid") -> tuple[float, float] | None:
        """The interval the values of :meth:`objective` lie in: the metric's :attr:`bounds`, negated when
        it is minimised; None when it has none.

        A predictor extrapolates (e.g. an accuracy above 100%): front ends clip the predicted values they
        show to this range, and rank on the raw predictions.
        """
        self._check_metric(metric)
        interval = self.bounds.get(metric)
        if interval is None or self.maximize.get(metric, True):
            return interval
        return -interval[1], -interval[0]

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

    def argbest(self, metric: str = "valid", space: Space | None = None) -> int:
        """Table index of the best architecture for ``metric`` (among the rows valid in ``space``, if given:
        e.g. a :class:`~sknas.spaces.ConstrainedSpace`, for the best architecture that meets the bounds)."""
        self._check_metric(metric)
        v = self.metrics[metric].copy()
        if space is not None:
            ok = space.is_valid(self.X)
            if not ok.any():
                raise ValueError(f"no architecture of {self.name} {self.dataset} is valid in {space!r}")
            v[~ok] = np.nan
        return int(np.nanargmax(v) if self.maximize[metric] else np.nanargmin(v))

    def optimum(self, metric: str = "valid", space: Space | None = None) -> float:
        """Best value of ``metric`` over the table (over the rows valid in ``space``, if given)."""
        return float(self.metrics[metric][self.argbest(metric, space)])

    def regret(self, values, metric: str = "valid", space: Space | None = None) -> np.ndarray:
        """Distance of ``values`` to the optimum of ``metric`` (non-negative, 0 at the optimum)."""
        v = np.asarray(values, dtype=np.float64)
        best = self.optimum(metric, space)
        return best - v if self.maximize[metric] else v - best

    def cost(self, metric: str):
        """``metric`` as a cost of rows, for a :class:`~sknas.spaces.Constraint`:
        ``Constraint(bench.cost("latency_pixel3"), max_value=5.0)``."""
        self._check_metric(metric)
        return _Column(self, metric)

    def to_frame(self):
        """The table as a ``pandas.DataFrame``: the native form of each row and its metrics."""
        import pandas as pd

        df = pd.DataFrame(self.metrics)
        df.insert(0, "arch", self.space.to_strings(self.X))
        return df


class _Column:
    """A metric of a benchmark as a function of rows (picklable, named after the metric)."""

    def __init__(self, bench: TabularBenchmark, metric: str):
        self.bench, self.metric, self.__name__ = bench, metric, metric

    def __call__(self, X) -> np.ndarray:
        return self.bench.query(X, self.metric)

    def _key(self):
        return (self.bench.name, self.bench.dataset, self.bench.source, len(self.bench), self.metric)

    def __eq__(self, other) -> bool:  # the same column of the same table, also after pickling
        return isinstance(other, _Column) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())
