"""The search benchmark scripts in their tiny smoke mode (real studies, real benchmark)."""

import json
import lzma

import numpy as np
import pytest


@pytest.mark.slow
def test_compare_samplers_smoke(bench_script, data_home, tmp_path):
    argv = ["--benchmarks", "nasbench201:cifar10-valid", "--samplers", "prednas,rea,tpe", "--seeds", "2",
            "--budgets", "6,12", "--jobs", "1", "--smoke", "--results-dir", str(tmp_path)]
    bench_script("compare_samplers").main(argv)
    saved = json.loads((tmp_path / "compare_samplers.json").read_text())
    curves = saved["curves"]["nasbench201:cifar10-valid"]
    assert set(curves) == {"prednas", "rea", "tpe"} and len(curves["tpe"]["mean"]) == 12
    assert saved["wall_ratio"]["nasbench201:cifar10-valid"]["tpe"]["tpe"] == 1.0
    assert (tmp_path / "compare_samplers_nasbench201_cifar10-valid.png").stat().st_size > 10_000
    # --resume keeps what is there and adds the missing sampler only
    before = saved["results"]["nasbench201:cifar10-valid"]["prednas"]
    bench_script("compare_samplers").main(argv[:3] + ["prednas,rea,tpe,random"] + argv[4:] + ["--resume"])
    again = json.loads((tmp_path / "compare_samplers.json").read_text())["results"]["nasbench201:cifar10-valid"]
    assert set(again) == {"prednas", "rea", "tpe", "random"} and again["prednas"] == before


@pytest.mark.slow
def test_compare_samplers_noisy_cost_smoke(bench_script, data_home, tmp_path):
    bench_script("compare_samplers").main(["--benchmarks", "nasbench201:cifar10-valid", "--samplers", "rea,random",
                                           "--seeds", "2", "--noisy", "--cost", "--budget-cost", "2,5", "--jobs", "1",
                                           "--smoke", "--results-dir", str(tmp_path), "--output", "nc"])
    saved = json.loads((tmp_path / "nc.json").read_text())
    res = saved["results"]["nasbench201:cifar10-valid"]["rea"]
    assert set(res) == {"2", "5"} and res["5"]["trials_mean"] > res["2"]["trials_mean"] >= 1
    assert res["5"]["recommended_regret_mean"] >= 0 and saved["cost_unit_s"]["nasbench201:cifar10-valid"] > 1000
    md = (tmp_path / "nc.md").read_text()
    assert "Noisy: each trial observed one training seed's" in md and "| nasbench201:cifar10-valid | rea | 5 |" in md
    assert (tmp_path / "nc_nasbench201_cifar10-valid.png").stat().st_size > 10_000


@pytest.mark.slow
def test_search_cv_smoke(bench_script, data_home, tmp_path):
    script = bench_script("search_cv")
    kw = ["--tasks", "cancer-mlp", "--seeds", "1", "--budgets", "4,5", "--jobs", "1", "--smoke", "--results-dir",
          str(tmp_path)]
    script.main(kw + ["--methods", "predictor,random"])
    first = json.loads((tmp_path / "search_cv.json").read_text())["results"]["cancer-mlp"]
    script.main(kw + ["--seeds", "2", "--resume"])  # keeps seed 0, adds seed 1 and the TPE searches
    saved = json.loads((tmp_path / "search_cv.json").read_text())["results"]["cancer-mlp"]
    assert saved["predictor"][0] == first["predictor"][0]
    for method in ("predictor", "random", "tpe"):
        assert len(saved[method]) == 2
        for run in saved[method]:
            assert len(run["archs"]) == 5 and all(0.5 < t <= 1.0 for t in run["test"])
            assert run["cv"][1] == max(run["scores"]) >= run["cv"][0]  # the best of the first 4, of all 5
    script.main(kw + ["--seeds", "3", "--resume", "--report-only"])  # no further search
    assert saved == json.loads((tmp_path / "search_cv.json").read_text())["results"]["cancer-mlp"]
    assert "cancer-mlp: " in (tmp_path / "search_cv.md").read_text().split("Kendall's tau")[-1]


@pytest.mark.slow
def test_unknown_constraints_smoke(bench_script, tmp_path):
    res = bench_script("unknown_constraints").main(["--datasets", "cifar10-valid", "--methods", "rea,random",
                                                    "--seeds", "2", "--budget", "25", "--jobs", "1", "--results-dir",
                                                    str(tmp_path)])
    for r in res["cifar10-valid"].values():
        assert r[25]["regret"][0] >= 0 and 0 <= r[25]["found"] <= 1 and 0 <= r[25]["infeasible"][0] <= 1
    assert "| cifar10-valid | rea |" in (tmp_path / "unknown_constraints.md").read_text()


