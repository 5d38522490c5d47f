import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier

from sknas import ArchitectureRegressor
from sknas.networks import MLPNetwork, NB201Network
from sknas.proposers import EvolutionProposer
from sknas.search import PredictorSearchCV
from sknas.spaces import MLPSpace, NASBench201Space

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def fast_predictor(space):
    return ArchitectureRegressor(space, model="mlp", model__max_epochs=30, random_state=0)


def mlp_search(**kw):
    space = MLPSpace(max_depth=2, widths=(8, 32), activations=("relu", "tanh"))
    net = NeuralNetClassifier(MLPNetwork, module__arch=(0, 0, 0, 0, 0), module__n_features=30, module__n_outputs=2,
                              module__space=space,
                              max_epochs=4, lr=0.05, train_split=None, verbose=0, module__seed=0)
    params = dict(arch_param="neuralnetclassifier__module__arch", n_initial=4, budget=8, round_size=2, cv=2,
                  predictor=fast_predictor(space), random_state=0)
    params.update(kw)
    return space, PredictorSearchCV(make_pipeline(StandardScaler(), net), space, **params)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return X.astype(np.float32), y.astype(np.int64)


def test_mlp_space_on_tabular_data(cancer):
    X, y = cancer
    space, search = mlp_search()
    search.fit(X, y)
    res = search.cv_results_
    assert len(res["params"]) == 8
    assert list(res["round"]) == [0, 0, 0, 0, 1, 1, 2, 2]
    assert np.isnan(res["predicted_score"][:4]).all() and np.isfinite(res["predicted_score"][4:]).all()
    rows = np.array([p["neuralnetclassifier__module__arch"] for p in res["params"]])
    assert len(set(space.row_keys(rows))) == 8
    best = int(np.nanargmax(res["mean_test_score"]))
    assert search.best_index_ == best and search.best_score_ == res["mean_test_score"][best]
    assert search.best_params_ == res["params"][best]
    assert search.best_estimator_.score(X, y) > 0.8
    P = search.propose(3, random_state=0)
    assert P.shape == (3, space.n_decisions)
    assert not set(space.row_keys(P)) & set(space.row_keys(rows))


def test_nb201_cells_on_digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)[:300]
    y = y.astype(np.int64)[:300]
    space = NASBench201Space()
    net = NeuralNetClassifier(NB201Network, module__arch=(0,) * 6, module__C=4, module__N=1, module__in_channels=1,
                              max_epochs=2, lr=0.1, train_split=None, verbose=0, module__seed=0)
    search = PredictorSearchCV(net, space, arch_param="module__arch", predictor=fast_predictor(space),
                               proposer=EvolutionProposer(n_parents=2, n_children=20), n_initial=3, budget=5,
                               round_size=2, cv=2, random_state=0)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 5
    assert space.is_valid(np.array(search.best_params_["module__arch"])).all()


def test_runs_on_a_dask_cluster(cancer):
    import distributed
    import joblib

    X, y = cancer
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl:
        with distributed.Client(cl), joblib.parallel_backend("dask"):
            _, search = mlp_search(n_jobs=-1)
            search.fit(X, y)
    _, local = mlp_search()
    local.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])


def test_bad_arguments(cancer):
    X, y = cancer
    with pytest.raises(ValueError, match="arch_param='module__arch' is not a parameter"):
        mlp_search(arch_param="module__arch")[1].fit(X, y)
    with pytest.raises(ValueError, match=r"budget must be an integer in \[1, inf\]"):
        mlp_search(budget=0)[1].fit(X, y)
    with pytest.warns(FutureWarning, match="n_iter is deprecated; use budget"):  # the old name, same meaning
        assert len(mlp_search(n_iter=5)[1].fit(X, y).cv_results_["params"]) == 5
    with pytest.raises(TypeError, match="space must be Space"):
        PredictorSearchCV(mlp_search()[1].estimator, "mlp", arch_param="x").fit(X, y)


class _Flaky(BaseEstimator):
    """A tiny estimator whose fit raises for its best architecture, (2, 2, 2), which the predictor soon proposes."""

    def __init__(self, arch=(0, 0, 0)):
        self.arch = arch

    def fit(self, X, y):
        if tuple(self.arch) == (2, 2, 2):
            raise RuntimeError("this architecture does not train")
        return self

    def score(self, X, y):
        return float(sum(self.arch)) / 10


def test_an_error_keeps_the_rounds_finished_before_it():
    from sknas.spaces import CategoricalSpace

    space = CategoricalSpace({"a": [0, 1, 2], "b": [0, 1, 2], "c": [0, 1, 2]})
    X, y = np.zeros((20, 2)), np.arange(20) % 2
    search = PredictorSearchCV(_Flaky(), space, arch_param="arch", predictor=fast_predictor(space), n_initial=4,
                               budget=27, round_size=4, cv=2, error_score="raise", random_state=0)
    with pytest.raises(RuntimeError, match="does not train"):
        search.fit(X, y)
    kept = search.cv_results_
    assert len(kept["params"]) >= 4 and all(tuple(p["arch"]) != (2, 2, 2) for p in kept["params"])
    tolerant = PredictorSearchCV(_Flaky(), space, arch_param="arch", predictor=fast_predictor(space), n_initial=4,
                                 budget=12, round_size=4, cv=2, random_state=0)
    with pytest.warns(UserWarning):  # scikit-learn's warning about the failed fits, recorded as NaN
        tolerant.fit(X, y)
    scores = np.asarray(tolerant.cv_results_["mean_test_score"])
    assert len(scores) == 12 and np.isfinite(scores).sum() >= 2


