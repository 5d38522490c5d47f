"""Constraints known only after an evaluation (a measured latency, a memory peak), learned from their values."""

from __future__ import annotations

import numpy as np

from ..encodings import onehot
from ..spaces import ConstrainedSpace, Constraint, Space

__all__ = ["learn_constraints", "learn_feasibility"]


def _constraint_models(space: Space, X: np.ndarray, values: dict[str, np.ndarray]) -> dict:
    """Per constraint with at least two known values, a Bayesian ridge regression of it on the one-hot rows.

    Costs (parameters, FLOPs, latency) add up over a network's operations, so a linear model fits them.
    """
    from sklearn.linear_model import BayesianRidge

    models = {}
    for name, c in values.items():
        c = np.asarray(c, dtype=np.float64)
        seen = np.isfinite(c)
        if seen.sum() >= 2:
            models[name] = BayesianRidge().fit(onehot(space, X[seen]), c[seen])
    return models


def learn_constraints(space: Space, X: np.ndarray, values: dict[str, np.ndarray], *,
                      random_state=None) -> list[Constraint]:
    """Constraints on predicted values, learned from the constraint values of evaluated rows.

    Each constraint's value is modelled as linear in the one-hot rows (Bayesian ridge regression); a row
    counts as feasible when the mean plus one posterior standard deviation is ``<= 0`` for every
    constraint (feasible with about 84% probability under the model). Add them to a proposer's
    ``constraints`` to propose only rows predicted feasible (what :func:`~sknas.search.fit_and_propose`
    does with ``constraint_values``); :func:`learn_feasibility` weights instead of filtering.

    Parameters
    ----------
    space : Space
        The space of the rows (a :class:`~sknas.spaces.ConstrainedSpace` is sampled within its bounds).
    X : ndarray of shape (n, n_decisions)
        Evaluated rows.
    values : dict of str to ndarray of shape (n,)
        Per constraint, each row's value (feasible when ``<= 0``, Optuna's convention); NaN where unknown.
        A constraint with fewer than two known values is not learned.
    random_state : int, Generator or None
        Draws the sample that checks the learned constraints leave something feasible.

    Returns
    -------
    constraints : list of Constraint
        Empty while nothing of a random sample of 256 rows is predicted feasible (the evaluations so far
        say too little).
    """

    def upper(model):
        def cost(rows):
            mean, std = model.predict(onehot(space, rows), return_std=True)
            return mean + std

        return cost

    learned = [Constraint(upper(model), max_value=0.0, name=f"predicted {name}")
               for name, model in _constraint_models(space, X, values).items()]
    if not learned:
        return []
    base = space.base if isinstance(space, ConstrainedSpace) else space
    return learned if ConstrainedSpace(base, learned).feasible(space.sample(256, random_state)).any() else []


def learn_feasibility(space: Space, X: np.ndarray, values: dict[str, np.ndarray]):
    """The probability that a row meets every constraint, learned from the constraint values of evaluated rows.

    The models of :func:`learn_constraints`; under each one's normal posterior, a row meets its constraint
    with probability ``Phi(-mean / std)``, and the constraints are taken as independent. Pass it to
    :class:`~sknas.acquisitions.FeasibilityWeighted` to weight an acquisition rather than filter.

    Parameters
    ----------
    space, X, values
        See :func:`learn_constraints`.

    Returns
    -------
    feasibility : callable
        ``feasibility(rows)`` -> ndarray of shape ``(len(rows),)`` in [0, 1] (all ones when no constraint
        has two known values).
    """
    from scipy import stats

    models = list(_constraint_models(space, X, values).values())

    def feasibility(rows) -> np.ndarray:
        p = np.ones(len(rows))
        if len(rows) == 0:
            return p
        H = onehot(space, rows)
        for model in models:
            mean, std = model.predict(H, return_std=True)
            p *= stats.norm.cdf(-mean / np.maximum(std, 1e-12))
        return p

    return feasibility
