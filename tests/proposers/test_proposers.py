import numpy as np
import pytest

from sknas import ArchitectureRegressor
from sknas.acquisitions import UpperConfidenceBound
from sknas.datasets import load_nasbench201
from sknas.proposers import (
    EvolutionProposer,
    GradientAscentProposer,
    MixtureProposer,
    RandomRankProposer,
    RegularizedEvolutionProposer,
)
from sknas.spaces import Constraint, cost


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench201("cifar10-valid")


@pytest.fixture(scope="module")
def seen(bench):
    rng = np.random.default_rng(0)
    idx = rng.choice(len(bench), 60, replace=False)
    return bench.X[idx], bench.metrics["valid"][idx]


@pytest.fixture(scope="module")
def mlp(bench, seen):
    X, y = seen
    return ArchitectureRegressor(bench.space, model="mlp", n_ensemble=3, model__max_epochs=60, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def gcn(bench, seen):
    X, y = seen
    return ArchitectureRegressor(bench.space, model="gcn", model__max_epochs=30, random_state=0).fit(X, y)


PROPOSERS = [
    RandomRankProposer(n_candidates=2000),
    RandomRankProposer(acquisition="thompson"),
    RandomRankProposer(acquisition=UpperConfidenceBound(kappa=2.0)),
    RandomRankProposer(acquisition="ei"),
    RegularizedEvolutionProposer(),
    EvolutionProposer(n_parents=5, n_children=40),
    GradientAscentProposer(n_starts=4, n_random_starts=4, n_steps=10),
    MixtureProposer([RandomRankProposer(acquisition="thompson"), EvolutionProposer(n_parents=3, max_mutations=1)],
                    weights=[2, 1]),
]


@pytest.mark.parametrize("proposer", PROPOSERS, ids=repr)
def test_contract(proposer, bench, seen, mlp):
    X, y = seen
    space = bench.space
    P = proposer.propose(mlp, 12, X, y, random_state=0)
    assert P.shape == (12, 6) and space.is_valid(P).all()
    keys = space.row_keys(P)
    assert len(set(keys)) == 12  # mutually distinct up to equivalence
    assert not set(keys) & set(space.row_keys(X))  # nothing equivalent to a seen row
    np.testing.assert_array_equal(P, proposer.propose(mlp, 12, X, y, random_state=0))
    if proposer.acquisition == "mean" and not isinstance(proposer, MixtureProposer):
        pred = mlp.predict(P)
        assert np.all(np.diff(pred) <= 1e-9)  # best first


def test_thompson_slots_take_the_best_of_one_member(bench, seen, mlp):
    X, y = seen
    M = mlp.predict_members(bench.X)
    assert M.shape == (3, len(bench.X))
    np.testing.assert_allclose(M.mean(axis=0), mlp.predict(bench.X))
    P = RandomRankProposer(acquisition="thompson").propose(mlp, 8, X, y, random_state=0)
    # each slot takes the best remaining candidate of one member: under that member it beats every later slot
    S = mlp.predict_members(P)
    for i in range(len(P) - 1):
        assert np.any(np.all(S[:, i:i + 1] >= S[:, i + 1:], axis=1))
    assert not np.array_equal(P, RandomRankProposer().propose(mlp, 8, X, y))  # it explores


def test_random_rank_scores_the_whole_small_space(bench, seen, mlp):
    X, y = seen
    space = bench.space
    P = RandomRankProposer(n_candidates=20_000).propose(mlp, 5, X, y, random_state=0)
    # the whole space was scored, one random row per equivalence class: no unseen class has all its rows
    # predicted above the first proposal
    seen_keys = set(space.row_keys(X))
    lowest: dict[bytes, float] = {}
    for k, p in zip(space.row_keys(bench.X), mlp.predict(bench.X)):
        if k not in seen_keys:
            lowest[k] = min(p, lowest.get(k, np.inf))
    assert mlp.predict(P[:1])[0] >= max(lowest.values()) - 1e-6


def test_random_rank_takes_a_random_row_of_each_class(bench, seen, mlp):
    space = bench.space
    A = RandomRankProposer(n_candidates=20_000).propose(mlp, 4930, random_state=0)
    B = RandomRankProposer(n_candidates=20_000).propose(mlp, 4930, random_state=1)
    assert len(set(space.row_keys(A))) == 4930 == len(set(space.row_keys(B)))
    # the rows chosen for the (many) classes with several equivalent cells differ between seeds
    assert {r.tobytes() for r in A} != {r.tobytes() for r in B}


def test_gradient_ascent_improves_the_prediction(bench, seen, gcn):
    X, y = seen
    P = GradientAscentProposer(n_steps=20).propose(gcn, 10, X, y, random_state=0)
    assert gcn.predict(P).mean() > np.sort(gcn.predict(X))[-10:].mean() - 0.5
    assert gcn.predict(P).mean() > gcn.predict(bench.space.sample(200, random_state=1)).mean()


def test_gradient_ascent_needs_a_differentiable_predictor(bench, seen):
    X, y = seen
    xgb = ArchitectureRegressor(bench.space, model="xgboost", random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="differentiable"):
        GradientAscentProposer().propose(xgb, 5, X, y)
    assert len(RandomRankProposer().propose(xgb, 5, X, y)) == 5


@pytest.mark.parametrize("proposer", [RandomRankProposer(), EvolutionProposer(),
                                      GradientAscentProposer(n_starts=4, n_random_starts=4, n_steps=10)], ids=repr)
def test_constraints_are_never_violated(proposer, bench, seen, mlp):
    X, y = seen
    space = bench.space
    proposer.constraints = {"params": 0.4}
    P = proposer.propose(mlp, 10, X, y, random_state=0)
    assert len(P) == 10 and (cost(space, P, "params") <= 0.4).all()
    latency = Constraint(lambda X: bench.query(X, "latency"), 0.015, name="latency")
    proposer.constraints = [latency, Constraint("flops", 100.0)]
    P = proposer.propose(mlp, 10, X, y, random_state=0)
    assert (bench.query(P, "latency") <= 0.015).all() and (cost(space, P, "flops") <= 100.0).all()
    proposer.constraints = None


def test_exclude_and_exhaustion(bench, seen, mlp):
    X, y = seen
    extra = bench.X[:5000]
    P = RandomRankProposer().propose(mlp, 10, X, y, exclude=extra)
    assert not set(bench.space.row_keys(P)) & set(bench.space.row_keys(extra))
    with pytest.warns(RuntimeWarning, match="only 4930 of the 5000"):
        P = RandomRankProposer(n_candidates=20_000).propose(mlp, 5000)
    assert len(P) == 4930  # every canonical class once


def test_bad_arguments(bench, seen, mlp):
    X, y = seen
    with pytest.raises(ValueError, match="acquisition='best'"):
        RandomRankProposer(acquisition="best").propose(mlp, 3)
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, inf\]"):
        RandomRankProposer().propose(mlp, 0)
    with pytest.raises(TypeError, match="n must be an integer"):
        RandomRankProposer().propose(mlp, True)
    with pytest.raises(ValueError, match="kappa must be a finite number"):
        RandomRankProposer(acquisition=UpperConfidenceBound(kappa=float("inf"))).propose(mlp, 3)
    with pytest.warns(FutureWarning, match="kappa is deprecated"):
        RandomRankProposer(acquisition="ucb", kappa=2.0).propose(mlp, 3)
    with pytest.raises(ValueError, match="y has 3 values"):
        RandomRankProposer().propose(mlp, 3, X, y[:3])
    with pytest.raises(ValueError, match=r"n_steps must be an integer in \[0, inf\]"):
        GradientAscentProposer(n_steps=-1).propose(mlp, 3, X, y)
    with pytest.raises(ValueError, match="Constraint.cost='energy'"):
        Constraint("energy", 1.0)
    with pytest.raises(ValueError, match="finite"):
        Constraint("params", float("nan"))
    with pytest.raises(TypeError, match="Constraint objects"):
        RandomRankProposer(constraints=[("params", 1.0)]).propose(mlp, 3)


