import json

import pytest


@pytest.fixture(scope="module")
def script(bench_script):
    return bench_script("predictors")


def test_smoke_mode_writes_results(script, data_home, tmp_path, capsys):
    out = tmp_path / "predictors.json"
    payload = script.main(["--smoke", "--out", str(out)])
    saved = json.loads(out.read_text())
    assert saved["sizes"] == [78] and saved["splits"] == 1
    for name in ("mlp-onehot", "xgboost"):
        res = saved["results"][name]["78"]
        assert -1 <= res["tau"][0] <= 1 and 0 <= res["p@10"][0] <= 1
        assert res["fit_s"][0] > 0 and res["n_splits"] == 1
    assert payload["results"].keys() == saved["results"].keys()
    text = capsys.readouterr().out
    assert "| predictor | n=78 |" in text and "| mlp-onehot |" in text
    assert "| mlp-onehot |" in out.with_suffix(".md").read_text()
    again = script.main(["--report-only", "--out", str(out)])
    assert again["results"] == saved["results"]


def test_resume_reruns_only_the_named_rows(script, data_home, tmp_path):
    out = tmp_path / "predictors.json"
    first = script.main(["--smoke", "--out", str(out)])
    saved = json.loads(out.read_text())
    saved["results"]["mlp-onehot"]["78"]["tau"] = [0.123, 0.0]  # a row that must survive the rerun as it was
    out.write_text(json.dumps(saved))
    again = script.main(["--smoke", "--resume", "--configs", "xgboost", "--out", str(out)])
    assert again["results"]["mlp-onehot"]["78"]["tau"] == [0.123, 0.0]
    assert again["results"]["xgboost"]["78"]["tau"] == first["results"]["xgboost"]["78"]["tau"]  # same split
    assert again["rerun"] == {"xgboost": "python benchmarks/predictors.py --smoke --resume --configs xgboost --out "
                                         f"{out}"}
    assert "rows xgboost rerun with `python benchmarks/predictors.py --smoke --resume" in \
        out.with_suffix(".md").read_text()
    saved["sizes"] = [156]
    out.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="--resume needs the sizes and splits"):
        script.main(["--smoke", "--resume", "--configs", "xgboost", "--out", str(out)])


def test_markdown_table(script):
    res = {"x": {"78": {"tau": [0.5, 0.1], "p@10": [0.2, 0.0], "fit_s": [1.0, 0.0], "predict_s": [0.1, 0.0]}}}
    md = script.markdown(res, [78, 156], {"gcn_fit_sknas_s": 2.0})
    assert "0.500 ± 0.100 (0.20)" in md and "gcn_fit_sknas_s=2" in md
