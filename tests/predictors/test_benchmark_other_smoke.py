"""The predictor benchmark beyond NAS-Bench-201 (``benchmarks/predictors_other.py``) in its smoke mode."""

import json

import pytest


@pytest.fixture(scope="module")
def script(bench_script):
    return bench_script("predictors_other")


def test_smoke_mode_writes_results(script, data_home, tmp_path, capsys):
    payload = script.main(["--smoke", "--results-dir", str(tmp_path)])
    saved = json.loads((tmp_path / "predictors_other.json").read_text())
    assert saved["splits"] == 1 and set(saved["results"]) == {"nasbench101:cifar10", "nasbench301:cifar10"}
    assert saved["benchmarks"]["nasbench101:cifar10"]["n_distinct_cells"] == 292
    for task, per in saved["results"].items():
        for name in ("mlp-onehot-pairwise", "xgboost"):
            res = per[name]["50"]
            assert -1 <= res["tau"][0] <= 1 and 0 <= res["p@10"][0] <= 1
            assert res["fit_s"][0] > 0 and res["n_splits"] == 1
            assert res["n_test"] == saved["benchmarks"][task]["n_rows"] - 50
    assert payload["results"] == saved["results"]
    text = capsys.readouterr().out
    assert "| nasbench101:cifar10 | 50 | 450 | xgboost | 1 |" in text
    md = (tmp_path / "predictors_other.md").read_text()
    assert "| nasbench301:cifar10 | 50 | 675 | mlp-onehot-pairwise | 1 |" in md


def test_markdown_table(script):
    res = {"a:b": {"x": {"50": {"tau": [0.5, 0.1], "p@10": [0.2, 0.0], "fit_s": [1.0, 0.0],
                                "predict_s": [0.1, 0.0], "n_splits": 3, "n_test": 450}}}}
    md = script.markdown(res, {"a:b": (50, 100)}, ["x", "y"])
    assert "| a:b | 50 | 450 | x | 3 | 0.500 ± 0.100 | 0.20 ± 0.00 |" in md
    assert "| a:b | 50 | 450 | x | 3 | 1.00 | 0.100 |" in md and "| y |" not in md
