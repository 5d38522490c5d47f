import subprocess
import sys
import textwrap

import numpy as np
import optuna
import pytest
from optuna.testing.pytest_samplers import (
    BasicSamplerTestCase,
    MultiObjectiveSamplerTestCase,
    RelativeSamplerTestCase,
    SingleOnlySamplerTestCase,
)

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench201
from sknas.proposers import GradientAscentProposer
from sknas.samplers import NeuralPredictorSampler, PredNASSampler, RegularizedEvolutionSampler
from sknas.spaces import NASBench201Space, cost

optuna.logging.set_verbosity(optuna.logging.WARNING)
SPACE = NASBench201Space()


def fast_predictor(space=SPACE):
    return ArchitectureRegressor(space, model="mlp", model__max_epochs=20, random_state=0)


FACTORIES = {
    "prednas": lambda seed=0, **kw: PredNASSampler(
        SPACE, predictor=fast_predictor(), proposer=GradientAscentProposer(n_starts=4, n_random_starts=4, n_steps=8),
        n_initial=kw.pop("n_initial", 5), round_size=kw.pop("round_size", 5), seed=seed, **kw),
    "neural-predictor": lambda seed=0, **kw: NeuralPredictorSampler(
        SPACE, predictor=fast_predictor(), n_initial=kw.pop("n_initial", 5),
        round_size=kw.pop("round_size", 5), seed=seed, **kw),
    "rea": lambda seed=0, **kw: RegularizedEvolutionSampler(SPACE, population_size=5, tournament_size=2, seed=seed,
                                                           **kw),
}


@pytest.fixture(params=list(FACTORIES), scope="module")
def factory(request):
    return FACTORIES[request.param]


class TestOptunaContracts(BasicSamplerTestCase, RelativeSamplerTestCase):
    @pytest.fixture
    def sampler(self, factory):
        return factory


class TestOptunaMultiObjectiveContracts(MultiObjectiveSamplerTestCase):
    """The predictor samplers take several objectives (ParEGO rounds)."""

    @pytest.fixture(params=["prednas", "neural-predictor"])
    def sampler(self, request):
        return FACTORIES[request.param]


class TestOptunaSingleOnlyContracts(SingleOnlySamplerTestCase):
    """Regularized evolution ranks by one value."""

    @pytest.fixture
    def sampler(self):
        return FACTORIES["rea"]


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench201("cifar10-valid")


def nb201_objective(bench):
    def objective(trial):
        return float(bench.query([bench.space.suggest(trial)])[0])

    return objective


def rows_of(study):
    return np.array([SPACE.params_to_row(t.params) for t in study.trials if t.params])


def test_studies_on_nb201(factory, bench):
    study = optuna.create_study(direction="maximize", sampler=factory())
    study.optimize(nb201_objective(bench), n_trials=20)
    X = rows_of(study)
    assert len(X) == 20 and SPACE.is_valid(X).all()
    assert len(set(SPACE.row_keys(X))) == 20  # no architecture twice, even up to equivalence
    assert study.best_value > np.median(bench.metrics["valid"])


def test_same_seed_same_parameters(factory, bench):
    def run(seed):
        study = optuna.create_study(direction="maximize", sampler=factory(seed))
        study.optimize(nb201_objective(bench), n_trials=12)
        return [t.params for t in study.trials]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_minimize_failed_pruned_and_enqueued(factory, bench):
    study = optuna.create_study(direction="minimize", sampler=factory())
    enqueued = {n: "nor_conv_3x3" for n in SPACE.decision_names}
    study.enqueue_trial(enqueued)

    def objective(trial):
        row = SPACE.suggest(trial)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)  # not an architecture decision: independent
        if trial.number == 3:
            raise optuna.TrialPruned()
        if trial.number == 4:
            raise RuntimeError("a failed training run")
        return float(bench.query([row])[0]) + lr

    study.optimize(objective, n_trials=16, catch=(RuntimeError,))
    assert study.trials[0].params == {**enqueued, "lr": study.trials[0].params["lr"]}
    states = [t.state for t in study.trials]
    assert states.count(optuna.trial.TrialState.PRUNED) == 1 and states.count(optuna.trial.TrialState.FAIL) == 1
    assert all(1e-4 <= t.params["lr"] <= 1e-1 for t in study.trials)
    done = [t.value for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert study.best_value == min(done)


def test_multi_objective_is_refused_by_evolution_only(factory):
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=factory())
    objective = lambda t: (float(SPACE.suggest(t).sum()), float(cost(SPACE, SPACE.suggest(t)[None, :], "params")[0]))  # noqa: E731
    if factory is FACTORIES["rea"]:
        with pytest.raises(ValueError, match="single objective"):
            study.optimize(objective, n_trials=1)
    else:
        study.optimize(objective, n_trials=8)
        assert len(study.best_trials) >= 1


