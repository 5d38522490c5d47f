"""HyperNetworkEvaluator and MacroCNNSpace on real digits, in a tiny configuration."""

import json

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits

from sknas.hypernet import HyperNetworkEvaluator, MacroCNN, accuracy, train_from_scratch
from sknas.spaces import CategoricalSpace, MacroCNNSpace, cost

torch.set_num_threads(1)

SPACE = MacroCNNSpace(n_layers=2, kernel_sizes=(1, 3), widths=(4, 8))


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return X[:400], y[:400], X[1000:1200], y[1000:1200]


@pytest.fixture(scope="module")
def fitted(digits):
    X, y, _, _ = digits
    return HyperNetworkEvaluator(SPACE, hidden_size=16, max_epochs=4, n_score_archs=4, random_state=0).fit(X, y)


def test_macro_cnn():
    net = MacroCNN([2, 1, 1] * 4, in_channels=3, n_classes=5, seed=0)
    assert net(torch.zeros(2, 3, 8, 8)).shape == (2, 5)
    with pytest.raises(ValueError, match="space must be a MacroCNNSpace"):
        MacroCNN([0], space=CategoricalSpace({"a": [1]}))
    with pytest.raises(ValueError, match="in_channels"):
        MacroCNN([0] * 12, in_channels=0)


def test_space_params_count_the_network():
    rows = SPACE.sample(5, random_state=0)
    counted = [sum(p.numel() for p in MacroCNN(r, space=SPACE).parameters()) for r in rows]
    np.testing.assert_allclose(cost(SPACE, rows, "params") * 1e6, counted)
    net = MacroCNN(rows[0], in_channels=3, n_classes=4, space=SPACE)
    expected = sum(p.numel() for p in net.parameters())
    assert cost(SPACE, rows[0], "params", in_channels=3, n_classes=4)[0] * 1e6 == expected


def test_clone_and_params():
    ev = HyperNetworkEvaluator(SPACE, max_epochs=3, random_state=1)
    params = ev.get_params()
    assert params["space"] is SPACE and params["max_epochs"] == 3 and params["random_state"] == 1
    c = clone(ev)
    assert c.get_params()["max_epochs"] == 3 and not hasattr(c, "hypernet_")
    assert c.set_params(lr=0.01).lr == 0.01


def test_fit_score(fitted, digits):
    _, _, Xv, yv = digits
    assert len(fitted.loss_curve_) == 4 and fitted.loss_curve_[-1] < fitted.loss_curve_[0]
    s = fitted.score(Xv, yv)
    assert 0.2 < s <= 1.0  # well above chance (0.1) after 4 tiny epochs
    assert s == fitted.score(Xv, yv)  # deterministic
    acc = fitted.score_architectures(SPACE.sample(5, random_state=0), Xv, yv)
    assert acc.shape == (5,) and np.all((acc >= 0) & (acc <= 1))


def test_one_arch_per_step_constant_lr(digits):
    # the first version's training (one architecture per mini-batch, fixed rate) is still available
    X, y, Xv, yv = digits
    ev = HyperNetworkEvaluator(SPACE, hidden_size=16, max_epochs=3, archs_per_step=1, lr_schedule="constant",
                               random_state=0).fit(X, y)
    assert len(ev.loss_curve_) == 3 and ev.loss_curve_[-1] < ev.loss_curve_[0]
    assert 0.2 < ev.score(Xv, yv) <= 1.0


def test_deterministic(digits, fitted):
    X, y, Xv, yv = digits
    again = clone(fitted).fit(X, y)
    rows = SPACE.sample(3, random_state=2)
    np.testing.assert_array_equal(again.score_architectures(rows, Xv, yv), fitted.score_architectures(rows, Xv, yv))


def test_build_network_matches_score(fitted, digits):
    _, _, Xv, yv = digits
    for row in SPACE.sample(4, random_state=3):
        net = fitted.build_network(row)
        assert isinstance(net, MacroCNN)
        assert accuracy(net, Xv, yv) == fitted.score_architectures(row, Xv, yv)[0]
        pred = fitted.predict_architecture(row, Xv)
        assert np.mean(pred == yv) == fitted.score_architectures(row, Xv, yv)[0]


def test_predicted_weights_differ(fitted):
    # same first-layer shape (k=3, width 8), different rest of the architecture
    a = fitted.build_network([1, 1, 0, 0, 0, 0])
    b = fitted.build_network([1, 1, 1, 1, 1, 1])
    assert a.convs[0].weight.shape == b.convs[0].weight.shape
    assert not torch.equal(a.convs[0].weight, b.convs[0].weight)
    assert not torch.equal(a.head.bias, b.head.bias)


def test_objective_run_search(fitted, digits):
    from sknas.search import default_predictor, run_search

    _, _, Xv, yv = digits
    f = fitted.objective(Xv, yv)
    hist = run_search(f, SPACE, budget=6, n_initial=3, round_size=3, random_state=0,
                      predictor=default_predictor(SPACE).set_params(model__max_epochs=10))
    assert len(hist) == 6
    np.testing.assert_allclose(hist["value"].to_numpy(), f(np.array(hist["row"].tolist())))


