"""The proposers: random top-K (Neural Predictor), evolution (NPENAS, regularized) and gradient ascent (PredNAS)."""

from __future__ import annotations

import copy

import numpy as np

from ..acquisitions import Acquisition
from ..encodings import onehot_slices, project, relax
from ..spaces import ConstrainedSpace, check_constraints
from ..utils import Instance, Int, Real, check_int, rng_from, validate_params
from ._base import BaseProposer
from ._costs import relaxed_cost

__all__ = ["RandomRankProposer", "EvolutionProposer", "RegularizedEvolutionProposer", "GradientAscentProposer",
           "MixtureProposer"]


class RandomRankProposer(BaseProposer):
    """Neural Predictor's proposer: score many random architectures, return the top ``n``.

    Parameters
    ----------
    n_candidates : int, default=10000
        Random valid rows to score. When the space has no more rows than
        this, the whole space is scored instead: one randomly chosen row of
        every equivalence class, since rows of one class are the same
        architecture. (NAS-Bench-201 has 15,625 rows, more than the default:
        10,000 random rows cover about 2,800 of its 4,930 distinct cells; with
        ``n_candidates=15625`` every one is scored, at half the cost.)
    acquisition, kappa, constraints
        See :class:`BaseProposer`.

    Examples
    --------
    >>> from sknas.proposers import RandomRankProposer
    >>> from sknas.acquisitions import UpperConfidenceBound
    >>> proposer = RandomRankProposer(n_candidates=5000, acquisition=UpperConfidenceBound(kappa=2.0))
    """

    _parameter_constraints = {"n_candidates": Int(1)}

    def __init__(self, n_candidates: int = 10_000, *, acquisition="mean", kappa: float | None = None,
                 constraints=None):
        super().__init__(acquisition=acquisition, kappa=kappa, constraints=constraints)
        self.n_candidates = n_candidates

    def _candidates(self, predictor, space, n, X, y, rng, constraints):
        if space.n_rows <= self.n_candidates:
            X = space.enumerate()
            X = X[rng.permutation(len(X))]
            return X[space.unique(X)]
        return space.sample(int(self.n_candidates), rng)


class EvolutionProposer(BaseProposer):
    """Predictor-guided evolution (NPENAS): mutate the best evaluated rows, rank the children.

    Parameters
    ----------
    n_parents : int, default=10
        How many of the best evaluated architectures are mutated.
    n_children : int, default=100
        Children drawn per parent.
    max_mutations : int, default=2
        Each child changes between 1 and this many decisions of its parent.
    acquisition, kappa, constraints
        See :class:`BaseProposer`.
    """

    _parameter_constraints = {"n_parents": Int(1), "n_children": Int(1), "max_mutations": Int(1)}

    def __init__(self, n_parents: int = 10, n_children: int = 100, max_mutations: int = 2, *,
                 acquisition="mean", kappa: float | None = None, constraints=None):
        super().__init__(acquisition=acquisition, kappa=kappa, constraints=constraints)
        self.n_parents = n_parents
        self.n_children = n_children
        self.max_mutations = max_mutations

    def _candidates(self, predictor, space, n, X, y, rng, constraints):
        parents = self._best_rows(space, X, y, predictor, int(self.n_parents))
        if len(parents) == 0:
            parents = space.sample(int(self.n_parents), rng)
        children = np.repeat(parents, int(self.n_children), axis=0)
        steps = rng.integers(1, int(self.max_mutations) + 1, size=len(children))
        for s in range(1, int(self.max_mutations) + 1):
            idx = np.flatnonzero(steps >= s)
            children[idx] = space.mutate(children[idx], rng)
        return children


