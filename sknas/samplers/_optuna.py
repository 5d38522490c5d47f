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
"""

from __future__ import annotations

from typing import Any

from optuna.study import Study
from optuna.trial import FrozenTrial

__all__ = ["cached_trials", "fresh_trials", "set_trial_system_attr", "study_key"]


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
