import numpy as np
import optuna
import pytest
import torch

from sknas.datasets import load_nasbench_graph
from sknas.encodings import graph, graph_torch, n_features_onehot, node_types, paths, project, relax
from sknas.spaces import NASBenchGraphSpace, cost
from sknas.spaces._nasbench_graph import GRAPH_OPS, GRAPH_OPS_PROTEINS


@pytest.fixture(scope="module", params=["full", "proteins"])
def space(request):
    return NASBenchGraphSpace(request.param)


@pytest.fixture(scope="module")
def full():
    return NASBenchGraphSpace()


def _table(space):
    return load_nasbench_graph("proteins" if space.op_set == "proteins" else "cora")


def test_shape_and_names(full):
    assert full.decision_names == ("link", "op1", "op2", "op3", "op4")
    assert full.choices[0] == ("0000", "0001", "0011", "0012", "0013", "0111", "0112", "0122", "0123")
    assert full.choices[1] == GRAPH_OPS
    assert full.n_rows == 9 * 9**4 and n_features_onehot(full) == 9 + 4 * 9
    assert NASBenchGraphSpace("proteins").choices[1] == GRAPH_OPS_PROTEINS
    assert NASBenchGraphSpace() == NASBenchGraphSpace("full") != NASBenchGraphSpace("proteins")
    assert repr(NASBenchGraphSpace("proteins")) == "NASBenchGraphSpace(ops='proteins')"
    with pytest.raises(ValueError, match="ops='cora' is not supported"):
        NASBenchGraphSpace("cora")


def test_validity(space):
    skip = space.ops.index("skip")
    bad = np.array([[4, skip, skip, skip, skip]])
    assert not space.is_valid(bad)[0]
    assert "skip" in space.explain_invalid(bad[0])
    assert space.explain_invalid([4, 0, skip, skip, skip]) == ""
    E = space.enumerate()
    assert len(E) == 9 * (len(space.ops) ** 4 - 1)
    with pytest.raises(ValueError, match="skip"):
        space.check_rows(bad)
    with pytest.raises(ValueError, match="skip"):
        space.from_string("link=0123|skip,skip,skip,skip")


def test_canonical_matches_the_tables(space):
    """(a) table rows are canonical, (b) every valid row maps into the table, (c) class counts."""
    bench = _table(space)
    X = np.asarray(bench.X)
    np.testing.assert_array_equal(space.canonical(X), X)
    keys = set(space.to_bench_key(X).tolist())
    C = space.canonical(space.enumerate())
    ckeys = space.to_bench_key(C)
    assert set(ckeys.tolist()) == keys
    assert len(keys) == {"full": 26206, "proteins": 2021}[space.op_set]


def test_canonical_semantics(full):
    f = full.from_string
    # sibling nodes with the same input commute
    assert full.row_keys(f("link=0000|gcn,gat,sage,fc")) == full.row_keys(f("link=0000|fc,sage,gat,gcn"))
    # a skip in a chain is the identity
    assert full.row_keys(f("link=0123|gcn,skip,gat,skip")) == full.row_keys(f("link=0123|skip,skip,gcn,gat"))
    # a skip leaf off a used node adds an output edge: not equal to dropping it
    assert full.row_keys(f("link=0011|gcn,gat,skip,sage")) != full.row_keys(f("link=0011|gcn,gat,skip,skip"))
    # a raw-input pass-through leaf is dropped (benchmark convention)
    assert full.row_keys(f("link=0000|skip,gat,gat,gat")) == full.row_keys(f("link=0111|skip,gat,gat,gat"))
    # order along a chain matters
    assert full.row_keys(f("link=0123|gcn,gat,fc,fc")) != full.row_keys(f("link=0123|gat,gcn,fc,fc"))
    assert full.to_string(full.canonical(f("link=0012|gcn,gat,sage,skip"))[0]) == "link=0112|skip,gcn,gat,sage"


def test_string_examples(full):
    assert full.to_string([3, 1, 0, 4, 8]) == "link=0012|gcn,gat,sage,skip"
    assert full.from_string(" link=0012 | gcn, gat,sage ,skip ").tolist() == [3, 1, 0, 4, 8]


@pytest.mark.parametrize("s, match", [
    ("0012|gcn,gat,sage,skip", "malformed"),
    ("link=0012", "malformed"),
    ("link=0012|gcn,gat,sage", "4 comma-separated"),
    ("link=0012|gcn,gat,sage,skip,fc", "4 comma-separated"),
    ("link=0021|gcn,gat,sage,skip", "unknown link pattern '0021'"),
    ("link=0012|gcn,gat,sage,conv", "unknown op 'conv'"),
])
def test_bad_strings(full, s, match):
    with pytest.raises(ValueError, match=match):
        full.from_string(s)


def test_bad_strings_proteins():
    with pytest.raises(ValueError, match="unknown op 'gat'"):
        NASBenchGraphSpace("proteins").from_string("link=0012|gcn,gat,sage,skip")
    with pytest.raises(TypeError):
        NASBenchGraphSpace().from_string(12)


def test_bench_keys(space):
    E = space.enumerate()
    keys = space.to_bench_key(E)
    assert len(np.unique(keys)) == len(E)
    np.testing.assert_array_equal(space.from_bench_key(keys), E)
    row = E[123]
    assert isinstance(space.to_bench_key(row), int)
    np.testing.assert_array_equal(space.from_bench_key(space.to_bench_key(row)), row)


