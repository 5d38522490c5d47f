"""NAS-Bench-Graph loader: the light tables of the PyPI package ``nas-bench-graph``."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from ..spaces import NASBenchGraphSpace
from ..utils import short_repr
from ._base import PERCENT, TabularBenchmark, check_metric_range, get_data_home
from ._pickle import restricted_load

__all__ = ["load_nasbench_graph", "NASBENCH_GRAPH_DATASETS"]

#: the nine datasets of NAS-Bench-Graph
NASBENCH_GRAPH_DATASETS = ("cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins")

#: number of architectures (isomorphism classes) in each table, by op set
_SIZES = {"full": 26206, "proteins": 2021}
_FIELDS = ("valid_perf", "perf", "latency", "para")
#: the interval each field must lie in: scores are fractions (accuracy, or ROC-AUC for proteins), costs >= 0
_BOUNDS = {"valid_perf": (0.0, 1.0), "perf": (0.0, 1.0), "latency": (0.0, np.inf), "para": (0.0, np.inf)}
_SUBDIR = "nasbench_graph"


def _op_set(dataset: str) -> str:
    return "proteins" if dataset == "proteins" else "full"


def load_nasbench_graph(dataset: str = "cora", *, data_home=None) -> TabularBenchmark:
    """Load NAS-Bench-Graph (every GNN architecture of the benchmark) for one dataset.

    The table is read from ``<data_home>/nasbench_graph/<dataset>.bench`` if
    that file exists, otherwise from the ``light/<dataset>.bench`` file of the
    installed ``nas-bench-graph`` package. Files are read with a restricted
    unpickler (plain values only).

    Parameters
    ----------
    dataset : {"cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins"}, \
default="cora"
        Which dataset's results to load.
    data_home : str or path-like, default=None
        Folder that may hold a copy of the table (see :func:`get_data_home`).

    Returns
    -------
    bench : TabularBenchmark
        Rows of :class:`~sknas.spaces.NASBenchGraphSpace` (op set ``"proteins"``
        for proteins, ``"full"`` otherwise), one per isomorphism class: 26,206
        architectures (2,021 for proteins). Metrics: ``valid`` and ``test``
        (validation and test accuracy in %, i.e. the benchmark's fractions
        times 100; for proteins, whose OGB metric is ROC-AUC, the stored score times 100),
        ``latency`` (inference latency in seconds, as stored) and ``params``
        (millions of parameters).

    Raises
    ------
    ValueError
        Unknown dataset, missing package and copy, or a corrupt or truncated file
        (a score outside [0, 1], a negative or non-finite latency or parameter
        count included: the message names the field and the entry).

    Examples
    --------
    >>> from sknas.datasets import load_nasbench_graph
    >>> bench = load_nasbench_graph("cora")  # doctest: +SKIP
    >>> len(bench), round(bench.optimum("valid"), 2)  # doctest: +SKIP
    (26206, 81.93)
    """
    if not isinstance(dataset, str) or dataset not in NASBENCH_GRAPH_DATASETS:
        raise ValueError(
            f"dataset={dataset!r} is not a NAS-Bench-Graph dataset; accepted: {list(NASBENCH_GRAPH_DATASETS)}"
        )
    path = get_data_home(data_home) / _SUBDIR / f"{dataset}.bench"
    if not path.is_file():
        path = _package_file(dataset)
    stat = path.stat()
    return _load_table(dataset, str(path), stat.st_mtime, stat.st_size)


def _package_file(dataset: str) -> Path:
    try:
        import nas_bench_graph
    except ImportError:
        raise ValueError(
            "NAS-Bench-Graph needs the package nas-bench-graph (pip install nas-bench-graph, or "
            "pip install 'sknas[benchmarks]'), or a copy of the table in <data_home>/"
            f"{_SUBDIR}/{dataset}.bench"
        ) from None
    path = Path(nas_bench_graph.__file__).parent / "light" / f"{dataset}.bench"
    if not path.is_file():
        raise ValueError(f"the installed nas-bench-graph package has no table {path}; reinstall it")
    return path


@functools.lru_cache(maxsize=16)
def _load_table(dataset: str, path: str, mtime: float, size: int) -> TabularBenchmark:
    space = NASBenchGraphSpace(_op_set(dataset))
    try:
        with open(path, "rb") as f:
            table = restricted_load(f)
    except (OSError, MemoryError, OverflowError, RecursionError, IndexError, KeyError, TypeError,
            AttributeError) as exc:
        raise ValueError(
            f"NAS-Bench-Graph file {path} could not be read ({exc}); replace it with an intact copy"
        ) from exc
    expected = _SIZES[space.op_set]
    if not isinstance(table, dict) or len(table) != expected:
        n = len(table) if isinstance(table, dict) else type(table).__name__
        raise ValueError(f"NAS-Bench-Graph file {path} is corrupt: expected a dict of {expected} architectures, "
                         f"got {n}")
    if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in table):
        raise ValueError(f"NAS-Bench-Graph file {path} is corrupt: its keys are not all integers")
    keys = sorted(table)
    X = space.from_bench_key(np.asarray(keys, dtype=np.int64))  # ValueError on foreign keys
    if not space.is_valid(X).all() or not np.array_equal(space.canonical(X), X):
        raise ValueError(f"NAS-Bench-Graph file {path} is corrupt: it holds keys that are not canonical architectures")
    values = np.empty((len(keys), len(_FIELDS)))
    for i, k in enumerate(keys):
        entry = table[k]
        if not isinstance(entry, dict) or any(f not in entry for f in _FIELDS):
            raise ValueError(f"NAS-Bench-Graph file {path} is corrupt: entry {k} lacks some of {list(_FIELDS)}")
        for j, f in enumerate(_FIELDS):
            v = entry[f]
            try:  # float(10**400) is an OverflowError
                number = float(v) if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else math.nan
            except OverflowError:
                number = math.nan
            if not math.isfinite(number):
                raise ValueError(f"NAS-Bench-Graph file {path} is corrupt: entry {k} has {f}={short_repr(v)}")
            values[i, j] = number
    for j, f in enumerate(_FIELDS):
        check_metric_range(values[:, j], f, *_BOUNDS[f], where=f"NAS-Bench-Graph file {path} is corrupt: ", rows=keys)
    metrics = {
        "valid": values[:, 0] * 100.0,
        "test": values[:, 1] * 100.0,
        "latency": values[:, 2],
        "params": values[:, 3],
    }
    return TabularBenchmark(space, X, metrics, name="nasbench_graph", dataset=dataset, source=path,
                            bounds={"valid": PERCENT, "test": PERCENT})