def test_bad_arguments():
    with pytest.raises(TypeError, match="space must be Space"):
        PredNASSampler("nb201")
    with pytest.raises(ValueError, match=r"round_size must be an integer in \[1, inf\]"):
        PredNASSampler(SPACE, round_size=0)
    with pytest.raises(TypeError, match="n_initial must be an integer"):
        PredNASSampler(SPACE, n_initial=True)
    with pytest.raises(ValueError, match=r"tournament_size \(at most population_size\) must be an integer in \[1, 5\]"):
        RegularizedEvolutionSampler(SPACE, population_size=5, tournament_size=9)
    with pytest.raises(TypeError, match="proposer must be BaseProposer"):
        PredNASSampler(SPACE, proposer="gradient")
    with pytest.warns(FutureWarning, match="batch_size is deprecated"):
        assert PredNASSampler(SPACE, batch_size=3).round_size == 3
    with pytest.warns(FutureWarning, match="n_startup_trials is deprecated; use n_initial"):
        assert PredNASSampler(SPACE, n_startup_trials=4).n_initial == 4


WORKER = textwrap.dedent("""
    import sys, optuna, torch
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from sknas import ArchitectureRegressor
    from sknas.datasets import load_nasbench201
    from sknas.samplers import NeuralPredictorSampler
    bench = load_nasbench201("cifar10-valid")
    storage = JournalStorage(JournalFileBackend(sys.argv[1]))
    sampler = NeuralPredictorSampler(bench.space, n_initial=6, round_size=6, seed=int(sys.argv[2]),
        predictor=ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=20))
    study = optuna.load_study(study_name="shared", storage=storage, sampler=sampler)
    study.optimize(lambda t: float(bench.query([bench.space.suggest(t)])[0]), n_trials=int(sys.argv[3]))
    """)


@pytest.mark.slow
def test_many_workers_share_one_journal_storage(journal_workers, bench):
    study = journal_workers(WORKER, (1, 2), 12)
    trials = study.trials
    assert len(trials) == 24 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    X = rows_of(study)
    np.testing.assert_allclose([t.value for t in trials], bench.query(X))
    # claims through the storage keep the workers apart: duplicates only from a simultaneous start
    assert len(set(SPACE.row_keys(X))) >= 22


REPRO = textwrap.dedent("""
    import json, optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    from sknas import ArchitectureRegressor
    from sknas.datasets import load_nasbench201
    from sknas.samplers import PredNASSampler

    def run():
        bench = load_nasbench201("cifar10-valid")
        sampler = PredNASSampler(bench.space, n_initial=4, round_size=4, seed=11,
                                 predictor=ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=10))
        study = optuna.create_study(direction="maximize", sampler=sampler)
        study.optimize(lambda t: float(bench.query([bench.space.suggest(t)])[0]), n_trials=10)
        return [t.params for t in study.trials]

    if __name__ == "__main__":
        print(json.dumps(run()))
    """)