@pytest.mark.slow
def test_multi_objective_smoke_and_resume(bench_script, tmp_path):
    mo = bench_script("multi_objective")
    kw = ["--problems", "nasbench201:cifar10-valid:latency_pixel3", "--seeds", "2", "--budget", "20", "--jobs", "1",
          "--results-dir", str(tmp_path)]
    res = mo.main(kw + ["--methods", "nsga2,random"])
    cell = res["nasbench201:cifar10-valid:latency_pixel3"]
    assert set(cell) == {"true_front_size", "nsga2", "random"} and 0 < cell["random"]["regret"][20][0] < 100
    res_random_20 = cell["random"]["regret"][20]
    res = mo.main(kw + ["--methods", "tpe", "--resume"])  # adds a method, keeps the cached studies
    assert set(res["nasbench201:cifar10-valid:latency_pixel3"]) == {"true_front_size", "nsga2", "tpe", "random"}
    (cached,) = (tmp_path / "multi_objective_runs").iterdir()  # the runs are kept with the results, a file per problem
    with lzma.open(cached, "rt") as f:
        runs = [json.loads(line) for line in f.read().splitlines()]
    assert len(runs) == 6 and all(set(r["versions"]) >= {"numpy", "torch", "optuna"} for r in runs)
    md = (tmp_path / "multi_objective.md").read_text()
    assert f"Package versions: numpy {runs[0]['versions']['numpy']}, " in md and "(6 studies)" in md
    assert "| nasbench201:cifar10-valid:latency_pixel3 | tpe | 2 |" in md
    assert "| problem | trials | tpe | nsga2 | random |" in md and md.count("**") == 2  # the lowest at the one budget
    assert (tmp_path / "multi_objective_nasbench201_cifar10-valid_latency_pixel3.png").stat().st_size > 10_000
    # a longer budget for one method joins the cache: the shorter figures stay those of the shorter studies
    kw[kw.index("--budget") + 1] = "30"
    cell = mo.main(kw + ["--methods", "random", "--resume"])["nasbench201:cifar10-valid:latency_pixel3"]
    assert cell["random"]["n_runs"] == {20: 2, 30: 2} and set(cell["random"]["wall_s"]) == {20, 30}
    assert set(cell["tpe"]["regret"]) == {20} and cell["random"]["regret"][20] == res_random_20
    md = (tmp_path / "multi_objective.md").read_text()
    assert "|  | 30 | — | — | **" in md and "10 of 30 trials" not in md and "2 of 30 trials" in md


@pytest.mark.slow
def test_renas_tensor_smoke(bench_script, data_home, tmp_path):
    res = bench_script("renas_tensor").main(["--splits", "2", "--smoke", "--jobs", "1", "--results-dir", str(tmp_path)])
    for name in ("nasbench201:cifar10-valid", "nasbench101"):
        r = res[name][20]
        assert all(-1 <= r[layout][0] <= 1 for layout in ("published", "compact")) and len(r["taus"]["compact"]) == 2
    assert "| nasbench101 | 20 | 100 |" in (tmp_path / "renas_tensor.md").read_text()


@pytest.mark.slow
def test_prednas_constraints_smoke(bench_script, data_home, tmp_path):
    bench_script("prednas_constraints").main(["--seeds", "1", "--datasets", "cifar10-valid", "--smoke",
                                              "--results-dir", str(tmp_path)])
    rounds = json.loads((tmp_path / "prednas_constraints.json").read_text())["results"]["cifar10-valid"]["rounds"]
    exact = rounds[0]["params <= 0.4"]["relaxed"]
    assert exact["feasible"] == 1.0 and exact["regret"] >= 0  # an exact cost keeps every projection feasible
    assert "| linear |" in (tmp_path / "prednas_constraints.md").read_text()


def test_neural_predictor_smoke(bench_script, data_home, tmp_path):
    bench_script("neural_predictor").main(["--seeds", "2", "--smoke", "--ns", "20", "--ks", "10", "--walk", "20",
                                           "--problems", "nasbench201:cifar10-valid,nasbench101",
                                           "--results-dir", str(tmp_path)])
    md = (tmp_path / "neural_predictor.md").read_text()
    assert "| nasbench201:cifar10-valid | one-shot | 20 | 10 |" in md and "| nasbench101 | cascade | 20 | 10 |" in md
    payload = json.loads((tmp_path / "neural_predictor.json").read_text())
    curves = payload["curves"]["nasbench101|one-shot|20"]
    mean = curves["mean"]
    assert len(mean) == 40 == len(curves["se"]) and mean == sorted(mean, reverse=True)
    assert (tmp_path / "neural_predictor.png").exists() and payload["meta"]["git"] is not None


def test_hypernetwork_bins_smoke(bench_script, tmp_path):
    mod = bench_script("hypernetwork_bins")
    bins = mod.param_bins(np.array([1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), 2)
    assert bins.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    truth = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    # a score that orders each bin correctly but the bins the wrong way round: perfect within, not overall
    score = np.array([5.0, 6.0, 7.0, 8.0, 1.0, 2.0, 3.0, 4.0])
    assert mod.within_bins(truth, score, bins) == 1.0
    payload = mod.main(["--smoke", "--results-dir", str(tmp_path)])
    split = payload["splits"][0]
    assert set(split["whole"]) == {"HyperNetwork", "parameter count"} and split["n_same_time"] >= 3
    md = (tmp_path / "hypernetwork_bins.md").read_text()
    assert "| ridge on one-hot + HyperNetwork |" in md and "within 2 parameter bins" in md
