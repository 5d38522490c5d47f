import subprocess
import sys

import pytest

from sknas import __version__
from sknas.cli import main


def test_benchmarks_lists_data(data_home, capsys):
    assert main(["benchmarks"]) == 0
    out = capsys.readouterr().out
    assert "nasbench201 cifar10-valid" in out and "shipped with sknas" in out


def test_demo_runs(data_home, capsys):
    assert main(["demo", "--budget", "20", "--repeats", "2"]) == 0
    out = capsys.readouterr().out
    assert "15625 architectures" in out and "valid 91.607" in out


def test_usage_errors_name_the_option_and_exit_2(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where the default output folder would appear
    cases = {
        ("bogus",): "invalid choice: 'bogus'",
        ("demo", "nope"): "invalid choice: 'nope'",
        ("compare", "--methods", "tpe,magic"): "argument --methods: unknown ['magic']",
        ("compare", "--methods", ","): "argument --methods: expected comma-separated names",
        ("study", "--budget", "0"): "argument --budget: expected a positive integer, got 0",
        ("compare", "nasbench201", "--dataset", "mnist"): "argument --dataset: nasbench201 has no dataset 'mnist'",
        ("predictors", "--train-sizes", "50,x"): "argument --train-sizes: expected a positive integer, got 'x'",
        ("predictors", "--models", "auto,foo"): "argument --models: unknown ['foo']",
        ("--data-home", "/nonexistent", "demo"): "argument --data-home: '/nonexistent' is not an existing folder",
        ("compare", "--output", "/etc/passwd/out"): "argument --output: cannot write to '/etc/passwd/out'",
        ("compare", "--objectives", "valid,nope"): "argument --objectives: objectives 'valid,nope': nope not a metric",
        ("compare", "--cost", "--budget", "20"): "argument --budget: not with --cost",
        ("compare", "--noisy", "--objectives", "valid,params"): "argument --noisy: only with the objective valid",
        ("compare", "--cost", "--objectives", "valid,params"): "argument --cost: one objective only",
        ("compare", "--cost", "--budget-cost", "10,x"): "argument --budget-cost: expected comma-separated positive",
        ("compare", "nasbench101", "--noisy"): "argument --noisy: nasbench101 cifar10 has no per-seed validation",
    }
    for argv, message in cases.items():
        with pytest.raises(SystemExit) as exc:
            main(list(argv))
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert message in err, (argv, err)
        if argv[0] in ("compare", "study", "predictors"):
            assert f"usage: sknas {argv[0]}" in err  # the subcommand's usage, not the top level's
    assert not (tmp_path / "sknas-output").exists()
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    out = capsys.readouterr().out
    assert "(default: 100)" in out and "gp:" in out and "bananas:" in out


def test_parser_imports_nothing_heavy():
    """``sknas --help`` and usage errors answer at once: building the parser and parsing (help of compare, a
    usage error) imports neither torch, scikit-learn, Optuna nor pandas (checked in a fresh interpreter)."""
    code = ("import contextlib, io, sys\n"
            "from sknas.cli import _parser\n"
            "for argv in (['--help'], ['compare', '--help'], ['compare', '--bogus'], ['study', '--budget', '0']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "        try:\n"
            "            _parser().parse_args(argv)\n"
            "        except SystemExit:\n"
            "            pass\n"
            "heavy = {'torch', 'sklearn', 'optuna', 'pandas', 'skorch'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


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
    assert (out / "regret_nasbench201_cifar10-valid.png").stat().st_size > 10_000
    captured = capsys.readouterr()
    assert "| sknas | 12 |" in captured.out
    # progress counts trials (not only finished studies), and its last line shows them all
    assert "3 methods x 2 seeds: [" in captured.err and "72/72 trials" in captured.err
    assert "(6/6 studies done)" in captured.err.splitlines()[-1]


def test_compare_noisy_cost_end_to_end(data_home, tmp_path, capsys):
    import json

    import pandas as pd

    out = tmp_path / "out"
    assert main(["compare", "--noisy", "--cost", "--budget-cost", "2,4", "--methods", "sknas,random", "--seeds", "1",
                 "--jobs", "1", "--fast", "--output", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["noisy"] and summary["cost_budgets"] == [2, 4] and summary["cost_unit_s"] > 1000
    for m in ("sknas", "random"):
        assert set(summary["methods"][m]) == {"2", "4"} and len(summary["curves"][m]["mean"]) == 40
        assert {"trials_mean", "recommended_regret_mean"} <= set(summary["methods"][m]["4"])
    trials = pd.read_csv(out / "trials.csv")
    for _, study in trials.groupby("method"):  # each study ran until 4x the median training time was spent
        assert study["cumulative_cost_s"].iloc[-1] > 4 * summary["cost_unit_s"] >= study["cumulative_cost_s"].iloc[-2]
    assert (trials["observed"] != trials["valid"]).any()
    assert (out / "regret_nasbench201_cifar10-valid.png").stat().st_size > 10_000
    table = capsys.readouterr().out
    assert "| training time (x median) |" in table and "predictor's pick" in table and "| random | 4 |" in table


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


def test_study_prints_the_best_architecture(data_home, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["study", "--method", "rea", "--budget", "25", "--seed", "1"]) == 0
    assert not (tmp_path / "sknas-output").exists()  # one objective writes no files
    captured = capsys.readouterr()
    assert "best architecture" in captured.out and "|+|" in captured.out and "validation regret" in captured.out
    assert "deprecated" not in captured.err
    assert "rea seed 1: [" in captured.err and "25/25 trials" in captured.err  # per-trial progress
    assert main(["search", "--method", "rea", "--budget", "25", "--seed", "1"]) == 0  # the old name of the command
    again = capsys.readouterr()
    import re

    def timeless(text):  # the two studies are the same; their wall times may differ
        return re.sub(r"\d+\.\d s\)", "s)", text)

    assert "sknas search is deprecated; use sknas study" in again.err and timeless(again.out) == timeless(captured.out)


def test_predictors_table_and_plots(data_home, tmp_path, capsys):
    assert main(["predictors", "--train-sizes", "40", "--models", "mlp,xgboost", "--splits", "1",
                 "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| mlp |" in out
    # the mlp fitted on 40 cells predicts two accuracies above 100%: the scatter plot draws them at 100
    assert "mlp: 2 of 15585 predictions lie beyond [0, 100] %; predicted_vs_true_mlp.png draws them at its ends" in out
    assert "xgboost:" not in out
    assert (tmp_path / "kendall_tau.png").is_file()
    assert (tmp_path / "predicted_vs_true_mlp.png").is_file() and (tmp_path / "predicted_vs_true_xgboost.png").is_file()


def test_ctrl_c_keeps_the_finished_studies(data_home, tmp_path, monkeypatch, capsys):
    import json

    from sknas import cli

    write = cli._write_compare

    def interrupt_on_third(args, bench, runs, *, status, plot=True):
        if status == "running" and len(runs) == 3:
            raise KeyboardInterrupt
        return write(args, bench, runs, status=status, plot=plot)

    monkeypatch.setattr(cli, "_write_compare", interrupt_on_third)
    out = tmp_path / "out"
    code = main(["compare", "--methods", "random,tpe", "--budget", "10", "--seeds", "3", "--jobs", "1",
                 "--output", str(out)])
    assert code == 130
    summary = json.loads((out / "summary.json").read_text())
    # the interrupt came while saving the third finished study: all three are kept (methods interleaved:
    # random seeds 0 and 1, tpe seed 0), the rest never ran
    assert summary["status"] == "interrupted" and summary["methods"]["random"]["10"]["n_runs"] == 2
    assert summary["methods"]["tpe"]["10"]["n_runs"] == 1
    err = capsys.readouterr().err
    assert "interrupted: writing the 3 studies finished so far" in err and "Traceback" not in err
    assert "not finished: random (2 of 3 seeds), tpe (1 of 3 seeds)" in (out / "summary.md").read_text()


def test_an_output_folder_of_other_options_is_refused(data_home, tmp_path, capsys):
    """A run never replaces the results of a comparison made with other options; a shorter budget reads the first
    trials of stored studies without cutting them."""
    import optuna
    import pandas as pd

    from sknas.compare import open_storage, study_name

    out = tmp_path / "out"
    base = ["compare", "--methods", "random", "--seeds", "1", "--jobs", "1"]
    assert main([*base, "--budget", "12", "--output", str(out)]) == 0
    before = (out / "summary.json").read_text()
    for extra, message in {("--budget", "6"): "--budget: 12 there, 6 now",
                           ("--budget", "12", "--seeds", "2"): "--seeds: 1 there, 2 now",
                           ("--budget", "12", "--fast"): "--fast: False there, True now"}.items():
        with pytest.raises(SystemExit) as exc:
            main([*base, *extra, "--output", str(out)])  # a later --seeds overrides base's
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "argument --output" in err and message in err, err
    assert (out / "summary.json").read_text() == before
    assert main([*base, "--budget", "12", "--output", str(out)]) == 0  # the same options resume (here: all done)
    # another folder on the same storage reads the first 6 trials; the stored study keeps its 12
    other = tmp_path / "other"
    assert main([*base, "--budget", "6", "--output", str(other), "--storage", str(out / "studies.journal")]) == 0
    assert len(pd.read_csv(other / "trials.csv")) == 6
    study = optuna.load_study(study_name=study_name("nasbench201:cifar10-valid", "random", 0),
                              storage=open_storage(str(out / "studies.journal")))
    assert len(study.trials) == 12


def test_studies_without_torch_import_neither_torch_nor_sklearn(tmp_path):
    """The first trials of ``sknas compare`` come from the methods that fit no torch model, which run first within
    each seed: their studies (with a storage, as the CLI keeps them) import neither torch nor scikit-learn, which
    take seconds to load (checked in a fresh interpreter)."""
    code = ("import sys\n"
            "from sknas.compare import run_study\n"
            "for m in ('random', 'tpe'):\n"
            f"    run_study('nasbench201:cifar10-valid', m, 0, 3, storage={str(tmp_path / 'j.journal')!r})\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'sklearn', 'skorch'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out
    from sknas.compare import METHODS

    assert METHODS["sknas"].torch and METHODS["sknas-prior-shuffled"].torch and not METHODS["tpe"].torch
