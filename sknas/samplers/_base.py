"""What the sknas Optuna samplers share: an architecture per trial, derived from the study's trials."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from ..spaces import Space

__all__ = ["ArchitectureSampler"]

_ROW_ATTR = "sknas:row"


def _seed_from(*parts) -> int:
    """A stable 32-bit seed from any parts (the same in every process)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:4], "little")


class ArchitectureSampler(BaseSampler):
    """Base of the sknas samplers: relative sampling over the decisions of a space.

    The architecture decisions of ``space`` form an eager relative search
    space, so even the first trial samples them jointly; any other parameter
    of the objective (a learning rate, ...) goes to ``independent_sampler``.
    Everything is derived from the study's trials: completed trials are the
    training data, running and waiting ones are claimed architectures. So a
    sampler works with ``n_jobs > 1``, with ``JournalStorage`` / ``RDBStorage``
    and with many workers sharing one storage. Failed and pruned trials are
    never learned from (nor proposed again); enqueued parameters win.

    Parameters
    ----------
    space : Space
        The architecture space; ``space.suggest(trial)`` in the objective
        reads the sampled row.
    n_startup_trials : int, default=10
        Random (valid, distinct) architectures before the first model.
    batch_size : int, default=10
        Proposals are computed in batches, once per this many completed
        trials, and handed out to the following trials.
    independent_sampler : BaseSampler, default=None
        For parameters outside the space; default ``RandomSampler(seed)``.
    seed : int, default=None
        Makes the sampler reproducible (in any process).
    """

    def __init__(self, space: Space, *, n_startup_trials: int = 10, batch_size: int = 10,
                 independent_sampler: BaseSampler | None = None, seed: int | None = None):
        if not isinstance(space, Space):
            raise TypeError(f"space must be a sknas Space; got {type(space).__name__}")
        for name, v in (("n_startup_trials", n_startup_trials), ("batch_size", batch_size)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer; got {v!r}")
        self.space = space
        self.n_startup_trials = int(n_startup_trials)
        self.batch_size = int(batch_size)
        self._seed = np.random.SeedSequence().entropy % 2**31 if seed is None else int(seed)
        self._independent = independent_sampler or RandomSampler(seed=self._seed)
        self._distributions = space.distributions()
        self._cache: dict[tuple, np.ndarray] = {}

    def reseed_rng(self) -> None:
        self._seed = int(np.random.SeedSequence().entropy % 2**31)
        self._independent.reseed_rng()
        self._cache.clear()

    # --------------------------------------------------------------- Optuna API
    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        self._check_single_objective(study)
        out: dict[str, Any] = {}
        ours = all(search_space.get(n) == d for n, d in self._distributions.items())
        if ours and not trial.system_attrs.get("fixed_params"):
            row = self._row_for_trial(study, trial)
            out.update(self.space.row_to_params(row))
        for name, dist in search_space.items():
            if name not in out:
                out[name] = self._independent.sample_independent(study, trial, name, dist)
        return out

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        self._check_single_objective(study)
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        self._independent.after_trial(study, trial, state, values)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _check_single_objective(study: Study) -> None:
        if len(study.directions) > 1:
            raise ValueError("sknas samplers optimise a single objective; this study has "
                             f"{len(study.directions)} directions")

    def _trial_row(self, t: FrozenTrial) -> np.ndarray | None:
        """The architecture of a trial, or None when it has not (validly) sampled one."""
        if not all(n in t.params for n in self.space.decision_names):
            return None
        try:
            return self.space.params_to_row(t.params)
        except ValueError:
            return None

    def _history(self, study: Study):
        """(rows of completed trials by number, their values as maximisation, rows claimed by any trial)."""
        sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
        done, values, numbers, claimed = [], [], [], []
        for t in study._get_trials(deepcopy=False, use_cache=True):
            row = self._trial_row(t)
            if row is None:
                attr = t.system_attrs.get(_ROW_ATTR)
                if attr is not None and t.state in (TrialState.RUNNING, TrialState.WAITING):
                    claimed.append(np.asarray(attr, dtype=np.int64))
                continue
            claimed.append(row)
            if t.state == TrialState.COMPLETE and t.value is not None and np.isfinite(t.value):
                done.append(row)
                values.append(sign * float(t.value))
                numbers.append(t.number)
        d = self.space.n_decisions
        order = np.argsort(numbers, kind="stable")
        X = np.asarray(done, dtype=np.int64).reshape(-1, d)[order]
        y = np.asarray(values, dtype=np.float64)[order]
        return X, y, np.asarray(claimed, dtype=np.int64).reshape(-1, d)

    def _row_for_trial(self, study: Study, trial: FrozenTrial) -> np.ndarray:
        X, y, claimed = self._history(study)
        taken = set(self.space.row_keys(claimed)) if len(claimed) else set()
        if len(X) < self.n_startup_trials:
            row = self._random_row(taken, _seed_from(self._seed, "startup", trial.number))
        else:
            n_fit = self.n_startup_trials + (len(X) - self.n_startup_trials) // self.batch_size * self.batch_size
            key = (study._study_id, n_fit, hashlib.sha256(X[:n_fit].tobytes() + y[:n_fit].tobytes()).hexdigest())
            row = None
            for attempt in range(2):
                if key not in self._cache or attempt:
                    proposals = self._propose(X[:n_fit], y[:n_fit], claimed, _seed_from(self._seed, key[1:]))
                    self._cache = {key: proposals}
                for cand, k in zip(self._cache[key], self.space.row_keys(self._cache[key])):
                    if k not in taken:
                        row = cand
                        break
                if row is not None:
                    break
            if row is None:  # the model proposes nothing new: explore
                row = self._random_row(taken, _seed_from(self._seed, "fallback", trial.number))
        study._storage.set_trial_system_attr(trial._trial_id, _ROW_ATTR, [int(c) for c in row])
        return row

    def _random_row(self, taken: set, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        for _ in range(20):
            cand = self.space.sample(64, rng)
            for r, k in zip(cand, self.space.row_keys(cand)):
                if k not in taken:
                    return r
        return self.space.sample(1, rng)[0]  # the space is (nearly) exhausted: repeat one

    def _propose(self, X: np.ndarray, y: np.ndarray, claimed: np.ndarray, seed: int) -> np.ndarray:
        """Ordered proposals (best first) given completed rows ``X`` with values ``y`` (higher is better)."""
        raise NotImplementedError