def test_bench_key_values():
    full, prot = NASBenchGraphSpace(), NASBenchGraphSpace("proteins")
    assert full.to_bench_key(full.from_string("link=0000|gat,gat,gat,gcn")) == 1
    assert full.to_bench_key(full.from_string("link=0123|skip,fc,graph,arma")) == 88765
    # the protein tables use the same radix-10 keys over the full op list
    assert prot.to_bench_key(prot.from_string("link=0000|gcn,gcn,gcn,gcn")) == 1111
    assert prot.from_bench_key(1114).tolist() == [0, 0, 0, 0, 1]


@pytest.mark.parametrize("key, match", [(-1, "out of range"), (90000, "out of range"), (1.5, "whole"),
                                        ("12", "integers"), (9, "op index 9")])
def test_bad_bench_keys(full, key, match):
    with pytest.raises(ValueError, match=match):
        full.from_bench_key(key)


def test_bench_key_outside_op_set():
    with pytest.raises(ValueError, match="'gat'"):
        NASBenchGraphSpace("proteins").from_bench_key(1110)


def test_neighbours_count(space):
    X = space.sample(200, random_state=1)
    nb = space.neighbours(X[0])
    lone = int((X[0, 1:] != space.ops.index("skip")).sum() == 1)  # switching the lone op to skip is invalid
    assert len(nb) == 8 + 4 * (len(space.ops) - 1) - lone


def test_repair(space):
    skip = space.ops.index("skip")
    bad = np.array([[2, skip, skip, skip, skip]] * 2)
    fixed = space.repair(bad)
    assert space.is_valid(fixed).all() and fixed[0, 0] == 2
    scores = np.zeros((2, n_features_onehot(space)))
    scores[1, 9 + 2 * len(space.ops) + 1] = 5.0  # op3 = ops[1]
    guided = space.repair(bad, scores=scores)
    assert guided[1].tolist() == [2, skip, skip, 1, skip]
    Z = relax(space, bad)
    Z[:, 9 + 3 * len(space.ops)] += 0.5  # op4 = ops[0] is second best
    assert project(space, Z)[0].tolist() == [2, skip, skip, skip, 0]


def test_graph(full):
    X = full.from_strings(["link=0012|gcn,gat,sage,skip", "link=0000|fc,skip,gin,gin"])
    A, F = graph(full, X)
    assert A.shape == (2, 6, 6) and F.shape == (2, 6, 11)
    assert node_types(full) == ("input", "output") + GRAPH_OPS
    edges = {tuple(e) for e in np.argwhere(A[0])}
    assert edges == {(0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 5)}
    assert {tuple(e) for e in np.argwhere(A[1])} == {(0, 1), (0, 2), (0, 3), (0, 4), (1, 5), (2, 5), (3, 5), (4, 5)}
    assert [node_types(full)[i] for i in F[0].argmax(axis=1)] == ["input", "gcn", "gat", "sage", "skip", "output"]
    assert np.all(np.triu(A[0], 1) == A[0])  # a DAG in topological order


def test_graph_torch_gradients_and_mixtures(space):
    X = space.sample(50, random_state=4)
    Z = torch.tensor(relax(space, X), dtype=torch.float64, requires_grad=True)
    At, Ft = graph_torch(space, Z)
    (At.sum() + (Ft * torch.arange(Ft.shape[-1], dtype=Ft.dtype)).sum()).backward()
    assert Z.grad is not None and torch.all(Z.grad[:, :9] != 0)
    soft = torch.full((1, n_features_onehot(space)), 1.0 / len(space.ops), dtype=torch.float64)
    soft[:, :9] = 1.0 / 9
    As, _ = graph_torch(space, soft)
    np.testing.assert_allclose(As[0].numpy(), space._link_adjacency().mean(axis=0), atol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        graph_torch(space, torch.zeros(2, 3))


def test_paths(full):
    X = full.from_strings(["link=0012|gcn,gat,sage,skip", "link=0000|skip,gat,gat,gat"])
    P = paths(full, X)
    assert P.shape == (2, 8 + 64 + 512 + 4096)
    assert P[0].sum() == 2 and P[1].sum() == 3  # the skip-only path of row 1 is dropped
    live = [o for o in GRAPH_OPS if o != "skip"]
    assert P[1, live.index("gat")] == 3
    assert P[0, live.index("gat")] == 1  # gat -> skip -> output
    assert P[0, 8 + 8 * live.index("gcn") + live.index("sage")] == 1
    # equivalent rows get equal path encodings
    Y = full.sample(300, random_state=5)
    np.testing.assert_array_equal(paths(full, Y), paths(full, full.canonical(Y)))
    prot = NASBenchGraphSpace("proteins")
    assert paths(prot, prot.sample(3, random_state=0)).shape == (3, 4 + 16 + 64 + 256)


def test_optuna_suggest(space):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(5):
        trial = study.ask()
        row = space.suggest(trial)
        assert space.is_valid(row[None, :]).all()
        study.tell(trial, 0.0)


def test_costs_not_analytic(full):
    with pytest.raises(ValueError, match="benchmark column"):
        cost(full, full.sample(1, random_state=0), "params")
