"""The comparison in the regime users pay for: one seed's observation per trial, budgets in training time, the
predictor's recommendation (real tables, real Optuna studies)."""

import numpy as np
import pytest

from sknas.compare import load_spec, median_cost, regret_curve, returned, run_study, summarise, trials_within

SPEC = "nasbench201:cifar10-valid"


@pytest.fixture(scope="module")
def bench():
    return load_spec(SPEC)


def test_noisy_draws_are_reproducible_per_seed_values(bench):
    run = run_study(SPEC, "random", 3, 15, noisy=True)
    again = run_study(SPEC, "random", 3, 15, noisy=True)
    np.testing.assert_array_equal(run["observed"], again["observed"])
    seeds = bench.per_seed["valid"][bench.index(run["rows"])]
    for value, cell in zip(run["observed"], seeds):
        assert value in cell[np.isfinite(cell)]  # one training seed's value of the cell, never the mean
    np.testing.assert_array_equal(run["valid"], bench.query(run["rows"], "valid"))  # the seed means
    assert (run["observed"] != run["valid"]).any()
    # the draw of trial i is seeded by (study seed, i), whatever the method
    for i, row in enumerate(run["rows"]):
        assert run["observed"][i] == bench.query(row[None], "valid", noisy=True,
                                                 random_state=np.random.default_rng([3, i]))[0]
    plain = run_study(SPEC, "random", 3, 15)  # the noise-free mode observes the seed means
    np.testing.assert_array_equal(plain["observed"], plain["valid"])
    np.testing.assert_array_equal(plain["rows"], run["rows"])


def test_scoring_rule_returns_the_best_observation_and_scores_its_seed_mean():
    run = {"method": "m", "seed": 0, "valid": np.array([90.0, 91.0, 89.0, 91.5]),
           "observed": np.array([90.5, 90.2, 91.0, 91.0]), "test": np.array([1.0, 2.0, 3.0, 4.0]), "wall": 1.0,
           "recommended": {2: 1, 4: 3}}
    np.testing.assert_array_equal(returned(run), [0, 0, 2, 2])  # a tie keeps the first
    np.testing.assert_allclose(regret_curve([run], 92.0)[0], [2.0, 2.0, 3.0, 3.0])
    s = summarise([run], [2, 4], 92.0)
    assert s[2]["regret_mean"] == pytest.approx(2.0) and s[4]["regret_mean"] == pytest.approx(3.0)
    assert s[4]["test_of_best_valid"] == 3.0 and s[2]["regret_se"] is None
    assert s[2]["recommended_regret_mean"] == pytest.approx(1.0) and s[4]["recommended_regret_mean"] == 0.5
    noise_free = {k: v for k, v in run.items() if k not in ("observed", "recommended")}
    np.testing.assert_array_equal(returned(noise_free), [0, 1, 1, 3])
    assert "recommended_regret_mean" not in summarise([noise_free], [2], 92.0)[2]


def test_cost_budgets_cut_the_trials_whose_cumulative_cost_fits():
    run = {"method": "m", "seed": 0, "valid": np.array([90.0, 91.0, 89.0, 91.5]), "cost": np.array([3., 4., 5., 2.]),
           "test": np.zeros(4), "wall": 1.0}  # cumulative cost 3, 7, 12, 14
    np.testing.assert_array_equal(trials_within(run, [2, 3, 7, 11, 13], cost_unit=1.0), [1, 1, 2, 2, 3])
    np.testing.assert_array_equal(trials_within(run, [3.5, 6], cost_unit=2.0), [2, 3])
    np.testing.assert_array_equal(trials_within(run, [2, 10]), [2, 4])  # budgets in trials
    with pytest.raises(ValueError, match="budgets: the run of m seed 0 spent 14 s"):
        trials_within(run, [14], cost_unit=1.0)  # the run may have had a fifth trial within the budget
    s = summarise([run], [7, 13], 92.0, cost_unit=1.0)
    assert s[7]["trials_mean"] == 2 and s[7]["regret_mean"] == pytest.approx(1.0)
    assert s[13]["trials_mean"] == 3 and s[13]["regret_mean"] == pytest.approx(1.0)
    np.testing.assert_allclose(regret_curve([run], 92.0, [2, 7, 13], 1.0)[0], [2.0, 1.0, 1.0])


