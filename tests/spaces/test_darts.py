"""Tests of DARTSSpace: rows, genotypes, strings, equivalence, relaxation and graph views."""

import json
from collections import namedtuple

import numpy as np
import pytest
import torch

from sknas.encodings import graph, graph_torch, n_features_onehot, node_types, paths, project, relax
from sknas.spaces import DARTS_OPS, DARTSSpace

# DARTS_V2 from the DARTS repository (genotypes.py), in DARTS's (op, input) form
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
    "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
    "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
    "reduce_concat=[2, 3, 4, 5])"
)
DARTS_V2_COMPACT = [
    [(0, 3), (1, 3), (0, 3), (1, 3), (1, 3), (0, 2), (0, 2), (2, 5)],
    [(0, 0), (1, 0), (2, 2), (1, 0), (0, 0), (2, 2), (2, 2), (1, 0)],
]


@pytest.fixture(scope="module")
def space():
    return DARTSSpace()


@pytest.fixture(scope="module")
def sample_keys(data_home):
    with open(data_home / "nasbench301_sample.json") as f:
        return list(json.load(f)["cifar10"])


@pytest.fixture(scope="module")
def X_sample(space, sample_keys):
    return np.array([space.from_genotype(k) for k in sample_keys])


def test_decisions(space):
    assert space.n_decisions == 32
    assert space.decision_names[:4] == ("normal_n2_in0", "normal_n2_op0", "normal_n2_in1", "normal_n2_op1")
    assert space.decision_names[-1] == "reduce_n5_op1"
    assert space.choices[space.decision_names.index("normal_n4_in1")] == (0, 1, 2, 3)
    assert space.choices[1] == DARTS_OPS
    assert DARTS_OPS[3] == "sep_conv_3x3"
    assert n_features_onehot(space) == 2 * (2 * (2 + 3 + 4 + 5) + 8 * 7)


def test_sample_genotypes_round_trip(space, sample_keys, X_sample):
    assert len(sample_keys) == 725
    assert space.is_valid(X_sample).all()  # every sample genotype has distinct inputs per node
    for key, row in zip(sample_keys, X_sample):
        assert str(space.to_genotype(row)) == key
    assert len(space.unique(X_sample)) == 725


def test_darts_v2_string(space):
    row = space.from_string(DARTS_V2)
    assert space.to_genotype(row) == [list(c) for c in DARTS_V2_COMPACT]
    assert space.to_string(row) == DARTS_V2
    assert np.array_equal(space.from_genotype(DARTS_V2_COMPACT), row)
    # the DARTS namedtuple itself, and range() concats as in some DARTS genotype files
    Genotype = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")
    g = Genotype(
        normal=[(DARTS_OPS[o], i) for i, o in DARTS_V2_COMPACT[0]], normal_concat=range(2, 6),
        reduce=[(DARTS_OPS[o], i) for i, o in DARTS_V2_COMPACT[1]], reduce_concat=range(2, 6),
    )
    assert np.array_equal(space.from_genotype(g), row)
    assert np.array_equal(space.from_string(str(g)), row)


@pytest.mark.parametrize(
    "text, match",
    [
        ("Genotype(normal=[", "malformed"),
        ("Genotyp(normal=[], normal_concat=[2, 3, 4, 5], reduce=[], reduce_concat=[2, 3, 4, 5])", "Genotype"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('conv_7x7', 2)"), "unknown op 'conv_7x7'"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)"), "node 5 accepts inputs 0..4"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 0)"), "takes input 0 twice"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 'x')"), "not a state index"),
        (DARTS_V2.replace("('skip_connect', 0), ('dil_conv_3x3', 2)", "('skip_connect', 0)"), "8 "),
        (DARTS_V2.replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[4, 5]"), "concatenates all four"),
        (DARTS_V2.replace(", reduce_concat=[2, 3, 4, 5]", ""), "missing field"),
        (DARTS_V2.replace("reduce_concat", "extra"), "unknown field 'extra'"),
        ("[[(0, 0)] * 8]", "not a Python literal"),
        (str([[(0, 9)] * 8, [(0, 0)] * 8]), "unknown op index 9"),
        ("__import__('os')", "malformed"),
    ],
)
def test_bad_strings(space, text, match):
    with pytest.raises(ValueError, match=match):
        space.from_string(text)


