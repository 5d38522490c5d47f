import numpy as np
import pytest
from scipy import stats

from sknas import ArchitectureRegressor
from sknas.acquisitions import (
    ACQUISITIONS,
    Acquisition,
    ExpectedImprovement,
    FeasibilityWeighted,
    HypervolumeImprovement,
    IndependentThompsonSampling,
    PredictedMean,
    ThompsonSampling,
    UpperConfidenceBound,
)
from sknas.datasets import load_nasbench201
from sknas.proposers import EvolutionProposer, RandomRankProposer, RegularizedEvolutionProposer, learn_feasibility
from sknas.search import fit_and_propose, run_search
from sknas.spaces import cost

RNG = np.random.default_rng(0)
P3 = RNG.normal(size=(3, 50))  # three members, fifty candidates


@pytest.fixture(scope="module")
def bench():
    return load_nasbench201("cifar10-valid")


@pytest.mark.parametrize("acq", [cls() for cls in ACQUISITIONS.values()], ids=repr)
def test_every_acquisition_scores_and_selects(acq):
    s = acq.score(P3, incumbent=1.0, rng=np.random.default_rng(0))
    assert s.shape == (50,) and np.all(np.isfinite(s))
    picks = acq.select(P3, 10, incumbent=1.0, rng=np.random.default_rng(0))
    assert len(set(picks.tolist())) == 10
    np.testing.assert_array_equal(picks, acq.select(P3, 10, incumbent=1.0, rng=np.random.default_rng(0)))
    assert len(acq.select(P3[:, :0], 3, rng=np.random.default_rng(0))) == 0


def test_single_model_falls_back_to_the_mean():
    P = P3[:1]
    order = PredictedMean().select(P, 10, rng=np.random.default_rng(0))
    for acq in (UpperConfidenceBound(kappa=3), ThompsonSampling(), IndependentThompsonSampling()):
        np.testing.assert_array_equal(acq.select(P, 10, rng=np.random.default_rng(1)), order)
    # expected improvement with no spread: the plain improvement, ties (no improvement) broken by the mean
    best = np.sort(P[0])[-4]
    ei = ExpectedImprovement().select(P, 10, incumbent=best, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(ei, order)


def test_expected_improvement_is_the_normal_formula():
    mean, std, best = P3.mean(axis=0), P3.std(axis=0), 0.2
    z = (mean - best) / std
    expected = (mean - best) * stats.norm.cdf(z) + std * stats.norm.pdf(z)
    np.testing.assert_allclose(ExpectedImprovement().score(P3, incumbent=best, rng=None), expected)
    np.testing.assert_allclose(ExpectedImprovement().score(P3, incumbent=None, rng=None), mean)  # nothing seen yet


def test_upper_confidence_bound_adds_the_spread():
    np.testing.assert_allclose(UpperConfidenceBound(kappa=2.0).score(P3, rng=None), P3.mean(0) + 2 * P3.std(0))


@pytest.mark.parametrize("acq, match", [(UpperConfidenceBound(kappa=-1), "kappa"),
                                        (UpperConfidenceBound(kappa=float("nan")), "kappa"),
                                        (ExpectedImprovement(xi="big"), "xi")])
def test_bad_settings_name_the_field(acq, match):
    with pytest.raises((ValueError, TypeError), match=match):
        acq.score(P3, incumbent=0.0, rng=None)


def test_repr_and_equality():
    assert repr(UpperConfidenceBound(kappa=2.0)) == "UpperConfidenceBound(kappa=2.0)"
    assert UpperConfidenceBound(kappa=2.0) == UpperConfidenceBound(kappa=2.0) != UpperConfidenceBound()


def test_a_new_acquisition_is_one_class(bench):
    """Nothing registers it: any proposer takes the instance."""

    class MostDisputed(Acquisition):
        """The candidates the ensemble members disagree on most."""

        def score(self, P, *, incumbent=None, rng):
            return P.std(axis=0)

    X, y = bench.X[:40], bench.metrics["valid"][:40]
    reg = ArchitectureRegressor(bench.space, model="mlp", n_ensemble=3, model__max_epochs=20, random_state=0).fit(X, y)
    for proposer in (RandomRankProposer(n_candidates=500, acquisition=MostDisputed()),
                     EvolutionProposer(n_parents=3, acquisition=MostDisputed())):
        P = proposer.propose(reg, 5, X, y, random_state=0)
        spread = reg.predict_members(P).std(axis=0)
        assert len(P) == 5 and np.all(np.diff(spread) <= 1e-12)


def test_hypervolume_improvement_needs_its_model():
    with pytest.raises(TypeError, match="PredictedImprovement"):
        HypervolumeImprovement().select(P3, 3, rng=np.random.default_rng(0))


def test_regularized_evolution_reaches_every_front_end(bench):
    """A proposer that needs no predictor: run_search fits none and records no prediction."""
    history = run_search(bench, budget=30, proposer=RegularizedEvolutionProposer(population_size=10),
                         n_initial=10, random_state=0)
    assert len(history) == 30 and history["predicted"].isna().all()
    assert len({tuple(r) for r in history["row"]}) == 30
    children = history[history["round"] > 0]
    parents = np.array(history["row"].tolist())
    # every child is one decision away from an earlier evaluation
    for i, row in zip(children.index, children["row"]):
        assert (np.sum(parents[:i] != np.array(row), axis=1) == 1).any()


def test_learned_constraints_reach_every_front_end(bench):
    """Constraint values known only after evaluation steer a round of any front end (fit_and_propose)."""
    rng = np.random.default_rng(0)
    X = bench.X[rng.choice(len(bench), 40, replace=False)]
    y = bench.query(X)
    params = cost(bench.space, X, "params")
    reg = ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=20, random_state=0)
    _, P = fit_and_propose(reg, RandomRankProposer(n_candidates=2000), X, y, 6, seed=0,
                           constraint_values={"params": params - 0.4})
    assert len(P) == 6 and np.all(cost(bench.space, P, "params") <= 0.4 + 1e-9)
    _, free = fit_and_propose(reg, RandomRankProposer(n_candidates=2000), X, y, 6, seed=0)
    assert np.any(cost(bench.space, free, "params") > 0.4)  # the constraint is what kept them small


