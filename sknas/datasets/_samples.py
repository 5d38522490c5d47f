"""Small sample tables of large benchmarks: the NAS-Bench-101 sample (500 cells on CIFAR-10)."""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from ..spaces import NASBench101Space
from ._base import PERCENT, DataFile, TabularBenchmark, find_data_file, read_json

__all__ = ["load_nasbench101_sample"]

NB101_FILE = DataFile("nasbench101_sample.json", 259564,
                      "c34840bc9af68b6ebaa7f052e42c1749a9a737d7243078be2a5548052bc5a0c2")
_NB101_N = 500
_NB101_FIXED = ("val_accuracy", "params", "flops")


def load_nasbench101_sample(*, data_home=None) -> TabularBenchmark:
    """Load the NAS-Bench-101 sample: 500 cells trained on CIFAR-10, with zero-cost proxy scores.

    The table is NASLib's zero-cost benchmark sample of NAS-Bench-101
    (``nasbench101_sample.json`` shipped in the package, checksum-verified; a copy in the data home takes precedence).

    Parameters
    ----------
    data_home : str or path-like, default=None
        A folder whose copy of ``nasbench101_sample.json`` is read instead of the shipped one
        (see :func:`get_data_home`).

    Returns
    -------
    bench : TabularBenchmark
        Space :class:`~sknas.spaces.NASBench101Space`; rows are the file's
        NASLib keys exactly as written (unpruned, not canonicalised; see
        :meth:`~sknas.spaces.NASBench101Space.from_naslib_key`), in file
        order. Metrics: ``valid`` (validation accuracy, %), ``params``
        (millions), ``flops`` (millions) and the score of every zero-cost
        proxy present in all entries (``epe_nas``, ``fisher``, ``grad_norm``,
        ``grasp``, ``jacov``, ``l2_norm``, ``plain``, ``snip``, ``synflow``).
        Rows of cells isomorphic to a table entry are found through
        :meth:`~sknas.datasets.TabularBenchmark.index`.

    Raises
    ------
    ValueError
        When the file is corrupt or not the
        NAS-Bench-101 sample.

    Notes
    -----
    The 500 keys denote 292 distinct cells (NAS-Bench-101 hashes): NASLib
    keeps unpruned, differently ordered copies of the same cell, each with
    its own accuracy (one of the three training seeds) and proxy scores.
    ``params`` and ``flops`` belong to the network built from the key's own
    vertex order, so isomorphic keys may differ slightly (under 1 %):
    NAS-Bench-101 hands the remainder of the output channels to the first
    vertices that feed the output.

    Examples
    --------
    >>> from sknas.datasets import load_nasbench101_sample
    >>> bench = load_nasbench101_sample()  # doctest: +SKIP
    >>> len(bench), round(bench.optimum("valid"), 3)  # doctest: +SKIP
    (500, 94.712)
    """
    path, _ = find_data_file(NB101_FILE, data_home)
    return _load_nb101(str(path), path.stat().st_mtime)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


@functools.lru_cache(maxsize=4)
def _load_nb101(path: str, mtime: float) -> TabularBenchmark:
    raw = read_json(path)
    table = raw.get("nasbench101", {}).get("cifar10") if isinstance(raw, dict) else None
    if not isinstance(table, dict) or len(table) != _NB101_N:
        raise ValueError(
            f"data file {path} is not the NAS-Bench-101 sample "
            f"({{'nasbench101': {{'cifar10': {{...}}}}}} with {_NB101_N} entries)"
        )
    space = NASBench101Space()
    keys = list(table)
    values = [table[k] for k in keys]
    try:
        X = space.from_naslib_keys(keys)
        metrics = {
            "valid": np.array([v["val_accuracy"] for v in values], dtype=np.float64),
            "params": np.array([v["params"] for v in values], dtype=np.float64),
            "flops": np.array([v["flops"] for v in values], dtype=np.float64),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"data file {path} is not the NAS-Bench-101 sample: bad entry ({exc!r})") from exc
    proxies = sorted(k for k in values[0] if k not in _NB101_FIXED)
    for name in proxies:
        if all(_is_number(v.get(name)) for v in values):
            metrics[name] = np.array([v[name] for v in values], dtype=np.float64)
    return TabularBenchmark(space, X, metrics, name="nasbench101", dataset="cifar10", source=path, complete=False,
                            bounds={"valid": PERCENT})
