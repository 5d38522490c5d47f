"""Test configuration. The benchmark tables ship inside the package, so the tests need no data home."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_home() -> Path:
    """The folder of the tables shipped with sknas (tests copy, truncate or corrupt copies of them)."""
    from sknas.datasets import PACKAGE_DATA

    return PACKAGE_DATA


@pytest.fixture(autouse=True)
def _no_data_home(monkeypatch, tmp_path_factory):
    """Every test sees what a new user sees: no SKNAS_DATA, and an empty home folder for ~/sknas_data."""
    monkeypatch.delenv("SKNAS_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.getbasetemp() / "home"))


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny networks run fastest on one torch thread (and do not fight other processes for cores)."""
    from sknas.utils import torch_threads

    with torch_threads(1):
        yield


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on localhost, started from the machine's Debian packages.

    ``$SKNAS_TEST_POSTGRES`` (a URL) is used instead when set. Skipped, with the reason, when neither
    is available (``.ci/run`` installs the ``postgresql`` package, so CI always runs these tests).
    """
    import glob
    import os
    import shutil
    import subprocess
    import tempfile

    pytest.importorskip("psycopg2", reason="the PostgreSQL tests need psycopg2 (pip install psycopg2-binary)")
    if os.environ.get("SKNAS_TEST_POSTGRES"):
        yield os.environ["SKNAS_TEST_POSTGRES"]
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("no PostgreSQL server installed (apt-get install postgresql)")
    bindir = Path(bins[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="sknas-postgres-"))  # not under pytest's folders, which only root may enter
    data, sock, port = root / "data", root / "sock", _free_port()
    sock.mkdir()
    prefix = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the postgres user of the package
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    run = dict(check=True, capture_output=True, text=True)
    subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"], **run)
    subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                             f"-p {port} -k {sock} -c listen_addresses=127.0.0.1", "start"], **run)
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def bench_script():
    """``bench_script(name)``: ``benchmarks/<name>.py`` loaded as a module, with ``benchmarks/`` on ``sys.path`` while
    it loads, as ``python benchmarks/<name>.py`` has it (the scripts import their helpers from ``_common``)."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[1] / "benchmarks"

    def load(name):
        sys.path.insert(0, str(folder))
        try:
            spec = importlib.util.spec_from_file_location(f"bench_{name}", folder / f"{name}.py")
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
        finally:
            sys.path.remove(str(folder))
        return mod

    return load


@pytest.fixture
def journal_workers(tmp_path):
    """``journal_workers(script, seeds, n_trials)``: a study ``"shared"`` (maximised) on a journal file, the Python
    ``script`` run on it by one process per seed (argv: journal path, seed, n_trials), and the study afterwards."""
    import subprocess
    import sys

    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    def run(script: str, seeds, n_trials: int):
        path = str(tmp_path / "journal.log")
        optuna.create_study(study_name="shared", storage=JournalStorage(JournalFileBackend(path)),
                            direction="maximize")
        (tmp_path / "worker.py").write_text(script)
        procs = [subprocess.Popen([sys.executable, str(tmp_path / "worker.py"), path, str(s), str(n_trials)])
                 for s in seeds]
        assert [p.wait(timeout=600) for p in procs] == [0] * len(procs)
        return optuna.load_study(study_name="shared", storage=JournalStorage(JournalFileBackend(path)))

    return run