def test_bad_genotypes(space):
    with pytest.raises(ValueError, match="two lists of 8"):
        space.from_genotype([[(0, 0)] * 8])
    with pytest.raises(ValueError, match="not an .input, op. pair"):
        space.from_genotype([[(0, 0, 0)] * 8, [(0, 0)] * 8])
    with pytest.raises(ValueError, match="node 2 accepts inputs 0..1"):
        space.from_genotype([[(2, 0), (0, 0)] + [(0, 0), (1, 0)] * 3, [(0, 0), (1, 0)] * 4])
    with pytest.raises(ValueError, match="takes input 1 twice"):
        space.from_genotype([[(0, 0), (1, 0)] * 4, [(1, 0), (1, 3)] + [(0, 0), (1, 0)] * 3])
    with pytest.raises(ValueError, match="not a Python literal"):
        space.from_genotype("[[(0, 0)")
    with pytest.raises(TypeError):
        space.from_string(3)


def test_bad_rows(space, X_sample):
    with pytest.raises(ValueError, match="rows of length 31"):
        space.check_rows(X_sample[:, :31])
    bad = X_sample[:2].copy()
    bad[1, space.decision_names.index("normal_n2_in1")] = 2
    with pytest.raises(ValueError, match=r"X\[1\] has choice index 2 for decision 'normal_n2_in1'"):
        space.check_rows(bad)
    bad = X_sample[:2].copy()
    bad[0, 1] = 7
    with pytest.raises(ValueError, match="accepts 0..6"):
        space.check_rows(bad)
    bad = X_sample[:2].copy()
    bad[0, space.decision_names.index("reduce_n4_in0")] = bad[0, space.decision_names.index("reduce_n4_in1")]
    with pytest.raises(ValueError, match="node 4 of the reduce cell takes input .* twice"):
        space.check_rows(bad)
    assert not space.is_valid(bad)[0]
    assert "reduce_n4_in0" in space.explain_invalid(bad[0])
    assert space.explain_invalid(X_sample[0]) == ""


def test_canonical_sorts_pairs(space, X_sample):
    C = space.canonical(X_sample)
    # swapping the two pairs of any node leaves the canonical form unchanged
    rng = np.random.default_rng(0)
    Y = X_sample.copy()
    for r in range(len(Y)):
        node = rng.integers(8)  # (cell, node) index
        a = 4 * node
        Y[r, a:a + 2], Y[r, a + 2:a + 4] = X_sample[r, a + 2:a + 4], X_sample[r, a:a + 2]
    assert np.array_equal(space.canonical(Y), C)
    assert space.row_keys(Y) == space.row_keys(X_sample)
    # each canonical node lists its pairs in increasing (input, op) order
    pairs = C.reshape(len(C), 8, 2, 2)
    assert np.all(pairs[:, :, 0, 0] * 7 + pairs[:, :, 0, 1] <= pairs[:, :, 1, 0] * 7 + pairs[:, :, 1, 1])
    # without node renumbering, canonical only sorts the pairs
    plain = DARTSSpace(merge_isomorphic=False)
    Cp = plain.canonical(X_sample)
    assert np.array_equal(plain.canonical(Y), Cp)
    assert np.array_equal(np.sort(Cp.reshape(-1, 8, 2, 2), axis=2), np.sort(X_sample.reshape(-1, 8, 2, 2), axis=2))


