"""Tests of NASBench101Space: validity, NAS-Bench-101 hashing, canonical form and feature views."""

import time

import numpy as np
import pytest
import torch

from sknas.encodings import graph, graph_torch, n_features_onehot, node_types, paths
from sknas.spaces import NASBench101Space, cost
from sknas.spaces._nasbench101 import NB101_OPS, nasbench_graph_hash

C3, C1, MP = NB101_OPS


@pytest.fixture(scope="module")
def space():
    return NASBench101Space()


@pytest.fixture(scope="module")
def X(space):
    return space.sample(300, random_state=0)


def _spec(edges, ops, n=7):
    m = np.zeros((n, n), dtype=int)
    for i, j in edges:
        m[i, j] = 1
    return m, ["input", *ops, "output"]


def _relabel(space, row, rng):
    """An isomorphic row: intermediate vertices in a random topological order; dead-vertex ops redrawn."""
    m, ops = space.to_spec(row)
    order, indeg = [], m[1:6, 1:6].sum(axis=0).tolist()
    ready = [v for v in range(1, 6) if indeg[v - 1] == 0]
    while ready:
        v = ready.pop(int(rng.integers(len(ready))))
        order.append(v)
        for w in range(v + 1, 6):
            if m[v, w]:
                indeg[w - 1] -= 1
                if indeg[w - 1] == 0:
                    ready.append(w)
    perm = [0, *order, 6]  # new vertex i is old vertex perm[i]
    new = space.from_spec(m[np.ix_(perm, perm)], [ops[v] for v in perm])
    A, live, _ = space._pruned_edges(new[None, :])
    for v in range(1, 6):
        if not live[0, v]:
            new[21 + v - 1] = rng.integers(3)
    return new


# ---------------------------------------------------------------- structure
def test_decisions(space):
    assert space.n_decisions == 26
    assert space.decision_names[:3] == ("edge_0_1", "edge_0_2", "edge_0_3")
    assert space.decision_names[20] == "edge_5_6"
    assert space.decision_names[21:] == ("op_1", "op_2", "op_3", "op_4", "op_5")
    assert space.choices[0] == (0, 1) and space.choices[-1] == NB101_OPS
    assert n_features_onehot(space) == 21 * 2 + 5 * 3
    assert space == NASBench101Space() and hash(space) == hash(NASBench101Space())


def test_spec_round_trip(space, X):
    for row in X[:50]:
        m, ops = space.to_spec(row)
        assert m.shape == (7, 7) and ops[0] == "input" and ops[-1] == "output"
        np.testing.assert_array_equal(space.from_spec(m, ops), row)
    mats, op_lists = space.to_specs(X)
    np.testing.assert_array_equal(space.from_specs(mats, op_lists), X)
    for row in X[:50]:
        np.testing.assert_array_equal(space.from_naslib_key(space.to_naslib_key(row)), row)
        np.testing.assert_array_equal(space.from_naslib_key(str(space.to_naslib_key(row))), row)


def test_string_form(space):
    m, ops = _spec([(0, 1), (1, 6)], [C3, MP, MP, MP, MP])
    row = space.from_spec(m, ops)
    assert space.to_string(row) == "100000000010000000000|c3,mp,mp,mp,mp"
    long = "100000000010000000000|conv3x3-bn-relu,mp,mp,mp,maxpool3x3"
    np.testing.assert_array_equal(space.from_string(long), row)


def test_pruned_spec_embedding(space):
    # a 4-vertex pruned spec is embedded with its output in slot 6
    m, ops = _spec([(0, 1), (0, 2), (1, 3), (2, 3)], [C1, MP], n=4)
    row = space.from_spec(m, ops)
    full, full_ops = space.to_spec(row)
    assert full[0, 1] == full[0, 2] == full[1, 6] == full[2, 6] == 1 and full.sum() == 4
    pm, pops = space.pruned_spec(row)
    np.testing.assert_array_equal(pm, m)
    assert pops == ops


