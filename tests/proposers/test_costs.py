"""relaxed_cost: a constraint's cost as a differentiable function of relaxed rows, and gradient ascent steered by it."""

import numpy as np
import pytest
import torch
from scipy.stats import kendalltau

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench201
from sknas.encodings import onehot_slices, relax
from sknas.proposers import GradientAscentProposer, relaxed_cost
from sknas.spaces import ConstrainedSpace, Constraint, cost


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench201("cifar10-valid")


def random_relaxed(space, n, seed):
    """``n`` relaxed rows: a random distribution per decision."""
    rng = np.random.default_rng(seed)
    P = np.zeros((n, space._offsets[-1]))
    for s in onehot_slices(space):
        P[:, s] = rng.dirichlet(np.ones(s.stop - s.start), size=n)
    return P


def expectation(space, P):
    """The expected one-hot row under independent decisions is P itself; the expected cost, by enumeration."""
    X = space.enumerate()
    H = relax(space, X).astype(np.float64)
    prob = np.exp(np.log(np.maximum(P, 1e-300)) @ H.T)  # product over decisions of P at each row's choices
    return prob, X


@pytest.mark.parametrize("kind", ["params", "flops"])
def test_analytic_cost_of_nb201_is_exact_on_every_row_and_in_expectation(bench, kind):
    # a NB201 network's params and FLOPs are a constant plus, per edge, the count of its operation: linear in the
    # one-hot view, so the relaxed model is the true count on every one-hot row and the expected count on relaxed ones
    space = bench.space
    model = relaxed_cost(space, Constraint(kind, max_value=1.0), random_state=0)
    assert model.exact and model.pair is None and model.error == 0.0
    X = space.enumerate()
    truth = cost(space, X, kind)
    np.testing.assert_allclose(model.predict(relax(space, X)), truth, rtol=0, atol=1e-9)
    P = random_relaxed(space, 3, seed=1)
    prob, _ = expectation(space, P)
    np.testing.assert_allclose(prob.sum(axis=1), 1.0)
    np.testing.assert_allclose(model(torch.tensor(P)).numpy(), prob @ truth, rtol=1e-9)


def test_latency_column_is_learned_and_its_relaxation_is_its_expectation(bench):
    space = bench.space
    c = Constraint(bench.cost("latency_pixel3"), max_value=6.0)
    model = relaxed_cost(space, c, random_state=0)
    assert not model.exact and model.pair is not None and model.error > 0
    X = space.enumerate()
    H = relax(space, X).astype(np.float64)
    assert kendalltau(model.predict(H), c.values(space, X))[0] > 0.8
    # the pairwise polynomial on P is the expectation of its values under independent decisions
    P = random_relaxed(space, 2, seed=2)
    prob, _ = expectation(space, P)
    np.testing.assert_allclose(model(torch.tensor(P)).numpy(), prob @ model.predict(H), rtol=1e-9)


def test_relaxed_cost_rejects_what_is_not_a_constraint(bench):
    with pytest.raises(TypeError, match="constraint must be a Constraint"):
        relaxed_cost(bench.space, "params")
    with pytest.raises(ValueError, match="n_samples"):
        relaxed_cost(bench.space, Constraint("params", max_value=0.4), n_samples=3)


@pytest.mark.parametrize("in_space", [False, True], ids=["proposer constraint", "ConstrainedSpace"])
def test_ascent_under_an_exact_cost_projects_only_feasible_rows(bench, in_space):
    space = bench.space
    rng = np.random.default_rng(0)
    X = bench.X[rng.choice(len(bench), 40, replace=False)]
    y = bench.query(X)
    reg = ArchitectureRegressor(space, model="mlp", encoding="onehot", model__max_epochs=30, random_state=0).fit(X, y)
    c = Constraint("params", max_value=0.4)
    proposer = GradientAscentProposer(n_starts=4, n_random_starts=4, n_steps=20,
                                      constraints=None if in_space else [c])
    target = ConstrainedSpace(space, [c]) if in_space else space
    if in_space:  # a search in a ConstrainedSpace evaluates only feasible rows
        X, y = X[c.feasible(space, X)], y[c.feasible(space, X)]
    found = proposer._candidates(reg, target, 5, X, y, np.random.default_rng(0), [] if in_space else [c])
    assert len(found) == (min(4, len(X)) + 4) * 11
    assert c.feasible(space, found).all()  # before any filter (the projection of NB201 repairs nothing)
    P = proposer.propose(reg, 5, X, y, random_state=0, space=target)
    assert len(P) == 5 and c.feasible(space, P).all()
