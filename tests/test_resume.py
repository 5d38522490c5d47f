"""Crash and resume: a comparison killed with SIGKILL continues where it stopped, losing and repeating nothing."""

import json
import os
import signal
import subprocess
import sys
import time

import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

from sknas.compare import open_storage, study_name
from sknas.samplers import fail_stale_trials

ARGS = ["compare", "--methods", "sknas,random", "--budget", "30", "--seeds", "2", "--jobs", "1", "--fast"]
STUDIES = [study_name("nasbench201:cifar10-valid", m, s, fast=True) for m in ("sknas", "random") for s in (0, 1)]


def _complete(journal) -> int:
    if not journal.exists():
        return 0
    storage = open_storage(str(journal))
    total = 0
    for name in STUDIES:
        try:
            study = optuna.load_study(study_name=name, storage=storage)
        except KeyError:
            continue
        total += len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))
    return total


def test_fail_stale_trials_fails_and_retries():
    study = optuna.create_study()
    trial = study.ask()
    trial.suggest_int("x", 0, 9)
    study.ask()  # a trial that had not sampled anything yet
    assert fail_stale_trials(study, older_than=3600) == []  # too recent to be stale
    assert sorted(fail_stale_trials(study)) == [0, 1]
    states = [t.state for t in study.get_trials()]
    assert states == [TrialState.FAIL, TrialState.FAIL, TrialState.WAITING]  # one retry, with the same parameters
    assert study.get_trials()[2].params == {} and study.get_trials()[2].user_attrs == {"sknas:retry_of": 0}


@pytest.mark.slow
def test_kill_9_and_resume(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sknas.cli", *ARGS, "--output", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    journal = out / "studies.journal"
    deadline = time.time() + 300
    while _complete(journal) < 40 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the first run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # mid-study: no chance to clean up
    proc.wait()
    killed_at = _complete(journal)
    assert 40 <= killed_at < 120
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "running"  # what the killed run left says it is not current

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    storage = open_storage(str(journal))
    for name in STUDIES:
        trials = optuna.load_study(study_name=name, storage=storage).get_trials()
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        assert len(complete) == 30, name  # nothing lost, nothing beyond the budget
        for t in trials:  # a trial the killed process left running was failed, and its architecture retried
            assert t.state in (TrialState.COMPLETE, TrialState.FAIL), (name, t.number, t.state)
            if t.state == TrialState.FAIL and t.params:
                assert any(c.user_attrs.get("sknas:retry_of") == t.number for c in complete)
    frame = pd.read_csv(out / "trials.csv")
    assert len(frame) == 4 * 30 and not frame.duplicated(["method", "seed", "trial"]).any()
    assert json.loads((out / "summary.json").read_text())["status"] == "complete"


def test_workers_opening_a_fresh_database_together(tmp_path):
    """Optuna's schema creation races when workers start together; open_storage retries the losers."""
    url = f"sqlite:///{tmp_path}/fresh.db"
    code = ("import sys, optuna; from sknas.compare import open_storage; "
            "optuna.create_study(study_name='s', storage=open_storage(sys.argv[1]), load_if_exists=True)")
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors


def test_compare_interleaves_the_methods_and_reports_each_trial(tmp_path):
    """Seed 0 of every method first, then seed 1: the first results represent every method; ``run_study``'s
    ``on_trial`` sees each completed trial."""
    from sknas.compare import compare, run_study

    order = []
    compare(["nasbench201:cifar10-valid"], ["random", "tpe"], budget=3, seeds=2,
            on_result=lambda run: order.append((run["method"], run["seed"])))
    assert order == [("random", 0), ("tpe", 0), ("random", 1), ("tpe", 1)]
    seen = []
    run_study("nasbench201:cifar10-valid", "random", 0, 4, on_trial=seen.append)
    assert seen == [1, 2, 3, 4]
    seen.clear()  # resumed from a storage: the count includes the stored trials
    storage = str(tmp_path / "s.journal")
    run_study("nasbench201:cifar10-valid", "random", 0, 2, storage=storage)
    run_study("nasbench201:cifar10-valid", "random", 0, 4, storage=storage, on_trial=seen.append)
    assert seen == [3, 4]
