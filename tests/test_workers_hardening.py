"""Processes sharing comparisons, with real processes on a journal file: a second run on the same output is
refused, workers stop at exactly the budget, children end with their parent, a trial cut short is retried with
its reserved architecture, a bad storage fails fast."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from sknas.compare import open_storage
from sknas.samplers import ROW_ATTR, RegularizedEvolutionSampler, fail_stale_trials
from sknas.spaces import NASBench201Space

CLI = [sys.executable, "-m", "sknas.cli"]


def _states(journal) -> dict[str, Counter]:
    storage = open_storage(str(journal))
    return {s.study_name: Counter(t.state for t in optuna.load_study(study_name=s.study_name, storage=storage)
                                  .get_trials(deepcopy=False))
            for s in optuna.get_all_study_summaries(storage)}


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
def test_three_workers_stop_at_exactly_the_budget(tmp_path):
    """Each worker counted the completed trials after each of its own: three overshot 30 to 31-32."""
    journal = tmp_path / "shared.journal"
    args = ["compare", "--methods", "random,rea", "--budget", "30", "--seeds", "2", "--jobs", "1", "--worker",
            "--storage", str(journal)]
    procs = [subprocess.Popen([*CLI, *args, "--output", str(tmp_path / f"o{i}")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for i in range(3)]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    states = _states(journal)
    assert len(states) == 4
    for name, counts in states.items():
        assert counts[TrialState.COMPLETE] == 30, (name, counts)  # a surplus trial is pruned before it samples
        assert set(counts) <= {TrialState.COMPLETE, TrialState.PRUNED}, (name, counts)


@pytest.mark.slow
def test_workers_end_with_their_parent(tmp_path):
    """kill -9 of the main process left its worker processes running studies beside a rerun."""
    journal = tmp_path / "studies.journal"
    proc = subprocess.Popen([*CLI, "compare", "--methods", "random", "--budget", "100000", "--seeds", "2",
                             "--jobs", "2", "--output", str(tmp_path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    children: list[int] = []
    try:
        deadline = time.time() + 300  # a guard against a hang, not a timing claim
        while time.time() < deadline and proc.poll() is None:
            states = _states(journal) if journal.exists() else {}
            if len(states) == 2 and all(c[TrialState.COMPLETE] >= 5 for c in states.values()):
                break  # both workers are running their studies
            time.sleep(0.5)
        assert proc.poll() is None
        children = _children(proc.pid)
        assert len(children) >= 2
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, not its process group
        proc.wait()
        deadline = time.time() + 120
        while time.time() < deadline and any(_alive(c) for c in children):
            time.sleep(0.5)
        assert not [c for c in children if _alive(c)], "worker processes outlived their parent"
    finally:
        for pid in [proc.pid, *children]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_a_trial_cut_short_is_retried_with_its_reserved_architecture(tmp_path):
    """A trial killed with 3 of 6 decisions suggested was retried with the 3 others drawn at random."""
    space = NASBench201Space()
    storage = open_storage(str(tmp_path / "study.journal"))

    def sampler():
        return RegularizedEvolutionSampler(space, population_size=5, tournament_size=2, seed=0)

    study = optuna.create_study(storage=storage, direction="maximize", sampler=sampler())
    study.optimize(lambda t: float(space.suggest(t).sum()), n_trials=3)
    trial = study.ask()  # the process dies after 3 of the 6 decisions: the trial stays RUNNING
    distributions = space.distributions()
    for name in space.decision_names[:3]:
        trial._suggest(name, distributions[name])
    reserved = study.get_trials()[3].system_attrs[ROW_ATTR]
    study = optuna.load_study(study_name=study.study_name, storage=storage, sampler=sampler())  # the rerun
    assert fail_stale_trials(study) == [3]
    waiting = study.get_trials()[4]
    assert waiting.state == TrialState.WAITING and waiting.system_attrs[ROW_ATTR] == reserved
    study.optimize(lambda t: float(space.suggest(t).sum()), n_trials=1)
    retry = study.get_trials()[4]
    assert retry.user_attrs == {"sknas:retry_of": 3}
    assert space.params_to_row(retry.params).tolist() == reserved  # all 6 decisions are the reserved ones


@pytest.mark.slow
def test_a_second_run_on_the_same_output_is_refused(tmp_path):
    """Two runs without --worker failed each other's trials; the second ended with "Cannot tell a FAIL trial."."""
    args = ["compare", "--methods", "random", "--budget", "100000", "--seeds", "1", "--jobs", "1",
            "--output", str(tmp_path)]
    first = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.time() + 300  # a guard against a hang, not a timing claim
        journal = tmp_path / "studies.journal"
        while time.time() < deadline and first.poll() is None and not (
                journal.exists() and sum(c[TrialState.COMPLETE] for c in _states(journal).values()) >= 5):
            time.sleep(0.5)
        assert first.poll() is None
        for extra in ([], ["--worker"]):
            second = subprocess.run([*CLI, *args, *extra], capture_output=True, text=True, timeout=300)
            assert second.returncode == 1, second.stderr
            assert f"is in use by another sknas compare (pid {first.pid}, started" in second.stderr
            assert "--worker" in second.stderr and "Traceback" not in second.stderr
        assert first.poll() is None  # the first run goes on undisturbed
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    (tmp_path / "summary.json").unlink(missing_ok=True)  # a shorter budget: its results replace the killed run's
    again = subprocess.run([*CLI, *args[:4], "30", *args[5:]], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr  # the lock of a killed run is gone with it


@pytest.mark.parametrize("url, message", [
    ("bogus://x", "storage 'bogus://x' cannot be used: NoSuchModuleError"),
    ("postgresql+psycopg2://user:secret@127.0.0.1:1/db",
     r"storage 'postgresql\+psycopg2://user:\*\*\*@127.0.0.1:1/db': cannot connect to the database"),
    ("/no/such/folder/studies.journal", "cannot open the journal file"),
])
def test_a_storage_that_cannot_be_used_fails_fast(tmp_path, url, message):
    """--storage bogus://x and an unreachable server failed after 15-20 s with a joblib traceback."""
    from sknas.cli import main
    from sknas.compare import compare

    with pytest.raises(ValueError, match=message + ".*accepted: an RDB URL .* or the path of a journal file"):
        compare(["nasbench201:cifar10-valid"], ["random"], budget=3, seeds=2, n_jobs=2, storage=url)
    proc = subprocess.run([*CLI, "compare", "--methods", "random", "--budget", "3", "--seeds", "1", "--storage", url,
                           "--output", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "argument --storage: " in proc.stderr and "Traceback" not in proc.stderr
    assert "secret" not in proc.stderr
    with pytest.raises(SystemExit):
        main(["study", "--method", "random", "--budget", "3", "--storage", url])
