"""Several objectives: Pareto fronts, hypervolume, ParEGO rounds in the loop, the samplers, compare and the CLI."""

import json

import numpy as np
import optuna
import pandas as pd
import pytest

from sknas import ArchitectureRegressor
from sknas.acquisitions import PredictedImprovement, scalarise
from sknas.cli import main
from sknas.compare import median_front, parse_objectives, run_study, summarise_fronts, true_front
from sknas.encodings import relax
from sknas.metrics import hypervolume, hypervolume_improvement, hypervolume_regret, pareto_front
from sknas.proposers import GradientAscentProposer, RandomRankProposer
from sknas.samplers import PredictorSampler, RegularizedEvolutionSampler
from sknas.search import fit_and_propose, initial_design, run_search

optuna.logging.set_verbosity(optuna.logging.WARNING)
OBJECTIVES = ("valid", "latency_pixel3")


def fast_predictor(space):
    return ArchitectureRegressor(space, model="mlp", model__max_epochs=20, random_state=0)


def brute_force_front(Y):
    Y = np.asarray(Y, dtype=float)
    ge = (Y[:, None, :] >= Y[None, :, :]).all(axis=2)
    gt = (Y[:, None, :] > Y[None, :, :]).any(axis=2)
    return ~(ge & gt).any(axis=0)


def test_pareto_front_matches_brute_force():
    rng = np.random.default_rng(0)
    for Y in (rng.random((300, 2)), rng.integers(0, 4, (200, 3)).astype(float), rng.random((1, 2))):
        assert (pareto_front(Y) == brute_force_front(Y)).all()


def test_hypervolume_matches_monte_carlo():
    rng = np.random.default_rng(1)
    Y = rng.random((40, 2))
    P = rng.random((200_000, 2))
    covered = (P[:, None, :] < Y[None, pareto_front(Y), :]).all(axis=2).any(axis=1).mean()
    assert hypervolume(Y, [0, 0]) == pytest.approx(covered, abs=0.01)
    assert hypervolume(Y, [2, 2]) == 0.0  # nothing beyond the reference point
    assert hypervolume(np.vstack([Y, Y[pareto_front(Y)] - 0.01]), [0, 0]) == hypervolume(Y, [0, 0])


def test_hypervolume_regret_is_zero_on_the_front_and_100_below_it():
    front, ref = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]), np.array([-1.0, -1.0])
    assert hypervolume_regret(front, front, ref) == 0.0
    assert 0 < hypervolume_regret(front[:2], front, ref) < 100
    assert hypervolume_regret(front - 5, front, ref) == 100.0
    assert hypervolume_regret(front * [10, 1], front * [10, 1], ref * [10, 1]) == 0.0  # units do not matter
    with pytest.raises(ValueError, match="reference point below"):
        hypervolume_regret(front, front, [2.0, 0.0])


@pytest.mark.parametrize("bad, match", [
    (np.array([1.0, 2.0]), "2-D"), (np.array([[1.0, np.nan]]), "finite"), (np.ones((3, 3)), "two objectives")])
def test_bad_points_are_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        pareto_front(bad) if match != "two objectives" else hypervolume(bad, [0, 0])


def test_hypervolume_improvement_is_the_hypervolume_a_point_adds():
    rng = np.random.default_rng(3)
    for n_front in (0, 1, 7):
        front, Y, ref = rng.random((n_front, 2)), rng.random((50, 2)), np.array([-0.1, 0.05])
        before = hypervolume(front, ref) if n_front else 0.0
        added = [hypervolume(np.vstack([front, y]), ref) - before for y in Y]
        np.testing.assert_allclose(hypervolume_improvement(Y, front, ref), added, atol=1e-12)
    with pytest.raises(ValueError, match="two objectives"):
        hypervolume_improvement(np.ones((2, 3)), np.ones((1, 2)), [0, 0])


def two_objectives(bench, X):
    return np.column_stack([bench.query(X), -bench.query(X, "latency_pixel3")])


