"""One search round, written once for every front end: the initial design, the round seed, fit -> propose.

The loop (:func:`~sknas.search.run_search`), :class:`~sknas.search.PredictorSearchCV` and the Optuna
samplers (:mod:`sknas.samplers`) are thin adapters over these functions, with one seeding rule: a front
end holds one integer ``seed``; a round's predictor and proposer both get ``round_seed(seed, X, y)``, a
hash of that seed and of the data the round is fitted on. A round therefore depends on nothing but the
seed and the history, in any process or on any machine: a search resumed from its history continues
exactly as it would have, and every worker of a distributed study computes the same round.
"""

from __future__ import annotations

import copy
import hashlib

import numpy as np

from ..acquisitions import HypervolumeImprovement, PredictedImprovement, scalarise
from ..predictors import fit_predictor, fit_prior_model
from ..proposers import learn_constraints
from ..spaces import Space, check_constraints
from ..utils import Options, rng_from, seed_from

__all__ = ["search_seed", "initial_design", "round_seed", "fit_and_propose", "MULTI_OBJECTIVE"]

#: how a round treats several objectives (see :func:`fit_and_propose`)
MULTI_OBJECTIVE = ("mixed", "parego", "hvi")


def search_seed(random_state) -> tuple[int, np.random.Generator]:
    """The seed of a search and the generator of its initial design, from a front end's ``random_state``."""
    rng = rng_from(random_state)
    return int(rng.integers(2**31 - 1)), rng


def initial_design(space: Space, n: int, random_state=None, *, exclude=None) -> np.ndarray:
    """Up to ``n`` uniformly drawn valid rows, distinct up to equivalence, none equivalent to ``exclude``.

    Parameters
    ----------
    space : Space
    n : int
        Number of rows.
    random_state : int, Generator or None
    exclude : array-like of rows, default=None
        Architectures not to draw (nor anything equivalent).

    Returns
    -------
    X : ndarray of shape (n_drawn, n_decisions)
        ``n_drawn < n`` only when the space has (almost) no further architectures.
    """
    rng = rng_from(random_state)
    excluded = set(space.row_keys(exclude)) if exclude is not None and len(exclude) else set()
    out: list[np.ndarray] = []
    for _ in range(20):
        cand = space.sample(max(64, 4 * n + 16), rng)
        for row, key in zip(cand, space.row_keys(cand)):
            if len(out) == n:
                break
            if key not in excluded:
                excluded.add(key)
                out.append(row)
        if len(out) == n:
            break
    return np.asarray(out, dtype=np.int64).reshape(len(out), space.n_decisions)


def round_seed(seed: int, X: np.ndarray, y: np.ndarray) -> int:
    """The seed of the round fitted on rows ``X`` with values ``y``: a hash of ``seed`` and the data."""
    X = np.ascontiguousarray(X, dtype=np.int64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    return seed_from(int(seed), (len(X), hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest()))


def fit_and_propose(predictor, proposer, X: np.ndarray, y: np.ndarray, n: int, *, seed: int, exclude=None,
                    space: Space | None = None, multi_objective: str = "mixed", constraint_values=None, prior=None):
    """One round: fit a clone of ``predictor`` on ``X, y`` and let ``proposer`` propose ``n`` new rows.

    Parameters
    ----------
    predictor : estimator
        Cloned, seeded and fitted (:func:`~sknas.predictors.fit_predictor`); see
        :class:`~sknas.proposers.Predictor`. Not fitted when the proposer needs none
        (``proposer.needs_predictor`` false, e.g. regularized evolution).
    proposer : BaseProposer
    X, y : ndarray
        Evaluated rows and their values (finite, higher is better); ``y`` of shape ``(len(X), k)`` holds
        ``k`` objectives (see ``multi_objective``).
    n : int
        Number of proposals.
    seed : int
        The front end's seed; the round uses :func:`round_seed` of it and of ``X, y``.
    exclude : array-like of rows, default=None
        Further rows not to propose (e.g. failed or running evaluations).
    space : Space, default=None
        The space the front end searches, when narrower than the predictor's
        (a :class:`~sknas.spaces.PoolSpace`); default: the predictor's.
    multi_objective : {"mixed", "parego", "hvi"}, default="mixed"
        With several objectives: ``"parego"`` fits one predictor to a random scalarisation of them
        (:func:`~sknas.acquisitions.scalarise`); ``"hvi"`` fits one per objective
        (:class:`~sknas.acquisitions.PredictedImprovement`, two objectives) and lets the proposer choose by
        :class:`~sknas.acquisitions.HypervolumeImprovement`; ``"mixed"`` draws one of the two evenly per
        round, and keeps to ParEGO with more than two objectives or a proposer that needs a differentiable
        predictor or none.
    constraint_values : dict of str to ndarray, default=None
        Constraints known only after an evaluation: per constraint, the value of each row of ``X``
        (feasible when ``<= 0``; NaN where unknown). The round proposes only rows predicted feasible
        (:func:`~sknas.proposers.learn_constraints`).
    prior : list of (X, y), default=None
        Other tasks' values of rows of the space (:func:`~sknas.predictors.check_prior`): the round's model
        is then a :class:`~sknas.predictors.RankWeightedPrior` of them and of ``predictor``
        (:func:`~sknas.predictors.fit_prior_model`), which proposes from ``X`` of any length, even empty.
        With several objectives the round is ParEGO: the priors and the predictor are weighted by how well
        they rank the round's scalarisation. Ignored by a proposer that needs no predictor.

    Returns
    -------
    model : fitted estimator or None
        None when the proposer needs no predictor.
    X_new : ndarray of shape (n_proposed, n_decisions)
        Best first; see :meth:`~sknas.proposers.BaseProposer.propose`.
    """
    Options(MULTI_OBJECTIVE)("multi_objective", multi_objective)
    s = round_seed(seed, X, y)
    extra = {} if space is None else {"space": space}
    if constraint_values:
        learned = learn_constraints(space if space is not None else predictor.space, X, constraint_values,
                                    random_state=s)
        if learned:
            proposer = copy.copy(proposer)
            proposer.constraints = check_constraints(proposer.constraints) + learned
    if np.ndim(y) == 2:
        rule = "parego" if prior else multi_objective
        if rule == "mixed":
            simple = getattr(proposer, "needs_differentiable", False) or not proposer.needs_predictor
            rule = ("parego" if y.shape[1] != 2 or simple or rng_from(seed_from(s, "rule")).random() < 0.5
                    else "hvi")
        if rule == "hvi":
            model = PredictedImprovement(predictor, X, y, s)
            proposer = copy.copy(proposer)
            proposer.acquisition = HypervolumeImprovement()
            return model, proposer.propose(model, n, X, exclude=exclude, random_state=s, **extra)
        y = scalarise(y, seed_from(s, "weights")) if len(y) else y[:, 0]  # no rows yet: a prior's first round
    if prior and proposer.needs_predictor:
        if getattr(proposer, "needs_differentiable", False):
            raise ValueError(f"prior= needs a proposer that ranks candidates by their predictions; "
                             f"{type(proposer).__name__} needs a differentiable predictor")
        model = fit_prior_model(predictor, X, y, prior, s)
    else:
        model = fit_predictor(predictor, X, y, s) if proposer.needs_predictor else None
    return model, proposer.propose(model, n, X, y, exclude=exclude, random_state=s, **extra)