def test_readable_architectures_for_an_unmodified_mlp_classifier(cancer):
    """A scikit-learn MLPClassifier receives hidden_layer_sizes, and best_params_ shows them."""
    from sklearn.neural_network import MLPClassifier

    X, y = cancer
    space = MLPSpace(max_depth=2, widths=(4, 16), activations=("relu",))
    search = PredictorSearchCV(
        make_pipeline(StandardScaler(), MLPClassifier(max_iter=60, random_state=0)), space,
        arch_param="mlpclassifier__hidden_layer_sizes", arch_format=lambda r: tuple(w for w, _ in space.layers(r)),
        predictor=fast_predictor(space), n_initial=3, budget=5, round_size=1, cv=2, random_state=0)
    with pytest.warns(Warning):  # MLPClassifier's ConvergenceWarning at 60 iterations
        search.fit(X, y)
    sizes = search.best_params_["mlpclassifier__hidden_layer_sizes"]
    assert isinstance(sizes, tuple) and set(sizes) <= {4, 16} and 1 <= len(sizes) <= 2
    rows = np.array(search.cv_results_["arch_row"])
    assert len(set(space.row_keys(rows))) == 5


def test_readable_architectures_for_a_skorch_network():
    """A skorch NB201 network receives the cell's string, and cv_results_ shows it."""
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)[:200]
    space = NASBench201Space()
    net = NeuralNetClassifier(NB201Network, module__arch=space.to_string([0] * 6), module__C=4, module__N=1,
                              module__in_channels=1, max_epochs=1, lr=0.1, train_split=None, verbose=0, module__seed=0)
    search = PredictorSearchCV(net, space, arch_param="module__arch", arch_format="string",
                               predictor=fast_predictor(space), n_initial=2, budget=3, round_size=1, cv=2,
                               random_state=0)
    search.fit(X, y[:200].astype(np.int64))
    assert all(p["module__arch"].startswith("|") for p in search.cv_results_["params"])
    assert space.from_string(search.best_params_["module__arch"]).tolist() in [list(r) for r in
                                                                              search.cv_results_["arch_row"]]


class _Counted(BaseEstimator):
    """A tiny estimator that counts its fits (class-wide) and can be told to stop the search at the n-th."""

    fits = 0
    stop_at = None

    def __init__(self, arch=(0, 0, 0)):
        self.arch = arch

    def fit(self, X, y):
        type(self).fits += 1
        if type(self).fits == type(self).stop_at:
            raise KeyboardInterrupt  # what a Ctrl-C or a killed job leaves: the round in progress is lost
        return self

    def score(self, X, y):
        return float(self.arch[0] * 3 + self.arch[1] - self.arch[2]) / 10


def _counted_search(n_iter, checkpoint=None):
    from sknas.spaces import CategoricalSpace

    space = CategoricalSpace({"a": [0, 1, 2], "b": [0, 1, 2], "c": [0, 1, 2]})
    return PredictorSearchCV(_Counted(), space, arch_param="arch", predictor=fast_predictor(space), n_initial=4,
                             budget=n_iter, round_size=2, cv=2, random_state=0, checkpoint=checkpoint)


def _summary(search):
    res = search.cv_results_
    return [tuple(r) for r in res["arch_row"]], list(res["round"]), list(res["mean_test_score"])


def test_a_checkpoint_continues_where_an_interrupted_search_stopped(tmp_path):
    X, y = np.zeros((20, 2)), np.arange(20) % 2
    _Counted.fits, _Counted.stop_at = 0, None
    whole = _counted_search(10).fit(X, y)
    assert _Counted.fits == 10 * 2 + 1  # two folds per candidate, one refit

    ckpt = tmp_path / "search.json"
    _Counted.fits, _Counted.stop_at = 0, 13  # interrupted in the third round
    with pytest.raises(KeyboardInterrupt):
        _counted_search(10, ckpt).fit(X, y)
    assert len(__import__("json").loads(ckpt.read_text())["candidates"]) == 6  # rounds 0 and 1 kept
    _Counted.fits, _Counted.stop_at = 0, None
    resumed = _counted_search(10, ckpt).fit(X, y)
    assert _Counted.fits == 4 * 2 + 1  # only the four candidates not yet evaluated, and the refit
    assert _summary(resumed) == _summary(whole)
    assert resumed.best_params_ == whole.best_params_ and resumed.best_score_ == whole.best_score_

    _Counted.fits = 0
    longer = _counted_search(12, ckpt).fit(X, y)  # a larger budget continues the finished search
    assert _Counted.fits == 2 * 2 + 1 and _summary(longer)[0][:10] == _summary(whole)[0]
    _Counted.fits = 0
    again = _counted_search(12, ckpt).fit(X, y)  # a finished search runs its last round again, nothing else
    assert _Counted.fits == 2 * 2 + 1 and _summary(again) == _summary(longer)


