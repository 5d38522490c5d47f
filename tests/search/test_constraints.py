"""Constraints end to end: no front end ever evaluates an architecture that breaks a known bound, not even
in its random initial design; lower bounds as well as upper; costs from the space or a benchmark column."""

import numpy as np
import optuna
import pytest

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench201
from sknas.spaces import ConstrainedSpace, Constraint, check_space, cost


@pytest.fixture(scope="module")
def bounds(bench):
    # small networks that are not too fast on a phone: an upper bound on params, a lower one on a latency
    return [Constraint("params", max_value=0.4), Constraint(bench.cost("latency_pixel3"), min_value=2.0)]


def feasible(bench, X):
    X = np.asarray(X)
    return (cost(bench.space, X, "params") <= 0.4) & (bench.query(X, "latency_pixel3") >= 2.0)


def small_gcn(space):
    return ArchitectureRegressor(space, model="gcn", model__hidden_size=16, model__max_epochs=5, random_state=0)


def test_the_constrained_space_obeys_the_laws(bench, bounds):
    space = ConstrainedSpace(bench.space, bounds)
    check_space(space)
    assert 0 < space.is_valid(bench.X).sum() < len(bench.X)
    assert feasible(bench, space.repair(bench.space.sample(200, random_state=0))).all()
    assert "params <= 0.4" in space.explain_invalid([3, 3, 3, 3, 3, 3])
    assert bench.optimum("valid", space) < bench.optimum("valid")
    with pytest.raises(ValueError, match="max_value, min_value or both"):
        Constraint("params")
    with pytest.raises(ValueError, match="exceeds max_value"):
        Constraint("params", max_value=0.1, min_value=0.2)


def test_run_search(bench, bounds):
    from sknas.search import run_search

    h = run_search(bench, budget=20, predictor=small_gcn(bench.space), constraints=bounds, random_state=0)
    assert len(h) == 20 and feasible(bench, h["row"].tolist()).all()  # the 10 random ones included


def test_predictor_search_cv(bench, bounds):
    from sklearn.base import BaseEstimator

    from sknas.search import PredictorSearchCV

    class Lookup(BaseEstimator):  # "trains" an architecture by looking it up in the table
        def __init__(self, arch=(0,) * 6):
            self.arch = arch

        def fit(self, X, y):
            return self

        def score(self, X, y):
            return float(bench.query([self.arch])[0])

    search = PredictorSearchCV(Lookup(), bench.space, arch_param="arch", predictor=small_gcn(bench.space),
                               n_initial=5, budget=11, cv=2, constraints=bounds, random_state=0)
    search.fit(np.zeros((4, 1)), np.array([0, 1, 0, 1]))
    rows = [p["arch"] for p in search.cv_results_["params"]]
    assert len(rows) == 11 and feasible(bench, rows).all()


@pytest.mark.parametrize("name", ["PredictorSampler", "PredNASSampler", "NeuralPredictorSampler",
                                  "RegularizedEvolutionSampler", "tpe"])
def test_samplers(bench, bounds, name):
    from sknas import samplers

    space = bench.space
    if name == "tpe":  # any Optuna sampler: space.suggest on the constrained space repairs into it
        sampler, space = optuna.samplers.TPESampler(seed=0), ConstrainedSpace(bench.space, bounds)
    elif name == "RegularizedEvolutionSampler":
        sampler = samplers.RegularizedEvolutionSampler(space, population_size=6, tournament_size=2, seed=0,
                                                       constraints=bounds)
    else:
        sampler = getattr(samplers, name)(space, predictor=small_gcn(space), n_initial=6, seed=0,
                                          constraints=bounds)
    rows = []
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: float(bench.query([rows.append(space.suggest(t)) or rows[-1]])[0]), n_trials=14)
    assert len(rows) == 14 and feasible(bench, rows).all()


def test_the_command_line(tmp_path, capsys):
    import pandas as pd

    from sknas.cli import main

    out = tmp_path / "out"
    assert main(["compare", "--methods", "sknas,random", "--budget", "12", "--seeds", "1", "--jobs", "1", "--fast",
                 "--constraint", "params<=0.4", "--constraint", "latency_pixel3>=2", "--output", str(out)]) == 0
    bench = load_nasbench201("cifar10-valid")
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 24 and feasible(bench, bench.space.from_strings(trials["arch"])).all()
    assert "within params<=0.4, latency_pixel3>=2" in (out / "summary.md").read_text()
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--constraint", "params<0.4"])
    assert exc.value.code == 2 and "argument --constraint" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["RandomRankProposer", "EvolutionProposer", "GradientAscentProposer"])
def test_proposers_honour_lower_bounds(bench, kind):
    from sknas import proposers

    X = bench.space.sample(30, random_state=0)
    reg = small_gcn(bench.space).fit(X, bench.query(X))
    P = getattr(proposers, kind)(constraints=[Constraint("params", min_value=1.0)]).propose(
        reg, 5, X, bench.query(X), random_state=0)
    assert len(P) == 5 and (cost(bench.space, P, "params") >= 1.0).all()


@pytest.mark.parametrize("how", ["constraints_func", "set_constraint"])
@pytest.mark.parametrize("name", ["PredictorSampler", "PredictorSampler+mixture", "RegularizedEvolutionSampler"])
def test_constraints_known_only_after_a_trial_are_learned(bench, name, how):
    """Optuna's convention: the sampler never sees the bound, only each finished trial's constraint values."""
    from sknas import samplers

    def constraint(trial):  # > 0: infeasible
        return (float(cost(bench.space, [bench.space.params_to_row(trial.params)], "params")[0]) - 0.3,)

    kw = {"constraints_func": constraint} if how == "constraints_func" else {}
    if name == "RegularizedEvolutionSampler":
        sampler = samplers.RegularizedEvolutionSampler(bench.space, population_size=10, tournament_size=3, seed=0,
                                                       **kw)
    else:  # a mixture of proposers passes the learned constraints to each part
        from sknas.proposers import EvolutionProposer, MixtureProposer, RandomRankProposer

        mixture = MixtureProposer([RandomRankProposer(), EvolutionProposer(n_parents=5, max_mutations=1)])
        sampler = samplers.PredictorSampler(bench.space, predictor=small_gcn(bench.space), n_initial=10, seed=0,
                                            **({"proposer": mixture} if name.endswith("mixture") else {}), **kw)

    def objective(trial):
        row = bench.space.suggest(trial)
        if how == "set_constraint":
            trial.set_constraint("params", constraint(trial)[0])
        return float(bench.query([row])[0])

    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=40)
    assert all(len(t.constraints) == 1 for t in study.trials)
    later = np.array([max(t.constraints.values()) > 0 for t in study.trials[10:]])
    random_share = np.mean(cost(bench.space, bench.space.sample(2000, random_state=0), "params") > 0.3)
    assert random_share > 0.5 and later.mean() < random_share / 2  # learned: far fewer infeasible proposals
    assert max(study.best_trial.constraints.values()) <= 0  # Optuna's best trial is a feasible one


def test_constraints_func_is_checked(bench):
    from sknas.samplers import RegularizedEvolutionSampler

    with pytest.raises(TypeError, match="constraints_func"):
        RegularizedEvolutionSampler(bench.space, constraints_func="params<=0.4")
    study = optuna.create_study(sampler=RegularizedEvolutionSampler(bench.space, seed=0,
                                                                    constraints_func=lambda t: (float("nan"),)))
    with pytest.raises(ValueError, match="constraints_func must return finite values"):
        study.optimize(lambda t: float(bench.query([bench.space.suggest(t)])[0]), n_trials=1)
