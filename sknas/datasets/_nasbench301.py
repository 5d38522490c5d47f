"""NAS-Bench-301 sample loader: 725 DARTS architectures on CIFAR-10 with zero-cost proxy scores."""

from __future__ import annotations

import functools

import numpy as np

from ..spaces import DARTSSpace
from ._base import PERCENT, DataFile, TabularBenchmark, find_data_file, read_json

__all__ = ["load_nasbench301_sample"]

NB301_FILE = DataFile("nasbench301_sample.json", 820765,
                      "537e9abd6f0b14fdffdfcb3c07b18a037647b5c80808b3b2cf9a51b1b491aba1")
_N_ARCHS = 725


def load_nasbench301_sample(*, data_home=None) -> TabularBenchmark:
    """Load the NAS-Bench-301 sample: 725 DARTS architectures trained on CIFAR-10.

    The table is NASLib's zero-cost benchmark sample of the DARTS space
    (``nasbench301_sample.json`` shipped in the package, checksum-verified; a copy in the data home takes precedence).

    Parameters
    ----------
    data_home : str or path-like, default=None
        A folder whose copy of ``nasbench301_sample.json`` is read instead of the shipped one
        (see :func:`get_data_home`).

    Returns
    -------
    bench : TabularBenchmark
        Space :class:`~sknas.spaces.DARTSSpace`; rows are the file's genotypes
        exactly as written (not canonicalised), ordered by NASLib's ``idx``
        (row ``i`` is entry ``idx == i``). Metrics: ``valid`` (validation
        accuracy, %), ``params`` (millions), ``flops`` (millions) and the
        score of every zero-cost proxy present for all entries (``epe_nas``,
        ``fisher``, ``grad_norm``, ``grasp``, ``jacov``, ``l2_norm``,
        ``nwot``, ``plain``, ``snip``, ``synflow``).

    Raises
    ------
    ValueError
        When the file is corrupt or not the
        NAS-Bench-301 sample.

    Examples
    --------
    >>> from sknas.datasets import load_nasbench301_sample
    >>> bench = load_nasbench301_sample()  # doctest: +SKIP
    >>> len(bench), round(bench.optimum("valid"), 3)  # doctest: +SKIP
    (725, 94.489)
    """
    path, _ = find_data_file(NB301_FILE, data_home)
    return _load(str(path), path.stat().st_mtime)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> TabularBenchmark:
    raw = read_json(path)
    table = raw.get("cifar10") if isinstance(raw, dict) else None
    if not isinstance(table, dict) or len(table) != _N_ARCHS:
        raise ValueError(f"data file {path} is not the NAS-Bench-301 sample ({{'cifar10': {{...}}}} with 725 entries)")
    space = DARTSSpace()
    try:
        entries = sorted(table.items(), key=lambda kv: int(kv[1]["idx"]))
        X = np.array([space.from_genotype(key) for key, _ in entries], dtype=np.int64)
        values = [v for _, v in entries]
        metrics = {
            "valid": np.array([v["val_accuracy"] for v in values], dtype=np.float64),
            "params": np.array([v["params"]["score"] for v in values], dtype=np.float64),
            "flops": np.array([v["flops"]["score"] for v in values], dtype=np.float64),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"data file {path} is not the NAS-Bench-301 sample: bad entry ({exc!r})") from exc
    proxies = sorted(
        k for k, v in values[0].items()
        if k not in ("params", "flops") and isinstance(v, dict) and "score" in v
    )
    for name in proxies:
        if all(isinstance(v.get(name), dict) and v[name].get("score") is not None for v in values):
            metrics[name] = np.array([v[name]["score"] for v in values], dtype=np.float64)
    return TabularBenchmark(space, X, metrics, name="nasbench301", dataset="cifar10", source=path, complete=False,
                            bounds={"valid": PERCENT})