def test_predicted_improvement_scores_and_picks_a_batch_greedily(bench):
    X = initial_design(bench.space, 20, 0)
    Y = two_objectives(bench, X)
    model = PredictedImprovement(fast_predictor(bench.space), X, Y, seed=0)
    fitted = model.predict_objectives(X)  # mapped to the values' scale: their mean and spread
    np.testing.assert_allclose(fitted.mean(axis=0), Y.mean(axis=0))
    np.testing.assert_allclose(fitted.std(axis=0), Y.std(axis=0))

    C = initial_design(bench.space, 300, 1, exclude=X)
    score = model.predict(C)
    scaled = (model.predict_objectives(C) - Y.min(axis=0)) / np.ptp(Y, axis=0)
    gain = hypervolume_improvement(scaled, model.front_, model.reference_)
    assert ((score > 0) == (gain > 0)).all() and (score[gain > 0] == gain[gain > 0]).all()
    picks = model.greedy(C, 5)
    assert picks[0] == np.argmax(score) and len(set(picks.tolist())) == 5

    def volume(idx):
        return hypervolume(np.vstack([model.front_, scaled[idx]]), model.reference_)

    assert volume(picks) >= volume(np.argsort(-score)[:5]) - 1e-12  # the batch covers more than the top five
    with pytest.raises(ValueError, match="two objectives"):
        PredictedImprovement(fast_predictor(bench.space), X, np.column_stack([Y, Y[:, :1]]), seed=0)


def test_predicted_improvement_is_differentiable_for_gradient_ascent(bench):
    import torch

    X = initial_design(bench.space, 16, 0)
    Y = two_objectives(bench, X)
    predictor = ArchitectureRegressor(bench.space, model="gcn", model__max_epochs=10, random_state=0)
    model = PredictedImprovement(predictor, X, Y, seed=0)
    C = initial_design(bench.space, 200, 1, exclude=X)
    Z = torch.tensor(relax(bench.space, C), dtype=torch.float32, requires_grad=True)
    score = model.predict_relaxed(Z)
    np.testing.assert_allclose(score.detach().numpy(), model.predict(C), rtol=1e-4, atol=1e-6)  # one-hot: predict
    score.sum().backward()
    assert torch.isfinite(Z.grad).all() and Z.grad.abs().sum() > 0
    model, rows = fit_and_propose(predictor, GradientAscentProposer(n_steps=4), X, Y, 3, seed=0,
                                  multi_objective="hvi")
    assert isinstance(model, PredictedImprovement) and len(rows) == 3
    assert not set(bench.space.row_keys(rows)) & set(bench.space.row_keys(X))
    trees = PredictedImprovement(ArchitectureRegressor(bench.space, model="xgboost", random_state=0), X, Y, seed=0)
    with pytest.raises(ValueError, match="is not differentiable"):
        trees.predict_relaxed(Z)


def test_fit_and_propose_rules_on_two_objectives(bench):
    X = initial_design(bench.space, 16, 0)
    Y, predictor, proposer = two_objectives(bench, X), fast_predictor(bench.space), RandomRankProposer(500)
    model, rows = fit_and_propose(predictor, proposer, X, Y, 3, seed=0, exclude=X[:0], multi_objective="hvi")
    assert isinstance(model, PredictedImprovement) and len(rows) == 3
    assert not set(bench.space.row_keys(rows)) & set(bench.space.row_keys(X))
    model, _ = fit_and_propose(predictor, proposer, X, Y, 3, seed=0, multi_objective="parego")
    assert isinstance(model, ArchitectureRegressor)
    rules = {type(fit_and_propose(predictor, proposer, X, Y, 1, seed=s)[0]) for s in range(8)}
    assert rules == {PredictedImprovement, ArchitectureRegressor}  # "mixed" draws both
    for s in range(4):  # gradient ascent needs a differentiable predictor: "mixed" keeps to ParEGO for it
        model, _ = fit_and_propose(predictor, GradientAscentProposer(n_steps=2), X, Y, 1, seed=s)
        assert isinstance(model, ArchitectureRegressor)
    with pytest.raises(ValueError, match="multi_objective='pareto' is not supported"):
        fit_and_propose(predictor, proposer, X, Y, 1, seed=0, multi_objective="pareto")
    with pytest.raises(ValueError, match="multi_objective='best' is not supported"):
        PredictorSampler(bench.space, multi_objective="best")


def test_scalarise_has_its_maxima_on_the_front():
    rng = np.random.default_rng(2)
    Y = rng.random((200, 2))
    on_front = pareto_front(Y)
    for seed in range(20):
        y = scalarise(Y, seed)
        assert on_front[np.argmax(y)]
    assert not np.array_equal(scalarise(Y, 0), scalarise(Y, 1))  # a new weight per seed
    with pytest.raises(ValueError, match="one column per objective"):
        scalarise(Y[:, :1], 0)


