"""Tabular NAS benchmarks that load offline, in the manner of ``sklearn.datasets``."""

from ._base import DATA_HOME_ENV, DataWarning, TabularBenchmark, get_data_home
from ._nasbench201 import NB201_DATASETS, load_nasbench201
from ._tabular import load_tabular_benchmark

__all__ = [
    "DATA_HOME_ENV",
    "DataWarning",
    "TabularBenchmark",
    "get_data_home",
    "load_nasbench201",
    "load_tabular_benchmark",
    "NB201_DATASETS",
]
