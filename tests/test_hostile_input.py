"""Hostile input at every public entry point (property-based, hypothesis).

Whatever it is given, an entry point either works or raises ``ValueError`` / ``TypeError`` with a short
message: never an error from deep inside numpy / torch / pandas, never a hang, a silent NaN or a
half-written file. ``EXAMPLES`` is how many inputs each test tries (the reliability guide reports them).
"""

import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sknas.spaces import CategoricalSpace, NASBench201Space

EXAMPLES = {"spaces": 300, "regressor": 60, "proposers": 60, "run_search": 40, "search_cv": 40, "samplers": 100,
            "tables": 150, "files": 150, "cli": 150}
SPACE = NASBench201Space()
SMALL = CategoricalSpace({"a": [0, 1, 2], "b": ["x", "y"], "c": [0.5, 1.5]})
# derandomize: the same inputs on every run, so the tests stay deterministic (set it to False to explore further)
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# anything a user might pass where a number or an array is expected
ANY_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True),
                       st.text(max_size=20), st.complex_numbers(max_magnitude=1e6), st.just([]), st.just({}))
ARRAYS = st.one_of(
    st.lists(st.lists(ANY_SCALAR, max_size=8), max_size=5),
    st.builds(lambda shape, dtype: np.zeros(shape, dtype=dtype),
              st.tuples(st.integers(0, 4), st.integers(0, 8)),
              st.sampled_from(["i8", "u8", "f8", "f4", "c16", "?", "m8[s]", "M8[s]", "U3", "O", "V4"])),
    st.builds(lambda v: np.full((2, 6), v), st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(lambda v: np.full((1, 6), v), st.integers(-2**63, 2**63 - 1)),
)


def _refused_cleanly(exc: BaseException) -> None:
    assert isinstance(exc, (ValueError, TypeError)), f"{type(exc).__name__}: {exc}"
    assert len(str(exc)) < 2000, "the message echoes its input"


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - what is raised is the point of these tests
        _refused_cleanly(exc)
        return None, exc


# ------------------------------------------------------------------------------------------------------- spaces
@settings(max_examples=EXAMPLES["spaces"], **SETTINGS)
@given(X=ARRAYS, text=st.text(max_size=200), params=st.dictionaries(st.text(max_size=5), ANY_SCALAR, max_size=6))
def test_space_conversions_and_validation(X, text, params):
    for space in (SPACE, SMALL):
        rows, exc = _call(space.check_rows, X)
        if exc is None:
            assert rows.dtype == np.int64 and space.is_valid(rows).all()
        _call(space.from_string, text)
        row, exc = _call(space.params_to_row, params)
        if exc is None:
            assert space.is_valid(row[None]).all()
    _call(SMALL.from_string, SMALL.to_string([1, 0, 1]) + "," + text)


# --------------------------------------------------------------------------------------------------- predictors
@pytest.fixture(scope="module")
def nb201():
    from sknas.datasets import load_nasbench201

    return load_nasbench201("cifar10-valid")


@settings(max_examples=EXAMPLES["regressor"], **SETTINGS)
@given(model=st.sampled_from(["mlp", "gcn", "xgboost", "auto", "renas"]),
       hostile=st.sampled_from([None, "model", "model__lr", "model__weight_decay", "model__hidden_size", "n_threads",
                                "n_ensemble", "y", "X", "space"]),
       value=ANY_SCALAR, n=st.integers(0, 12))
def test_regressor_fit_predict(nb201, model, hostile, value, n):
    """One parameter or input at a time is hostile, the others sensible, so the fits themselves run too."""
    from sknas import ArchitectureRegressor

    params = dict(model=model, random_state=0, **({} if model == "xgboost" else {"model__max_epochs": 3}))
    X, y = nb201.X[:n], nb201.metrics["valid"][:n]
    if hostile == "y":
        y = y * (value if isinstance(value, float) else 1e300)
    elif hostile == "X":
        X = np.empty((n, 6), dtype=object)
        for idx in np.ndindex(X.shape):
            X[idx] = value
    elif hostile == "space":
        params["space"] = value
    elif hostile is not None:
        params[hostile] = value
    reg = ArchitectureRegressor(**{"space": nb201.space, **params})
    fitted, exc = _call(reg.fit, X, y)
    if exc is None:
        pred, exc = _call(fitted.predict, nb201.X[:20])
        assert exc is None and np.all(np.isfinite(pred)), "a fitted predictor predicts finite values"


@settings(max_examples=EXAMPLES["proposers"], **SETTINGS)
@given(n=st.one_of(st.integers(-2, 10**12), st.booleans(), st.floats(), st.text(max_size=3)),
       kind=st.sampled_from(["RandomRankProposer", "EvolutionProposer", "GradientAscentProposer"]),
       acquisition=st.sampled_from(["mean", "ucb", "thompson", "its", "best", None]),
       constraint=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.just({"energy": 1})))