def test_loop_searches_two_objectives_and_resumes(bench, tmp_path):
    kw = dict(budget=16, metric=list(OBJECTIVES), predictor=fast_predictor(bench.space), random_state=0,
              multi_objective="hvi")
    history = run_search(bench, **kw)
    assert list(history.columns[:5]) == ["round", "row", "arch", "value_1", "value_2"]
    assert "pareto" in history and "best" not in history
    rows = np.array(history["row"].tolist())
    np.testing.assert_allclose(history["value_2"], -bench.query(rows, "latency_pixel3"))  # costs negated
    Y = history[["value_1", "value_2"]].to_numpy()
    assert (history["pareto"].to_numpy() == pareto_front(Y)).all()

    path = tmp_path / "history.csv"
    run_search(bench, **{**kw, "budget": 13}, checkpoint=path)  # interrupted after round 1 ...
    resumed = run_search(bench, **kw, checkpoint=path)  # ... and continued from the file
    assert resumed["row"].astype(str).tolist() == history["row"].astype(str).tolist()


def test_loop_rejects_a_changing_number_of_objectives(bench):
    calls = []

    def objective(X):
        calls.append(len(X))
        return np.ones((len(X), 2 if len(calls) == 1 else 3))

    with pytest.raises(ValueError, match="returned 3 objectives per architecture; earlier, 2"):
        run_search(objective, bench.space, budget=14, predictor=fast_predictor(bench.space), random_state=0)


def test_sampler_finds_a_front_on_a_two_objective_study(bench):
    def objective(trial):
        row = bench.space.suggest(trial)[None, :]
        return float(bench.query(row)[0]), float(bench.query(row, "latency_pixel3")[0])

    sampler = PredictorSampler(bench.space, predictor=fast_predictor(bench.space), n_initial=8, seed=0)
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=20)
    rows = np.array([bench.space.params_to_row(t.params) for t in study.trials])
    assert len(set(bench.space.row_keys(rows))) == 20  # no architecture twice
    assert 1 <= len(study.best_trials) <= 20
    with pytest.raises(ValueError, match="optimises a single objective"):
        optuna.create_study(directions=["maximize", "minimize"],
                            sampler=RegularizedEvolutionSampler(bench.space, seed=0)).optimize(objective, n_trials=1)


def test_run_study_and_summary_on_two_objectives(bench):
    run = run_study("nasbench201:cifar10-valid", "random", 0, 30, objectives="valid,latency:pixel3")
    assert run["objectives"] == OBJECTIVES and run["points"].shape == (30, 2)
    front, reference = true_front(bench, OBJECTIVES)
    Y = np.column_stack([bench.metrics["valid"], -bench.metrics["latency_pixel3"]])
    assert len(front) == len(np.unique(Y[pareto_front(Y)], axis=0))
    np.testing.assert_allclose(reference, Y.min(axis=0))
    summary = summarise_fronts([run], [10, 30], front, reference)
    assert 0 < summary[30]["regret_mean"] <= summary[10]["regret_mean"] < 100
    runs = [dict(run, seed=s, points=run["points"][:n]) for s, n in enumerate((5, 30, 15))]
    median, points = median_front(runs, front, reference)  # regret falls with the trials: 15 is the median
    assert median["seed"] == 2 and len(points) >= 1
    np.testing.assert_array_equal(points, runs[2]["points"][pareto_front(runs[2]["points"])])
    with pytest.raises(ValueError, match="optimises one objective"):
        run_study("nasbench201:cifar10-valid", "rea", 0, 5, objectives=OBJECTIVES)
    with pytest.raises(ValueError, match="latency_mars not a metric"):
        parse_objectives("valid,latency:mars", bench)
    with pytest.raises(ValueError, match="one or two distinct"):
        parse_objectives("valid,valid", bench)


def test_cli_compare_and_search_on_two_objectives(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", "--objectives", "valid,latency:pixel3", "--methods", "sknas,random", "--budget", "14",
                 "--seeds", "2", "--jobs", "1", "--fast", "--output", str(out)]) == 0
    assert "| sknas | 14 |" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objectives"] == list(OBJECTIVES) and set(summary["methods"]) == {"sknas", "random"}
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 2 * 2 * 14 and (trials["latency_pixel3"] > 0).all()
    assert (out / "fronts_nasbench201_cifar10-valid.png").stat().st_size > 10_000

    assert main(["search", "--objectives", "valid,params", "--method", "random", "--budget", "20",
                 "--output", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Pareto front found" in text and "hypervolume regret" in text
    front = pd.read_csv(out / "front.csv")
    assert list(front.columns) == ["trial", "arch", "valid", "params"] and (out / "front.png").is_file()


def test_cli_rejects_single_objective_methods_on_two(capsys):
    for argv, message in {
        ("compare", "--objectives", "valid,params", "--methods", "rea,tpe"): "rea optimise(s) one objective",
        ("search", "--objectives", "valid,watts"): "watts not a metric",
    }.items():
        with pytest.raises(SystemExit) as exc:
            main(list(argv))
        assert exc.value.code == 2 and message in capsys.readouterr().err
