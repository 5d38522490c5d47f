"""prior=: public tables (or (X, y) pairs) of other tasks, ranking-weighted with the target's own predictor."""

import numpy as np
import optuna
import pytest

from sknas import ArchitectureRegressor
from sknas.compare import run_study
from sknas.datasets import load_benchmark
from sknas.predictors import RankWeightedPrior, best_prior_rows, check_prior, fit_prior_model
from sknas.proposers import GradientAscentProposer, RandomRankProposer
from sknas.samplers import PredictorSampler
from sknas.search import fit_and_propose, run_search
from sknas.spaces import Constraint, NASBench201Space, cost

optuna.logging.set_verbosity(optuna.logging.WARNING)
pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def nb201():
    return {d: load_benchmark("nasbench201", d) for d in ("cifar10-valid", "cifar100", "ImageNet16-120")}


def fast_predictor(space):
    return ArchitectureRegressor(space, model="mlp", model__max_epochs=20, random_state=0)


def pair(bench, n=None, seed=0):
    X = bench.X if n is None else bench.X[np.random.default_rng(seed).choice(len(bench.X), n, replace=False)]
    return X, bench.query(X)


# ------------------------------------------------------------------------------------------------- validation
def test_every_accepted_form_gives_the_same_pairs(nb201):
    space = nb201["cifar100"].space
    table = nb201["cifar10-valid"]
    X, y = pair(table)
    for prior in (table, [table], (X, y), [(X, y)]):
        (Xp, yp), = check_prior(prior, space)
        np.testing.assert_array_equal(Xp, X)
        np.testing.assert_array_equal(yp, y)
    assert len(check_prior([table, nb201["ImageNet16-120"]], space)) == 2
    assert check_prior(None, space) == []
    # a table's rows meet no bound of the search: the prior is checked against the space under the constraints
    from sknas.spaces import ConstrainedSpace

    bounded = ConstrainedSpace(space, [Constraint("params", max_value=0.3)])
    assert len(check_prior(table, bounded)[0][0]) == len(table)


@pytest.mark.parametrize("bad, match", [
    ([], "prior is empty"),
    ((np.zeros((3, 5), dtype=int), np.zeros(3)), "rows of length 5"),
    ((np.zeros((3, 6), dtype=int), [0.0, np.nan, 1.0]), "NaN or infinite"),
    ((np.zeros((3, 6), dtype=int), [0.0, np.inf, 1.0]), "NaN or infinite"),
    ((np.zeros((3, 6), dtype=int), [0.0, 1.0]), "one value per row"),
    ((np.full((2, 6), 9), [0.0, 1.0]), "choice index 9"),
    ((np.zeros((2, 6), dtype=int), [1.0, 1.0]), "at least two rows"),
])
def test_bad_priors_are_value_errors_naming_prior(nb201, bad, match):
    with pytest.raises(ValueError, match=match) as info:
        check_prior(bad, nb201["cifar100"].space)
    assert "prior" in str(info.value)


def test_a_table_of_another_space_and_other_types_are_refused(nb201):
    space = nb201["cifar100"].space
    with pytest.raises(ValueError, match="prior is a table of NASBenchGraphSpace.*accepted"):
        check_prior(load_benchmark("nasbench_graph", "cora"), space)
    with pytest.raises(ValueError, match=r"prior\[1\]"):
        check_prior([nb201["cifar10-valid"], (np.zeros((2, 5), dtype=int), [0.0, 1.0])], space)
    with pytest.raises(TypeError, match="prior must be"):
        check_prior("nasbench201:cifar10-valid", space)
    with pytest.raises(TypeError, match=r"prior\[1\] must be"):
        check_prior([nb201["cifar10-valid"], 3], space)
    with pytest.raises(ValueError, match="prior"):  # through every front end
        PredictorSampler(space, prior=[])
    with pytest.raises(ValueError, match="prior"):
        run_search(nb201["cifar100"], budget=3, prior=(np.zeros((2, 6), dtype=int), [0.0, np.nan]))