def test_proposers(nb201, fitted_gcn, n, kind, acquisition, constraint):
    import warnings

    from sknas import proposers

    constraints = constraint if not isinstance(constraint, float) else {"params": constraint}
    proposer, exc = _call(lambda: getattr(proposers, kind)(acquisition=acquisition, constraints=constraints))
    if exc is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "only k of the n requested proposals exist"
            out, exc = _call(proposer.propose, fitted_gcn, n, nb201.X[:30], nb201.metrics["valid"][:30],
                             random_state=0)
        if exc is None:
            assert out.ndim == 2 and nb201.space.is_valid(out).all()


@pytest.fixture(scope="module")
def fitted_gcn(nb201):
    from sknas import ArchitectureRegressor

    reg = ArchitectureRegressor(nb201.space, model="gcn", model__hidden_size=16, model__max_epochs=5, random_state=0)
    return reg.fit(nb201.X[:30], nb201.metrics["valid"][:30])


# ------------------------------------------------------------------------------------------------ front ends
@settings(max_examples=EXAMPLES["run_search"], **SETTINGS)
@given(budget=st.one_of(st.integers(-1, 8), st.booleans(), st.floats()),
       round_size=st.one_of(st.integers(-1, 4), st.none(), st.text(max_size=2)),
       proposer=st.sampled_from([None, "random", 3]),
       returns=st.sampled_from(["ok", "nan", "short", "text", "raise"]))
def test_run_search(budget, round_size, proposer, returns):
    from sknas import ArchitectureRegressor
    from sknas.search import run_search

    calls = []

    def objective(X):
        calls.append(len(X))
        if returns == "raise" and len(calls) > 1:
            raise ValueError("the objective failed")
        if returns == "short":
            return np.zeros(max(len(X) - 1, 0))
        if returns == "text":
            return ["a"] * len(X)
        v = X.sum(axis=1).astype(float)
        return np.where(X[:, 0] == 0, np.nan, v) if returns == "nan" else v

    kw = {} if round_size is None else {"round_size": round_size}
    history, exc = _call(run_search, objective, SMALL, budget=budget, n_initial=3, proposer=proposer,
                         predictor=ArchitectureRegressor(SMALL, model="mlp", model__max_epochs=3), random_state=0, **kw)
    if exc is not None and not calls:
        return  # refused before anything was evaluated
    if exc is None:
        assert len(history) <= budget and history["best"].notna().any() or history["value"].isna().all()


@settings(max_examples=EXAMPLES["search_cv"], **SETTINGS)
@given(budget=st.one_of(st.integers(-1, 6), st.booleans()), arch_param=st.sampled_from(["arch", "nope", 3]),
       space=st.sampled_from([SMALL, "small", None]), round_size=st.one_of(st.integers(-1, 3), st.floats()))
def test_predictor_search_cv_arguments(budget, arch_param, space, round_size):
    from sklearn.tree import DecisionTreeClassifier

    from sknas.search import PredictorSearchCV

    class Arch(DecisionTreeClassifier):
        def __init__(self, arch=(0, 0, 0), max_depth=None):
            super().__init__(max_depth=max_depth)
            self.arch = arch

    X, y = np.random.default_rng(0).random((20, 3)), np.arange(20) % 2
    search = PredictorSearchCV(Arch(), space, arch_param=arch_param, budget=budget, n_initial=2, round_size=round_size,
                               cv=2)
    _call(search.fit, X, y)


@settings(max_examples=EXAMPLES["samplers"], **SETTINGS)
@given(cls=st.sampled_from(["PredictorSampler", "PredNASSampler", "NeuralPredictorSampler",
                            "RegularizedEvolutionSampler"]),
       kwargs=st.dictionaries(st.sampled_from(["n_initial", "round_size", "seed", "population_size",
                                               "tournament_size", "proposer", "predictor", "independent_sampler"]),
                              ANY_SCALAR, max_size=3),
       space=st.sampled_from([SPACE, "nb201", None, 3]))
