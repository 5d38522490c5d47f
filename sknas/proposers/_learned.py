"""Constraints known only after an evaluation (a measured latency, a memory peak), learned from their values."""

from __future__ import annotations

import numpy as np

from ..encodings import onehot
from ..spaces import ConstrainedSpace, Constraint, Space

__all__ = ["learn_constraints"]


def learn_constraints(space: Space, X: np.ndarray, values: dict[str, np.ndarray], *,
                      random_state=None) -> list[Constraint]:
    """Constraints on predicted values, learned from the constraint values of evaluated rows.

    Costs (parameters, FLOPs, latency) add up over a network's operations, so each constraint's value is
    modelled as linear in the one-hot rows (Bayesian ridge regression); a row counts as feasible when the
    mean plus one posterior standard deviation is ``<= 0`` for every constraint (feasible with about 84%
    probability under the model). Add them to a proposer's ``constraints`` to propose only rows predicted
    feasible (what :func:`~sknas.search.fit_and_propose` does with ``constraint_values``).

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
    from sklearn.linear_model import BayesianRidge

    def upper(model):
        def cost(rows):
            mean, std = model.predict(onehot(space, rows), return_std=True)
            return mean + std

        return cost

    learned = []
    for name, c in values.items():
        c = np.asarray(c, dtype=np.float64)
        seen = np.isfinite(c)
        if seen.sum() < 2:
            continue
        model = BayesianRidge().fit(onehot(space, X[seen]), c[seen])
        learned.append(Constraint(upper(model), max_value=0.0, name=f"predicted {name}"))
    if not learned:
        return []
    base = space.base if isinstance(space, ConstrainedSpace) else space
    return learned if ConstrainedSpace(base, learned).feasible(space.sample(256, random_state)).any() else []
