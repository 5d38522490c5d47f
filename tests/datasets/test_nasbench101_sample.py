"""Tests of load_nasbench101_sample on the real NASLib NAS-Bench-101 sample."""

import json
import shutil

import numpy as np
import pytest

from sknas.datasets import TabularBenchmark, load_nasbench101_sample
from sknas.spaces import NASBench101Space

_FILE = "nasbench101_sample.json"
_PROXIES = ["epe_nas", "fisher", "grad_norm", "grasp", "jacov", "l2_norm", "plain", "snip", "synflow"]


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench101_sample(data_home=data_home)


@pytest.fixture(scope="module")
def raw(data_home):
    with open(data_home / _FILE, encoding="utf-8") as f:
        return json.load(f)["nasbench101"]["cifar10"]


def test_loader_facts(bench):
    assert isinstance(bench, TabularBenchmark)
    assert isinstance(bench.space, NASBench101Space)
    assert len(bench) == 500 and bench.X.shape == (500, 26)
    assert bench.name == "nasbench101" and bench.dataset == "cifar10" and bench.source.endswith(_FILE)
    assert bench.metric_names == ["valid", "params", "flops", *_PROXIES]
    assert bench.optimum("valid") == pytest.approx(94.71153616905212)
    assert bench.argbest("valid") == 137
    assert bench.optimum("params") == pytest.approx(0.29313)  # costs are minimised
    assert bench.maximize["valid"] and not bench.maximize["params"] and not bench.maximize["flops"]
    assert np.isfinite(np.stack(list(bench.metrics.values()))).all()


def test_rows_are_the_keys(bench, raw):
    keys = list(raw)
    space = bench.space
    assert [str(space.to_naslib_key(r)) for r in bench.X] == keys
    for i in (0, 137, 499):
        assert bench.metrics["valid"][i] == raw[keys[i]]["val_accuracy"]
        assert bench.metrics["params"][i] == raw[keys[i]]["params"]
        assert bench.metrics["synflow"][i] == raw[keys[i]]["synflow"]


def test_isomorphism_classes(bench):
    space = bench.space
    hashes = space.spec_hashes(bench.X)
    keys = space.row_keys(bench.X)
    assert len(set(hashes)) == 292
    by_hash, by_key = {}, {}
    for i, (h, k) in enumerate(zip(hashes, keys)):
        by_hash.setdefault(h, []).append(i)
        by_key.setdefault(k, []).append(i)
    assert sorted(by_hash.values()) == sorted(by_key.values())
    # isomorphic rows: at most three training seeds' accuracies; parameter counts equal up to the channel
    # remainder NAS-Bench-101's builder hands to the first vertices feeding the output (vertex-order dependent)
    n_differ = 0
    for idx in by_hash.values():
        params = bench.metrics["params"][idx]
        assert np.ptp(params) <= 0.01 * params.min()
        n_differ += len(set(params)) > 1
        assert len(set(bench.metrics["valid"][idx])) <= 3
    assert n_differ == 3


def test_index_through_equivalent_rows(bench):
    C = bench.space.canonical(bench.X)
    idx = bench.index(C)
    assert bench.space.spec_hashes(bench.X[idx]) == bench.space.spec_hashes(bench.X)
    np.testing.assert_array_equal(bench.index(bench.X), np.arange(500))
    other = bench.space.from_spec(np.eye(7, k=1, dtype=int), ["input"] + ["maxpool3x3"] * 5 + ["output"])
    with pytest.raises(ValueError, match="not in nasbench101"):
        bench.index(other)


def test_shipped_file_and_data_home_copy(tmp_path, data_home):
    assert load_nasbench101_sample(data_home=tmp_path).source == str(data_home / _FILE)
    shutil.copyfile(data_home / _FILE, tmp_path / _FILE)
    assert load_nasbench101_sample(data_home=tmp_path).source == str(tmp_path / _FILE)  # the data home wins


def test_corrupt_file(tmp_path, data_home):
    shutil.copyfile(data_home / _FILE, tmp_path / _FILE)
    with open(tmp_path / _FILE, "r+b") as f:
        f.truncate(1000)
    with pytest.raises(ValueError, match="corrupt"):
        load_nasbench101_sample(data_home=tmp_path)