# -------------------------------------------------------------------------------------------------- mechanism
def test_a_shuffled_prior_loses_its_weight_and_a_related_one_keeps_some(nb201):
    target = nb201["cifar100"]
    space = target.space
    X, y = pair(target, 30, seed=1)
    related = pair(nb201["cifar10-valid"])
    shuffled = (related[0], np.random.default_rng(0).permutation(related[1]))
    model = fit_prior_model(fast_predictor(space), X, y, [related, shuffled], seed=0)
    assert isinstance(model, RankWeightedPrior)
    assert model.weights_.shape == (3,) and np.isclose(model.weights_.sum(), 1.0)
    assert model.weights_[1] < 0.05 < model.weights_[0]
    again = fit_prior_model(fast_predictor(space), X, y, [related, shuffled], seed=0)
    np.testing.assert_array_equal(model.weights_, again.weights_)  # from the round seed only
    P = model.predict_members(space.sample(50, 0))
    assert P.shape[1] == 50 and np.all((P >= 0) & (P <= 1))


def test_without_target_evaluations_the_prior_ranks_by_mean_rank(nb201):
    space = nb201["ImageNet16-120"].space
    priors = check_prior([nb201["cifar10-valid"], nb201["cifar100"]], space)
    model = fit_prior_model(fast_predictor(space), np.empty((0, 6), dtype=np.int64), np.empty(0), priors, seed=0)
    np.testing.assert_array_equal(model.weights_, [0.5, 0.5, 0.0])
    assert model.target_ is None
    best = best_prior_rows(priors, space, 10)
    scores = model.predict(best)
    assert np.all(np.diff(scores) <= 0)  # best_prior_rows is ordered by the same mean rank
    _, X_new = fit_and_propose(fast_predictor(space), RandomRankProposer(), np.empty((0, 6), dtype=np.int64),
                               np.empty(0), 3, seed=0, prior=priors)
    np.testing.assert_array_equal(X_new[0], best[0])  # a prior's best rows are always among the candidates
    with pytest.raises(ValueError, match="differentiable"):
        fit_and_propose(fast_predictor(space), GradientAscentProposer(), np.empty((0, 6), dtype=np.int64),
                        np.empty(0), 3, seed=0, prior=priors)


def test_a_partial_prior_scores_the_rows_it_lacks_with_a_predictor(nb201):
    space = nb201["cifar100"].space
    X, y = pair(nb201["cifar10-valid"], 200, seed=3)
    model = fit_prior_model(fast_predictor(space), np.empty((0, 6), dtype=np.int64), np.empty(0), [(X, y)], seed=0)
    held = model.predict(X[:5])
    np.testing.assert_allclose(held, model.scorers_[0].held(X[:5]))
    other = space.sample(100, 5)
    assert np.isfinite(model.predict(other)).all()