def test_canonical_merges_renumbered_nodes(space):
    # nodes 2 and 3 both read only the cell inputs: swapping them (and renaming the states they feed) is the same cell
    a = [(0, 3), (1, 4), (0, 1), (1, 1), (2, 5), (3, 0), (2, 6), (4, 2)]
    b = [(0, 1), (1, 1), (0, 3), (1, 4), (3, 5), (2, 0), (3, 6), (4, 2)]
    other = [(0, 0), (1, 0)] * 4
    ra, rb = space.from_genotype([a, other]), space.from_genotype([b, other])
    assert not np.array_equal(ra, rb)
    assert np.array_equal(space.canonical(ra), space.canonical(rb))
    assert not np.array_equal(DARTSSpace(merge_isomorphic=False).canonical(ra),
                              DARTSSpace(merge_isomorphic=False).canonical(rb))
    # the path encoding, which ignores node numbering, agrees
    assert np.array_equal(paths(space, ra), paths(space, rb))
    # a different cell is not merged
    c = [(0, 3), (1, 4), (0, 1), (1, 1), (2, 5), (3, 0), (2, 6), (4, 3)]
    assert not np.array_equal(space.canonical(ra), space.canonical(space.from_genotype([c, other])))


def test_sample_is_uniform(space):
    X = space.sample(500, random_state=0)
    # uniform over ordered distinct input pairs: node 2 is (0, 1) or (1, 0) half of the time each
    assert 0.4 < np.mean(X[:, 0] == 0) < 0.6


def test_repair(space, X_sample):
    bad = X_sample[:50].copy()
    j0, j1 = space.decision_names.index("normal_n5_in0"), space.decision_names.index("normal_n5_in1")
    bad[:, j1] = bad[:, j0]
    assert not space.is_valid(bad).any()
    fixed = space.repair(bad)
    assert space.is_valid(fixed).all()
    assert np.array_equal(fixed[:, j0], bad[:, j0])  # without scores the first input is kept
    assert np.array_equal(np.delete(fixed, j1, axis=1), np.delete(bad, j1, axis=1))
    # guided by scores: the best pair of distinct inputs wins
    Z = relax(space, bad).astype(np.float64)
    off = space._offsets
    Z[:, off[j0]:off[j0 + 1]] = [0.1, 0.2, 0.3, 0.4, 0.0]
    Z[:, off[j1]:off[j1 + 1]] = [0.0, 0.1, 0.2, 0.35, 0.3]
    P = project(space, Z)
    assert space.is_valid(P).all()
    assert np.all(P[:, j0] == 3) and np.all(P[:, j1] == 4)
    with pytest.raises(ValueError, match="scores must have shape"):
        space.repair(bad, scores=Z[:, :5])


def test_graph(space, X_sample):
    A, F = graph(space, X_sample[:20])
    assert A.shape == (20, 30, 30) and F.shape == (20, 30, 10)
    assert node_types(space) == ("input", "output", "sum") + DARTS_OPS
    assert np.all(F.sum(axis=2) == 1)
    assert np.all(np.triu(A, 1) == A)  # nodes in topological order
    assert np.all(A[:, :15, 15:] == 0) and np.all(A[:, 15:, :15] == 0)  # block diagonal
    # per cell: 8 input edges, 8 op -> sum edges, 4 sum -> output edges
    assert np.all(A.sum(axis=(1, 2)) == 2 * 20)
    assert np.all(A[:, :, [2, 3, 5, 6, 8, 9, 11, 12]].sum(axis=1) == 1)  # each op node has one input
    row = space.from_string(DARTS_V2)
    A1, F1 = graph(space, row)
    # normal node n5, pair 1 is dil_conv_3x3 from state 2: op node 12 is fed by n2's sum node (4), feeds sum 13
    assert A1[0, 4, 12] == 1 and A1[0, 12, 13] == 1 and A1[0, 13, 14] == 1
    assert F1[0, 12, node_types(space).index("dil_conv_3x3")] == 1
    assert F1[0, 11, node_types(space).index("skip_connect")] == 1 and A1[0, 0, 11] == 1
    assert F1[0, 4, node_types(space).index("sum")] == 1 and F1[0, 14, node_types(space).index("output")] == 1


