import builtins
import shutil
from pathlib import Path

import numpy as np
import pytest

from sknas.datasets import NASBENCH_GRAPH_DATASETS, TabularBenchmark, load_nasbench_graph
from sknas.datasets import _nasbench_graph as nbg
from sknas.spaces import NASBenchGraphSpace

# best validation / best test accuracy (%) over each table, measured from nas-bench-graph 1.3
FACTS = {
    "cora": (81.93333333333334, 83.13333333333333),
    "citeseer": (72.80000000000001, 71.56666666666666),
    "pubmed": (81.13333333333334, 78.60000000000001),
    "cs": (92.13333333333334, 91.26239359987868),
    "physics": (94.0, 93.00489637784851),
    "photo": (94.06666666666666, 92.78961478763934),
    "computers": (91.89999999999999, 85.58341743653443),
    "arxiv": (73.66666666666667, 72.3864782009341),
    "proteins": (85.33333333333334, 79.26337187386987),
}
BEST_BY_VALID = {  # architecture with the best validation accuracy, and its test accuracy
    "cora": ("link=0123|fc,gat,fc,gin", 82.63333333333334),
    "arxiv": ("link=0123|cheb,arma,cheb,cheb", 71.95372027789779),
    "proteins": ("link=0122|sage,arma,fc,skip", 76.11243070764532),
}


def _package_file(name: str) -> Path:
    import nas_bench_graph

    return Path(nas_bench_graph.__file__).parent / "light" / f"{name}.bench"


def test_datasets_listed():
    assert NASBENCH_GRAPH_DATASETS == tuple(FACTS)


@pytest.mark.parametrize("dataset", list(FACTS))
def test_size_and_optima(dataset, tmp_path):
    bench = load_nasbench_graph(dataset, data_home=tmp_path)
    assert isinstance(bench, TabularBenchmark)
    n = 2021 if dataset == "proteins" else 26206
    assert len(bench) == n and bench.X.shape == (n, 5)
    assert bench.space == NASBenchGraphSpace("proteins" if dataset == "proteins" else "full")
    assert bench.name == "nasbench_graph" and bench.dataset == dataset
    assert bench.source == str(_package_file(dataset))
    assert set(bench.metric_names) == {"valid", "test", "latency", "params"}
    best_valid, best_test = FACTS[dataset]
    assert bench.optimum("valid") == pytest.approx(best_valid, abs=1e-9)
    assert bench.optimum("test") == pytest.approx(best_test, abs=1e-9)
    assert bench.maximize["valid"] and not bench.maximize["latency"] and not bench.maximize["params"]


@pytest.mark.parametrize("dataset", list(BEST_BY_VALID))
def test_best_by_validation(dataset):
    bench = load_nasbench_graph(dataset)
    i = bench.argbest("valid")
    arch, test = BEST_BY_VALID[dataset]
    assert bench.space.to_string(bench.X[i]) == arch
    assert bench.metrics["test"][i] == pytest.approx(test, abs=1e-9)


def test_values_match_raw_table():
    from sknas.datasets._pickle import restricted_load

    with open(_package_file("citeseer"), "rb") as f:
        raw = restricted_load(f)
    bench = load_nasbench_graph("citeseer")
    keys = bench.space.to_bench_key(bench.X)
    for j in (0, 100, 26205):
        entry = raw[int(keys[j])]
        assert bench.metrics["valid"][j] == pytest.approx(100 * entry["valid_perf"])
        assert bench.metrics["test"][j] == pytest.approx(100 * entry["perf"])
        assert bench.metrics["latency"][j] == pytest.approx(entry["latency"])
        assert bench.metrics["params"][j] == pytest.approx(entry["para"])


def test_query_through_isomorphism():
    bench = load_nasbench_graph("cora")
    space = bench.space
    X = space.from_strings(["link=0012|gcn,gat,sage,skip", "link=0112|skip,gcn,gat,sage",
                            "link=0000|sage,gcn,gat,fc", "link=0000|fc,gat,gcn,sage"])
    v = bench.query(X, "valid")
    assert v[0] == v[1] and v[2] == v[3]
    key = space.to_bench_key(space.canonical(X[0])[0])
    assert bench.space.to_bench_key(bench.X[bench.index(X[:1])[0]]) == key
    every = space.enumerate()[::97]
    assert np.all(np.isfinite(bench.query(every, "test")))
    with pytest.raises(ValueError, match="skip"):
        bench.query(space.check_rows([[0, 8, 8, 8, 8]], require_valid=False))