def test_a_cost_study_runs_until_its_budget_is_spent_and_resumes(bench, tmp_path):
    unit = median_cost(bench)
    assert unit == pytest.approx(np.median(bench.metrics["train_time"]))
    run = run_study(SPEC, "tpe", 0, None, cost_budget=4 * unit, noisy=True, recommend_at=[2 * unit, 4 * unit],
                    fast=True)
    spent = np.cumsum(run["cost"])
    assert spent[-1] > 4 * unit >= spent[-2]  # stops with the trial that exceeds the budget
    np.testing.assert_array_equal(run["cost"], bench.query(run["rows"], "train_time"))
    counts = trials_within(run, [2, 4], unit)
    assert sorted(run["recommended"]) == counts.tolist()
    assert all(0 <= t < n for n, t in run["recommended"].items())
    journal = str(tmp_path / "studies.journal")
    first = run_study(SPEC, "random", 1, None, cost_budget=3 * unit, noisy=True, storage=journal)
    longer = run_study(SPEC, "random", 1, None, cost_budget=6 * unit, noisy=True, storage=journal)
    assert np.cumsum(longer["cost"])[-1] > 6 * unit and len(longer["valid"]) > len(first["valid"])
    np.testing.assert_array_equal(longer["observed"][:len(first["valid"])], first["observed"])


def test_bad_regimes_raise_naming_the_argument():
    with pytest.raises(ValueError, match="noisy=True needs one objective"):
        run_study(SPEC, "random", 0, 5, noisy=True, objectives=("valid", "params"))
    with pytest.raises(ValueError, match="noisy=True needs one objective, valid"):
        run_study(SPEC, "random", 0, 5, noisy=True, objectives=("test",))
    with pytest.raises(ValueError, match="cost_budget must be a positive number"):
        run_study(SPEC, "random", 0, None, cost_budget=0)
    with pytest.raises(ValueError, match="budget: give a number of trials, or a cost_budget"):
        run_study(SPEC, "random", 0, None)
    with pytest.raises(ValueError, match="cost budgets need the training time"):
        run_study("nasbench101", "random", 0, None, cost_budget=10.0)


def test_short_trainings_first_cost_a_fraction_and_only_full_ones_are_returned(tmp_path):
    spec = "nasbench201:cifar100"
    bench = load_spec(spec)
    unit = median_cost(bench)
    run = run_study(spec, "tpe-sha", 0, None, noisy=True, cost_budget=5 * unit, storage=str(tmp_path / "j.log"))
    full = run["full"]
    assert full.any() and (~full).any()
    np.testing.assert_allclose(run["short"], bench.query(run["rows"], "valid_12"))
    np.testing.assert_allclose(run["cost"], bench.query(run["rows"], "train_time") * np.where(full, 1, 12 / 200))
    assert np.isnan(run["observed"][~full]).all() and np.isfinite(run["observed"][full]).all()
    assert run["cost"].sum() > 5 * unit and run["cost"][:-1].sum() <= 5 * unit
    best = returned(run)[-1]
    assert full[best] and run["observed"][best] == np.nanmax(run["observed"])
    # a method without a pruner reports no short training: same study as before, every trial in full
    plain = run_study(spec, "tpe", 0, None, noisy=True, cost_budget=2 * unit)
    assert "full" not in plain


def test_while_every_trial_is_pruned_the_best_short_training_is_returned():
    run = {"valid": np.array([70.0, 71.0, 72.0, 69.0]), "observed": np.array([np.nan, np.nan, 68.0, np.nan]),
           "short": np.array([40.0, 45.0, 30.0, 50.0])}
    np.testing.assert_array_equal(returned(run), [0, 1, 2, 2])  # any full training ranks above short ones


def test_studies_with_hyperband_are_reproducible():
    # HyperbandPruner draws each trial's bracket from the study's name: an unnamed in-memory study gets a random
    # one, and two runs of the same seed pruned different trials
    runs = [run_study("nasbench201:cifar100", "tpe-hyperband", 1, 40, noisy=True) for _ in range(2)]
    np.testing.assert_array_equal(runs[0]["rows"], runs[1]["rows"])
    np.testing.assert_array_equal(runs[0]["full"], runs[1]["full"])
    assert (~runs[0]["full"]).any()