class RegularizedEvolutionProposer(BaseProposer):
    """Regularized (aging) evolution (Real et al. 2019): tournaments among the most recent evaluations.

    The population is the ``population_size`` most recently evaluated rows; each child is a one-decision
    mutation (``space.mutate``) of the best of ``tournament_size`` members drawn at random. Members that
    break a constraint (e.g. a learned one) lose their tournaments. It needs no predictor
    (``needs_predictor = False``): the children come in the order they were drawn, unless a predictor is
    given, whose acquisition then ranks them.

    Parameters
    ----------
    population_size : int, default=20
    tournament_size : int, default=5
        At most ``population_size``; fewer when fewer rows have been evaluated.
    n_tournaments : int, default=8
        Children drawn per proposal (at least; so that concurrent workers get different children).
    acquisition, constraints
        See :class:`BaseProposer`.

    Examples
    --------
    >>> from sknas.proposers import RegularizedEvolutionProposer
    >>> from sknas.spaces import NASBench201Space
    >>> space = NASBench201Space()
    >>> X = space.sample(20, random_state=0)
    >>> RegularizedEvolutionProposer().propose(None, 2, X, X.sum(axis=1), random_state=0, space=space).shape
    (2, 6)
    """

    _parameter_constraints = {"population_size": Int(1), "tournament_size": Int(1), "n_tournaments": Int(1)}
    needs_predictor = False

    def __init__(self, population_size: int = 20, tournament_size: int = 5, n_tournaments: int = 8, *,
                 acquisition="mean", constraints=None):
        super().__init__(acquisition=acquisition, constraints=constraints)
        self.population_size = population_size
        self.tournament_size = tournament_size
        self.n_tournaments = n_tournaments

    def _candidates(self, predictor, space, n, X, y, rng, constraints):
        check_int(self.tournament_size, "tournament_size (at most population_size)", high=self.population_size)
        pop_X, pop_y = X[-int(self.population_size):], y[-int(self.population_size):]
        if len(pop_X) == 0 or not np.isfinite(pop_y).any():
            return space.sample(max(n, int(self.n_tournaments)), rng)
        pop_y = np.where(np.isfinite(pop_y), pop_y, -np.inf)
        for c in constraints:  # members that break a constraint lose their tournaments
            pop_y = np.where(c.feasible(space, pop_X), pop_y, -np.inf)
        size = min(int(self.tournament_size), len(pop_X))
        children = []
        for _ in range(max(n, int(self.n_tournaments))):
            pick = rng.choice(len(pop_X), size, replace=False)
            parent = pop_X[pick[np.argmax(pop_y[pick])]]
            children.append(space.mutate(parent[None, :], rng)[0])
        return np.asarray(children, dtype=np.int64)


