"""PredictorPruner on real Optuna studies over the NAS-Bench-201 table (12-epoch values as the short training),
beside Optuna's samplers and the sknas samplers, and the sknas samplers beside Optuna's pruners."""

import textwrap
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState, create_trial

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench201
from sknas.pruners import PredictorPruner
from sknas.samplers import PredictorSampler

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module")
def bench():
    return load_nasbench201("cifar100")


def short_first(bench):
    """The objective of a user who trains 12 epochs, asks the pruner, then trains to the end."""
    def objective(trial):
        row = bench.space.suggest(trial)
        trial.report(float(bench.query([row], "valid_12")[0]), 12)
        if trial.should_prune():
            raise optuna.TrialPruned()
        return float(bench.query([row])[0])

    return objective


def sampler(bench, seed=0):
    return PredictorSampler(bench.space, n_initial=6, round_size=4, seed=seed,
                            predictor=ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=20))


def add(study, short, final=None, number_state=TrialState.COMPLETE):
    study.add_trial(create_trial(state=number_state, value=final, intermediate_values={12: short},
                                 params={"x": 0.0}, distributions={"x": FloatDistribution(0, 1)}))


def running(short):
    return create_trial(state=TrialState.RUNNING, intermediate_values={12: short}, params={"x": 0.0},
                        distributions={"x": FloatDistribution(0, 1)})


def test_a_low_rank_and_a_low_chance_both_prune(bench):
    study = optuna.create_study(direction="maximize")
    for s in (40.0, 45.0, 50.0, 55.0, 60.0):  # final = short + 20, give or take a point
        add(study, s, s + 20.0 + (1.0 if s % 10 else -1.0))
    for s in (70.0, 71.0, 72.0, 73.0):
        add(study, s, number_state=TrialState.PRUNED)
    pruner = PredictorPruner()
    assert pruner.prune(study, running(30.0))  # last at the step, predicted about 50 against a best of 79
    assert not pruner.prune(study, running(62.0))  # not in the best third, but predicted about 82: goes on
    assert not pruner.prune(study, running(74.0))  # the best at the step goes on
    assert pruner.prune(study, running(float("nan")))  # a NaN report is pruned, as Optuna's pruners do


def test_successive_halving_before_the_regression(bench):
    study = optuna.create_study(direction="minimize")  # loss: lower is better
    add(study, 0.5, 0.4)
    add(study, 0.3, number_state=TrialState.PRUNED)
    add(study, 0.9, number_state=TrialState.PRUNED)
    pruner = PredictorPruner(reduction_factor=3)
    assert not pruner.prune(study, running(0.2))  # the best at the step: goes on
    assert pruner.prune(study, running(0.4))  # not the best 1 of 4
    assert not PredictorPruner(n_warmup_steps=20).prune(study, running(0.4))  # step 12 is in the warm-up


def test_beside_tpe_prunes_poor_short_trainings(bench):
    study = optuna.create_study(direction="maximize", pruner=PredictorPruner(),
                                sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(short_first(bench), n_trials=40)
    pruned = [t for t in study.trials if t.state == TrialState.PRUNED]
    done = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert len(pruned) >= 10 and len(done) >= 5
    assert np.mean([t.intermediate_values[12] for t in pruned]) < np.mean([t.intermediate_values[12] for t in done])
    assert study.best_value == max(t.value for t in done)


def test_sknas_sampler_learns_from_pruned_trials_beside_successive_halving(bench):
    study = optuna.create_study(direction="maximize", sampler=sampler(bench),
                                pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=12, reduction_factor=3))
    study.optimize(short_first(bench), n_trials=30)
    states = [t.state for t in study.trials]
    assert states.count(TrialState.PRUNED) >= 5 and states.count(TrialState.COMPLETE) >= 3
    from sknas.samplers._base import _pruned_values

    X, y, claimed, _, trials = study.sampler._history(study.trials, study, -1)
    assert len(X) == len(study.trials) == len(claimed)  # every pruned trial is data, at its predicted final value
    y = _pruned_values(trials, y, 1.0)
    assert np.isfinite(y).all()
    assert len(set(bench.space.row_keys(X))) == 30
    pruned = np.array([s == TrialState.PRUNED for s in states])
    # a pruned trial's value is the final value its 12-epoch value predicts: on the scale of the final values
    assert abs(np.median(y[pruned]) - np.median(bench.metrics["valid"])) < 15


def test_same_seed_same_study_with_pruning(bench):
    def run():
        study = optuna.create_study(direction="maximize", sampler=sampler(bench, seed=3), pruner=PredictorPruner())
        study.optimize(short_first(bench), n_trials=16)
        return [(t.params, t.state) for t in study.trials]

    assert run() == run()


def test_bad_arguments():
    for kw, match in [({"threshold": 1.5}, "threshold"), ({"reduction_factor": 1}, "reduction_factor"),
                      ({"n_warmup_steps": -1}, "n_warmup_steps"), ({"threshold": "high"}, "threshold")]:
        with pytest.raises((ValueError, TypeError), match=match):
            PredictorPruner(**kw)
    study = optuna.create_study(directions=["maximize", "minimize"])
    with pytest.raises(ValueError, match="one objective"):
        PredictorPruner().prune(study, running(1.0))


WORKER = textwrap.dedent("""
    import sys, optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from sknas.datasets import load_nasbench201
    from sknas.pruners import PredictorPruner

    sys.path.insert(0, {here!r})
    from test_pruners import sampler, short_first

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bench = load_nasbench201("cifar100")
    study = optuna.load_study(study_name="shared", storage=JournalStorage(JournalFileBackend(path)),
                              sampler=sampler(bench, seed), pruner=PredictorPruner())
    study.optimize(short_first(bench), n_trials=n)
    """).format(here=str(Path(__file__).parent))


@pytest.mark.slow
def test_workers_on_one_storage_with_pruned_trials(journal_workers, bench):
    study = journal_workers(WORKER, (1, 2), 15)
    states = [t.state for t in study.trials]
    assert len(states) == 30 and set(states) == {TrialState.COMPLETE, TrialState.PRUNED}
    X = np.array([bench.space.params_to_row(t.params) for t in study.trials])
    assert len(set(bench.space.row_keys(X))) >= 28  # claims keep workers apart; duplicates only from a tie at start


def test_fill_stopped_predicts_from_the_evaluations_that_hold_both():
    from sknas.search import fill_stopped

    short = np.array([40.0, 45.0, 50.0, 55.0, 30.0, np.nan, 60.0])
    final = np.array([60.0, 65.0, 70.0, 75.0, np.nan, np.nan, np.nan])
    stopped = np.array([False, False, False, False, True, True, False])
    out = fill_stopped(short, final, stopped)
    assert out[4] == pytest.approx(50.0, abs=1.0)  # on the line final = short + 20
    assert np.isnan(out[5]) and np.isnan(out[6])  # no short value; not stopped (a failed evaluation)
    np.testing.assert_array_equal(out[:4], final[:4])
    assert np.isnan(fill_stopped(short[3:], final[3:], stopped[3:])[1])  # one reference: nothing predicted