def test_mixture_splits_the_batch(bench, seen, mlp):
    X, y = seen
    local = EvolutionProposer(n_parents=1, max_mutations=1)
    mix = MixtureProposer([RandomRankProposer(), local], weights=[1, 1])
    P = mix.propose(mlp, 10, X, y, random_state=0)
    best = X[np.argmax(y)]
    assert ((P[5:] != best).sum(axis=1) == 1).all()  # the second half: neighbours of the best seen row
    with pytest.raises(ValueError, match="weights must be 2 non-negative"):
        MixtureProposer([RandomRankProposer(), local], weights=[1, -1]).propose(mlp, 4, X, y)
    with pytest.raises(ValueError, match="non-empty list"):
        MixtureProposer([]).propose(mlp, 4)


def test_mixture_constraints_bind_every_part(bench, seen, mlp):
    """The mixture's own constraints (a round sets those it learned from the trials there) bind every part,
    besides the part's own."""
    X, y = seen
    bound = Constraint("params", 0.3)
    parts = [RandomRankProposer(), EvolutionProposer(n_parents=5, max_mutations=1,
                                                     constraints=[Constraint("params", min_value=0.1)])]
    P = MixtureProposer(parts, weights=[1, 2], constraints=[bound]).propose(mlp, 9, X, y, random_state=0)
    params = cost(bench.space, P, "params")
    assert len(P) == 9 and (params <= 0.3).all() and (params[3:] >= 0.1).all()
    assert parts[1].constraints == [Constraint("params", min_value=0.1)]  # the parts are not modified


def test_its_draws_one_value_per_candidate(bench, seen, mlp):
    X, y = seen
    P = RandomRankProposer(acquisition="its").propose(mlp, 8, X, y, random_state=0)
    assert len(set(bench.space.row_keys(P))) == 8
    np.testing.assert_array_equal(P, RandomRankProposer(acquisition="its").propose(mlp, 8, X, y, random_state=0))
    assert not np.array_equal(P, RandomRankProposer().propose(mlp, 8, X, y))  # it explores


def test_any_object_with_the_protocol_is_a_predictor(bench):
    from sknas.proposers import DifferentiablePredictor, EnsemblePredictor, Predictor

    class Smallest:
        space = bench.space

        def predict(self, X):
            return -cost(bench.space, X, "params")

    assert isinstance(Smallest(), Predictor) and not isinstance(Smallest(), EnsemblePredictor)
    P = RandomRankProposer().propose(Smallest(), 3, random_state=0)
    assert np.allclose(cost(bench.space, P, "params"), np.sort(cost(bench.space, bench.X, "params"))[:3])
    reg = ArchitectureRegressor(bench.space, model="gcn")
    assert isinstance(reg, DifferentiablePredictor) and isinstance(reg, EnsemblePredictor)