# ---------------------------------------------------------------- validity
def test_validity_follows_model_spec(space):
    # dangling vertices are pruned: 10 raw edges, 8 after pruning -> valid
    live = [(0, 1), (1, 2), (2, 6), (0, 6)]
    dangling = [(0, 3), (0, 4), (3, 4), (1, 3), (2, 4), (5, 6)]  # 3, 4 miss the output; 5 misses the input
    m, ops = _spec(live + dangling, [C3] * 5)
    row = space.from_spec(m, ops)
    pm, pops = space.pruned_spec(row)
    assert m.sum() == 10 and pm.sum() == 4 and pm.shape == (4, 4) and len(pops) == 4
    assert space.is_valid(row).all() and space.explain_invalid(row) == ""
    # no path input -> output
    bad = np.zeros(26, dtype=np.int64)
    bad[space.decision_names.index("edge_0_1")] = 1
    assert not space.is_valid(bad)[0]
    assert "no path" in space.explain_invalid(bad)
    # 10 live edges
    m, _ = _spec([(0, 1), (0, 2), (0, 3), (1, 6), (2, 6), (3, 6), (1, 2), (2, 3), (1, 3), (0, 6)], [C3] * 5)
    row = np.concatenate([m[np.triu_indices(7, 1)], np.zeros(5, dtype=np.int64)])
    assert not space.is_valid(row)[0]
    assert "10 edges" in space.explain_invalid(row)


def test_from_spec_errors(space):
    ops = ["input", C3, C3, C3, C3, C3, "output"]
    cyc, _ = _spec([(0, 1), (1, 2), (2, 6)], [C3] * 5)
    cyc[2, 1] = 1
    with pytest.raises(ValueError, match="back edge"):
        space.from_spec(cyc, ops)
    loop, _ = _spec([(0, 6)], [C3] * 5)
    loop[3, 3] = 1
    with pytest.raises(ValueError, match="self-loop"):
        space.from_spec(loop, ops)
    many, _ = _spec([(0, 1), (0, 2), (0, 3), (1, 6), (2, 6), (3, 6), (1, 2), (2, 3), (1, 3), (0, 6)], [C3] * 5)
    with pytest.raises(ValueError, match="10 edges"):
        space.from_spec(many, ops)
    none, _ = _spec([(0, 1), (2, 6)], [C3] * 5)
    with pytest.raises(ValueError, match="no path"):
        space.from_spec(none, ops)
    good, _ = _spec([(0, 6)], [C3] * 5)
    with pytest.raises(ValueError, match="unknown op 'conv5x5'"):
        space.from_spec(good, ["input", "conv5x5", C3, C3, C3, C3, "output"])
    with pytest.raises(ValueError, match="'input'"):
        space.from_spec(good, [C3] * 7)
    with pytest.raises(ValueError, match="square"):
        space.from_spec(np.zeros((7, 6)), ops)
    with pytest.raises(ValueError, match="square"):
        space.from_spec(np.zeros((8, 8)), ops + [C3])
    with pytest.raises(ValueError, match="0 and 1"):
        space.from_spec(good * 2, ops)
    with pytest.raises(ValueError, match="6 entries"):
        space.from_spec(good, ops[:-1])


def test_row_errors(space):
    with pytest.raises(ValueError, match="length 25"):
        space.check_rows(np.zeros(25, dtype=int))
    row = space.sample(1, 0)[0]
    row[0] = 2
    with pytest.raises(ValueError, match="edge_0_1"):
        space.check_rows(row)
    row[0] = 0
    row[-1] = 3
    with pytest.raises(ValueError, match="op_5"):
        space.check_rows(row)
    with pytest.raises(ValueError, match="no path"):
        space.check_rows(np.zeros(26, dtype=int))
    with pytest.raises(ValueError, match="malformed"):
        space.from_string("1010|c3")
    with pytest.raises(ValueError, match="unknown op"):
        space.from_string("100000000010000000000|c3,mp,mp,mp,c5")
    with pytest.raises(ValueError, match="56 integers"):
        space.from_naslib_key((0,) * 55)
    with pytest.raises(ValueError, match="op code"):
        space.from_naslib_key((0,) * 49 + (0, 4, 4, 4, 4, 9, 1))
    with pytest.raises(ValueError):
        cost(space, row, "params")