class GradientAscentProposer(BaseProposer):
    """PredNAS: gradient ascent on the predicted performance in the relaxed encoding.

    Starting from the best evaluated architectures (and random restarts),
    each start's relaxed encoding is parametrised by logits, one softmax per
    decision; Adam follows the gradient of the predictor's output (minus a
    penalty for exceeded cost bounds). The trajectory is projected back to
    valid rows along the way; the distinct projections are ranked by the
    acquisition on the discrete rows, so off-manifold predictions never decide.

    Parameters
    ----------
    n_starts : int, default=16
        Best evaluated architectures used as starting points.
    n_random_starts : int, default=16
        Random restarts.
    n_steps : int, default=40
        Gradient steps.
    step_size : float, default=0.2
        Adam learning rate on the logits.
    temperature : float, default=1.0
        Softmax temperature of the relaxation.
    init_scale : float, default=2.0
        Logit of the chosen option at a start (others 0): how sharp the start is.
    project_every : int, default=2
        Project the trajectory to rows every this many steps.
    penalty : float, default=10.0
        Weight of the constraint penalty (in units of the prediction per
        unit of relative excess cost).
    keep_feasible : bool, default=True
        Undo the step of a start whose projection the cost models put
        outside the bounds, so that the trajectories stay (as far as the
        models know) feasible; without it only the penalty steers.
    acquisition, kappa, constraints
        See :class:`BaseProposer`.

    Notes
    -----
    It needs a differentiable predictor (``predict_relaxed``): the GCN or
    MLP models of :class:`~sknas.ArchitectureRegressor`, not XGBoost.

    Constraints (the proposer's own and those of a
    :class:`~sknas.spaces.ConstrainedSpace` it proposes from) steer the
    ascent through :func:`relaxed_cost`: each cost as a function of the
    relaxed rows, exact where it adds up over decisions (the parameters and
    FLOPs of NAS-Bench-201), else a ridge regression on choices and pairs of
    choices (a latency column of a benchmark). The starts are feasible rows;
    the penalty is the excess of the expected cost over the bounds (kept
    the model's error inside them), and ``keep_feasible`` keeps each
    projection inside the modelled bounds. Every returned row is still
    checked against the true cost.
    """

    _parameter_constraints = {"n_starts": Int(0), "n_random_starts": Int(0), "n_steps": Int(0),
                              "step_size": Real(0.0, closed="neither"), "temperature": Real(0.0, closed="neither"),
                              "init_scale": Real(0.0, closed="neither"), "project_every": Int(1),
                              "penalty": Real(0.0), "keep_feasible": Instance(bool)}
    needs_differentiable = True

    def __init__(self, n_starts: int = 16, n_random_starts: int = 16, n_steps: int = 40, step_size: float = 0.2,
                 temperature: float = 1.0, init_scale: float = 2.0, project_every: int = 2, penalty: float = 10.0,
                 keep_feasible: bool = True, *, acquisition="mean", kappa: float | None = None, constraints=None):
        super().__init__(acquisition=acquisition, kappa=kappa, constraints=constraints)
        self.n_starts = n_starts
        self.n_random_starts = n_random_starts
        self.n_steps = n_steps
        self.step_size = step_size
        self.temperature = temperature
        self.init_scale = init_scale
        self.project_every = project_every
        self.penalty = penalty
        self.keep_feasible = keep_feasible

    def _candidates(self, predictor, space, n, X, y, rng, constraints):
        import torch

        if self.n_starts + self.n_random_starts < 1:
            raise ValueError("n_starts + n_random_starts must be at least 1")
        relaxed = getattr(predictor, "predict_relaxed", None)
        if relaxed is None:
            raise ValueError(
                f"GradientAscentProposer needs a differentiable predictor (predict_relaxed); "
                f"got {type(predictor).__name__}"
            )
        steer = list(constraints) + list(getattr(space, "constraints", ()))  # a ConstrainedSpace's bounds too
        costs = [relaxed_cost(space, c, random_state=rng) for c in steer]
        ok = np.ones(len(X), dtype=bool)
        for c in steer if len(X) else ():  # start from feasible rows only: the ascent keeps them feasible
            ok &= c.feasible(space, X)
        starts = self._best_rows(space, X[ok], y[ok], predictor, int(self.n_starts))
        X0 = np.concatenate([starts, self._sample_feasible(space, constraints, int(self.n_random_starts), rng)])
        if len(X0) == 0:
            return X0
        slices = onehot_slices(space)

        logits = torch.tensor(relax(space, X0) * float(self.init_scale), dtype=torch.float32, requires_grad=True)
        opt = torch.optim.Adam([logits], lr=float(self.step_size))

        def relaxed_rows():
            return torch.cat([torch.softmax(logits[:, s] / float(self.temperature), dim=1) for s in slices], dim=1)

        def vertices(P):  # the one-hot rows P projects to (before any repair)
            return torch.cat([torch.nn.functional.one_hot(P[:, s].argmax(dim=1), s.stop - s.start)
                              for s in slices], dim=1).to(P.dtype)

        found = []
        for step in range(int(self.n_steps) + 1):
            P = relaxed_rows()
            if step % int(self.project_every) == 0 or step == self.n_steps:
                found.append(project(space, P.detach().numpy()))
            if step == self.n_steps:
                break
            objective = relaxed(P).reshape(-1)
            if costs:
                objective = objective - float(self.penalty) * sum(m.excess(P) for m in costs)
            opt.zero_grad()
            (-objective.sum()).backward()
            before = logits.detach().clone()
            opt.step()
            if costs and self.keep_feasible:  # undo the step of each row whose projection leaves the bounds
                with torch.no_grad():
                    bad = sum(m.excess(vertices(relaxed_rows())) for m in costs) > 0
                    logits[bad] = before[bad]
                    opt.state[logits]["exp_avg"][bad] = 0.0
        return np.concatenate(found)

    @staticmethod
    def _sample_feasible(space, constraints, n, rng):
        """``n`` random rows that meet ``constraints`` (unconstrained ones when too few do)."""
        if not constraints or n == 0:
            return space.sample(n, rng)
        try:
            return ConstrainedSpace(space, constraints).sample(n, rng)
        except RuntimeError:  # rejection sampling found too few feasible rows
            return space.sample(n, rng)


