import numpy as np
import pandas as pd
import pytest

from sknas.datasets import load_nasbench201, load_tabular_benchmark
from sknas.spaces import CategoricalSpace, NASBench201Space

SPACE = CategoricalSpace({"depth": [1, 2, 3], "act": ["relu", "tanh"]})


def test_from_decision_columns(tmp_path):
    df = pd.DataFrame({"depth": [1, 2, 3, 1], "act": ["relu", "relu", "tanh", "tanh"], "acc": [0.8, 0.9, 0.85, 0.7],
                       "latency": [1.0, 2.0, 3.0, 3.1]})
    bench = load_tabular_benchmark(df, SPACE, dataset="mine")
    assert bench.metric_names == ["acc", "latency"]
    assert bench.optimum("acc") == 0.9 and bench.optimum("latency") == 1.0
    np.testing.assert_allclose(bench.query([[2, 1]], "acc"), [0.85])
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    again = load_tabular_benchmark(path, SPACE, metrics={"valid": "acc"})
    assert again.metric_names == ["valid"]
    np.testing.assert_allclose(again.regret([0.8]), [0.1])
    with pytest.raises(ValueError, match="not in tabular"):
        again.query([[1, 1]])


def test_from_native_strings(data_home):
    nb = load_nasbench201("cifar100")
    df = nb.to_frame().head(50)[["arch", "valid", "test"]]
    bench = load_tabular_benchmark(df, NASBench201Space(), arch_column="arch", metrics=["valid"])
    np.testing.assert_array_equal(bench.X, nb.X[:50])


def test_errors():
    df = pd.DataFrame({"depth": [1], "acc": [0.5], "name": ["x"]})
    with pytest.raises(ValueError, match="missing decision columns \\['act'\\]"):
        load_tabular_benchmark(df, SPACE)
    df["act"] = ["gelu"]
    with pytest.raises(ValueError, match="'gelu' is not a choice of decision 'act'"):
        load_tabular_benchmark(df, SPACE)
    df["act"] = ["relu"]
    with pytest.raises(ValueError, match="missing metric columns \\['valid'\\]"):
        load_tabular_benchmark(df, SPACE, metrics=["valid"])
    with pytest.raises(ValueError, match="not numeric"):
        load_tabular_benchmark(df, SPACE, metrics=["name"])
    with pytest.raises(ValueError, match="arch_column='arch'"):
        load_tabular_benchmark(df, SPACE, arch_column="arch")
    with pytest.raises(TypeError, match="DataFrame or a CSV path"):
        load_tabular_benchmark([1, 2], SPACE)
    with pytest.raises(ValueError, match="could not read"):
        load_tabular_benchmark("/nonexistent/file.csv", SPACE)
