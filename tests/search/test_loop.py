import numpy as np
import pytest

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench201
from sknas.proposers import EvolutionProposer, RandomRankProposer
from sknas.spaces import CategoricalSpace


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench201("cifar10-valid")


def fast_predictor(space):
    return ArchitectureRegressor(space, model="mlp", max_epochs=40, random_state=0)


def test_history_on_a_benchmark(bench):
    from sknas.search import run_search

    h = run_search(bench, budget=25, predictor=fast_predictor(bench.space), n_initial=10, batch_size=5,
                   random_state=0)
    assert len(h) == 25
    assert list(h.columns) == ["round", "row", "arch", "value", "predicted", "elapsed", "best"]
    assert h["round"].tolist() == [0] * 10 + [1] * 5 + [2] * 5 + [3] * 5
    assert h.loc[h["round"] == 0, "predicted"].isna().all() and h.loc[h["round"] > 0, "predicted"].notna().all()
    X = np.array(h["row"].tolist())
    np.testing.assert_allclose(bench.query(X), h["value"])
    assert len(set(bench.space.row_keys(X))) == 25  # nothing evaluated twice, even up to equivalence
    assert h["arch"][0] == bench.space.to_string(X[0])
    assert (np.diff(h["elapsed"]) >= 0).all() and (np.diff(h["best"]) >= 0).all()
    again = run_search(bench, budget=25, predictor=fast_predictor(bench.space), n_initial=10, batch_size=5,
                       random_state=0)
    assert again["row"].tolist() == h["row"].tolist()


def test_callable_objective_and_budget_always_ends(capsys):
    space = CategoricalSpace({f"layer{i}": ["a", "b", "c"] for i in range(4)})

    def objective(X):
        return (X == 2).sum(axis=1) + 0.1 * X[:, 0]

    from sknas.search import run_search

    h = run_search(objective, space, budget=13, n_initial=4, batch_size=4, verbose=1,
                   predictor=fast_predictor(space), proposer=EvolutionProposer(n_parents=3, n_children=10),
                   random_state=1)
    assert len(h) == 13 and h["round"].max() == 3
    assert "round 3: 13/13 evaluated" in capsys.readouterr().err
    # a space smaller than the budget: the loop stops when nothing new is left
    tiny = CategoricalSpace({"a": [0, 1], "b": [0, 1]})
    with pytest.warns(RuntimeWarning, match="requested proposals exist"):
        h = run_search(lambda X: X.sum(axis=1).astype(float), tiny, budget=10, n_initial=2, batch_size=2,
                       predictor=fast_predictor(tiny), proposer=RandomRankProposer(), random_state=0)
    assert len(h) == 4


def test_bad_arguments(bench):
    from sknas.search import run_search

    with pytest.raises(ValueError, match="budget must be an integer >= 1"):
        run_search(bench, budget=0)
    with pytest.raises(ValueError, match="needs the space"):
        run_search(lambda X: X.sum(axis=1), budget=5)
    with pytest.raises(TypeError, match="TabularBenchmark or a callable"):
        run_search("nasbench201", budget=5)
    with pytest.raises(ValueError, match="metric='acc' is not in"):
        run_search(bench, budget=5, metric="acc")
    with pytest.raises(ValueError, match="NaN or infinite"):
        run_search(lambda X: np.full(len(X), np.nan), bench.space, budget=5, n_initial=2)
