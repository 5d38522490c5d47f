import numpy as np
import optuna
import pytest
import torch

from sknas.spaces import CategoricalSpace

DECISIONS = {"layer1": ["mb3_e3", "mb3_e6", "id"], "layer2": ["mb3_e3", "mb5_e6"], "width": [16, 32, 64, 128]}


@pytest.fixture
def space():
    return CategoricalSpace(DECISIONS)


def test_basic(space):
    assert space.n_decisions == 3 and space.n_choices.tolist() == [3, 2, 4] and space.n_rows == 24
    assert space.decision_names == ("layer1", "layer2", "width")
    assert len(space.enumerate()) == 24
    assert "layer1" in repr(space)


def test_string_round_trip(space):
    for row in space.enumerate():
        assert space.from_string(space.to_string(row)).tolist() == row.tolist()
    assert space.to_string([2, 1, 3]) == "layer1=id,layer2=mb5_e6,width=128"
    with pytest.raises(ValueError, match="unknown choice 'mb9'"):
        space.from_string("layer1=mb9,layer2=mb3_e3,width=16")
    with pytest.raises(ValueError, match="lack decision 'width'"):
        space.from_string("layer1=id,layer2=mb3_e3")
    with pytest.raises(ValueError, match="malformed"):
        space.from_string("layer1:id")


@pytest.mark.parametrize(
    "decisions, error, match",
    [
        ({}, ValueError, "non-empty"),
        ({"a": []}, ValueError, "at least one"),
        ({"a": [1, 1]}, ValueError, "unique"),
        ({"a": "abc"}, TypeError, "list of labels"),
        ({"a": [object()]}, TypeError, "must be str"),
    ],
)
def test_bad_decisions(decisions, error, match):
    with pytest.raises(error, match=match):
        CategoricalSpace(decisions)


def test_sampling_mutation_views(space):
    X = space.sample(300, random_state=0)
    assert space.is_valid(X).all()
    counts = np.bincount(X[:, 2], minlength=4)
    assert counts.min() > 50
    M = space.mutate(X, random_state=0)
    assert ((M != X).sum(axis=1) == 1).all()
    assert len(space.neighbours([0, 0, 0])) == 2 + 1 + 3
    Z = space.relax(X)
    np.testing.assert_array_equal(space.project(Z), X)
    A, F = space.graph(X[:4])
    assert A.shape == (4, 5, 5) and F.shape == (4, 5, 2 + 9)
    At, Ft = space.graph_torch(torch.tensor(Z[:4]))
    np.testing.assert_allclose(At.numpy(), A)
    np.testing.assert_allclose(Ft.numpy(), F)
    np.testing.assert_array_equal(space.paths(X), space.onehot(X))
    np.testing.assert_array_equal(space.canonical(X), X)
    with pytest.raises(ValueError, match="non-negative integer"):
        space.sample(-1)


def test_costs_are_unavailable(space):
    with pytest.raises(ValueError, match="no parameter-count model"):
        space.params([[0, 0, 0]])
    with pytest.raises(ValueError, match="no FLOPs model"):
        space.cost([[0, 0, 0]], "flops")


def test_optuna(space):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(lambda t: float(space.suggest(t).sum()), n_trials=4)
    assert study.trials[0].distributions == space.distributions()
    row = space.params_to_row({**study.best_params, "lr": 0.1})  # other hyperparameters are ignored
    assert float(row.sum()) == study.best_value


def test_numeric_checks(space):
    assert space.check_rows(np.array([1.0, 0.0, 3.0])).dtype == np.int64
    with pytest.raises(ValueError, match="2-D"):
        space.check_rows(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="numeric"):
        space.check_rows([["a", "b", "c"]])
    with pytest.raises(ValueError, match="non-integer"):
        space.check_rows([[0, 0, np.nan]])
    assert space.is_valid([[0, 0, np.nan], [2, 1, 3]]).tolist() == [False, True]
