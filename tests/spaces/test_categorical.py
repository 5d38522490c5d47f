import numpy as np
import optuna
import pytest

from sknas.encodings import graph, onehot, paths
from sknas.spaces import CategoricalSpace, cost

DECISIONS = {"layer1": ["mb3_e3", "mb3_e6", "id"], "layer2": ["mb3_e3", "mb5_e6"], "width": [16, 32, 64, 128]}


@pytest.fixture
def space():
    return CategoricalSpace(DECISIONS)


def test_basic(space):
    assert space.n_decisions == 3 and space.n_choices.tolist() == [3, 2, 4] and space.n_rows == 24
    assert space.decision_names == ("layer1", "layer2", "width")
    assert len(space.enumerate()) == 24
    assert "layer1" in repr(space)


def test_string_form(space):
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


def test_sampling_and_views(space):
    """The laws are checked by check_space (test_check_space.py); these are the facts of a plain product."""
    X = space.sample(300, random_state=0)
    counts = np.bincount(X[:, 2], minlength=4)
    assert counts.min() > 50
    assert len(space.neighbours([0, 0, 0])) == 2 + 1 + 3
    A, F = graph(space, X[:4])
    assert A.shape == (4, 5, 5) and F.shape == (4, 5, 2 + 9)
    np.testing.assert_array_equal(paths(space, X), onehot(space, X))
    np.testing.assert_array_equal(space.canonical(X), X)
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, inf\]"):
        space.sample(-1)
    with pytest.raises(TypeError, match="n must be an integer"):
        space.sample(2.0)


def test_costs_are_unavailable(space):
    with pytest.raises(ValueError, match="no parameter-count model"):
        cost(space, [[0, 0, 0]], "params")
    with pytest.raises(ValueError, match="no FLOPs model"):
        cost(space, [[0, 0, 0]], "flops")


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
    with pytest.raises(ValueError, match="integer choice indices; got dtype <U1"):
        space.check_rows([["a", "b", "c"]])
    with pytest.raises(ValueError, match="non-integer"):
        space.check_rows([[0, 0, np.nan]])
    assert space.is_valid([[0, 0, np.nan], [2, 1, 3]]).tolist() == [False, True]
    # what used to pass silently: complex (imaginary part dropped), timedeltas, booleans, objects, masks
    for bad, match in ((np.array([[1 + 2j, 0, 0]]), "complex"), (np.array([[1, 0, 0]], dtype="m8[s]"), "timedelta"),
                       (np.array([[True, False, False]]), "bool"), (np.array([["1", 0, 0]], dtype=object), "objects"),
                       (np.ma.masked_array([[1, 0, 0]], mask=[[0, 1, 0]]), "masked")):
        with pytest.raises(ValueError, match=match):
            space.check_rows(bad)
    # huge indices are reported as given, not wrapped to -9223372036854775808
    with pytest.raises(ValueError, match="choice index 1e\\+30 for decision 'layer1'"):
        space.check_rows([[1e30, 0, 0]])
    with pytest.raises(ValueError, match="choice index 18446744073709551615"):
        space.check_rows(np.array([[2**64 - 1, 0, 0]], dtype=np.uint64))


def test_string_forms_round_trip_or_refuse():
    for labels in ([1, "1"], [None, "None"], [True, "True"], ["a,b", "c"], ["x=1", "y"]):
        with pytest.raises(ValueError, match="distinct string forms"):
            CategoricalSpace({"a": labels})
    space = CategoricalSpace({"a": [1, 2], "b": ["x", "y"]})
    assert space.to_string([1, 0]) == "a=2,b=x" and space.from_string("a=2,b=x").tolist() == [1, 0]
    with pytest.raises(ValueError, match="gives decision 'a' twice"):
        space.from_string("a=1,a=2,b=x")
    with pytest.raises(ValueError, match="names 'c', which is not a decision"):
        space.from_string("a=1,b=x,c=3")
    with pytest.raises(ValueError, match="lack decision 'b'"):
        space.from_string("a=1")
    long = "a=" + "9" * 1_000_000
    with pytest.raises(ValueError) as exc:
        space.from_string(long + ",b=x")
    assert len(str(exc.value)) < 500  # never echoes a huge input whole


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_choice_that_equals_nothing_is_refused(bad):
    with pytest.raises(ValueError, match="must be a finite number"):
        CategoricalSpace({"dropout": [0.0, bad]})