def test_sampler_arguments(cls, kwargs, space):
    from sknas import samplers

    _call(getattr(samplers, cls), space, **kwargs)


# -------------------------------------------------------------------------------------------------- loaders
CELLS = st.one_of(st.integers(-5, 5), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4),
                  st.booleans(), st.none())


@settings(max_examples=EXAMPLES["tables"], **SETTINGS)
@given(columns=st.dictionaries(st.sampled_from(["a", "b", "c", "acc", "lat", "arch"]), st.lists(CELLS, min_size=0,
                                                                                                max_size=6),
                               max_size=6),
       metrics=st.sampled_from([None, ["acc"], {"valid": "acc"}, ["zzz"]]),
       duplicates=st.sampled_from(["raise", "mean", "keep"]))
def test_load_tabular_benchmark(columns, metrics, duplicates):
    from sknas.datasets import load_tabular_benchmark

    n = min((len(v) for v in columns.values()), default=0)
    df = pd.DataFrame({k: v[:n] for k, v in columns.items()})
    bench, exc = _call(load_tabular_benchmark, df, SMALL, metrics=metrics, duplicates=duplicates)
    if exc is None:
        for name in bench.metric_names:
            assert np.all(np.isfinite(bench.metrics[name])) and math.isfinite(bench.optimum(name))
        keys = [r.tobytes() for r in bench.X]
        assert len(set(keys)) == len(keys)


@settings(max_examples=EXAMPLES["files"], **SETTINGS)
@given(which=st.sampled_from(["nasbench101_sample.json", "nasbench301_sample.json", "graph"]),
       mutation=st.sampled_from(["truncate", "flip", "empty", "json", "pickle"]), at=st.integers(0, 10**6),
       payload=st.one_of(st.dictionaries(st.text(max_size=3), CELLS, max_size=3), st.lists(CELLS, max_size=3)))
def test_loaders_on_corrupt_files(tmp_path_factory, data_home, which, mutation, at, payload):
    from sknas.datasets import load_nasbench101_sample, load_nasbench301_sample, load_nasbench_graph

    home = tmp_path_factory.mktemp("home")
    if which == "graph":
        (home / "nasbench_graph").mkdir()
        target = home / "nasbench_graph" / "cora.bench"
        original = pickle.dumps({i: {"valid_perf": 0.5, "perf": 0.5, "latency": 0.1, "para": 0.1} for i in range(5)})
        load = lambda: load_nasbench_graph("cora", data_home=home)  # noqa: E731
    else:
        target = home / which
        original = (data_home / which).read_bytes()
        load = {"nasbench101_sample.json": lambda: load_nasbench101_sample(data_home=home),
                "nasbench301_sample.json": lambda: load_nasbench301_sample(data_home=home)}[which]
    data = {"truncate": original[: at % max(len(original), 1)],
            "flip": original[: at % len(original)] + bytes([original[at % len(original)] ^ 0xFF])
            + original[at % len(original) + 1:],
            "empty": b"", "json": json.dumps(payload).encode(), "pickle": pickle.dumps(payload)}[mutation]
    target.write_bytes(data)
    bench, exc = _call(load)
    if exc is None:
        assert len(bench) > 0


# ------------------------------------------------------------------------------------------------------- CLI
WORDS = st.sampled_from(["compare", "study", "search", "demo", "predictors", "benchmarks", "--budget", "--seeds",
                         "--methods", "--dataset", "--output", "--train-sizes", "--models", "--data-home", "--jobs",
                         "0", "-1", "x", ",", "tpe,magic", "nasbench201", "nasbench101", "cifar100", "mnist", "1e9",
                         "/dev/null", "--storage", "--fast", ""])


@settings(max_examples=EXAMPLES["cli"], **SETTINGS)
@given(argv=st.lists(WORDS, max_size=6))
def test_cli_arguments_fail_early_and_clearly(argv, capsys):
    from sknas.cli import main

    runs = {"compare", "study", "search", "demo", "predictors"}
    if runs & set(argv) and not any(w in argv for w in ("0", "-1", "x", ",", "tpe,magic", "mnist", "1e9",
                                                        "/dev/null", "")):
        return  # a valid command would run a real search: the usage errors are what is probed here
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 1, 2), code
    assert "Traceback" not in err
    if code == 2:
        assert "error:" in err