@pytest.mark.slow
def test_same_parameters_in_another_process(tmp_path, data_home):
    import importlib.util
    import json

    script = tmp_path / "repro.py"
    script.write_text(REPRO)
    other = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_file_location("repro", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    here = module.run()
    assert json.loads(other) == here and len(here) == 10


def test_an_objective_that_suggests_part_of_the_space_is_told_so():
    """Fixing one decision in the objective leaves every trial unlearnable: a warning, not a silent random search."""
    import warnings

    def objective(trial):
        ops = [trial.suggest_categorical(n, list(c)) for n, c in zip(SPACE.decision_names[:-1], SPACE.choices[:-1])]
        return float(len(set(ops)))

    study = optuna.create_study(direction="maximize", sampler=PredNASSampler(SPACE, predictor=fast_predictor(),
                                                                             n_initial=2, seed=0))
    with pytest.warns(UserWarning, match=r"suggested 5 of the space's 6 decisions \(missing: \['3<-2'\]\)") as rec:
        study.optimize(objective, n_trials=4)
    assert sum("suggested 5 of" in str(w.message) for w in rec) == 1  # once per sampler
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # an objective that suggests the whole row: no warning
        full = optuna.create_study(direction="maximize", sampler=PredNASSampler(SPACE, predictor=fast_predictor(),
                                                                                n_initial=2, seed=0))
        full.optimize(lambda t: float(SPACE.suggest(t).sum()), n_trials=4)


def test_other_parameters_and_a_forgotten_suggest_are_told():
    """A user's other hyperparameter goes to the default RandomSampler with a warning naming it (none when the
    user chose the independent sampler); an objective that never calls space.suggest is warned once."""
    import warnings

    def objective(trial):
        row = SPACE.suggest(trial)
        return float(row.sum()) + trial.suggest_float("lr", 1e-3, 1e-1, log=True)

    study = optuna.create_study(direction="maximize", sampler=RegularizedEvolutionSampler(SPACE, seed=0))
    with pytest.warns(UserWarning, match=r"parameter 'lr' is not a decision of the space.*RandomSampler") as rec:
        study.optimize(objective, n_trials=3)
    assert sum("'lr'" in str(w.message) for w in rec) == 1  # named once
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        chosen = RegularizedEvolutionSampler(SPACE, seed=0, independent_sampler=optuna.samplers.TPESampler(seed=0))
        optuna.create_study(direction="maximize", sampler=chosen).optimize(objective, n_trials=3)
    forgot = optuna.create_study(direction="maximize", sampler=RegularizedEvolutionSampler(SPACE, seed=0))
    with pytest.warns(UserWarning, match=r"suggested none of the space's decisions.*space.suggest\(trial\)") as rec:
        forgot.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert sum("none of the space" in str(w.message) for w in rec) == 1


def test_the_row_memo_is_bounded(monkeypatch):
    """The sampler's memo of trial rows is capped (a long study on a large space grew it without end); a study
    past the cap proposes what it would have proposed with the memo whole."""
    from sknas.samplers import _base

    def run():
        sampler = RegularizedEvolutionSampler(SPACE, population_size=5, tournament_size=2, seed=0)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        study.optimize(lambda t: float(SPACE.suggest(t).sum()), n_trials=15)
        return sampler, [t.params for t in study.trials]

    whole, expected = run()
    assert len(whole._rows) == 14
    monkeypatch.setattr(_base, "_ROW_MEMO", 4)
    capped, params = run()
    assert len(capped._rows) <= 4 and params == expected


def test_one_shot_sampler_hands_out_one_ranking():
    """NeuralPredictorSampler(one_shot=True): the trials after the random ones are the top of one fit's ranking."""
    from sknas.proposers import RandomRankProposer
    from sknas.samplers import PredictorSampler
    from sknas.search import fit_and_propose

    bench = load_nasbench201("cifar10-valid")
    sampler = NeuralPredictorSampler(SPACE, predictor=fast_predictor(), n_initial=6, round_size=3, one_shot=True,
                                     seed=3)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: float(bench.query(SPACE.suggest(t)[None, :])[0]), n_trials=15)
    X = np.array([SPACE.params_to_row(t.params) for t in study.trials])
    y = np.array([t.value for t in study.trials])
    top = fit_and_propose(fast_predictor(), RandomRankProposer(), X[:6], y[:6], 9, seed=3)[1]
    np.testing.assert_array_equal(X[6:], top)
    with pytest.raises(ValueError, match="one_shot=True .* takes no prior"):
        PredictorSampler(SPACE, one_shot=True, prior=bench)