class MixtureProposer(BaseProposer):
    """Fill each batch from several proposers, e.g. global exploration plus local refinement.

    The batch is split by ``weights``; each part excludes what the earlier
    parts proposed, so the union is still mutually distinct. Each part keeps
    its own acquisition unless the mixture sets one, and meets the mixture's
    constraints besides its own.

    Parameters
    ----------
    proposers : list of BaseProposer
        The parts, in order.
    weights : list of float, default=None
        Share of the batch of each part (normalised; equal by default),
        rounded down; the last part takes the remainder.
    acquisition : Acquisition, default=None
        When set, every part chooses by it instead of its own (a round of
        several objectives sets :class:`~sknas.acquisitions.HypervolumeImprovement`).
    constraints : dict or list of Constraint, default=None
        Bounds every part meets besides its own (a round sets the constraints it
        learned from the trials, :func:`~sknas.proposers.learn_constraints`, here).

    Examples
    --------
    >>> from sknas.proposers import EvolutionProposer, MixtureProposer, RandomRankProposer
    >>> proposer = MixtureProposer([RandomRankProposer(acquisition="thompson"),
    ...                             EvolutionProposer(n_parents=3, max_mutations=1, acquisition="thompson")])
    """

    def __init__(self, proposers, weights=None, acquisition=None, constraints=None):
        super().__init__(acquisition=acquisition, constraints=constraints)
        self.proposers = proposers
        self.weights = weights

    @property
    def needs_differentiable(self) -> bool:
        return any(getattr(p, "needs_differentiable", False) for p in self.proposers)

    @property
    def needs_predictor(self) -> bool:
        return any(getattr(p, "needs_predictor", True) for p in self.proposers)

    def propose(self, predictor, n: int, X=None, y=None, *, exclude=None, random_state=None,
                space=None) -> np.ndarray:
        parts = list(self.proposers)
        if not parts or not all(isinstance(p, BaseProposer) for p in parts):
            raise ValueError("proposers must be a non-empty list of sknas proposers")
        w = np.ones(len(parts)) if self.weights is None else np.asarray(self.weights, dtype=np.float64)
        if w.shape != (len(parts),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(
                f"weights must be {len(parts)} non-negative numbers with a positive sum; got {self.weights}"
            )
        validate_params(self, {"acquisition": Instance(Acquisition, none=True)})
        shared = check_constraints(self.constraints)
        if self.acquisition is not None or shared:
            parts = [copy.copy(p) for p in parts]
            for p in parts:
                p.acquisition = p.acquisition if self.acquisition is None else self.acquisition
                p.constraints = check_constraints(p.constraints) + shared
        n = check_int(n, "n")
        rng = rng_from(random_state)
        counts = np.floor(w / w.sum() * n).astype(int)
        counts[-1] = n - counts[:-1].sum()
        out = []
        excluded = None if exclude is None else np.asarray(exclude)
        for k, part in zip(counts, parts):
            if k <= 0:
                continue
            P = part.propose(predictor, int(k), X, y, exclude=excluded, random_state=rng, space=space)
            out.append(P)
            excluded = P if excluded is None else np.concatenate([excluded, P])
        return np.concatenate(out) if out else np.empty((0, 0), dtype=np.int64)
