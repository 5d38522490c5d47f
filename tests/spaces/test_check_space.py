"""check_space: every space of sknas obeys the laws of the Space contract, and broken spaces are caught; the views
and costs that moved out of Space give what its old methods gave."""

import copy
import pickle
import re
import warnings

import numpy as np
import pytest
import torch

import sknas.encodings as E
import sknas.spaces as S
from sknas.spaces import (
    NB201_OPS,
    CategoricalSpace,
    CellSpace,
    ConstrainedSpace,
    Constraint,
    DARTSSpace,
    MacroCNNSpace,
    MLPSpace,
    NASBench101Space,
    NASBench201Space,
    NASBenchGraphSpace,
    PoolSpace,
    Space,
    check_space,
)

SPACES = {
    "nb201": NASBench201Space(),
    "nb201-imagenet": NASBench201Space(n_classes=120, input_size=16, C=8, N=2),
    "cell-5-nodes": CellSpace(n_nodes=5, ops=("none", "skip_connect", "conv")),
    "cell-no-zero-op": CellSpace(n_nodes=3, ops=("nor_conv_3x3", "skip_connect"), zero_op=None),
    "cell-7-nodes-pruned": CellSpace(n_nodes=7, ops=NB201_OPS),  # too big to enumerate: canonical prunes only
    "nb101": NASBench101Space(),
    "graph-full": NASBenchGraphSpace("full"),
    "graph-proteins": NASBenchGraphSpace("proteins"),
    "darts": DARTSSpace(),
    "darts-no-merge": DARTSSpace(merge_isomorphic=False),
    "categorical": CategoricalSpace({"layer1": ["mb3_e3", "mb3_e6", "id"], "width": [16, 32, 64], "bn": [False, True]}),
    "mlp": MLPSpace(),
    "mlp-one-choice": MLPSpace(max_depth=1, widths=(8,), activations=("relu",)),  # no neighbours at all
    "macro-cnn": MacroCNNSpace(),
    "macro-cnn-small": MacroCNNSpace(n_layers=2, kernel_sizes=(1, 3), widths=(4, 8)),
}


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
def test_every_space_obeys_the_laws(space):
    check_space(space)


def test_other_seeds_and_sizes():
    check_space(NASBench101Space(), n_samples=200, random_state=1)
    check_space(DARTSSpace(), n_samples=5, random_state=np.random.default_rng(2))


def test_bad_arguments():
    with pytest.raises(TypeError, match="space must be Space"):
        check_space(CategoricalSpace)
    with pytest.raises(ValueError, match="n_samples"):
        check_space(SPACES["categorical"], n_samples=0)


# ------------------------------------------------------------------ broken spaces
DECISIONS = {"a": [0, 1, 2], "b": ["x", "y", "z"], "c": [1.5, 2.5]}


class Distinct(CategoricalSpace):
    """A user space with a constraint: decisions a and b may not take the same index."""

    def __init__(self):
        super().__init__(DECISIONS)

    def _valid_mask(self, X):
        return X[:, 0] != X[:, 1]

    def explain_invalid(self, row):
        row = self.check_rows(row, name="row", require_valid=False)[0]
        return "a and b take the same index" if row[0] == row[1] else ""


class Symmetric(CategoricalSpace):
    """Decisions a and b commute: the canonical row sorts them."""

    def __init__(self):
        super().__init__({"a": [0, 1, 2], "b": [0, 1, 2], "c": [1.5, 2.5]})

    def canonical(self, X):
        X = self.check_rows(X).copy()
        X[:, :2] = np.sort(X[:, :2], axis=1)
        return X


def test_user_spaces_pass():
    check_space(Distinct())
    check_space(Symmetric())
    assert Symmetric().row_keys([[0, 1, 0]]) == Symmetric().row_keys([[1, 0, 0]])


def _broken(base, **methods):
    return type(f"Broken{base.__name__}", (base,), methods)


