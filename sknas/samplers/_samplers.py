"""The sknas samplers: PredNAS, Neural Predictor and regularized evolution."""

from __future__ import annotations

import numpy as np
from optuna.samplers import BaseSampler
from sklearn.base import clone

from ..proposers import BaseProposer, GradientAscentProposer, RandomRankProposer, default_predictor, default_proposer
from ..spaces import Space
from ._base import ArchitectureSampler

__all__ = ["PredictorSampler", "PredNASSampler", "NeuralPredictorSampler", "RegularizedEvolutionSampler"]


class PredictorSampler(ArchitectureSampler):
    """Predictor-based sampling: fit ``predictor`` on the completed trials, take ``proposer``'s batch.

    Parameters
    ----------
    space : Space
        The architecture space.
    predictor : estimator, default=None
        A regressor on rows of ``space`` (cloned at every batch); default
        :func:`~sknas.proposers.default_predictor` (the directed GCN, 100 epochs).
    proposer : BaseProposer, default=None
        Default :func:`~sknas.proposers.default_proposer` (the top of the whole space, or of
        10,000 random architectures, by predicted value).
    n_startup_trials, batch_size, independent_sampler, seed
        See :class:`ArchitectureSampler`.
    """

    def __init__(self, space: Space, *, predictor=None, proposer: BaseProposer | None = None,
                 n_startup_trials: int = 10, batch_size: int = 10, independent_sampler: BaseSampler | None = None,
                 seed: int | None = None):
        super().__init__(space, n_startup_trials=n_startup_trials, batch_size=batch_size,
                         independent_sampler=independent_sampler, seed=seed)
        if proposer is not None and not isinstance(proposer, BaseProposer):
            raise TypeError(f"proposer must be a sknas proposer; got {type(proposer).__name__}")
        self.predictor = predictor
        self.proposer = proposer

    def _default_predictor(self):
        return default_predictor(self.space)

    def _default_proposer(self) -> BaseProposer:
        return default_proposer()

    def _propose(self, X, y, claimed, seed):
        model = clone(self.predictor) if self.predictor is not None else self._default_predictor()
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        model.fit(X, y)
        proposer = self.proposer if self.proposer is not None else self._default_proposer()
        return proposer.propose(model, self.batch_size, X, y, exclude=claimed, random_state=seed)


class PredNASSampler(PredictorSampler):
    """PredNAS (Yuan et al. 2022) as an Optuna sampler: gradient ascent on a differentiable predictor.

    A :class:`PredictorSampler` whose proposer defaults to
    :class:`~sknas.proposers.GradientAscentProposer` (on the default GCN
    predictor unless ``predictor`` says otherwise).

    Examples
    --------
    >>> import optuna
    >>> from sknas.datasets import load_nasbench201
    >>> from sknas.samplers import PredNASSampler
    >>> bench = load_nasbench201("cifar10-valid")  # doctest: +SKIP
    >>> study = optuna.create_study(direction="maximize", sampler=PredNASSampler(bench.space, seed=0))  # doctest: +SKIP
    >>> study.optimize(lambda t: float(bench.query([bench.space.suggest(t)])[0]), n_trials=50)  # doctest: +SKIP
    """

    def _default_proposer(self) -> BaseProposer:
        return GradientAscentProposer()


class NeuralPredictorSampler(PredictorSampler):
    """Neural Predictor (Wen et al. 2020) as an Optuna sampler: rank random architectures, take the top.

    A :class:`PredictorSampler` whose predictor defaults to the directed GCN
    and whose proposer is :class:`~sknas.proposers.RandomRankProposer` (by
    predicted mean, as in the paper).
    """

    def _default_predictor(self):
        from ..predictors import ArchitectureRegressor

        return ArchitectureRegressor(self.space, model="gcn")

    def _default_proposer(self) -> BaseProposer:
        return RandomRankProposer()


class RegularizedEvolutionSampler(ArchitectureSampler):
    """Regularized (aging) evolution (Real et al. 2019) as an Optuna sampler.

    The population is the ``population_size`` most recent completed trials;
    each new trial takes the best of ``tournament_size`` members drawn at
    random and changes one of its decisions (``space.mutate``). The first
    ``population_size`` trials are random.

    Parameters
    ----------
    space : Space
        The architecture space.
    population_size : int, default=20
    tournament_size : int, default=5
    independent_sampler, seed
        See :class:`ArchitectureSampler`.
    """

    def __init__(self, space: Space, *, population_size: int = 20, tournament_size: int = 5,
                 independent_sampler: BaseSampler | None = None, seed: int | None = None):
        for name, v in (("population_size", population_size), ("tournament_size", tournament_size)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer; got {v!r}")
        if tournament_size > population_size:
            raise ValueError(f"tournament_size ({tournament_size}) must not exceed population_size ({population_size})")
        super().__init__(space, n_startup_trials=population_size, batch_size=1,
                         independent_sampler=independent_sampler, seed=seed)
        self.population_size = int(population_size)
        self.tournament_size = int(tournament_size)

    def _propose(self, X, y, claimed, seed):
        rng = np.random.default_rng(seed)
        pop_X, pop_y = X[-self.population_size:], y[-self.population_size:]
        children = []
        for _ in range(8):  # a few tournaments, so that concurrent trials get different children
            pick = rng.choice(len(pop_X), self.tournament_size, replace=False)
            parent = pop_X[pick[np.argmax(pop_y[pick])]]
            children.append(self.space.mutate(parent[None, :], rng)[0])
        return np.asarray(children, dtype=np.int64)
