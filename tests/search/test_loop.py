import numpy as np
import pytest

from sknas import ArchitectureRegressor
from sknas.proposers import EvolutionProposer, RandomRankProposer
from sknas.spaces import CategoricalSpace


def fast_predictor(space):
    return ArchitectureRegressor(space, model="mlp", model__max_epochs=40, random_state=0)


def test_history_on_a_benchmark(bench):
    from sknas.search import run_search

    h = run_search(bench, budget=25, predictor=fast_predictor(bench.space), n_initial=10, round_size=5,
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
    again = run_search(bench, budget=25, predictor=fast_predictor(bench.space), n_initial=10, round_size=5,
                       random_state=0)
    assert again["row"].tolist() == h["row"].tolist()


def test_callable_objective_and_budget_always_ends(capsys):
    space = CategoricalSpace({f"layer{i}": ["a", "b", "c"] for i in range(4)})

    def objective(X):
        return (X == 2).sum(axis=1) + 0.1 * X[:, 0]

    from sknas.search import run_search

    h = run_search(objective, space, budget=13, n_initial=4, round_size=4, verbose=1,
                   predictor=fast_predictor(space), proposer=EvolutionProposer(n_parents=3, n_children=10),
                   random_state=1)
    assert len(h) == 13 and h["round"].max() == 3
    assert "round 3: 13/13 evaluated" in capsys.readouterr().err
    # a space smaller than the budget: the loop stops when nothing new is left
    tiny = CategoricalSpace({"a": [0, 1], "b": [0, 1]})
    with pytest.warns(RuntimeWarning, match="requested proposals exist"):
        h = run_search(lambda X: X.sum(axis=1).astype(float), tiny, budget=10, n_initial=2, round_size=2,
                       predictor=fast_predictor(tiny), proposer=RandomRankProposer(), random_state=0)
    assert len(h) == 4


def test_bad_arguments(bench):
    from sknas.search import run_search

    with pytest.raises(ValueError, match=r"budget must be an integer in \[1, inf\]; got 0"):
        run_search(bench, budget=0)
    with pytest.raises(TypeError, match="n_initial must be an integer"):
        run_search(bench, budget=5, n_initial=True)
    with pytest.raises(ValueError, match="needs the space"):
        run_search(lambda X: X.sum(axis=1), budget=5)
    with pytest.raises(TypeError, match="objective must be a benchmark"):
        run_search("nasbench201", budget=5)
    with pytest.raises(ValueError, match="metric='acc' is not in"):
        run_search(bench, budget=5, metric="acc")
    with pytest.raises(TypeError, match="proposer must be a sknas proposer"):  # before anything is evaluated
        run_search(bench, budget=5, proposer="random")
    with pytest.raises(ValueError, match="returned 1 values for 2 architectures"):
        run_search(lambda X: np.zeros(1), bench.space, budget=5, n_initial=2)
    with pytest.warns(FutureWarning, match="batch_size is deprecated"):
        run_search(bench, budget=4, n_initial=4, batch_size=2)


def test_failed_evaluations_are_recorded_not_learned_from(bench):
    from sknas.search import run_search

    def flaky(X):  # every architecture whose first edge is 'none' fails
        y = bench.query(X)
        y[X[:, 0] == 0] = np.nan
        return y

    h = run_search(flaky, bench.space, budget=30, predictor=fast_predictor(bench.space), n_initial=10, round_size=5,
                   random_state=0)
    assert len(h) == 30 and h["value"].isna().any() and h["value"].notna().sum() >= 2
    X = np.array(h["row"].tolist())
    assert len(set(bench.space.row_keys(X))) == 30  # failed ones are not proposed again
    assert np.isfinite(h["best"]).all() or h["best"].isna()[:1].all()
    # nothing learnable at all: the loop keeps drawing random architectures and still ends at the budget
    h = run_search(lambda X: np.full(len(X), np.nan), bench.space, budget=7, n_initial=2, round_size=2)
    assert len(h) == 7 and h["value"].isna().all()


def test_resume_from_history_and_checkpoint(bench, tmp_path):
    from sknas.search import run_search

    kw = dict(budget=25, predictor=fast_predictor(bench.space), n_initial=10, round_size=5, random_state=3)
    full = run_search(bench, **kw)
    part = run_search(bench, **dict(kw, budget=15))
    resumed = run_search(bench, history=part, **kw)  # the same search, continued
    assert resumed["row"].tolist() == full["row"].tolist()
    ckpt = tmp_path / "history.csv"
    first = run_search(bench, checkpoint=ckpt, **dict(kw, budget=15))
    assert ckpt.is_file() and len(first) == 15
    rest = run_search(bench, checkpoint=ckpt, **kw)  # read back from the CSV and continued
    assert rest["row"].tolist() == full["row"].tolist()
    with pytest.raises(ValueError, match="history lacks the columns"):
        run_search(bench, history=full[["arch"]], **kw)


def test_every_front_end_makes_the_same_round(bench):
    """The loop's round and the sampler's round are the same function of (seed, history)."""
    from sknas.search import fit_and_propose, round_seed, run_search

    kw = dict(budget=20, predictor=fast_predictor(bench.space), proposer=RandomRankProposer(), n_initial=10,
              round_size=10, random_state=5)
    h = run_search(bench, **kw)
    X = np.array(h["row"].tolist())
    from sknas.search import search_seed

    seed, _ = search_seed(5)
    _, again = fit_and_propose(kw["predictor"], kw["proposer"], X[:10], h["value"].to_numpy()[:10], 10, seed=seed)
    np.testing.assert_array_equal(again, X[10:])
    assert round_seed(seed, X[:10], h["value"].to_numpy()[:10]) != round_seed(seed + 1, X[:10],
                                                                              h["value"].to_numpy()[:10])


def test_a_checkpoint_records_its_search_and_refuses_another(bench, tmp_path):
    import pandas as pd

    from sknas.datasets import load_nasbench201
    from sknas.search import run_search

    kw = dict(predictor=fast_predictor(bench.space), n_initial=6, round_size=3, random_state=3)
    ckpt = tmp_path / "history.csv"
    run_search(bench, checkpoint=ckpt, budget=9, **kw)
    saved = pd.read_csv(ckpt)
    other = load_nasbench201("cifar100")
    with pytest.raises(ValueError, match=r"another search \(objective 'nasbench201:cifar10-valid'; this call: "
                                         r"'nasbench201:cifar100'\)"):
        run_search(other, checkpoint=ckpt, budget=12, **kw)
    with pytest.raises(ValueError, match=r"another search \(random_state 3; this call: 4\)"):
        run_search(bench, checkpoint=ckpt, budget=12, **dict(kw, random_state=4))
    with pytest.raises(ValueError, match="another search \\(space"):
        run_search(bench, checkpoint=ckpt, budget=12, constraints={"params": 0.5}, **kw)
    with pytest.raises(ValueError, match="another search \\(prior None; this call: '[0-9a-f]{16}'\\)"):
        run_search(bench, checkpoint=ckpt, budget=12, prior=other, **kw)  # a prior makes another search
    assert len(pd.read_csv(ckpt)) == 9  # nothing was written by the refused calls
    saved.drop(columns="search").to_csv(ckpt, index=False)  # written before checkpoints recorded their search
    with pytest.warns(UserWarning, match="does not record the search"):
        assert len(run_search(bench, checkpoint=ckpt, budget=12, **kw)) == 12


@pytest.mark.parametrize("edit, match", [
    (lambda h: h.assign(row=[h["row"][1]] + list(h["row"][1:])), "repeats an earlier architecture"),
    (lambda h: h.assign(row=["(1.7, 0, 0, 0, 0, 0)"] + list(h["row"][1:])), "not a tuple of choice indices"),
    (lambda h: h.assign(row=[(True, 0, 0, 0, 0, 0)] + list(h["row"][1:])), "not a tuple of choice indices"),
    (lambda h: h.assign(row=["(99999999999999999999999, 0, 0, 0, 0, 0)"] + list(h["row"][1:])),
     "choice indices"),
])
def test_a_damaged_history_is_a_value_error(bench, edit, match):
    from sknas.search import run_search

    kw = dict(predictor=fast_predictor(bench.space), n_initial=6, round_size=3, random_state=3)
    history = run_search(bench, budget=6, **kw)
    with pytest.raises(ValueError, match=match):
        run_search(bench, history=edit(history), budget=9, **kw)


def test_an_infinite_value_in_a_history_is_a_failed_evaluation(bench):
    from sknas.search import run_search

    kw = dict(predictor=fast_predictor(bench.space), n_initial=6, round_size=3, random_state=3)
    history = run_search(bench, budget=6, **kw)
    history.loc[0, "value"] = np.inf
    resumed = run_search(bench, history=history, budget=9, **kw)
    assert np.isnan(resumed["value"].iloc[0]) and np.isfinite(resumed["best"].iloc[-1])
    assert resumed["best"].iloc[-1] <= bench.optimum("valid")


def test_short_trainings_first(tmp_path):
    from sknas.datasets import load_nasbench201
    from sknas.search import run_search

    bench = load_nasbench201("cifar100")
    kw = dict(budget=12, predictor=fast_predictor(bench.space), round_size=4, random_state=0, short="valid_12")
    h = run_search(bench, **kw)
    full, stopped = h[~h["stopped"]], h[h["stopped"]]
    assert len(full) == 12 and len(stopped) > 0  # the budget counts full evaluations; short ones come on top
    X = np.array(h["row"].tolist())
    np.testing.assert_allclose(bench.query(X, "valid_12"), h["short"])
    np.testing.assert_allclose(bench.query(np.array(full["row"].tolist())), full["value"])
    assert stopped["value"].isna().all() and len(set(bench.space.row_keys(X))) == len(h)
    # the first rounds, written to CSV and read back, continue to the same search
    import pandas as pd

    h[h["round"] <= 1].to_csv(tmp_path / "h.csv", index=False)
    again = run_search(bench, **kw, history=pd.read_csv(tmp_path / "h.csv"))
    assert again["row"].tolist() == h["row"].tolist() and again["stopped"].tolist() == h["stopped"].tolist()
    # a callable short training works the same as the metric
    same = run_search(bench.objective("valid"), bench.search_space,
                      **{**kw, "short": bench.objective("valid_12")})
    assert same["row"].tolist() == h["row"].tolist()


def test_bad_short_training(bench):
    from sknas.search import run_search

    with pytest.raises(ValueError, match="benchmark objective"):
        run_search(bench.objective("valid"), bench.space, budget=3, short="valid_12")
    with pytest.raises(TypeError, match="short must be"):
        run_search(bench, budget=3, short=12)
    with pytest.raises(ValueError, match="one objective"):
        run_search(bench, budget=3, short="valid_12", metric=["valid", "params"])
    with pytest.raises(ValueError, match="short returned 1 values"):
        run_search(bench, budget=3, short=lambda X: [1.0])


def test_one_shot_walks_down_one_ranking(bench):
    """one_shot=True: one fit on the random design; later rounds take the next rows of the same ranking."""
    from sknas.search import fit_and_propose, run_search, search_seed

    kw = dict(budget=22, predictor=fast_predictor(bench.space), n_initial=10, one_shot=True, random_state=0)
    h = run_search(bench, round_size=4, **kw)
    assert h["round"].tolist() == [0] * 10 + [1] * 4 + [2] * 4 + [3] * 4
    once = run_search(bench, round_size=12, **kw)  # one round, one fit
    assert once["row"].tolist() == h["row"].tolist()
    X, y = np.array(h["row"][:10].tolist()), h["value"][:10].to_numpy()
    top = fit_and_propose(fast_predictor(bench.space), RandomRankProposer(), X, y, 12, seed=search_seed(0)[0])[1]
    assert [tuple(r) for r in top] == h["row"][10:].tolist()
    refit = run_search(bench, round_size=4, **{**kw, "one_shot": False})
    assert refit["row"][:14].tolist() == h["row"][:14].tolist() and refit["row"].tolist() != h["row"].tolist()
    with pytest.raises(ValueError, match="one_shot=True .* takes no prior"):
        run_search(bench, budget=5, one_shot=True, prior=bench)


def test_predicted_accuracies_are_shown_within_the_benchmark_range(bench):
    """The default predictor, fitted on 10 random NB201 cells, predicts 117% for a proposal: the history
    shows it at 100 (the table's declared range); the proposals, ranked on the raw predictions, stay the same."""
    from sknas.search import run_search

    h = run_search(bench, budget=13, random_state=2)
    raw = run_search(bench, budget=13, random_state=2, value_range=(-np.inf, np.inf))
    assert raw["predicted"].max() > 110  # the predictor extrapolates
    assert h["predicted"].max() == 100.0 and h["predicted"].min() >= 0
    np.testing.assert_array_equal(h["predicted"], raw["predicted"].clip(upper=100))
    assert h["row"].tolist() == raw["row"].tolist() and h["value"].equals(raw["value"])
    # a callable objective has no known range unless given
    f = bench.objective("valid")
    assert run_search(f, bench.space, budget=13, random_state=2)["predicted"].max() > 110
    mine = run_search(f, bench.space, budget=13, random_state=2, value_range=(0, 100))
    assert mine["predicted"].equals(h["predicted"])
    # with a prior, predicted is a combined score of ranks in [0, 1], not a value: never clipped
    from sknas.datasets import load_nasbench201

    ranks = run_search(bench, budget=6, random_state=2, prior=load_nasbench201("cifar100"), value_range=(50, 60))
    assert ranks["predicted"].between(0, 1).all()
    for bad in ((100, 0), (0,), "ab", (0, np.nan)):
        with pytest.raises(ValueError, match=r"value_range=.* is not supported; accepted: None or a pair"):
            run_search(f, bench.space, budget=13, value_range=bad)