BROKEN = {
    "sample": (CategoricalSpace, {"_sample_raw": lambda self, n, rng: np.random.default_rng().integers(
        0, self.n_choices, size=(n, self.n_decisions))}),
    "explain_invalid": (Distinct, {"explain_invalid": lambda self, row: ""}),
    "repair": (Distinct, {"repair": lambda self, X, scores=None: self.check_rows(X, require_valid=False)}),
    "onehot": (CategoricalSpace, {"_onehot": lambda self, X: np.zeros((len(X), int(self.n_choices.sum())))}),
    "relax / project": (CategoricalSpace, {"_project": lambda self, Z: np.zeros((len(Z), self.n_decisions), int)}),
    # a graph hook overridden without its graph_torch twin
    "graph_torch": (CategoricalSpace, {"_graph": lambda self, X: Space._graph(self, 0 * self.check_rows(X))}),
    "paths": (CategoricalSpace, {"_paths": lambda self, X: np.full((len(X), 3), np.nan)}),
    "canonical": (CategoricalSpace, {"canonical": lambda self, X: (self.check_rows(X) + 1) % self.n_choices}),
    "row_keys": (Symmetric, {"row_keys": lambda self, X: [r.tobytes() for r in self.check_rows(X)]}),
    "unique": (CategoricalSpace, {"unique": lambda self, X: np.arange(len(X))}),
    "neighbours": (CategoricalSpace, {"neighbours": lambda self, row: (np.asarray(row) + 1)[None] % self.n_choices}),
    "mutate": (CategoricalSpace, {"mutate": lambda self, X, random_state=None: self.check_rows(X)}),
    "row_to_params / params_to_row": (CategoricalSpace, {"row_to_params": lambda self, row: dict(
        zip(self.decision_names, np.asarray(row).tolist()))}),
    "to_string / from_string": (CategoricalSpace, {"to_string": lambda self, row: "a=0,b=x,c=1.5"}),
    "to_strings / from_strings": (CategoricalSpace, {"from_strings": lambda self, s: np.zeros((len(s), 3), int)}),
    "distributions": (CategoricalSpace, {"distributions": lambda self: {}}),
    "enumerate": (CategoricalSpace, {"enumerate": lambda self: np.zeros((2, self.n_decisions), int)}),
    "costs (params)": (CategoricalSpace, {"_params": lambda self, X: -np.ones(len(X))}),
    "pickle": (CategoricalSpace, {"__reduce__": lambda self: (CategoricalSpace, ({"a": [0]},))}),
}


@pytest.mark.parametrize("law", BROKEN)
def test_broken_space_is_caught(law):
    base, methods = BROKEN[law]
    cls = _broken(base, **methods)
    space = cls() if base is not CategoricalSpace else cls(DECISIONS)
    with pytest.raises(AssertionError, match=re.escape(f"breaks the law '{law}'")) as info:
        check_space(space)
    assert info.value.law == law


def test_counterexample_row_and_exceptions():
    # canonical makes rows valid that are not: the counterexample is a sampled row
    with pytest.raises(AssertionError, match=r"'canonical'.*counterexample row: \[\d, \d, \d\]"):
        check_space(_broken(Distinct, canonical=lambda self, X: np.zeros_like(self.check_rows(X)))())
    # a to_string that raises names the law and the row it failed on
    def to_string(self, row):
        raise RuntimeError("no string form")

    with pytest.raises(AssertionError, match=r"'to_string / from_string'.*RuntimeError: no string form.*"
                                             r"counterexample row"):
        check_space(_broken(CategoricalSpace, to_string=to_string)(DECISIONS))


# ------------------------------------------------------------ moved views and costs
ALL = {**SPACES, "pool": PoolSpace(NASBench201Space(), NASBench201Space().sample(40, random_state=0)),
       "constrained": ConstrainedSpace(NASBench201Space(), [Constraint("params", max_value=0.5)])}

