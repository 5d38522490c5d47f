import pytest

from sknas import __version__
from sknas.cli import main


def test_benchmarks_lists_data(data_home, capsys):
    assert main(["benchmarks"]) == 0
    out = capsys.readouterr().out
    assert "nasbench201 cifar10-valid" in out and "full table" in out


def test_demo_runs(data_home, capsys):
    assert main(["demo", "--budget", "20", "--repeats", "2"]) == 0
    out = capsys.readouterr().out
    assert "15625 architectures" in out and "valid 91.607" in out


def test_errors_and_version(capsys, tmp_path):
    for argv in (["bogus"], ["demo", "nope"], ["compare", "--methods", "tpe,magic"], ["search", "--budget", "0"],
                 ["compare", "nasbench201", "--dataset", "mnist"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "unknown benchmark 'nope'" in err and "unknown methods ['magic']" in err and "no dataset 'mnist'" in err
    assert main(["--data-home", str(tmp_path), "demo", "nasbench101"]) == 1  # runtime failure: no data there
    assert "nasbench101_sample.json" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_compare_writes_table_csv_json_and_plot(data_home, tmp_path, capsys):
    import json

    import pandas as pd

    out = tmp_path / "out"
    code = main(["compare", "--methods", "sknas,tpe,random", "--budget", "12", "--seeds", "2", "--jobs", "1",
                 "--fast", "--output", str(out)])
    assert code == 0
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 3 * 2 * 12 and set(trials["method"]) == {"sknas", "tpe", "random"}
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["methods"]) == {"sknas", "tpe", "random"} and len(summary["curves"]["tpe"]["mean"]) == 12
    assert (out / "regret_nasbench201.png").stat().st_size > 10_000
    assert "| sknas | 12 |" in capsys.readouterr().out


def test_one_seed_has_no_standard_error_and_strict_json(data_home, tmp_path, capsys):
    import json

    out = tmp_path / "out"
    assert main(["compare", "--methods", "random", "--budget", "10", "--seeds", "1", "--output", str(out)]) == 0
    assert "| random | 10 |" in capsys.readouterr().out

    def reject(constant):
        raise ValueError(f"not JSON: {constant}")

    summary = json.loads((out / "summary.json").read_text(), parse_constant=reject)  # no NaN anywhere
    assert summary["methods"]["random"]["10"]["regret_se"] is None and summary["curves"]["random"]["se"] is None
    assert "| random | 10 | " in (out / "summary.md").read_text() and "(1 run)" in (out / "summary.md").read_text()
    assert main(["demo", "--budget", "5", "--repeats", "1"]) == 0
    assert "s.e." not in capsys.readouterr().out


def test_search_prints_the_best_architecture(data_home, capsys):
    assert main(["search", "--method", "rea", "--budget", "25", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "best architecture" in out and "|+|" in out and "validation regret" in out


def test_predictors_table_and_plots(data_home, tmp_path, capsys):
    assert main(["predictors", "--train-sizes", "40", "--models", "mlp,xgboost", "--splits", "1",
                 "--output", str(tmp_path)]) == 0
    assert "| mlp |" in capsys.readouterr().out
    assert (tmp_path / "kendall_tau.png").is_file() and (tmp_path / "predicted_vs_true.png").is_file()


def test_ctrl_c_keeps_the_finished_studies(data_home, tmp_path, monkeypatch, capsys):
    import json

    from sknas import cli

    calls = []

    def interrupt_on_third(self, note=""):
        calls.append(note)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli._Progress, "step", interrupt_on_third)
    out = tmp_path / "out"
    code = main(["compare", "--methods", "random,tpe", "--budget", "10", "--seeds", "3", "--jobs", "1",
                 "--output", str(out)])
    assert code == 130
    summary = json.loads((out / "summary.json").read_text())
    # the interrupt came while reporting the third finished study: all three are kept, tpe never ran
    assert summary["interrupted"] is True and summary["methods"]["random"]["10"]["n_runs"] == 3
    assert "tpe" not in summary["methods"]
    assert "interrupted: keeping the finished studies" in capsys.readouterr().err
