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
    with pytest.raises(ValueError, match="'name' has 1 cell\\(s\\) that are not finite numbers"):
        load_tabular_benchmark(df, SPACE, metrics=["name"])
    with pytest.raises(ValueError, match="arch_column='arch'"):
        load_tabular_benchmark(df, SPACE, arch_column="arch")
    with pytest.raises(TypeError, match="DataFrame or a CSV path"):
        load_tabular_benchmark([1, 2], SPACE)
    with pytest.raises(ValueError, match="could not read"):
        load_tabular_benchmark("/nonexistent/file.csv", SPACE)


def test_silent_wrong_results_are_refused(tmp_path):
    """Tables that used to load with an unreachable or infinite optimum, or a dropped column."""
    base = {"depth": [1, 2, 3], "act": ["relu", "relu", "tanh"], "acc": [0.8, 0.9, 0.85]}
    dup = pd.DataFrame({"depth": [1, 2, 1], "act": ["relu", "relu", "relu"], "acc": [0.8, 0.9, 0.95]})
    with pytest.raises(ValueError, match="repeat an architecture of an earlier row, e.g. rows \\[0, 2\\]"):
        load_tabular_benchmark(dup, SPACE)
    merged = load_tabular_benchmark(dup, SPACE, duplicates="mean")
    assert len(merged) == 2 and merged.optimum("acc") == pytest.approx(0.9)  # (0.8 + 0.95) / 2 < 0.9
    for bad in (np.nan, np.inf, -np.inf):
        df = pd.DataFrame(dict(base, acc=[0.8, bad, 0.85]))
        with pytest.raises(ValueError, match="'acc' has 1 cell\\(s\\) that are not finite numbers, e.g. row 1"):
            load_tabular_benchmark(df, SPACE)
    path = tmp_path / "overflow.csv"
    path.write_text("depth,act,acc\n1,relu,0.8\n2,relu,1e400\n")
    with pytest.raises(ValueError, match="not finite numbers"):
        load_tabular_benchmark(path, SPACE)
    text = pd.DataFrame(dict(base, acc=[0.8, "n/a", 0.85]))  # one text cell used to drop the column silently
    with pytest.raises(ValueError, match="e.g. row 1: 'n/a'"):
        load_tabular_benchmark(text, SPACE)
    with pytest.raises(ValueError, match="has no rows"):
        load_tabular_benchmark(pd.DataFrame(columns=["depth", "act", "acc"]), SPACE)
    with pytest.raises(ValueError, match="not a choice of decision 'depth'|'depth' mixes .* \\(row 0: True\\)"):
        load_tabular_benchmark(pd.DataFrame(dict(base, depth=[True, 2, 3])), SPACE)


def test_a_column_of_labels_and_indices_is_refused():
    """With labels [1, 3, 5], [1, 2] would read 1 as a label and 2 as an index: ambiguous, so refused."""
    space = CategoricalSpace({"k": [1, 3, 5], "act": ["relu", "tanh"]})

    def table(k):
        return pd.DataFrame({"k": k, "act": ["relu", "tanh"], "acc": [0.5, 0.6]})

    with pytest.raises(ValueError, match=r"column 'k' mixes choice labels \(row 0: 1\) and values that are not "
                                         r"labels \(row 1: 2\)"):
        load_tabular_benchmark(table([1, 2]), space, metrics=["acc"])
    assert load_tabular_benchmark(table([1, 5]), space, metrics=["acc"]).X[:, 0].tolist() == [0, 2]  # labels
    assert load_tabular_benchmark(table([0, 2]), space, metrics=["acc"]).X[:, 0].tolist() == [0, 2]  # indices
    with pytest.raises(ValueError, match="not a choice of decision 'k'"):
        load_tabular_benchmark(table([0, 7]), space, metrics=["acc"])


