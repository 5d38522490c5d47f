"""Tabular NAS benchmarks that load offline, in the manner of ``sklearn.datasets``.

NAS-Bench-201 (full table) and the NAS-Bench-101 / NAS-Bench-301 samples ship inside the package
(``sknas/datasets/data``, sources and licences in its ``NOTICE.md``); NAS-Bench-Graph comes from the
PyPI package ``nas-bench-graph``; your own tables load with :func:`load_tabular_benchmark`.
"""

from ._base import (
    DATA_HOME_ENV,
    PACKAGE_DATA,
    PERCENT,
    DataFile,
    DataWarning,
    TabularBenchmark,
    find_data_file,
    get_data_home,
)
from ._nasbench201 import NB201_DATASETS, load_nasbench201
from ._nasbench301 import load_nasbench301_sample
from ._nasbench_graph import NASBENCH_GRAPH_DATASETS, load_nasbench_graph
from ._registry import BENCHMARKS, Benchmark, benchmark_status, load_benchmark
from ._samples import load_nasbench101_sample
from ._tabular import load_tabular_benchmark

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "benchmark_status",
    "load_benchmark",
    "DATA_HOME_ENV",
    "PACKAGE_DATA",
    "PERCENT",
    "DataFile",
    "DataWarning",
    "TabularBenchmark",
    "find_data_file",
    "get_data_home",
    "load_nasbench201",
    "load_nasbench101_sample",
    "load_nasbench301_sample",
    "load_tabular_benchmark",
    "NB201_DATASETS",
    "load_nasbench_graph",
    "NASBENCH_GRAPH_DATASETS",
]