#: old spelling -> the new call, as functions of (space, rows X, relaxed rows Z); attributes take no arguments
MOVED = {
    "onehot": (lambda s, X, Z: E.onehot(s, X), lambda m, X, Z: m(X)),
    "relax": (lambda s, X, Z: E.relax(s, X), lambda m, X, Z: m(X)),
    "project": (lambda s, X, Z: E.project(s, Z), lambda m, X, Z: m(Z)),
    "n_features_onehot": (lambda s, X, Z: E.n_features_onehot(s), None),
    "onehot_slices": (lambda s, X, Z: E.onehot_slices(s), None),
    "node_types": (lambda s, X, Z: E.node_types(s), None),
    "graph": (lambda s, X, Z: E.graph(s, X), lambda m, X, Z: m(X)),
    "graph_torch": (lambda s, X, Z: [t.numpy() for t in E.graph_torch(s, torch.tensor(Z))],
                    lambda m, X, Z: [t.numpy() for t in m(torch.tensor(Z))]),
    "paths": (lambda s, X, Z: E.paths(s, X), lambda m, X, Z: m(X)),
    "params": (lambda s, X, Z: S.cost(s, X, "params"), lambda m, X, Z: m(X)),
    "flops": (lambda s, X, Z: S.cost(s, X, "flops"), lambda m, X, Z: m(X)),
    "cost": (lambda s, X, Z: S.cost(s, X, "flops"), lambda m, X, Z: m(X, "flops")),
    "has_cost": (lambda s, X, Z: S.has_cost(s, "params"), lambda m, X, Z: m("params")),
    "node_type_costs": (lambda s, X, Z: S.node_type_costs(s, X), lambda m, X, Z: m(X)),
    "node_costs": (lambda s, X, Z: S.node_costs(s, X), lambda m, X, Z: m(X)),
}


def _outcome(fn):
    """The value of ``fn()``, or the message of the ValueError it raises (a space without a cost model)."""
    try:
        return fn()
    except ValueError as exc:
        return f"ValueError: {exc}"


def _assert_same(new, old):
    if isinstance(new, (list, tuple)) and new and isinstance(new[0], np.ndarray):
        for a, b in zip(new, old, strict=True):
            _assert_same(a, b)
    elif isinstance(new, np.ndarray):
        assert isinstance(old, np.ndarray) and new.dtype == old.dtype
        np.testing.assert_array_equal(new, old)
    else:
        assert new == old


@pytest.mark.parametrize("space", ALL.values(), ids=ALL.keys())
def test_functions_give_what_the_methods_gave(space):
    rng = np.random.default_rng(0)
    X = space.sample(20, random_state=0)
    Z = rng.random((20, E.n_features_onehot(space)))
    for name, (new, old) in MOVED.items():
        with pytest.warns(FutureWarning, match=rf"Space\.{name} is deprecated; use sknas\."):
            member = getattr(space, name)
        expected = _outcome(lambda m=member, old=old: m if old is None else old(m, X, Z))
        _assert_same(_outcome(lambda new=new: new(space, X, Z)), expected)


def test_the_core_is_small():
    members = [n for n in dir(Space) if not n.startswith("_")]
    assert not set(members) & {*MOVED, "label_index"}
    assert len(members) <= 23
    space = CategoricalSpace({"depth": [1, 2, 3], "act": ["relu", "tanh"]})
    with pytest.warns(FutureWarning, match=r"Space\.label_index is deprecated; use space\.params_to_row"):
        assert space.label_index("act", "tanh") == 1 == space.params_to_row({"depth": 1, "act": "tanh"})[1]


def test_no_warning_from_the_new_spellings_and_copies():
    space = NASBench201Space()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X = space.sample(5, random_state=0)
        E.project(space, E.relax(space, X))
        S.cost(space, X, "params")
        for other in (pickle.loads(pickle.dumps(space)), copy.copy(space), copy.deepcopy(space)):
            assert other == space
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        space.nothing  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute '_onehot_cache'"):
        space._onehot_cache  # noqa: B018


def test_a_space_written_against_the_old_contract_still_works():
    with pytest.warns(FutureWarning, match=r"overrides Space\.(graph|params), which is deprecated; override _"):
        class Old(CategoricalSpace):
            def graph(self, X):
                A, F = Space._graph(self, X)
                return A * 0, F

            def params(self, X):
                return np.ones(len(self.check_rows(X)))

    space = Old({"a": [0, 1], "b": [0, 1, 2]})
    X = space.sample(3, random_state=0)
    assert not E.graph(space, X)[0].any() and S.has_cost(space, "params") and not S.has_cost(space, "flops")
    np.testing.assert_array_equal(S.cost(space, X, "params"), np.ones(3))


def test_cost_kinds():
    with pytest.raises(ValueError, match=r"cost kind='energy' is not supported; accepted values: \['params', "):
        S.cost(NASBench201Space(), [[0] * 6], "energy")