def test_out_of_range_values_are_refused(tmp_path):
    """The default policy: costs >= 0, accuracies in [0, 100]; a ValueError names the column and the row."""
    base = {"depth": [1, 2, 3], "act": ["relu", "relu", "tanh"], "acc": [0.8, 0.9, 0.85], "latency": [1.0, 2.0, 3.0]}
    with pytest.raises(ValueError, match=r"'acc' has 1 value\(s\) outside \[0, 100\], e.g. row 1: 1000000.0"):
        load_tabular_benchmark(pd.DataFrame(dict(base, acc=[0.8, 1e6, 0.85])), SPACE)
    with pytest.raises(ValueError, match=r"'val_acc' has 1 value\(s\) outside \[0, 100\], e.g. row 2: -1.0"):
        load_tabular_benchmark(pd.DataFrame(dict(base, acc=[0.8, 0.9, -1.0])).rename(columns={"acc": "val_acc"}),
                               SPACE)
    with pytest.raises(ValueError, match=r"'latency' has 1 value\(s\) outside \[0, inf\], e.g. row 0: -1e\+300"):
        load_tabular_benchmark(pd.DataFrame(dict(base, latency=[-1e300, 2.0, 3.0])), SPACE)
    for huge in (10**400, 2**70 * 10**300):  # an int past float's range was an OverflowError (a CLI traceback)
        with pytest.raises(ValueError, match=r"'acc' has 1 cell\(s\) that are not finite numbers, e.g. row 1: 1\d+"):
            load_tabular_benchmark(pd.DataFrame(dict(base, acc=[0.8, huge, 0.85])), SPACE)
    # the table declares otherwise: a maximised "latency_gain", a score in [-1, 1], or no bound at all
    gain = pd.DataFrame(dict(base, latency=[-1.0, 2.0, 3.0])).rename(columns={"latency": "latency_gain"})
    assert load_tabular_benchmark(gain, SPACE, maximize={"latency_gain": True}).optimum("latency_gain") == 3.0
    assert load_tabular_benchmark(pd.DataFrame(dict(base, acc=[-0.5, 0.9, 0.85])), SPACE,
                                  bounds={"acc": (-1, 1)}).optimum("acc") == 0.9
    assert load_tabular_benchmark(pd.DataFrame(dict(base, acc=[0.8, 1e6, 0.85])), SPACE, bounds={"acc": None})
    with pytest.raises(ValueError, match=r"'acc' has 1 value\(s\) outside \[0, 1\]"):
        load_tabular_benchmark(pd.DataFrame(dict(base, acc=[0.8, 1.5, 0.85])), SPACE, bounds={"acc": (0, 1)})
    for bad in ((1, 0), (0,), "x", (0, float("nan"))):
        with pytest.raises(ValueError, match=r"bounds\['acc'\]=.* is not supported"):
            load_tabular_benchmark(pd.DataFrame(base), SPACE, bounds={"acc": bad})
    with pytest.raises(ValueError, match=r"bounds names \['zzz'\], which are not metrics"):
        load_tabular_benchmark(pd.DataFrame(base), SPACE, bounds={"zzz": (0, 1)})
    with pytest.raises(TypeError, match="bounds must be a dict"):
        load_tabular_benchmark(pd.DataFrame(base), SPACE, bounds=[0, 1])
    path = tmp_path / "huge.csv"  # the same from a CSV file
    path.write_text("depth,act,acc\n1,relu,0.8\n2,relu,1" + "0" * 400 + "\n")
    with pytest.raises(ValueError, match="not finite numbers, e.g. row 1"):
        load_tabular_benchmark(path, SPACE)


def test_metric_bounds_and_the_objective_range(data_home):
    """Each benchmark declares the interval its metrics lie in (accuracies in [0, 100] %); objective_range
    is that of objective(metric): negated for a minimised metric, None without a bound."""
    from sknas.datasets import PERCENT, TabularBenchmark, load_nasbench101_sample, load_nasbench301_sample

    nb = load_nasbench201("cifar10-valid")
    assert PERCENT == (0.0, 100.0)
    assert nb.bounds == {k: PERCENT for k in ("valid", "test", "train", "valid_12", "test_12")}
    assert nb.objective_range("valid") == PERCENT and nb.objective_range("params") is None
    assert load_nasbench101_sample().bounds == load_nasbench301_sample().bounds == {"valid": PERCENT}
    df = pd.DataFrame({"depth": [1, 2], "act": ["relu", "tanh"], "acc": [0.8, 0.9], "latency": [1.0, 2.0],
                       "score": [-3.0, 4.0]})
    bench = load_tabular_benchmark(df, SPACE, bounds={"acc": (0, 1)})  # as validated: declared or by name
    assert bench.bounds == {"acc": (0.0, 1.0), "latency": (0.0, np.inf)}
    assert bench.objective_range("latency") == (-np.inf, -0.0) and bench.objective_range("score") is None
    X, metrics = bench.X, {"acc": np.array([0.8, np.nan])}
    assert TabularBenchmark(SPACE, X, metrics, bounds={"acc": (0, 1)}).bounds == {"acc": (0.0, 1.0)}  # NaN aside
    with pytest.raises(ValueError, match=r"'acc' has 1 value\(s\) outside \[0, 0.5\], e.g. entry 0: 0.8"):
        TabularBenchmark(SPACE, X, metrics, bounds={"acc": (0, 0.5)})
    with pytest.raises(ValueError, match=r"bounds\['acc'\]=\(1, 0\) is not supported; accepted: a pair"):
        TabularBenchmark(SPACE, X, metrics, bounds={"acc": (1, 0)})
    with pytest.raises(ValueError, match=r"metric='zzz' is not in tabular"):
        TabularBenchmark(SPACE, X, metrics, bounds={"zzz": (0, 1)})
