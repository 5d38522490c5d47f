"""PoolSpace: a space restricted to a table's architectures, so that sample benchmarks can be searched."""

import numpy as np
import pytest

from sknas.encodings import n_features_onehot, project
from sknas.spaces import NASBench101Space, NASBench201Space, PoolSpace, check_space


@pytest.fixture(scope="module")
def pool():
    base = NASBench201Space()
    return PoolSpace(base, base.sample(40, random_state=0))


def test_the_laws_hold(pool):
    check_space(pool)
    check_space(PoolSpace(NASBench101Space(), NASBench101Space().sample(30, random_state=1)))


def test_everything_lands_in_the_pool(pool):
    keys = set(pool.base.row_keys(pool.pool_))
    assert set(pool.row_keys(pool.sample(200, random_state=0))) <= keys
    outside = pool.base.sample(500, random_state=3)
    assert set(pool.row_keys(pool.repair(outside))) <= keys
    Z = np.random.default_rng(0).random((20, n_features_onehot(pool)))
    assert set(pool.row_keys(project(pool, Z))) <= keys
    assert pool.is_valid(pool.pool_).all() and set(pool.row_keys(outside[pool.is_valid(outside)])) <= keys
    assert "not one of the" in pool.explain_invalid(outside[~pool.is_valid(outside)][0])


def test_sample_benchmarks_are_searched_within_their_rows():
    from sknas.compare import run_study
    from sknas.datasets import load_nasbench101_sample
    from sknas.search import run_search

    bench = load_nasbench101_sample()
    assert not bench.complete and isinstance(bench.search_space, PoolSpace)
    history = run_search(bench, budget=16, random_state=0,
                         predictor=__import__("sknas").ArchitectureRegressor(bench.space, model="gcn",
                                                                             model__max_epochs=5))
    assert len(history) == 16 and history["value"].notna().all()  # every proposal is in the table
    for method in ("sknas", "tpe", "rea"):
        run = run_study("nasbench301:cifar10", method, 0, 15, fast=True)
        assert len(run["valid"]) == 15 and np.isfinite(run["valid"]).all()
