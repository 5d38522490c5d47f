import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks
from xgboost import XGBRegressor

from sknas.datasets import load_nasbench201
from sknas.encodings import GraphEncoder, OneHotEncoder, PathEncoder, ReNASEncoder, graph, node_types, onehot, paths
from sknas.metrics import kendall_tau
from sknas.spaces import NASBench201Space, cost, node_costs

ENCODERS = [OneHotEncoder, PathEncoder, GraphEncoder, ReNASEncoder]


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench201("cifar10-valid")


@parametrize_with_checks([cls() for cls in ENCODERS])
def test_sklearn_common_checks_without_space(estimator, check):
    check(estimator)


def test_views_match_the_space(bench):
    space, X = bench.space, bench.X[:50]
    np.testing.assert_array_equal(OneHotEncoder(space).fit_transform(X), onehot(space, X))
    np.testing.assert_array_equal(PathEncoder(space).fit_transform(X), paths(space, X))
    A, F = graph(space, X)
    G = GraphEncoder(space).fit_transform(X)
    assert G.shape == (50, A[0].size + F[0].size)
    np.testing.assert_array_equal(G[:, : A[0].size], A.reshape(50, -1))


def test_renas_compact_tensor(bench):
    space, X = bench.space, bench.X[:40]
    enc = ReNASEncoder(space, layout="compact").fit(X)
    assert enc.cost_kinds_ == ("flops", "params") and not enc.node_costs_
    T = enc.tensor(X)
    A, F = graph(space, X)
    n_types = F.shape[2]
    assert T.shape == (40, 1 + n_types + 2, 8, 8)
    np.testing.assert_array_equal(T[:, 0], A)
    # op-type channels split the adjacency by the type of the receiving node
    np.testing.assert_allclose(T[:, 1 : 1 + n_types].sum(axis=1), A)
    flops = cost(space, X, "flops") / cost(space, X, "flops").max()
    np.testing.assert_allclose(T[:, -2], A * flops[:, None, None].astype(np.float32), rtol=1e-6)
    assert enc.transform(X).shape == (40, T[0].size)


def test_renas_published_tensor_nb201(bench):
    """1 type-code channel + FLOPs of the 3 stages + their params, each on the edges entering the node."""
    space, X = bench.space, bench.X[:40]
    enc = ReNASEncoder(space).fit(X)
    assert enc.layout == "published" and enc.node_costs_ and enc.cost_scale_.shape == (6,)
    T = enc.tensor(X)
    A, F = graph(space, X)
    assert T.shape == (40, 7, 8, 8)
    codes = (F.argmax(axis=2) + 1) / F.shape[2]  # input 1/7, output 2/7, none 3/7, ..., avg_pool 7/7
    np.testing.assert_allclose(T[:, 0], A * codes[:, None, :], rtol=1e-6)
    nc = node_costs(space, X)  # (n, 3, 8, [params, flops])
    for g in range(3):
        flops, params = nc[:, g, :, 1], nc[:, g, :, 0]
        np.testing.assert_allclose(T[:, 1 + g], A * (flops / flops.max())[:, None, :], rtol=1e-5)
        np.testing.assert_allclose(T[:, 4 + g], A * (params / params.max())[:, None, :], rtol=1e-5)
    assert enc.transform(X).shape == (40, 7 * 64)


def test_renas_published_tensor_nb101(data_home):
    from sknas.datasets import load_nasbench101_sample

    b = load_nasbench101_sample()
    enc = ReNASEncoder(b.space).fit(b.X)
    T = enc.tensor(b.X[:10])
    assert T.shape == (10, 19, 7, 7)  # the paper's 1 + 9 + 9 channels
    A, _ = graph(b.space, b.X[:10])
    assert np.all((T != 0) <= (A[:, None] != 0)) and T[:, 1:].max() <= 1.0
    nc = node_costs(b.space, b.X)
    np.testing.assert_allclose(enc.cost_scale_[:9], nc[..., 1].max(axis=(0, 2)))  # FLOPs of the 9 cells


def test_renas_layout_is_checked():
    with pytest.raises(ValueError, match="layout"):
        ReNASEncoder(NASBench201Space(), layout="paper").fit([[0, 1, 2, 3, 4, 0]])


def test_renas_without_cost_model():
    from sknas.spaces import CellSpace

    space = CellSpace(n_nodes=3)
    X = space.sample(10, random_state=0)
    assert ReNASEncoder(space, layout="compact").fit(X).tensor(X).shape[1] == 1 + len(node_types(space))
    enc = ReNASEncoder(space).fit(X)
    assert enc.cost_kinds_ == () and not enc.node_costs_
    assert enc.tensor(X).shape[1] == 1  # the type-code channel only


@pytest.mark.parametrize("cls", ENCODERS)
def test_rejects_rows_outside_the_space(cls):
    space = NASBench201Space()
    enc = cls(space).fit([[0, 1, 2, 3, 4, 0]])
    with pytest.raises(ValueError, match="choice index 7"):
        enc.transform([[0, 1, 2, 3, 4, 7]])
    with pytest.raises(ValueError, match="features"):
        enc.transform([[0, 1, 2]])
    with pytest.raises(ValueError):
        cls(space).fit([[0.5, 1, 2, 3, 4, 0]])


@pytest.mark.parametrize("cls", ENCODERS)
def test_clone_and_pickle(cls, bench):
    enc = cls(bench.space).fit(bench.X[:20])
    again = pickle.loads(pickle.dumps(enc))
    np.testing.assert_array_equal(again.transform(bench.X[:20]), enc.transform(bench.X[:20]))
    assert clone(enc).get_params()["space"] == bench.space


def test_pipeline_with_xgboost(bench):
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(bench.X))
    tr, te = idx[:300], idx[300:3000]
    y = bench.query(bench.X, "valid")
    pipe = make_pipeline(PathEncoder(bench.space), XGBRegressor(n_estimators=100, n_jobs=1, random_state=0))
    pipe.fit(bench.X[tr], y[tr])
    assert kendall_tau(y[te], pipe.predict(bench.X[te])) > 0.5
