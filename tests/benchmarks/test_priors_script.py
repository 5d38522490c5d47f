"""benchmarks/priors.py in its tiny smoke mode (real studies, real tables)."""

import json

import pytest


@pytest.mark.slow
def test_priors_smoke(bench_script, tmp_path):
    script = bench_script("priors")
    assert script.leave_one_out("nasbench201:cifar100") == ["nasbench201:cifar10-valid", "nasbench201:ImageNet16-120"]
    assert "nasbench_graph:proteins" not in script.leave_one_out("nasbench_graph:cora")  # another op set
    argv = ["--targets", "nasbench201:cifar100,nasbench_graph:proteins", "--methods",
            "sknas-prior,enqueue-tpe,sknas-prior-shuffled,sknas", "--seeds", "2", "--budgets", "3,5",
            "--long-budget", "6", "--smoke", "--results-dir", str(tmp_path)]
    script.main(argv)
    saved = json.loads((tmp_path / "priors.json").read_text())
    per = saved["results"]["nasbench201:cifar100"]
    assert set(per) == {"sknas-prior", "enqueue-tpe", "sknas-prior-shuffled", "sknas"}
    assert set(per["sknas-prior"]) == {"3", "5"} and set(per["sknas-prior-shuffled"]) == {"3", "5", "6"}
    assert per["sknas-prior"]["5"]["n_runs"] == 2 and "nasbench_graph:proteins" not in saved["results"]
    assert any("sknas-prior" in v for v in saved["verdicts"]["nasbench201:cifar100"])
    assert (tmp_path / "priors_nasbench201_cifar100.png").stat().st_size > 10_000