def test_cached():
    assert load_nasbench_graph("pubmed") is load_nasbench_graph("pubmed")


def test_unknown_dataset():
    with pytest.raises(ValueError, match="cora.*proteins"):
        load_nasbench_graph("mnist")


def test_copy_in_data_home_is_preferred(tmp_path):
    folder = tmp_path / "nasbench_graph"
    folder.mkdir()
    shutil.copy(_package_file("proteins"), folder / "proteins.bench")
    bench = load_nasbench_graph("proteins", data_home=tmp_path)
    assert bench.source == str(folder / "proteins.bench")
    assert len(bench) == 2021


@pytest.mark.parametrize("cut", [0, 1000, 0.5, -10])
def test_truncated_file(tmp_path, cut):
    folder = tmp_path / "nasbench_graph"
    folder.mkdir()
    raw = _package_file("proteins").read_bytes()
    n = int(len(raw) * cut) if isinstance(cut, float) else (cut if cut >= 0 else len(raw) + cut)
    (folder / "proteins.bench").write_bytes(raw[:n])
    with pytest.raises(ValueError, match="corrupt|could not be read"):
        load_nasbench_graph("proteins", data_home=tmp_path)


def test_wrong_content(tmp_path):
    import pickle

    folder = tmp_path / "nasbench_graph"
    folder.mkdir()
    entry = {"valid_perf": 0.5, "perf": 0.5, "latency": 0.1, "para": 0.2}
    cases = {
        "cora": {0: entry},  # too few architectures
        "citeseer": [1, 2, 3],  # not a dict
        "pubmed": {("a" if k == 0 else k): dict(entry) for k in range(26206)},  # a non-integer key
        "proteins": {k: dict(entry) for k in range(1111, 1111 + 2021)},  # keys outside the op set
    }
    for name, obj in cases.items():
        (folder / f"{name}.bench").write_bytes(pickle.dumps(obj))
        with pytest.raises(ValueError, match="corrupt|not in"):
            load_nasbench_graph(name, data_home=tmp_path)
    raw = nbg.restricted_load(open(_package_file("proteins"), "rb"))
    raw[next(iter(raw))]["perf"] = float("nan")
    (folder / "proteins.bench").write_bytes(pickle.dumps(raw))
    with pytest.raises(ValueError, match="perf=nan"):
        load_nasbench_graph("proteins", data_home=tmp_path)
    evil = pickle.dumps({k: v for k, v in raw.items()} | {"x": builtins.print})
    (folder / "proteins.bench").write_bytes(evil)
    with pytest.raises(ValueError, match="not allowed|corrupt"):
        load_nasbench_graph("proteins", data_home=tmp_path)


def test_missing_package(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "nas_bench_graph":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ValueError, match="pip install nas-bench-graph"):
        load_nasbench_graph("cora", data_home=tmp_path)


@pytest.mark.parametrize("field, value, message", [
    ("perf", 1e6, r"'perf' has 1 value\(s\) outside \[0, 1\], e.g. entry \d+: 1000000.0"),
    ("valid_perf", -0.5, r"'valid_perf' has 1 value\(s\) outside \[0, 1\]"),
    ("latency", -1e300, r"'latency' has 1 value\(s\) outside \[0, inf\], e.g. entry \d+: -1e\+300"),
    ("para", -1, r"'para' has 1 value\(s\) outside \[0, inf\]"),
    ("latency", 10**400, r"entry \d+ has latency=1000000.*\.\.\.$"),  # was an OverflowError
])
def test_out_of_range_values_are_refused(tmp_path, field, value, message):
    """A score outside [0, 1], a negative cost or an int past float's range: ValueError naming field and entry."""
    import pickle

    folder = tmp_path / "nasbench_graph"
    folder.mkdir()
    raw = nbg.restricted_load(open(_package_file("proteins"), "rb"))
    raw[next(iter(raw))][field] = value
    (folder / "proteins.bench").write_bytes(pickle.dumps(raw))
    with pytest.raises(ValueError, match=message):
        load_nasbench_graph("proteins", data_home=tmp_path)