# ---------------------------------------------------------------------------------------------- front ends
def test_sampler_starts_from_the_prior_with_constraints_and_workers(nb201):
    target = nb201["ImageNet16-120"]
    space = target.space
    prior = [nb201["cifar10-valid"], nb201["cifar100"]]
    bound = Constraint("params", max_value=0.5)
    sampler = PredictorSampler(space, predictor=fast_predictor(space), prior=prior, constraints=bound, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    f = target.objective("valid")
    study.optimize(lambda t: float(f(space.suggest(t)[None])[0]), n_trials=8, n_jobs=2)
    rows = np.array([space.params_to_row(t.params) for t in study.trials])
    assert len(set(space.row_keys(rows))) == 8
    assert np.all(cost(space, rows, "params") <= 0.5)
    best = best_prior_rows(check_prior(prior, space), space, 200)
    within = best[cost(space, best, "params") <= 0.5]
    first = min(study.trials, key=lambda t: t.number)
    assert space.row_keys(rows[first.number][None])[0] in set(space.row_keys(within[:10]))


def test_sampler_with_a_prior_takes_several_objectives(nb201):
    target = nb201["cifar100"]
    space = target.space
    sampler = PredictorSampler(space, predictor=fast_predictor(space), prior=nb201["cifar10-valid"], seed=0)
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    study.optimize(lambda t: (float(target.query(space.suggest(t)[None])[0]),
                              float(cost(space, space.suggest(t)[None], "params")[0])), n_trials=7)
    assert len(study.best_trials) >= 1


def test_run_search_starts_from_the_prior(nb201):
    target = nb201["cifar100"]
    priors = [nb201["cifar10-valid"], nb201["ImageNet16-120"]]
    hist = run_search(target, budget=7, predictor=fast_predictor(target.space), prior=priors, random_state=0)
    assert len(hist) == 7 and list(hist["round"][:3]) == [0, 0, 0]
    best = best_prior_rows(check_prior(priors, target.space), target.space, 3)
    assert hist["row"][0] == tuple(best[0])


def test_compare_methods_with_a_prior():
    prior = ("nasbench201:cifar10-valid", "nasbench201:cifar100")
    run = run_study("nasbench201:ImageNet16-120", "enqueue-tpe", 0, 11, prior=prior)
    space = NASBench201Space(n_classes=120, input_size=16)
    from sknas.compare import load_prior

    best = best_prior_rows(load_prior(prior, space), space, 10)
    np.testing.assert_array_equal(run["rows"][:10], best)
    with pytest.raises(ValueError, match="needs prior tables"):
        run_study("nasbench201:ImageNet16-120", "enqueue-tpe", 0, 3)


def test_search_cv_starts_from_a_prior_of_own_measurements():
    """A prior of (X, y) pairs a user measured before, on a space no public table covers."""
    import warnings

    from sklearn.datasets import load_breast_cancer
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sknas.search import PredictorSearchCV
    from sknas.spaces import MLPSpace

    X, y = load_breast_cancer(return_X_y=True)
    space = MLPSpace(max_depth=2, widths=(4, 16), activations=("relu",))
    rows = space.enumerate()
    widths = np.array([sum(w for w, _ in space.layers(r)) for r in rows], dtype=float)  # "bigger was better"
    search = PredictorSearchCV(
        make_pipeline(StandardScaler(), MLPClassifier(max_iter=30, random_state=0)), space,
        arch_param="mlpclassifier__hidden_layer_sizes", arch_format=lambda r: tuple(w for w, _ in space.layers(r)),
        predictor=fast_predictor(space), budget=4, round_size=2, cv=2, random_state=0, prior=(rows, widths))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning
        search.fit(X, y)
    assert list(search.cv_results_["round"]) == [0, 0, 1, 1]
    assert search.cv_results_["params"][0]["mlpclassifier__hidden_layer_sizes"] == (16, 16)
    assert search.propose(2).shape == (2, space.n_decisions)


def test_cli_prior(capsys, tmp_path):
    from sknas.cli import main

    prior = "nasbench201:cifar10-valid,nasbench201:cifar100"
    assert main(["study", "--dataset", "ImageNet16-120", "--method", "enqueue-tpe", "--budget", "11",
                 "--prior", prior]) == 0
    assert "validation regret" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:  # a method that needs a prior, without one
        main(["study", "--method", "enqueue-tpe", "--budget", "3"])
    assert info.value.code == 2 and "--prior" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["study", "--prior", "nasbench999:x", "--budget", "3"])
    assert "benchmark:dataset" in capsys.readouterr().err
    assert main(["compare", "--dataset", "ImageNet16-120", "--methods", "enqueue-tpe,random", "--budget", "11",
                 "--seeds", "1", "--jobs", "1", "--prior", prior, "--output", str(tmp_path)]) == 0
    assert "enqueue-tpe" in (tmp_path / "summary.md").read_text()


def test_priors_clearly_worse_than_the_target_take_no_weight():
    """RGPE's guard against weight dilution: a prior whose median bootstrap loss is above the target predictor's
    95th percentile is dropped, however many resamples it wins by chance (here one of eight unrelated priors,
    Kendall tau 0.37 against the target's 0.67, won 2% of them)."""
    from sknas.predictors._prior import _rank_weights

    y = np.random.default_rng(0).normal(size=25)
    target = y + 0.5 * np.random.default_rng(1).normal(size=25)
    unrelated = [np.random.default_rng(10 + k).permutation(y) for k in range(8)]
    weights = _rank_weights(unrelated + [target], y, np.random.default_rng(0), target=True)
    np.testing.assert_array_equal(weights, [0] * 8 + [1])
    # before the target's predictor joins (too few evaluations), nothing is dropped: the priors are all there is
    alone = _rank_weights(unrelated, y, np.random.default_rng(0), target=False)
    assert np.isclose(alone.sum(), 1.0) and (alone > 0).sum() >= 2