def test_a_checkpoint_from_another_search_is_refused(tmp_path):
    X, y = np.zeros((20, 2)), np.arange(20) % 2
    ckpt = tmp_path / "search.json"
    _counted_search(6, ckpt).fit(X, y)
    other = _counted_search(8, ckpt).set_params(cv=3)
    with pytest.raises(ValueError, match="was not written by a search of this space with 3 folds"):
        other.fit(X, y)
    ckpt.write_text('{"n_splits": 2, "n_decisions": 3, "candidates": [{"round": 0}]}')
    with pytest.raises(ValueError, match="is damaged"):
        _counted_search(8, ckpt).fit(X, y)
    ckpt.write_text("{not json")
    with pytest.raises(ValueError):
        _counted_search(8, ckpt).fit(X, y)
    with pytest.raises(TypeError, match="checkpoint must be str or PathLike"):
        _counted_search(8, 3).fit(X, y)


def test_a_checkpoint_records_its_search(tmp_path):
    """Another seed or arch_param is another search; a fold result without its times is a damaged file."""
    import json

    X, y = np.zeros((20, 2)), np.arange(20) % 2
    ckpt = tmp_path / "search.json"
    _counted_search(6, ckpt).fit(X, y)
    saved = json.loads(ckpt.read_text())
    assert saved["search"]["objective"] == "_Counted.arch" and saved["search"]["random_state"] == 0
    with pytest.raises(ValueError, match=r"another search \(random_state 0; this call: 1\)"):
        _counted_search(8, ckpt).set_params(random_state=1).fit(X, y)
    grid = np.array([[a, b, c] for a in range(3) for b in range(3) for c in range(3)])
    with pytest.raises(ValueError, match=r"another search \(prior None; this call: '[0-9a-f]{16}'\)"):
        _counted_search(8, ckpt).set_params(prior=(grid, grid.sum(axis=1).astype(float))).fit(X, y)
    del saved["candidates"][0]["out"][0]["fit_time"]
    ckpt.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match=r"is damaged \(a fold result without \['fit_time'\]\)"):
        _counted_search(8, ckpt).fit(X, y)
    del saved["search"]  # written before checkpoints recorded their search: continued, with a warning
    saved["candidates"][0]["out"][0]["fit_time"] = 0.0
    ckpt.write_text(json.dumps(saved))
    with pytest.warns(UserWarning, match="does not record the search"):
        _counted_search(8, ckpt).fit(X, y)


def test_verbose_prints_a_line_per_round(capsys):
    from sknas.spaces import CategoricalSpace

    space = CategoricalSpace({"a": [0, 1, 2], "b": [0, 1, 2], "c": [0, 1, 2]})
    search = PredictorSearchCV(_Flaky(), space, arch_param="arch", predictor=fast_predictor(space), n_initial=4,
                               budget=10, round_size=3, cv=2, verbose=1, random_state=0)
    search.fit(np.zeros((20, 2)), np.arange(20) % 2)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[PredictorSearchCV]")]
    assert [line.split(":")[0] for line in lines] == [f"[PredictorSearchCV] round {r}" for r in range(3)]
    assert "4/10 architectures" in lines[0] and "10/10 architectures" in lines[-1] and "s left" in lines[1]


class _Cell(BaseEstimator):
    """An NB201 cell "trained" by looking up its NAS-Bench-201 validation accuracy (in %) as its score."""

    def __init__(self, arch="", bench=None):
        self.arch, self.bench = arch, bench

    def fit(self, X, y):
        return self

    def score(self, X, y):
        return float(self.bench.query([self.bench.space.from_string(self.arch)])[0])


def test_predicted_scores_are_clipped_to_score_range():
    """The rounds of run_search(bench, random_state=2), whose predictor predicts 117% for a proposal:
    ``score_range=(0, 100)`` shows it at 100; the candidates, ranked on the raw predictions, stay the same."""
    from sknas.datasets import load_nasbench201

    bench = load_nasbench201("cifar10-valid")
    X, y = np.zeros((20, 2)), np.arange(20) % 2

    def search(**kw):
        return PredictorSearchCV(_Cell(bench=bench), bench.space, arch_param="arch", arch_format="string",
                                 budget=13, cv=2, random_state=2, refit=False, **kw).fit(X, y).cv_results_

    raw, clipped = search(), search(score_range=(0, 100))
    assert np.nanmax(raw["predicted_score"]) > 110  # the predictor extrapolates
    assert np.nanmax(clipped["predicted_score"]) == 100.0
    np.testing.assert_array_equal(clipped["predicted_score"], np.clip(raw["predicted_score"], 0, 100))
    assert list(clipped["param_arch"]) == list(raw["param_arch"])
    with pytest.raises(ValueError, match=r"score_range=\(1, 0\) is not supported"):
        search(score_range=(1, 0))
