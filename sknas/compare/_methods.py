"""The search methods ``sknas compare`` knows: one registry, :data:`METHODS`, for the CLI and the benchmark scripts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..utils import seed_from
from ._problems import FULL_STEP, SHORT_STEP


@dataclass(frozen=True)
class Method:
    """A search method ``sknas compare`` knows: an Optuna sampler factory and what to call it.

    Parameters
    ----------
    description : str
        One line for help texts and result tables.
    make : callable
        ``make(space, seed, fast)`` -> an Optuna sampler; ``fast=True`` (smoke runs) may
        train predictors for fewer epochs.
    default : bool, default=False
        Whether ``sknas compare`` runs it when no ``--methods`` are given.
    multi_objective : bool, default=True
        Whether its sampler takes studies of several objectives.
    pruner : callable, default=None
        ``pruner(seed)`` -> the Optuna pruner of its studies, which then report a short training
        first where the table has one (see :func:`~sknas.compare.run_study`); None: no pruning.
    prior : {None, "sampler", "enqueue"}, default=None
        How it uses the prior tables of a comparison (``sknas compare --prior``): ``"sampler"``: ``make``
        takes them, ``make(space, seed, fast, prior)`` (a list of ``(X, y)`` pairs); ``"enqueue"``: the study
        first evaluates the rows of best mean rank in them (:func:`~sknas.predictors.best_prior_rows`).

    Attributes
    ----------
    torch : bool
        Whether its sampler fits torch models (those ``make`` builds with sknas's predictor samplers): its
        studies limit torch to one thread; the others do not import torch.
    """

    description: str
    make: Callable
    default: bool = False
    multi_objective: bool = True
    pruner: Callable | None = None
    prior: str | None = None

    @property
    def torch(self) -> bool:
        return getattr(self.make, "torch", False)


def _sknas(cls_name: str, predictor=None, proposer=None, **params):
    """A factory of the sknas sampler ``cls_name`` with its defaults, or with ``predictor(space)`` / ``proposer()``
    and ``params``."""

    def make(space, seed, fast, prior=None):
        from .. import samplers
        from ..search import default_predictor

        kw = dict(params) if proposer is None else {"proposer": proposer(), **params}
        if predictor is not None or fast:
            kw["predictor"] = (default_predictor if predictor is None else predictor)(space)
            if fast:
                kw["predictor"].set_params(model__max_epochs=10)
        if prior is not None:
            kw["prior"] = prior
        return getattr(samplers, cls_name)(space, seed=seed, **kw)

    make.torch = True
    return make


def _local_proposer():
    """A round's first third from the top of 10,000 random architectures, the rest from one-mutation neighbours
    of the 5 best evaluated (global and local candidates, ranked by the same predictor)."""
    from ..proposers import EvolutionProposer, MixtureProposer, RandomRankProposer

    return MixtureProposer([RandomRankProposer(), EvolutionProposer(n_parents=5, n_children=100, max_mutations=1)])


def _bananas_predictor(space):
    from ..predictors import ArchitectureRegressor

    return ArchitectureRegressor(space, model="mlp", encoding="path", loss="mse", n_ensemble=3)


def _bananas_proposer():
    from ..proposers import EvolutionProposer

    return EvolutionProposer(n_parents=2, n_children=50, max_mutations=1, acquisition="its")


def _renas_predictor(space):
    from ..predictors import ArchitectureRegressor

    return ArchitectureRegressor(space, model="renas")


def _rea(**params):
    """A factory of :class:`~sknas.samplers.RegularizedEvolutionSampler` with ``params``."""

    def make(space, seed, fast):
        from ..samplers import RegularizedEvolutionSampler

        return RegularizedEvolutionSampler(space, seed=seed, **params)

    return make


def _shuffled(make):
    """``make`` given the prior with each task's values permuted (seeded by the study's seed): a prior that is
    unrelated to every target, for checks of negative transfer."""

    def make_shuffled(space, seed, fast, prior):
        rng = np.random.default_rng(seed_from("shuffled prior", seed))
        return make(space, seed, fast, [(X, rng.permutation(y)) for X, y in prior])

    make_shuffled.torch = getattr(make, "torch", False)
    return make_shuffled


def _small_gcn(space):
    from ..predictors import ArchitectureRegressor

    return ArchitectureRegressor(space, model="gcn", model__hidden_size=32, model__max_epochs=10)


#: sampler settings of the ``-small`` methods (with :func:`_small_gcn`): seconds per study
_SMALL = dict(n_initial=8, round_size=4)


def _predictor_pruner(seed):
    from ..pruners import PredictorPruner

    return PredictorPruner()


def _halving(seed):
    import optuna

    return optuna.pruners.SuccessiveHalvingPruner(min_resource=SHORT_STEP, reduction_factor=3)


def _hyperband(seed):
    import optuna

    return optuna.pruners.HyperbandPruner(min_resource=SHORT_STEP, max_resource=FULL_STEP, reduction_factor=3)


def _tpe(s, seed):
    # Optuna 5 changed TPE's defaults: the settings that matter here are written out; on several objectives
    # TPESampler is MOTPE
    return s.TPESampler(multivariate=True, group=False, n_startup_trials=10, n_ei_candidates=24, constant_liar=False,
                        seed=seed)


def _optuna(factory):
    def make(space, seed, fast):
        import optuna

        return factory(optuna.samplers, seed)

    return make


#: method name -> :class:`Method`; adding a method to ``sknas compare`` (and its CLI) is one entry here
METHODS: dict[str, Method] = {
    "sknas": Method("PredictorSampler: the sknas defaults (GCN 64 wide, 60 epochs, top-K, rounds of 3)",
                    _sknas("PredictorSampler"), default=True),
    "sknas-parego": Method("PredictorSampler, ParEGO rounds only on several objectives (the earlier default)",
                           _sknas("PredictorSampler", multi_objective="parego")),
    "prednas": Method("PredNASSampler: gradient ascent on a GCN predictor",
                      _sknas("PredNASSampler")),
    "neural-predictor": Method("NeuralPredictorSampler: GCN at the paper's training length, top-K of random archs",
                               _sknas("NeuralPredictorSampler")),
    "neural-predictor-one-shot": Method(
        "NeuralPredictorSampler(one_shot=True): 20 random trials, one fit of the paper's GCN, then its ranking "
        "top down (the paper's protocol)",
        _sknas("NeuralPredictorSampler", n_initial=20, round_size=100, one_shot=True)),
    "renas": Method("PredictorSampler with the ReNAS predictor (its CNN on the feature tensor, pairwise loss)",
                    _sknas("PredictorSampler", _renas_predictor)),
    "bananas": Method("BANANAS as NASLib runs it: 3 MLPs on the path encoding, independent Thompson sampling, "
                      "mutation candidates", _sknas("PredictorSampler", _bananas_predictor, _bananas_proposer)),
    "rea": Method("RegularizedEvolutionSampler (population 20, tournament 5)", _rea(), default=True,
                  multi_objective=False),
    "gp": Method("Optuna GPSampler (10 startup trials, deterministic objective; log-EHVI on several objectives)",
                 _optuna(lambda s, seed: s.GPSampler(n_startup_trials=10, deterministic_objective=True, seed=seed))),
    "gp-noisy": Method("Optuna GPSampler for noisy objectives (10 startup trials, deterministic_objective=False)",
                       _optuna(lambda s, seed: s.GPSampler(n_startup_trials=10, seed=seed))),
    "tpe": Method("Optuna TPESampler (multivariate, settings pinned; MOTPE on several objectives)", _optuna(_tpe),
                  default=True),
    "nsga2": Method("Optuna NSGAIISampler (population 20)",
                    _optuna(lambda s, seed: s.NSGAIISampler(population_size=20, seed=seed))),
    "random": Method("Optuna RandomSampler", _optuna(lambda s, seed: s.RandomSampler(seed=seed)), default=True),
    # short trainings first: the study's trials report a short training and ask the pruner
    "sknas-short": Method("PredictorSampler + PredictorPruner: the sknas defaults with short trainings first",
                          _sknas("PredictorSampler"), pruner=_predictor_pruner, multi_objective=False),
    "sknas-local": Method("PredictorSampler proposing a third of each round globally (top of 10,000 random) and two "
                          "thirds among one-mutation neighbours of the 5 best", _sknas("PredictorSampler", None,
                                                                                         _local_proposer)),
    "sknas-local-sha": Method("sknas-local + SuccessiveHalvingPruner (reduction factor 3)",
                              _sknas("PredictorSampler", None, _local_proposer), pruner=_halving,
                              multi_objective=False),
    "tpe-hyperband": Method("Optuna TPESampler + HyperbandPruner (Optuna's BOHB-style recipe; reduction factor 3)",
                            _optuna(_tpe), pruner=_hyperband, multi_objective=False),
    "tpe-sha": Method("Optuna TPESampler + SuccessiveHalvingPruner (reduction factor 3)", _optuna(_tpe),
                      pruner=_halving, multi_objective=False),
    "random-sha": Method("Optuna RandomSampler + SuccessiveHalvingPruner (reduction factor 3)",
                         _optuna(lambda s, seed: s.RandomSampler(seed=seed)), pruner=_halving,
                         multi_objective=False),
    # with the prior tables of the comparison (sknas compare --prior): benchmarks/priors.py
    "sknas-prior": Method("PredictorSampler with prior= the prior tables (ranking-weighted, no random startup)",
                          _sknas("PredictorSampler"), prior="sampler"),
    "sknas-prior-shuffled": Method("sknas-prior with each prior table's values permuted (an unrelated prior)",
                                   _shuffled(_sknas("PredictorSampler")), prior="sampler"),
    "enqueue-tpe": Method("the 10 rows of best mean rank in the prior tables enqueued, then tpe",
                          _optuna(_tpe), prior="enqueue"),
    # small settings, seconds per study: for checks of many processes on one study (benchmarks/workers.py)
    "sknas-small": Method("PredictorSampler, small: GCN 32 wide, 10 epochs, 8 startup trials, rounds of 4",
                          _sknas("PredictorSampler", _small_gcn, **_SMALL)),
    "prednas-small": Method("PredNASSampler, small as sknas-small", _sknas("PredNASSampler", _small_gcn, **_SMALL)),
    "neural-predictor-small": Method("NeuralPredictorSampler, small as sknas-small",
                                     _sknas("NeuralPredictorSampler", _small_gcn, **_SMALL)),
    "rea-small": Method("RegularizedEvolutionSampler, small (population 8, tournament 3)",
                        _rea(population_size=8, tournament_size=3), multi_objective=False),
}


def make_pruner(method: str, seed: int):
    """The Optuna pruner of ``method``'s studies (see :data:`METHODS`): ``NopPruner`` when it prunes nothing."""
    import optuna

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; accepted: {list(METHODS)}")
    make = METHODS[method].pruner
    return optuna.pruners.NopPruner() if make is None else make(seed)


def make_sampler(method: str, space, seed: int, *, fast: bool = False, prior=None):
    """The Optuna sampler of ``method`` (see :data:`METHODS`), seeded.

    ``fast=True`` trains the predictors for fewer epochs (smoke tests). ``prior`` (a list of ``(X, y)``
    pairs, :func:`~sknas.predictors.check_prior`) goes to the methods that take one (``Method.prior``).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; accepted: {list(METHODS)}")
    if METHODS[method].prior is not None and not prior:
        raise ValueError(f"method {method!r} needs prior tables (sknas compare --prior); none given")
    if METHODS[method].prior == "sampler":
        return METHODS[method].make(space, seed, fast, prior)
    return METHODS[method].make(space, seed, fast)