def test_graph_torch_gradients_and_relaxed_rows(space, X_sample):
    Z = torch.tensor(relax(space, X_sample[:30]), dtype=torch.float64, requires_grad=True)
    A, F = graph_torch(space, Z)
    (A.sum() + (F * torch.arange(10.0, dtype=torch.float64)).sum()).backward()
    assert Z.grad is not None and torch.count_nonzero(Z.grad) > 0
    # relaxed rows: A carries input probabilities, F op probabilities
    U = torch.full((1, n_features_onehot(space)), 0.0, dtype=torch.float64)
    off = space._offsets
    for j, k in enumerate(space.n_choices):
        U[0, off[j]:off[j + 1]] = 1.0 / float(k)
    Au, Fu = graph_torch(space, U)
    # op node 8 (n4, pair 0) reads states 0, 1, 2, 3: graph nodes 0, 1, 4 (sum of n2), 7 (sum of n3)
    assert torch.allclose(Au[0, :, 8], torch.zeros(30, dtype=torch.float64).index_fill(0, torch.tensor([0, 1, 4, 7]),
                                                                                       0.25))
    assert torch.allclose(Fu[0, 2, 3:], torch.full((7,), 1 / 7, dtype=torch.float64))
    with pytest.raises(ValueError, match="Z must have shape"):
        graph_torch(space, U[:, :10])


def test_paths(space, X_sample):
    P = paths(space, X_sample[:50])
    assert P.shape == (50, space.n_features_paths) == (50, 11200)
    # invariant under the pair swaps canonical() removes
    assert np.array_equal(paths(space, space.canonical(X_sample[:50])), P)
    # DARTS_V2 normal cell: 7 pairs read a cell input (one-op paths); n5's dil_conv_3x3 extends n2's two paths
    row = space.from_string(DARTS_V2)
    p = paths(space, row)[0]
    per_input = 7 + 49 + 343 + 2401
    normal = p[:2 * per_input]
    assert normal[:7].sum() + normal[per_input:per_input + 7].sum() == 7
    assert normal.sum() == 9
    assert p[7 + 3 * 7 + 5] == 1  # input 0 -> sep_conv_3x3 -> n2 -> dil_conv_3x3 -> n5
    assert p[per_input + 7 + 3 * 7 + 5] == 1  # the same from input 1
    assert p[DARTS_OPS.index("skip_connect")] == 2  # input 0 -> skip_connect -> n4 and -> n5


def test_repr_eq(space):
    assert repr(space) == "DARTSSpace()"
    assert space == DARTSSpace() and space != DARTSSpace(merge_isomorphic=False)
    assert hash(space) == hash(DARTSSpace())
    with pytest.raises(TypeError, match="merge_isomorphic"):
        DARTSSpace(merge_isomorphic="yes")


def test_optuna_suggest(space):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    rows = []
    for _ in range(20):
        trial = study.ask()
        rows.append(space.suggest(trial))
        study.tell(trial, 0.0)
    assert space.is_valid(np.array(rows)).all()


@pytest.mark.parametrize("concat", ["range(0, 30000000)", "range(0, 100000000)", "range(0, 5, 0)"])
def test_a_huge_concat_range_is_refused_before_it_is_built(concat):
    """A 60-character string must not allocate gigabytes, nor echo them in its message."""
    import tracemalloc

    space = DARTSSpace()
    text = space.to_string(space.sample(1, random_state=0)[0]).replace("normal_concat=[2, 3, 4, 5]",
                                                                       f"normal_concat={concat}")
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="concat|range") as exc:
            space.from_string(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000 and len(str(exc.value)) < 400
    assert np.array_equal(space.from_string(text.replace(f"normal_concat={concat}", "normal_concat=range(2, 6)")),
                          space.from_string(text.replace(f"normal_concat={concat}", "normal_concat=[2, 3, 4, 5]")))
