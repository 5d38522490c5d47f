"""What the sknas Optuna samplers share: an architecture per trial, derived from the study's trials."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler, RandomSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from ..search import ROUND_SIZE, fill_stopped, initial_design, round_seed
from ..spaces import ConstrainedSpace, Space
from ..utils import Instance, Int, renamed, seed_from, validate_params
from ._optuna import ROW_ATTR, cached_trials, fresh_trials, set_trial_system_attr, study_key

__all__ = ["ArchitectureSampler", "ROW_ATTR"]

#: Optuna's system attribute for the values of ``constraints_func`` (``FrozenTrial.constraints`` reads it)
CONSTRAINTS_ATTR = "constraints"
_CLAIM_TRIES = 10
#: most architectures the sampler remembers the row of (about 450 bytes each, 23 MB in all): a longer study
#: converts the others again, so memory stays bounded however long the study (NAS-Bench-201 has 15,625 rows)
_ROW_MEMO = 50_000
#: a decision a trial did not suggest, in the memo keys of :meth:`ArchitectureSampler._trial_row`
_UNSET = object()


def _pruned_values(trials: list[FrozenTrial], y: np.ndarray, sign: float) -> np.ndarray:
    """``y`` (values as maximisation of ``trials``, NaN for the pruned ones) with each pruned trial's final value
    predicted from its last report (:func:`~sknas.search.fill_stopped`, fitted on the completed ones among
    ``trials`` that reported at the same step); NaN where there are too few of those."""
    out = y.copy()
    for step in sorted({t.last_step for t in trials if t.state == TrialState.PRUNED}):
        short = sign * np.array([t.intermediate_values.get(step, np.nan) for t in trials], dtype=np.float64)
        stopped = np.array([t.state == TrialState.PRUNED and t.last_step == step for t in trials], dtype=bool)
        out[stopped] = fill_stopped(short, y, stopped)[stopped]
    return out


class ArchitectureSampler(BaseSampler):
    """Base of the sknas samplers: relative sampling over the decisions of a space.

    The architecture decisions of ``space`` form an eager relative search
    space, so even the first trial samples them jointly; any other parameter
    of the objective (a learning rate, ...) goes to ``independent_sampler``.
    Everything is derived from the study's trials: completed trials are the
    training data, running and waiting ones are claimed architectures. So a
    sampler works with ``n_jobs > 1``, with ``JournalStorage`` / ``RDBStorage``
    and with many workers sharing one storage. Failed trials are never learned
    from; a pruned trial (``trial.report`` then ``trial.should_prune()``, with
    :class:`~sknas.pruners.PredictorPruner` or any Optuna pruner) is learned
    from with the final value its last report predicts
    (:func:`~sknas.search.predict_final`, fitted on the completed trials that
    reported at the same step), once three such trials exist. Neither is
    proposed again; enqueued parameters win.

    A subclass writes one method, ``_propose(X, y, exclude, C)``: ordered
    proposals (best first) from the completed rows ``X`` and their values
    ``y`` (higher is better; in a multi-objective study one column per
    objective, each turned to maximisation), none equivalent to a row of ``exclude``, each
    predicted to meet the constraints whose values ``C`` the trials hold (from
    ``constraints_func``). :class:`~sknas.samplers.PredictorSampler` writes it once,
    as a round of :func:`~sknas.search.fit_and_propose` with its proposer.
    Proposals are computed once per ``round_size`` completed trials and
    handed out to the following trials. A trial takes the first proposal no
    other trial holds, records it on the trial, reads the study again and
    moves on to the next proposal if another trial took the same one
    meanwhile, so concurrent workers do not evaluate an architecture twice.

    Parameters
    ----------
    space : Space
        The architecture space; ``space.suggest(trial)`` in the objective
        reads the sampled row.
    n_initial : int, default=10
        Random (valid, distinct) architectures before the first model (the
        name and default of every sknas front end).
    round_size : int, default=3
        Proposals are computed in rounds, once per this many completed
        trials, and handed out to the following trials
        (:data:`sknas.search.ROUND_SIZE`).
    independent_sampler : BaseSampler, default=None
        For parameters outside the space; default ``RandomSampler(seed)``.
    seed : int, default=None
        Makes the sampler reproducible (in any process).
    constraints : Constraint, list of Constraint or dict, default=None
        Bounds on costs (:class:`~sknas.spaces.Constraint`): the sampler hands
        out only architectures that meet them, the random startup ones included.
    constraints_func : callable, default=None
        Optuna's convention for constraints known only after a trial has run
        (as in ``TPESampler`` and ``GPSampler``): a function of a finished
        trial returning a sequence of floats, feasible when every value is
        ``<= 0``; its values are stored on the trial. Optuna 5 prefers the
        objective to call ``trial.set_constraint(name, value)``; such values
        count the same way, with no ``constraints_func``. From the completed
        trials' values the sampler learns which architectures are feasible
        (:func:`~sknas.proposers.learn_constraints`) and
        proposes only architectures predicted to meet every constraint; the
        random startup trials, and the random fallback when every proposal is
        taken, cannot know them.
    n_startup_trials : int, default=None
        Deprecated alias of ``n_initial``.
    batch_size : int, default=None
        Deprecated alias of ``round_size``.
    """

    #: whether ``_propose`` takes several objectives (``y`` with one column per objective)
    _multi_objective = False
    _parameter_constraints = {"space": Instance(Space), "n_initial": Int(1), "round_size": Int(1),
                              "independent_sampler": Instance(BaseSampler, none=True), "seed": Int(0, none=True)}

    def __init__(self, space: Space, *, n_initial: int = 10, round_size: int = ROUND_SIZE,
                 independent_sampler: BaseSampler | None = None, seed: int | None = None, constraints=None,
                 constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
                 n_startup_trials: int | None = None, batch_size: int | None = None):
        n_initial = renamed("n_startup_trials", n_startup_trials, "n_initial", n_initial, stacklevel=4)
        round_size = renamed("batch_size", batch_size, "round_size", round_size, stacklevel=4)
        self.space, self.n_initial, self.round_size = space, n_initial, round_size
        self.independent_sampler, self.seed = independent_sampler, seed
        validate_params(self, ArchitectureSampler._parameter_constraints)
        self.constraints, self.constraints_func = constraints, constraints_func
        validate_params(self, {"constraints_func": Instance(Callable, none=True)})
        self._search_space = space if constraints is None else ConstrainedSpace(space, constraints)
        self._seed = np.random.SeedSequence().entropy % 2**31 if seed is None else int(seed)
        self._independent = independent_sampler or RandomSampler(seed=self._seed)
        self._distributions = space.distributions()
        self._cache: dict[tuple, np.ndarray] = {}
        self._rows: dict[tuple, np.ndarray | None] = {}
        self._warned_partial = False
        self._warned_others: set[str] = set()  # other parameters sent to the default RandomSampler, named once
        self._warned_none = False

    def reseed_rng(self) -> None:
        self._seed = int(np.random.SeedSequence().entropy % 2**31)
        self._independent.reseed_rng()
        self._cache.clear()

    # --------------------------------------------------------------- Optuna API
    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return dict(self._distributions)

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        self._check_objectives(study)
        out: dict[str, Any] = {}
        ours = all(search_space.get(n) == d for n, d in self._distributions.items())
        fixed = trial.system_attrs.get("fixed_params") or {}
        if ours and not fixed:
            out.update(self.space.row_to_params(self._row_for_trial(study, trial)))
        elif ours and not all(n in fixed for n in self.space.decision_names):
            out.update(self.space.row_to_params(self._reserved_row(study, trial, fixed)))
        for name, dist in search_space.items():
            if name not in out:
                out[name] = self._independent.sample_independent(study, trial, name, dist)
        return out

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        self._check_objectives(study)
        if self.independent_sampler is None and param_name not in self._warned_others:
            self._warned_others.add(param_name)
            warnings.warn(f"parameter {param_name!r} is not a decision of the space: {type(self).__name__} leaves it "
                          "to a RandomSampler; pass independent_sampler= (e.g. optuna.samplers.TPESampler()) to "
                          "search it otherwise", UserWarning, stacklevel=2)
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        if self.constraints_func is not None and state in (TrialState.COMPLETE, TrialState.PRUNED):
            con = self.constraints_func(trial)
            try:
                con = tuple(float(c) for c in con)
            except (TypeError, ValueError):
                raise TypeError(f"constraints_func must return a sequence of floats; got {type(con).__name__}") \
                    from None
            if not all(np.isfinite(con)):
                raise ValueError(f"constraints_func must return finite values; got {con} for trial {trial.number}")
            set_trial_system_attr(study, trial, CONSTRAINTS_ATTR, con)
        if (state == TrialState.COMPLETE and not self._warned_none
                and not any(n in trial.params for n in self.space.decision_names)):
            self._warned_none = True
            warnings.warn(f"trial {trial.number} suggested none of the space's decisions: the objective must call "
                          f"space.suggest(trial), else {type(self).__name__} has no architecture to learn from",
                          UserWarning, stacklevel=2)
        self._independent.after_trial(study, trial, state, values)

    # ------------------------------------------------------------------ helpers
    def _check_objectives(self, study: Study) -> None:
        if len(study.directions) > 1 and not self._multi_objective:
            raise ValueError(f"{type(self).__name__} optimises a single objective; this study has "
                             f"{len(study.directions)} directions (PredictorSampler and its subclasses take several)")

    def _trial_row(self, t: FrozenTrial) -> np.ndarray | None:
        """The architecture of a trial, or None when it has not (validly) sampled one: the space's
        ``params_to_row`` of its parameters, which may leave out decisions the trial's others make unused (the
        layers beyond an MLP's depth); memoised, params being final, up to :data:`_ROW_MEMO` architectures."""
        key = tuple(t.params.get(n, _UNSET) for n in self.space.decision_names)
        if all(v is _UNSET for v in key):
            return None
        if key not in self._rows:
            if len(self._rows) >= _ROW_MEMO:
                self._rows.clear()
            try:
                self._rows[key] = self.space.params_to_row(t.params)
            except ValueError:
                self._rows[key] = None
        return self._rows[key]

    def _history(self, trials: list[FrozenTrial], study: Study, me: int):
        """(rows of completed trials and of pruned ones that reported, by number, their values as maximisation
        (one column per objective when there are several; NaN for a pruned trial), rows claimed by other
        trials, constraint values by name, the trials of those rows)."""
        sign = np.array([1.0 if d == StudyDirection.MAXIMIZE else -1.0 for d in study.directions])
        done, values, numbers, claimed, cons, data = [], [], [], [], [], []
        for t in trials:
            if t.number == me:
                continue
            row = self._trial_row(t)
            if row is None:
                self._warn_partial(t)
                attr = t.system_attrs.get(ROW_ATTR)
                if attr is not None and t.state in (TrialState.RUNNING, TrialState.WAITING):
                    claimed.append(np.asarray(attr, dtype=np.int64))
                continue
            claimed.append(row)
            complete = t.state == TrialState.COMPLETE and t.values is not None and np.all(np.isfinite(t.values))
            if complete or (t.state == TrialState.PRUNED and t.last_step is not None and len(sign) == 1):
                done.append(row)
                values.append(sign * np.asarray(t.values, dtype=np.float64) if complete else [np.nan])
                numbers.append(t.number)
                cons.append(t.constraints)
                data.append(t)
        d = self.space.n_decisions
        order = np.argsort(numbers, kind="stable")
        X = np.asarray(done, dtype=np.int64).reshape(-1, d)[order]
        y = np.asarray(values, dtype=np.float64).reshape(-1, len(sign))[order]
        y = y[:, 0] if len(sign) == 1 else y
        C = {k: np.array([c.get(k, np.nan) for c in cons], dtype=np.float64)[order]
             for k in sorted({k for c in cons for k in c})}
        return X, y, np.asarray(claimed, dtype=np.int64).reshape(-1, d), C, [data[i] for i in order]

    def _warn_partial(self, t: FrozenTrial) -> None:
        """Warn, once per sampler, of a completed trial that suggested some of the space's decisions but not all:
        the sampler cannot learn from it, and would otherwise fall back to random search without a word."""
        missing = [n for n in self.space.decision_names if n not in t.params]
        if t.state != TrialState.COMPLETE or self._warned_partial or len(missing) == self.space.n_decisions:
            return
        self._warned_partial = True
        warnings.warn(f"trial {t.number} suggested {self.space.n_decisions - len(missing)} of the space's "
                      f"{self.space.n_decisions} decisions (missing: {missing[:5]}); {type(self).__name__} learns "
                      "only from trials that suggest every decision (call space.suggest(trial)): to fix a decision, "
                      "search a space without it", UserWarning, stacklevel=2)

    def _claims(self, study: Study, me: int) -> tuple[np.ndarray, set]:
        """The rows other trials hold, read from the storage now, and their keys."""
        rows = self._history(fresh_trials(study), study, me)[2]
        return rows, set(self.space.row_keys(rows)) if len(rows) else set()

    def _row_for_trial(self, study: Study, trial: FrozenTrial) -> np.ndarray:
        X, y, claimed, C, trials = self._history(cached_trials(study), study, trial.number)
        n_startup = self._n_startup()
        # a round learns from its first n_fit trials only, pruned ones at the value their report predicts
        n_fit = self._n_fit(len(X), n_startup)
        learn = np.zeros(len(X), dtype=bool)
        if len(X) >= n_startup and y.ndim == 1:  # pruned trials count at the value their report predicts
            sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
            y = np.r_[_pruned_values(trials[:n_fit], y[:n_fit], sign), y[n_fit:]]
            learn[:n_fit] = np.isfinite(y[:n_fit])
        elif len(X) >= n_startup:
            learn[:n_fit] = True
        if len(X) < n_startup or learn.sum() < min(n_startup, 2):
            cands = initial_design(self._search_space, 8, seed_from(self._seed, "startup", trial.number),
                                   exclude=claimed)
        else:
            X, y, C = X[learn], y[learn], {k: v[learn] for k, v in C.items()}
            key = (study_key(study), round_seed(self._seed, X, y))
            if key not in self._cache:
                self._cache = {key: self._propose(X, y, claimed, C)}
            cands = self._cache[key]
            if not self._unclaimed(cands, self._claims(study, trial.number)[1]):  # all handed out: propose anew
                cands = self._cache[key] = self._propose(X, y, claimed, C)
        return self._claim(study, trial, cands)

    def _reserved_row(self, study: Study, trial: FrozenTrial, fixed: dict) -> np.ndarray:
        """The architecture of a trial enqueued with some of the space's decisions: the row it holds a claim on
        (the retry of a trial cut short, see :func:`fail_stale_trials`) when that row is of this search space
        and agrees with the fixed decisions, else a proposal of the sampler's own (never random decisions)."""
        reserved = trial.system_attrs.get(ROW_ATTR)
        if reserved is not None:
            try:  # a row of this search space (valid, constraints met), or None
                row = self._search_space.check_rows(np.asarray(reserved, dtype=np.int64)[None, :])[0]
            except (ValueError, TypeError, OverflowError):
                row = None
            if row is not None and all(self.space.row_to_params(row)[n] == v for n, v in fixed.items()
                                       if n in self._distributions):
                return row
        return self._row_for_trial(study, trial)

    def _n_fit(self, n_done: int, n_startup: int) -> int:
        """How many of the first ``n_done`` completed trials a round learns from: the startup ones and whole
        rounds after them."""
        return n_startup + max(n_done - n_startup, 0) // self.round_size * self.round_size

    def _n_startup(self) -> int:
        """Random architectures before the first round (a subclass with a prior needs none)."""
        return self.n_initial

    def _unclaimed(self, cands: np.ndarray, claims: set) -> list[int]:
        return [i for i, k in enumerate(self.space.row_keys(cands) if len(cands) else []) if k not in claims]

    def _claim(self, study: Study, trial: FrozenTrial, cands: np.ndarray) -> np.ndarray:
        """Record on ``trial`` the first candidate no other trial holds, re-checked after the write.

        Every worker writes its claim before it reads the others', so of two workers that pick the same
        row at the same time at least one sees the other's claim; whoever sees a conflict moves on.
        """
        tried: list[np.ndarray] = []
        for attempt in range(_CLAIM_TRIES):
            rows, keys = self._claims(study, trial.number)
            keys |= set(self.space.row_keys(np.asarray(tried))) if tried else set()
            free = self._unclaimed(cands, keys)
            if free:
                row = cands[free[0]]
            else:  # the model proposes nothing new: explore
                exclude = np.concatenate([rows, np.asarray(tried, dtype=np.int64).reshape(-1, rows.shape[1])])
                fallback = initial_design(self._search_space, 1,
                                          seed_from(self._seed, "fallback", trial.number, attempt)
                                          if attempt else seed_from(self._seed, "fallback", trial.number),
                                          exclude=exclude)
                row = fallback[0] if len(fallback) else self._search_space.sample(1, self._seed + attempt)[0]
            set_trial_system_attr(study, trial, ROW_ATTR, [int(c) for c in row])
            if self.space.row_keys(row[None, :])[0] not in self._claims(study, trial.number)[1]:
                return row
            tried.append(row)
        return row

    def _propose(self, X: np.ndarray, y: np.ndarray, exclude: np.ndarray, C: dict[str, np.ndarray]) -> np.ndarray:
        """Ordered proposals (best first) given completed rows ``X`` with values ``y`` (higher is better) and
        their constraint values ``C`` (``constraints_func``; NaN where unknown), each predicted to meet
        those constraints where possible (:func:`~sknas.proposers.learn_constraints`).

        Seeded by ``round_seed(self._seed, X, y)``, the seeding rule of every sknas search front end.
        """
        raise NotImplementedError
