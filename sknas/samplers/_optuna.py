"""The few places where the samplers reach past Optuna's public API, kept together so one file tracks Optuna.

Why each is needed (Optuna 4.8 - 5.1):

- ``cached_trials``: ``Study._get_trials(use_cache=True)`` reuses the trial list Optuna already read for
  the current trial; the public ``Study.get_trials`` always reads the storage again, which on an RDB
  or journal storage costs a round trip per call and is only needed where freshness matters
  (:func:`fresh_trials`).
- ``set_trial_system_attr``: a sampler must record the architecture it hands to a trial before the
  objective runs (other workers read it to avoid proposing it twice); ``FrozenTrial`` has no setter and
  ``Trial.set_system_attr`` is deprecated, so the storage's method is called with the trial's id.
- ``study_key``: the storage's study id tells two studies apart in the samplers' cache.
- ``fail_stale_trials``: a trial left RUNNING by a killed process must be failed (and its architecture
  retried), as Optuna's heartbeat does on RDB storages; ``JournalStorage`` has no heartbeat, and the
  storage's ``set_trial_state_values`` is reached through ``study._storage``. Its retry is added as
  ``Study.enqueue_trial`` adds one (``create_trial(state=WAITING, system_attrs={"fixed_params": ...})``),
  with the stale trial's row claim (:data:`ROW_ATTR`) among the system attributes.
"""

from __future__ import annotations

import datetime
from typing import Any

from optuna.exceptions import UpdateFinishedTrialError
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState, create_trial

__all__ = ["cached_trials", "fresh_trials", "set_trial_system_attr", "study_key", "fail_stale_trials", "ROW_ATTR"]

#: system attribute of a trial holding the row the sampler gave it
ROW_ATTR = "sknas:row"


def cached_trials(study: Study) -> list[FrozenTrial]:
    """Every trial of ``study`` (not deep-copied), from Optuna's per-trial cache when it has one."""
    return study._get_trials(deepcopy=False, use_cache=True)


def fresh_trials(study: Study) -> list[FrozenTrial]:
    """Every trial of ``study`` as the storage holds it now (public API; a round trip on remote storages)."""
    return study.get_trials(deepcopy=False)


def set_trial_system_attr(study: Study, trial: FrozenTrial, key: str, value: Any) -> None:
    """Store a system attribute on a running trial."""
    study._storage.set_trial_system_attr(trial._trial_id, key, value)


def study_key(study: Study) -> int:
    """An identifier of the study within its storage."""
    return study._study_id


def fail_stale_trials(study: Study, older_than: float | None = None) -> list[int]:
    """Fail the trials a dead process left RUNNING, and enqueue their parameters to be tried again.

    Parameters
    ----------
    study : optuna.study.Study
    older_than : float or None, default=None
        Only trials started more than this many seconds ago count as stale; ``None``: every running
        trial (right when no other process works on the study, e.g. on restarting after a crash).

    Returns
    -------
    numbers : list of int
        The trials failed. Each one that had sampled its parameters is retried by a new waiting
        trial with the same parameters (user attribute ``"sknas:retry_of"`` = its number), as
        Optuna's ``RetryFailedTrialCallback`` does after a missed heartbeat. A trial a sknas sampler
        gave its architecture (:data:`ROW_ATTR`) hands that claim on to its retry: a trial killed
        after suggesting 3 of 6 decisions is retried with the architecture it was given, not 3
        random decisions.
    """
    now = datetime.datetime.now()
    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if older_than is not None and t.datetime_start is not None and \
                (now - t.datetime_start).total_seconds() <= older_than:
            continue
        try:
            stale = study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        except UpdateFinishedTrialError:  # it finished meanwhile: not stale after all
            stale = False
        if stale:
            failed.append(t.number)
            if t.params:
                system = {"fixed_params": t.params}
                if ROW_ATTR in t.system_attrs:
                    system[ROW_ATTR] = t.system_attrs[ROW_ATTR]
                study.add_trial(create_trial(state=TrialState.WAITING, system_attrs=system,
                                             user_attrs={"sknas:retry_of": t.number}))
    return failed
