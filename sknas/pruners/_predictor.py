"""PredictorPruner: stop a training whose predicted final value is unlikely to beat the best one so far."""

from __future__ import annotations

import math

import numpy as np
from optuna.pruners import BasePruner
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from ..search import stop_early
from ..utils import Int, Real, validate_params

__all__ = ["PredictorPruner"]


class PredictorPruner(BasePruner):
    """Prune a trial whose short training ranks low and whose predicted final value is unlikely to win.

    The objective reports a short training with ``trial.report(value, step)`` and asks
    ``trial.should_prune()``. The trial is pruned when its value is not among the best
    ``1 / reduction_factor`` of the values reported at that step (its own included), as by successive
    halving, and, once :data:`~sknas.search.MIN_REFERENCE` completed trials reported at that step too,
    when also the probability that its final value beats the best completed one is below ``threshold``:
    a Bayesian linear regression of their final values on their values at the step
    (:func:`~sknas.search.predict_final`, :func:`~sknas.search.chance_to_beat`) predicts it, with a
    spread that includes the seed noise. The rule is :func:`~sknas.search.stop_early`. Everything is
    read from the study's trials, so it works with any sampler and with many workers on one storage;
    the sknas samplers learn from the pruned trials too (their final value predicted the same way).

    Parameters
    ----------
    threshold : float, default=0.1
        Smallest probability of beating the best final value for which a training goes on.
    reduction_factor : int, default=3
        The best ``1 / reduction_factor`` of the values at a step always go on; the others go on while
        fewer than three trials completed, and after that when their chance is at least ``threshold``.
    n_warmup_steps : int, default=0
        Reports at steps below this never prune.

    Examples
    --------
    >>> import optuna
    >>> from sknas.pruners import PredictorPruner
    >>> study = optuna.create_study(direction="maximize", pruner=PredictorPruner())

    In the objective: ``trial.report(short_accuracy, 12)``, then
    ``if trial.should_prune(): raise optuna.TrialPruned()`` before the full training.
    """

    _parameter_constraints = {"threshold": Real(0.0, 1.0), "reduction_factor": Int(2),
                              "n_warmup_steps": Int(0)}

    def __init__(self, *, threshold: float = 0.1, reduction_factor: int = 3, n_warmup_steps: int = 0):
        self.threshold, self.reduction_factor, self.n_warmup_steps = threshold, reduction_factor, n_warmup_steps
        validate_params(self, self._parameter_constraints)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or step < self.n_warmup_steps:
            return False
        if len(study.directions) > 1:
            raise ValueError("PredictorPruner prunes studies of one objective (Optuna reports no intermediate "
                             "values in studies of several)")
        sign = 1.0 if study.direction == StudyDirection.MAXIMIZE else -1.0
        value = sign * trial.intermediate_values[step]
        others = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))
                  if t.number != trial.number]
        done = [t for t in others if t.state == TrialState.COMPLETE and math.isfinite(t.value)]
        ref = np.array([(sign * t.intermediate_values[step], sign * t.value) for t in done
                        if math.isfinite(t.intermediate_values.get(step, math.nan))]).reshape(-1, 2)
        seen = [sign * t.intermediate_values[step] for t in others if step in t.intermediate_values]
        best = max((sign * t.value for t in done), default=None)
        return bool(stop_early([value], ref[:, 0], ref[:, 1], seen, threshold=self.threshold,
                               reduction_factor=self.reduction_factor, best=best)[0])