@pytest.mark.parametrize("which", ["prednas", "rea"])
def test_objective_optuna(fitted, digits, which):
    import optuna

    from sknas.samplers import PredNASSampler, RegularizedEvolutionSampler
    from sknas.search import default_predictor

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    _, _, Xv, yv = digits
    f = fitted.objective(Xv, yv)
    if which == "prednas":
        sampler = PredNASSampler(SPACE, predictor=default_predictor(SPACE).set_params(model__max_epochs=10),
                                 n_initial=3, round_size=2, seed=0)
    else:
        sampler = RegularizedEvolutionSampler(SPACE, population_size=3, tournament_size=2, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: float(f(SPACE.suggest(t)[None, :])[0]), n_trials=5)
    assert len(study.trials) == 5 and 0 <= study.best_value <= 1


def test_label_source_for_regressor(fitted, digits):
    from sknas import ArchitectureRegressor

    _, _, Xv, yv = digits
    rows = SPACE.sample(20, random_state=4)
    y = fitted.score_architectures(rows, Xv, yv)
    reg = ArchitectureRegressor(SPACE, model="mlp", model__max_epochs=30, random_state=0).fit(rows, y)
    assert reg.predict(rows).shape == (20,)


def test_train_from_scratch(digits):
    X, y, Xv, yv = digits
    row = [1, 1, 1, 1, 1, 0]
    a = train_from_scratch(row, X, y, epochs=2, random_state=0, space=SPACE)
    b = train_from_scratch(row, X, y, epochs=2, random_state=0, space=SPACE)
    assert accuracy(a, Xv, yv) == accuracy(b, Xv, yv) > 0.2
    assert a.fit_time_ > 0


@pytest.mark.parametrize("X, y, match", [
    (np.zeros((10, 8, 8)), np.zeros(10, int), "X must be 4-D"),
    (np.zeros((10, 1, 8, 8)), np.zeros(9, int), "y has 9 labels but X has 10"),
    (np.full((10, 1, 8, 8), np.nan), np.zeros(10, int), "X holds NaN"),
    (np.zeros((10, 1, 8, 8)), np.zeros((10, 2), int), "y must be 1-D"),
    (np.zeros((10, 1, 8, 8)), np.zeros(10, int), "at least two classes"),
])
def test_bad_fit_inputs(X, y, match):
    with pytest.raises(ValueError, match=match):
        HyperNetworkEvaluator(SPACE, max_epochs=1).fit(X, y)


def test_bad_params_and_eval_inputs(fitted, digits):
    X, y, Xv, yv = digits
    with pytest.raises(TypeError, match="space must be MacroCNNSpace or None"):
        HyperNetworkEvaluator(space="nope").fit(X, y)
    with pytest.raises(ValueError, match="max_epochs"):
        HyperNetworkEvaluator(SPACE, max_epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="lr"):
        HyperNetworkEvaluator(SPACE, lr=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="lr"):
        HyperNetworkEvaluator(SPACE, lr=0.0).fit(X, y)
    with pytest.raises(ValueError, match="weight_decay"):
        HyperNetworkEvaluator(SPACE, weight_decay=float("nan")).fit(X, y)
    with pytest.raises(ValueError, match="archs_per_step"):
        HyperNetworkEvaluator(SPACE, archs_per_step=0).fit(X, y)
    with pytest.raises(TypeError, match="hidden_size"):
        HyperNetworkEvaluator(SPACE, hidden_size=16.0).fit(X, y)
    with pytest.raises(ValueError, match="lr_schedule"):
        HyperNetworkEvaluator(SPACE, lr_schedule="step").fit(X, y)
    with pytest.raises(ValueError, match="n_threads"):
        HyperNetworkEvaluator(SPACE, n_threads=0).fit(X, y)
    with pytest.raises(ValueError, match="rows has rows of length"):
        fitted.score_architectures([[0, 0]], Xv, yv)
    with pytest.raises(ValueError, match="X has 3 channels"):
        fitted.score_architectures(SPACE.sample(1, random_state=0), np.zeros((2, 3, 8, 8)), [0, 1])
    with pytest.raises(ValueError, match="y has 3 labels but X has 2"):
        fitted.objective(Xv[:2], yv[:3])


def test_unfitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        HyperNetworkEvaluator(SPACE).build_network([0] * 6)


def test_benchmark_smoke(bench_script, tmp_path):
    mod = bench_script("hypernetwork")
    assert mod._ideal_tau(1.0) == pytest.approx(1.0) and np.isnan(mod._ideal_tau(0.0))
    # a perfect evaluator beats a second noisy training, and more so against a mean of trainings
    assert 0.3 < mod._ideal_tau(0.3) < mod._ideal_tau(0.3, 3) < 1
    mod.main(["--smoke", "--results-dir", str(tmp_path)])
    saved = json.loads((tmp_path / "hypernetwork.json").read_text())
    rank = saved["ranking"]
    assert -1 <= rank["kendall_tau_test"] <= 1 and saved["cost"]["speedup"] > 0
    assert -1 <= rank["noise_ceiling_test"] <= 1 and -1 <= rank["params_tau_test"] <= 1
    assert np.asarray(rank["trained_test"]).shape == (rank["n_seeds"], rank["n_archs"])
    assert -1 <= saved["legacy"]["noise_ceiling_test"] <= 1
    assert "noise ceiling" in (tmp_path / "hypernetwork.md").read_text()
    assert 0 <= saved["search"]["hn_pick"]["trained_test"] <= 1
    assert (tmp_path / "hypernetwork.md").read_text().startswith("# HyperNetwork")
