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


def test_errors_and_version(capsys):
    assert main(["demo", "nope"]) == 1
    assert "unknown benchmark 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["bogus"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out