# ----------------------------------------------------------------- hashing
def test_published_hash(space):
    # NNI's NAS-Bench-101 documentation example: this cell has module hash 00005c142e6f48ac74fdcf73e3439874
    inputs = {1: [0], 2: [1], 3: [2], 4: [0], 5: [0, 3, 4], 6: [2, 5]}
    m, ops = _spec([(i, j) for j, ins in inputs.items() for i in ins], [C3, MP, C3, C3, C1])
    row = space.from_spec(m, ops)
    assert space.spec_hash(row) == "00005c142e6f48ac74fdcf73e3439874"
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert space.spec_hash(_relabel(space, row, rng)) == "00005c142e6f48ac74fdcf73e3439874"


def test_graph_hash_known_cases():
    # the two arms of a diamond swap their labels: isomorphic
    d = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert nasbench_graph_hash(d, [-1, 0, 2, -2]) == nasbench_graph_hash(d, [-1, 2, 0, -2])
    # a chain with the labels in another order is not isomorphic (needs the vertex's own hash)
    chain = np.eye(5, k=1, dtype=int)
    assert nasbench_graph_hash(chain, [-1, 1, 0, 0, -2]) != nasbench_graph_hash(chain, [-1, 0, 0, 1, -2])
    # needs edge directions
    g = np.array([[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert nasbench_graph_hash(g, [-1, 1, 0, -2]) != nasbench_graph_hash(g, [-1, 0, 1, -2])
    h = nasbench_graph_hash(d, [-1, 0, 2, -2])
    assert len(h) == 32 and int(h, 16) >= 0
    with pytest.raises(ValueError, match="square"):
        nasbench_graph_hash(np.zeros((3, 4)), [0, 0, 0])


def test_hash_distinguishes(space):
    a = space.from_spec(*_spec([(0, 1), (1, 6)], [C3] * 5))
    b = space.from_spec(*_spec([(0, 1), (1, 6)], [C1] * 5))
    c = space.from_spec(*_spec([(0, 1), (1, 6), (0, 6)], [C3] * 5))
    assert len({space.spec_hash(a), space.spec_hash(b), space.spec_hash(c)}) == 3
    # dead vertices do not matter
    d = space.from_spec(*_spec([(0, 1), (1, 6), (0, 2), (3, 4)], [C3, MP, C1, C1, C1]))
    assert space.spec_hash(d) == space.spec_hash(a)
    np.testing.assert_array_equal(space.canonical(d), space.canonical(a))


# --------------------------------------------------------------- canonical
def test_canonical_invariant_under_relabelling(space, X):
    C = space.canonical(X)
    assert space.spec_hashes(C) == space.spec_hashes(X)
    rng = np.random.default_rng(1)
    Y = np.array([_relabel(space, r, rng) for r in X])
    assert (Y != X).any()
    assert space.spec_hashes(Y) == space.spec_hashes(X)
    np.testing.assert_array_equal(space.canonical(Y), C)
    assert space.row_keys(Y) == space.row_keys(X)


def test_canonical_classes_equal_hash_classes(space):
    rng = np.random.default_rng(2)
    base = space.sample(60, random_state=3)
    rows = np.concatenate([base] + [np.array([_relabel(space, r, rng) for r in base]) for _ in range(3)])
    hashes = space.spec_hashes(rows)
    keys = space.row_keys(rows)
    by_hash, by_key = {}, {}
    for i, (h, k) in enumerate(zip(hashes, keys)):
        by_hash.setdefault(h, []).append(i)
        by_key.setdefault(k, []).append(i)
    assert sorted(by_hash.values()) == sorted(by_key.values())
    assert len(space.unique(rows)) == len(by_hash)


def test_canonical_layout(space):
    # pruned vertices leave the slots after the live ones empty, the output stays in slot 6
    row = space.from_spec(*_spec([(0, 3), (3, 6), (0, 5), (2, 4)], [C1, C1, MP, C1, C1]))
    c = space.canonical(row)[0]
    m, ops = space.to_spec(c)
    assert m.sum() == 2 and m[0, 1] == 1 and m[1, 6] == 1
    assert ops[1] == MP and ops[2:6] == [C3] * 4


# ---------------------------------------------------------------- sampling
# number of valid edge patterns by raw edge count, from an enumeration of all 2**21 adjacency bit patterns
_VALID_BY_EDGES = [0, 1, 25, 290, 2055, 9880, 34035, 87243, 172010, 267955, 319237, 289262, 198171, 102250,
                   40225, 12244, 2771, 401, 28, 0, 0, 0]


def test_sample_is_fast(space):
    t = time.perf_counter()
    S = space.sample(1000, random_state=7)
    assert time.perf_counter() - t < 0.5
    assert S.shape == (1000, 26)


def test_sample_uniform(space):
    S = space.sample(20000, random_state=11)
    expected = np.asarray(_VALID_BY_EDGES, dtype=float)
    assert expected.sum() == 1538083
    expected /= expected.sum()
    observed = np.bincount(S[:, :21].sum(axis=1), minlength=22) / len(S)
    sd = np.sqrt(expected * (1 - expected) / len(S))
    assert np.all(np.abs(observed - expected) <= 5 * sd + 1e-4)
    ops = S[:, 21:]
    freq = np.stack([(ops == k).mean(axis=0) for k in range(3)])
    assert np.all(np.abs(freq - 1 / 3) < 0.02)


# ----------------------------------------------------------------- repair
def test_repair(space):
    rng = np.random.default_rng(5)
    R = (rng.random((500, 26)) * space.n_choices).astype(np.int64)
    R[:50, :21] = 1  # everything connected: too many edges
    R[50:100, :21] = 0  # nothing connected
    ok = space.is_valid(R)
    assert not ok[:100].any() and ok.any()
    Y = space.repair(R)
    assert space.is_valid(Y).all()
    np.testing.assert_array_equal(Y[ok], R[ok])
    np.testing.assert_array_equal(Y[:, 21:], R[:, 21:])
    # guided by scores: the highest-scoring edges survive
    scores = np.zeros((1, n_features_onehot(space)))
    off = space._offsets
    for name in ("edge_0_2", "edge_2_6"):
        j = space.decision_names.index(name)
        scores[0, off[j] + 1] = 1.0
    row = np.zeros((1, 26), dtype=np.int64)
    fixed = space.repair(row, scores=scores)
    m, _ = space.to_spec(fixed[0])
    assert m.sum() == 2 and m[0, 2] == 1 and m[2, 6] == 1
    assert space.is_valid(fixed).all()
    with pytest.raises(ValueError, match="scores"):
        space.repair(row, scores=np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        space.repair(row, scores=np.full((1, n_features_onehot(space)), np.nan))


# ------------------------------------------------------------ feature views
def test_graph_and_graph_torch(space, X):
    A, F = graph(space, X)
    assert A.shape == (len(X), 7, 7) and F.shape == (len(X), 7, 5)
    assert node_types(space) == ("input", "output", *NB101_OPS)
    np.testing.assert_array_equal(A, space.to_specs(X)[0])
    np.testing.assert_array_equal(F.sum(axis=2), 1)
    Zr = torch.rand(4, n_features_onehot(space), dtype=torch.float64, requires_grad=True)
    At, Ft = graph_torch(space, Zr)
    (At.sum() + Ft.sum()).backward()
    assert Zr.grad is not None and Zr.grad.abs().sum() > 0


def test_paths(space, X):
    P = paths(space, X)
    assert P.shape == (len(X), 364) == (len(X), space.n_features_paths)
    assert set(np.unique(P)) <= {0.0, 1.0} and (P.sum(axis=1) >= 1).all()
    direct = space.from_spec(*_spec([(0, 6)], [C3] * 5))
    chain = space.from_spec(*_spec([(0, 1), (1, 2), (2, 6)], [C1, MP, C3, C3, C3]))
    assert np.flatnonzero(paths(space, direct)[0]).tolist() == [0]
    assert np.flatnonzero(paths(space, chain)[0]).tolist() == [1 + 3 + 1 * 3 + 2]
    rng = np.random.default_rng(4)
    Y = np.array([_relabel(space, r, rng) for r in X[:100]])
    np.testing.assert_array_equal(paths(space, Y), P[:100])