@pytest.mark.parametrize("module, name, home", [("sknas.search", "PredictedImprovement", "sknas.acquisitions"),
                                                ("sknas.search", "scalarise", "sknas.acquisitions"),
                                                ("sknas.search", "fit_predictor", "sknas.predictors"),
                                                ("sknas.proposers", "Constraint", "sknas.spaces"),
                                                ("sknas.proposers", "ACQUISITIONS", "sknas.acquisitions")])
def test_moved_names_still_import_with_a_warning(module, name, home):
    import importlib

    with pytest.warns(FutureWarning, match=f"import it from {home}"):
        old = getattr(importlib.import_module(module), name)
    assert old is getattr(importlib.import_module(home), name)


def test_feasibility_weighting_prefers_what_likely_meets_learned_constraints(bench):
    """Constrained expected improvement: candidates weighted by the learned probability of meeting a bound."""
    from sknas.spaces import cost

    rng = np.random.default_rng(0)
    X = bench.X[rng.choice(len(bench), 40, replace=False)]
    y, params = bench.query(X), cost(bench.space, X, "params")
    feasibility = learn_feasibility(bench.space, X, {"params": params - 0.4})
    p = feasibility(bench.X)
    assert p.shape == (len(bench),) and np.all((p >= 0) & (p <= 1))
    assert p[cost(bench.space, bench.X, "params") <= 0.3].mean() > 0.9 > 0.1 > p[cost(bench.space, bench.X,
                                                                                      "params") > 0.5].mean()
    reg = ArchitectureRegressor(bench.space, model="mlp", n_ensemble=3, model__max_epochs=20, random_state=0).fit(X, y)
    weighted = RandomRankProposer(n_candidates=2000, acquisition=FeasibilityWeighted(ExpectedImprovement(),
                                                                                     feasibility))
    P = weighted.propose(reg, 6, X, y, random_state=0)
    free = RandomRankProposer(n_candidates=2000, acquisition="ei").propose(reg, 6, X, y, random_state=0)
    assert np.all(cost(bench.space, P, "params") <= 0.4) and np.any(cost(bench.space, free, "params") > 0.4)
    with pytest.raises(ValueError, match="one probability in \\[0, 1\\] per candidate"):
        RandomRankProposer(n_candidates=100, acquisition=FeasibilityWeighted(feasibility=lambda rows: rows[:, 0]
                                                                             )).propose(reg, 2, X, y)
