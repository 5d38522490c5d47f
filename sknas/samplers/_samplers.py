"""The sknas samplers: PredNAS, Neural Predictor and regularized evolution."""

from __future__ import annotations

from optuna.samplers import BaseSampler

from ..predictors import ArchitectureRegressor, check_prior
from ..proposers import BaseProposer, GradientAscentProposer, RandomRankProposer, RegularizedEvolutionProposer
from ..search import MULTI_OBJECTIVE, ROUND_SIZE, default_predictor, default_proposer, fit_and_propose
from ..spaces import Space
from ..utils import Instance, Options, check_int, validate_params
from ._base import ArchitectureSampler

__all__ = ["PredictorSampler", "PredNASSampler", "NeuralPredictorSampler", "RegularizedEvolutionSampler"]


class PredictorSampler(ArchitectureSampler):
    """Predictor-based sampling: fit ``predictor`` on the completed trials, take ``proposer``'s batch.

    Multi-objective studies (``optuna.create_study(directions=[...])``, e.g.
    accuracy against latency) are searched by rounds that either scalarise
    the trials' values with new random weights (ParEGO) or rank by the
    hypervolume improvement a predictor per objective predicts (see
    ``multi_objective``); ``study.best_trials`` is the Pareto front found.

    Parameters
    ----------
    space : Space
        The architecture space.
    predictor : estimator, default=None
        A regressor on rows of ``space`` (cloned at every batch); default
        :func:`~sknas.search.default_predictor` (the directed GCN, 64 wide, 60 epochs).
    proposer : BaseProposer, default=None
        Default :func:`~sknas.search.default_proposer` (the top of 10,000 random
        architectures by predicted value, or of the whole space when it is smaller).
    n_initial, round_size, independent_sampler, seed, constraints, constraints_func
        See :class:`ArchitectureSampler`.
    n_startup_trials, batch_size
        Deprecated aliases of ``n_initial`` and ``round_size``.
    multi_objective : {"mixed", "parego", "hvi"}, default="mixed"
        How rounds of a study with several objectives propose: each round a
        ParEGO scalarisation or the predicted hypervolume improvement, drawn
        evenly (``"mixed"``), or always one of them; see
        :func:`~sknas.search.fit_and_propose`. Ignored with one objective.
    prior : (X, y), TabularBenchmark or list of those, default=None
        What other tasks measured on rows of ``space`` (:func:`~sknas.predictors.check_prior`), e.g.
        ``load_benchmark("nasbench201", "cifar10-valid")`` for a search on another image dataset. The first
        trial is then the prior's best row, not a random one (``n_initial`` is not used), and every
        round combines the priors with the predictor by how well each ranks the completed trials
        (:class:`~sknas.predictors.RankWeightedPrior`): a prior unrelated to the study loses its weight as
        trials complete. With several objectives the rounds are ParEGO (see
        :func:`~sknas.search.fit_and_propose`). Not with a proposer that needs a differentiable predictor.
    one_shot : bool, default=False
        Fit the predictor once, on the ``n_initial`` random trials, and hand out its ranking from the
        top down to every later trial (the Neural Predictor protocol; see ``run_search(one_shot=True)``):
        a study of ``n_initial + K`` trials trains the top ``K``. Not with ``prior``.
    """

    _multi_objective = True

    def __init__(self, space: Space, *, predictor=None, proposer: BaseProposer | None = None,
                 n_initial: int = 10, round_size: int = ROUND_SIZE, independent_sampler: BaseSampler | None = None,
                 seed: int | None = None, constraints=None, constraints_func=None, multi_objective: str = "mixed",
                 n_startup_trials: int | None = None, batch_size: int | None = None, prior=None,
                 one_shot: bool = False):
        super().__init__(space, n_initial=n_initial, round_size=round_size, independent_sampler=independent_sampler,
                         seed=seed, constraints=constraints, constraints_func=constraints_func,
                         n_startup_trials=n_startup_trials, batch_size=batch_size)
        self.predictor, self.proposer, self.multi_objective = predictor, proposer, multi_objective
        validate_params(self, {"proposer": Instance(BaseProposer, none=True),
                               "multi_objective": Options(MULTI_OBJECTIVE)})
        self.prior, self.one_shot = prior, one_shot
        self._prior = check_prior(prior, space)
        if one_shot and self._prior:
            raise ValueError("one_shot=True learns from the n_initial random trials only; it takes no prior")

    def _n_fit(self, n_done: int, n_startup: int) -> int:
        return n_startup if self.one_shot else super()._n_fit(n_done, n_startup)

    def _n_startup(self) -> int:
        return 0 if self._prior else self.n_initial

    def _default_predictor(self):
        return default_predictor(self.space)

    def _default_proposer(self) -> BaseProposer:
        return default_proposer()

    def _propose(self, X, y, exclude, C):
        predictor = self._default_predictor() if self.predictor is None else self.predictor
        proposer = self._default_proposer() if self.proposer is None else self.proposer
        return fit_and_propose(predictor, proposer, X, y, self.round_size, seed=self._seed, exclude=exclude,
                               space=self._search_space, multi_objective=self.multi_objective,
                               constraint_values=C, prior=self._prior)[1]


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
    at its full width and training length (as in the paper, where the
    GCN ranks architectures once after many trainings), whose proposer is
    :class:`~sknas.proposers.RandomRankProposer` (by predicted mean), and
    whose rounds are 10 trials long.

    Parameters
    ----------
    space, predictor, proposer, n_initial, independent_sampler, seed, constraints, constraints_func
        See :class:`PredictorSampler`.
    multi_objective, n_startup_trials, batch_size
        See :class:`PredictorSampler`.
    round_size : int, default=10
        See :class:`ArchitectureSampler`; the paper ranks once per ten trainings.
    one_shot : bool, default=False
        The paper's protocol: the predictor is fitted once, on the ``n_initial`` random trials, and
        every later trial takes the next architecture of its ranking (see :class:`PredictorSampler`);
        ``n_initial=N`` and a study of ``N + K`` trials train ``N`` random architectures and the top ``K``.
        The paper's cascade is ``predictor=CascadePredictor(space)`` (:class:`~sknas.predictors.CascadePredictor`).
    """

    def __init__(self, space: Space, *, predictor=None, proposer: BaseProposer | None = None,
                 n_initial: int = 10, round_size: int = 10, independent_sampler: BaseSampler | None = None,
                 seed: int | None = None, constraints=None, constraints_func=None, multi_objective: str = "mixed",
                 n_startup_trials: int | None = None, batch_size: int | None = None, one_shot: bool = False):
        super().__init__(space, predictor=predictor, proposer=proposer, n_initial=n_initial, round_size=round_size,
                         independent_sampler=independent_sampler, seed=seed, constraints=constraints,
                         constraints_func=constraints_func, multi_objective=multi_objective,
                         n_startup_trials=n_startup_trials, batch_size=batch_size, one_shot=one_shot)

    def _default_predictor(self):
        return ArchitectureRegressor(self.space, model="gcn")

    def _default_proposer(self) -> BaseProposer:
        return RandomRankProposer()


class RegularizedEvolutionSampler(PredictorSampler):
    """Regularized (aging) evolution (Real et al. 2019) as an Optuna sampler.

    A :class:`PredictorSampler` over
    :class:`~sknas.proposers.RegularizedEvolutionProposer` (which fits no
    predictor): the population is the ``population_size`` most recent completed
    trials; each new trial takes the best of ``tournament_size`` members drawn
    at random and changes one of its decisions (``space.mutate``). The first
    ``population_size`` trials are random.

    Parameters
    ----------
    space : Space
        The architecture space.
    population_size : int, default=20
    tournament_size : int, default=5
    independent_sampler, seed, constraints, constraints_func
        See :class:`ArchitectureSampler`.
    """

    _multi_objective = False

    def __init__(self, space: Space, *, population_size: int = 20, tournament_size: int = 5,
                 independent_sampler: BaseSampler | None = None, seed: int | None = None, constraints=None,
                 constraints_func=None):
        self.population_size = check_int(population_size, "population_size")
        self.tournament_size = check_int(tournament_size, "tournament_size (at most population_size)",
                                         high=self.population_size)
        super().__init__(space, proposer=RegularizedEvolutionProposer(self.population_size, self.tournament_size),
                         n_initial=population_size, round_size=1, independent_sampler=independent_sampler,
                         seed=seed, constraints=constraints, constraints_func=constraints_func)
