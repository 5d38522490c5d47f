"""Tests of load_nasbench301_sample against the real NAS-Bench-301 sample (725 DARTS cells)."""

import json
import shutil

import numpy as np
import pytest

from sknas.datasets import TabularBenchmark, load_nasbench301_sample
from sknas.spaces import DARTSSpace

BEST_VALID = 94.48888302784498
BEST_GENOTYPE = (
    "[[(1, 2), (0, 3), (2, 4), (1, 1), (0, 2), (2, 3), (1, 3), (2, 4)], "
    "[(0, 1), (1, 0), (0, 4), (1, 3), (1, 3), (3, 6), (1, 1), (0, 5)]]"
)
PROXIES = ["epe_nas", "fisher", "grad_norm", "grasp", "jacov", "l2_norm", "nwot", "plain", "snip", "synflow"]


@pytest.fixture(scope="module")
def raw(data_home):
    with open(data_home / "nasbench301_sample.json") as f:
        return json.load(f)["cifar10"]


@pytest.fixture(scope="module")
def bench():
    return load_nasbench301_sample()


def test_facts(bench):
    assert isinstance(bench, TabularBenchmark)
    assert isinstance(bench.space, DARTSSpace)
    assert (bench.name, bench.dataset) == ("nasbench301", "cifar10")
    assert bench.source.endswith("nasbench301_sample.json")
    assert len(bench) == 725 and bench.X.shape == (725, 32)
    assert bench.metric_names == ["valid", "params", "flops"] + PROXIES
    assert bench.optimum("valid") == pytest.approx(BEST_VALID, abs=1e-9)
    assert str(bench.space.to_genotype(bench.X[bench.argbest("valid")])) == BEST_GENOTYPE
    assert bench.argbest("valid") == 554  # NASLib idx of the best cell
    assert bench.metrics["valid"].min() == pytest.approx(91.2365853685347, abs=1e-9)
    assert not bench.maximize["params"] and not bench.maximize["flops"] and bench.maximize["synflow"]
    for v in bench.metrics.values():
        assert np.all(np.isfinite(v))
    assert bench.space.is_valid(bench.X).all()
    assert len(bench.space.unique(bench.X)) == 725  # distinct even up to pair order and node renumbering


def test_rows_and_metrics_match_file(bench, raw):
    by_idx = {int(v["idx"]): (k, v) for k, v in raw.items()}
    for i, row in enumerate(bench.X):
        key, entry = by_idx[i]  # rows are in NASLib idx order
        assert str(bench.space.to_genotype(row)) == key  # rows kept exactly as written (not canonicalised)
        assert bench.metrics["valid"][i] == entry["val_accuracy"]
        assert bench.metrics["params"][i] == entry["params"]["score"]
        assert bench.metrics["flops"][i] == entry["flops"]["score"]
        assert bench.metrics["synflow"][i] == entry["synflow"]["score"]


def test_query_canonical_and_strings(bench):
    X = bench.X[:10]
    v = bench.query(bench.space.canonical(X), "valid")  # an equivalent row finds its entry
    assert np.array_equal(v, bench.metrics["valid"][:10])
    S = bench.space.to_strings(X)
    assert np.array_equal(bench.space.from_strings(S), X)
    df = bench.to_frame()
    assert df.shape == (725, 14) and df["arch"][0].startswith("Genotype(normal=[")
    assert load_nasbench301_sample() is bench  # cached


def test_corrupt_file(tmp_path):
    (tmp_path / "nasbench301_sample.json").write_text('{"cifar10": {}}')
    with pytest.raises(ValueError, match="corrupt or truncated"):
        load_nasbench301_sample(data_home=tmp_path)


def test_corrupt_same_size(tmp_path, data_home):
    src = data_home / "nasbench301_sample.json"
    dst = tmp_path / "nasbench301_sample.json"
    shutil.copyfile(src, dst)
    data = bytearray(dst.read_bytes())
    data[100] = ord("9") if data[100] != ord("9") else ord("8")
    dst.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="sha256 does not match"):
        load_nasbench301_sample(data_home=tmp_path)
