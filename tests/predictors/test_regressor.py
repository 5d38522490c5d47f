import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench201
from sknas.encodings import n_features_onehot, relax
from sknas.metrics import kendall_tau, kendall_tau_scorer
from sknas.predictors import ENCODINGS, LOSSES, MODELS
from sknas.spaces import NASBench201Space

# checks that feed random float matrices (not rows of the space): a space-bound estimator must reject them
SPACE_FAILED_CHECKS = {
    name: "feeds random float features, which are not rows of the space (rejected with ValueError)"
    for name in (
        "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_dtype_object",
        "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
        "check_f_contiguous_array_estimator", "check_regressors_train", "check_regressor_data_not_an_array",
        "check_regressors_no_decision_function", "check_supervised_y_2d", "check_regressors_int",
        "check_methods_sample_order_invariance", "check_methods_subset_invariance", "check_fit2d_1sample",
        "check_fit2d_1feature", "check_dict_unchanged", "check_fit_idempotent", "check_fit_check_is_fitted",
        "check_n_features_in", "check_fit2d_predict1d", "check_fit_score_takes_y",
        "check_estimators_overwrite_params", "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
        "check_readonly_memmap_input", "check_n_features_in_after_fitting",
    )
}


def _expected_failed(est):
    return SPACE_FAILED_CHECKS if est.space is not None else {}


@parametrize_with_checks(
    [
        ArchitectureRegressor(model__max_epochs=8, random_state=0),
        ArchitectureRegressor(loss="mse+pairwise", n_ensemble=2, model__max_epochs=8, random_state=0),
        ArchitectureRegressor(model="xgboost", model__n_estimators=20, random_state=0),
        ArchitectureRegressor(model=Ridge()),
        ArchitectureRegressor(model=Ridge(), model__alpha=0.5),
        ArchitectureRegressor(NASBench201Space(), model="mlp", model__max_epochs=4, random_state=0),
    ],
    expected_failed_checks=_expected_failed,
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench201("cifar10-valid")


@pytest.fixture(scope="module")
def split(bench):
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(bench.X))
    y = bench.query(bench.X, "valid")
    tr, te = idx[:156], idx[156:3156]
    return bench.X[tr], y[tr], bench.X[te], y[te]


FAST = dict(model__max_epochs=15, random_state=0)
CONFIGS = [
    dict(model="gcn", **FAST),
    dict(model="gcn", loss="pairwise", **FAST),
    dict(model="mlp", **FAST),
    dict(model="mlp", encoding="path", loss="mse+pairwise", **FAST),
    dict(model="mlp", encoding="graph", **FAST),
    dict(model="renas", **FAST),
    dict(model="xgboost", model__n_estimators=100, random_state=0),
    dict(model="xgboost", loss="pairwise", model__n_estimators=100, random_state=0),
    dict(model=Ridge(), encoding="path"),
]


def _id(cfg):
    return "-".join(str(v) if not hasattr(v, "fit") else type(v).__name__ for k, v in cfg.items()
                    if k in ("model", "loss", "encoding"))


@pytest.mark.parametrize("cfg", CONFIGS, ids=_id)
def test_models_rank_real_architectures(cfg, bench, split):
    Xtr, ytr, Xte, yte = split
    reg = ArchitectureRegressor(bench.space, **cfg).fit(Xtr, ytr)
    pred = reg.predict(Xte)
    assert pred.shape == yte.shape and np.all(np.isfinite(pred))
    tau = reg.score(Xte, yte)
    assert tau == pytest.approx(kendall_tau(yte, pred))
    assert tau > 0.35, tau


def test_defaults(bench, split):
    Xtr, ytr, Xte, yte = split
    reg = ArchitectureRegressor(bench.space, random_state=0)
    assert reg.get_params()["space"] is bench.space
    reg.fit(Xtr, ytr)  # the default predictor, default epochs
    assert (reg.model_, reg.encoding_, reg.loss_) == ("mlp", "path", "pairwise")
    with pytest.raises(ValueError, match="not differentiable"):
        reg.predict_relaxed(torch.tensor(relax(bench.space, Xte[:2])))
    # an explicit MLP takes the one-hot view, differentiable in relaxed rows
    mlp = ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=1, random_state=0).fit(Xtr, ytr)
    assert (mlp.encoding_, mlp.loss_) == ("onehot", "pairwise")
    assert reg.score(Xte, yte) > 0.6
    # pairwise-trained outputs are mapped onto the units of y
    pred = reg.predict(Xtr)
    assert abs(pred.mean() - ytr.mean()) < 0.1 * ytr.std()
    assert np.corrcoef(pred, ytr)[0, 1] > 0.5
    xgb = ArchitectureRegressor(bench.space, model="xgboost", model__n_estimators=5).fit(Xtr, ytr)
    assert (xgb.encoding_, xgb.loss_) == ("onehot", "mse")
    assert ArchitectureRegressor(bench.space, model="gcn", model__max_epochs=1).fit(Xtr, ytr).encoding_ == "graph"
    reg2 = ArchitectureRegressor(None, model="gcn", model__max_epochs=2).fit(np.random.default_rng(0).random((10, 3)),
                                                                      np.arange(10.0))
    assert reg2.model_ == "mlp" and reg2.encoding_ == "raw"  # no graph without a space


@pytest.mark.parametrize("model", ["gcn", "mlp", "renas"])
def test_deterministic_and_picklable(model, bench, split):
    Xtr, ytr, Xte, _ = split
    a = ArchitectureRegressor(bench.space, model=model, model__max_epochs=5, random_state=3).fit(Xtr, ytr)
    b = clone(a).fit(Xtr, ytr)
    np.testing.assert_array_equal(a.predict(Xte), b.predict(Xte))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.predict(Xte), c.predict(Xte))
    d = ArchitectureRegressor(bench.space, model=model, model__max_epochs=5, random_state=4).fit(Xtr, ytr)
    assert not np.allclose(a.predict(Xte), d.predict(Xte))


def test_fit_does_not_touch_global_torch_state(bench, split):
    Xtr, ytr, _, _ = split
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=2, random_state=0).fit(Xtr, ytr)
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_ensemble_std(bench, split):
    Xtr, ytr, Xte, _ = split
    one = ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=5, random_state=0).fit(Xtr, ytr)
    mean, std = one.predict(Xte[:50], return_std=True)
    assert np.all(std == 0) and np.allclose(mean, one.predict(Xte[:50]))
    ens = ArchitectureRegressor(bench.space, model="mlp", n_ensemble=3, model__max_epochs=5, random_state=0)
    ens.fit(Xtr, ytr)
    assert len(ens.estimators_) == 3
    mean, std = ens.predict(Xte[:50], return_std=True)
    assert mean.shape == std.shape == (50,)
    assert np.all(std > 0)
    members = ens.predict_members(Xte[:50])
    assert members.shape == (3, 50)
    np.testing.assert_array_equal(mean, members.mean(axis=0))
    assert ens.calibration_.shape == (3, 2) and np.all(ens.calibration_[:, 0] > 0)
    xgb = ArchitectureRegressor(bench.space, model="xgboost", n_ensemble=2, model__n_estimators=30,
                                random_state=0).fit(Xtr, ytr)
    assert np.all(xgb.predict(Xte[:50], return_std=True)[1] >= 0)
    np.testing.assert_array_equal(xgb.calibration_, [[1.0, 0.0], [1.0, 0.0]])  # used as they are


@pytest.mark.parametrize("model,encoding", [("gcn", None), ("mlp", "onehot"), ("renas", None)])
def test_predict_relaxed(model, encoding, bench, split):
    Xtr, ytr, Xte, _ = split
    reg = ArchitectureRegressor(bench.space, model=model, encoding=encoding, n_ensemble=2, model__max_epochs=5,
                                random_state=0).fit(Xtr, ytr)
    Z = torch.tensor(relax(bench.space, Xte[:20]), requires_grad=True)
    out = reg.predict_relaxed(Z)
    assert out.shape == (20,)
    np.testing.assert_allclose(out.detach().numpy(), reg.predict(Xte[:20]), rtol=1e-4, atol=1e-3)
    out.sum().backward()
    assert Z.grad is not None and Z.grad.shape == Z.shape
    assert torch.isfinite(Z.grad).all() and Z.grad.abs().sum() > 0
    # a soft point inside the simplices is accepted too
    soft = torch.full((4, n_features_onehot(bench.space)), 0.2, requires_grad=True)
    reg.predict_relaxed(soft).sum().backward()
    assert soft.grad.abs().sum() > 0


def test_predict_relaxed_not_differentiable(bench, split):
    Xtr, ytr, _, _ = split
    Z = torch.tensor(relax(bench.space, Xtr[:3]))
    xgb = ArchitectureRegressor(bench.space, model="xgboost", model__n_estimators=5).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="not differentiable"):
        xgb.predict_relaxed(Z)
    ridge = ArchitectureRegressor(bench.space, model=Ridge()).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="not differentiable"):
        ridge.predict_relaxed(Z)
    path = ArchitectureRegressor(bench.space, model="mlp", encoding="path", model__max_epochs=1).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="not differentiable"):
        path.predict_relaxed(Z)
    mlp = ArchitectureRegressor(bench.space, model="mlp", encoding="onehot", model__max_epochs=1).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="shape"):
        mlp.predict_relaxed(Z[:, :10])
    with pytest.raises(ValueError, match="torch.Tensor"):
        mlp.predict_relaxed(Z.numpy())


def test_bad_inputs(bench, split):
    Xtr, ytr, _, _ = split
    reg = ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=1)
    for bad in (np.nan, np.inf):
        y = ytr.copy()
        y[3] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            reg.fit(Xtr, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        reg.fit(Xtr, ytr[:-1])
    X = Xtr.copy()
    X[0, 2] = 5
    with pytest.raises(ValueError, match="choice index 5"):
        reg.fit(X, ytr)
    with pytest.raises(ValueError, match="rows of length"):
        reg.fit(Xtr[:, :4], ytr)
    with pytest.raises(ValueError, match="whole-number"):
        reg.fit(Xtr + 0.5, ytr)
    for loss in ("pairwise", "mse+pairwise"):
        with pytest.raises(ValueError, match="at least 2"):
            ArchitectureRegressor(bench.space, loss=loss).fit(Xtr[:1], ytr[:1])
    with pytest.raises(ValueError, match=r"accepted: \['auto', 'gcn', 'mlp', 'renas', 'xgboost'\]"):
        ArchitectureRegressor(bench.space, model="transformer").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="regressor instance"):
        ArchitectureRegressor(bench.space, model=Ridge).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="encoding='paths' is not supported"):
        ArchitectureRegressor(bench.space, encoding="paths").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="loss='hinge' is not supported"):
        ArchitectureRegressor(bench.space, loss="hinge").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="works on the 'graph' view"):
        ArchitectureRegressor(bench.space, model="gcn", encoding="onehot").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="needs a space"):
        ArchitectureRegressor(None, encoding="path").fit(Xtr, ytr)
    with pytest.raises(ValueError, match="n_ensemble"):
        ArchitectureRegressor(bench.space, n_ensemble=0).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="mse"):
        ArchitectureRegressor(bench.space, model=Ridge(), loss="pairwise").fit(Xtr, ytr)
    fitted = ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=1).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="choice index 9"):
        fitted.predict(np.full((2, 6), 9))


def test_grid_search_and_cross_val(bench, split):
    Xtr, ytr, _, _ = split
    reg = ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=10, random_state=0)
    scores = cross_val_score(reg, Xtr, ytr, cv=3, scoring=kendall_tau_scorer)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    grid = GridSearchCV(reg, {"encoding": ["onehot", "path"], "loss": ["mse", "pairwise"]}, cv=2)
    grid.fit(Xtr, ytr)  # default scoring: the estimator's score, Kendall's tau
    assert set(grid.best_params_) == {"encoding", "loss"}
    assert grid.best_estimator_.space == bench.space


@pytest.mark.parametrize("params,exc,name", [
    (dict(model__lr=float("inf")), ValueError, "model__lr"),
    (dict(model__lr=0), ValueError, "model__lr"),
    (dict(model__lr=-1e-3), ValueError, "model__lr"),
    (dict(model__weight_decay=float("nan")), ValueError, "model__weight_decay"),
    (dict(model__weight_decay=-1.0), ValueError, "model__weight_decay"),
    (dict(model__hidden_size=True), TypeError, "model__hidden_size"),
    (dict(model__n_layers=2.0), TypeError, "model__n_layers"),
    (dict(model__max_epochs=0), ValueError, "model__max_epochs"),
    (dict(model__batch_size=-4), ValueError, "model__batch_size"),
    (dict(model="renas", model__n_layers=2), ValueError, "model__n_layers"),
    (dict(model="gcn", model__n_estimators=2), ValueError, "model__n_estimators"),
    (dict(model="xgboost", model__max_epochs=2), ValueError, "model__max_epochs"),
    (dict(model=Ridge(), model__hidden_size=2), ValueError, "model__hidden_size"),
    (dict(hidden_sise=2), TypeError, "hidden_sise"),
    (dict(model__=2), TypeError, "model__"),
    (dict(n_threads=0), ValueError, "n_threads"),
    (dict(device="gpu"), ValueError, "device"),
    (dict(device=0.5), TypeError, "device"),
    (dict(n_ensemble=0), ValueError, "n_ensemble"),
    (dict(n_ensemble=None), TypeError, "n_ensemble"),
    (dict(space="nasbench201"), TypeError, "space"),
    (dict(model="transformer"), ValueError, "model"),
    (dict(model=Ridge), ValueError, "model"),
    (dict(encoding="paths"), ValueError, "encoding"),
    (dict(encoding="raw"), ValueError, "encoding"),
    (dict(loss="hinge"), ValueError, "loss"),
    (dict(model="xgboost", model_params=[("n_estimators", 3)]), TypeError, "model_params"),
    (dict(model="xgboost", loss="mse+pairwise"), ValueError, "loss"),
    (dict(model=Ridge(), loss="pairwise"), ValueError, "loss"),
    (dict(model="gcn", encoding="onehot"), ValueError, "encoding"),
    (dict(model="renas", encoding="path"), ValueError, "encoding"),
])
def test_parameter_validation(params, exc, name, bench, split):
    Xtr, ytr, _, _ = split
    params = {"space": bench.space, **params}
    with pytest.raises(exc, match=rf"\b{name}\b"):
        ArchitectureRegressor(**params).fit(Xtr[:10], ytr[:10])


def test_backend_takes_defaults_and_overrides(bench, split):
    Xtr, ytr, _, _ = split
    reg = ArchitectureRegressor(bench.space, model="gcn", model__max_epochs=1).fit(Xtr[:20], ytr[:20])
    assert reg.backend_.params == dict(weight_decay=1e-4, batch_size=32, max_epochs=1, max_steps=None, hidden_size=144,
                                       n_layers=3, lr=4e-3)
    assert reg.backend_.n_threads == 1
    reg.set_params(model__lr=1e-2, model__hidden_size=8, model__n_layers=None).fit(Xtr[:20], ytr[:20])
    params = reg.backend_.params
    assert (params["lr"], params["hidden_size"], params["n_layers"]) == (1e-2, 8, 3)  # None: the default
    assert reg.estimators_[0].module_.hidden_size == 8
    assert MODELS == ("auto", "gcn", "mlp", "renas", "xgboost") and LOSSES == ("mse", "pairwise", "mse+pairwise")
    assert ENCODINGS == ("onehot", "path", "graph", "renas", "renas-compact", "raw")


def test_max_steps_bounds_the_optimizer_steps_of_a_fit(bench, split):
    Xtr, ytr, Xte, yte = split
    reg = ArchitectureRegressor(bench.space, model="mlp", model__batch_size=32, model__max_epochs=6,
                                model__max_steps=20)
    small = reg.fit(Xtr[:64], ytr[:64]).estimators_[0]  # 2 batches of 32: 6 epochs are 12 steps
    assert small.max_epochs == 6 and len(small.history) == 6
    large = reg.fit(Xte[:320], yte[:320]).estimators_[0]  # 10 batches: 2 epochs keep within 20 steps
    assert large.max_epochs == 2 and len(large.history) == 2
    huge = reg.set_params(model__max_steps=1).fit(Xte[:320], yte[:320]).estimators_[0]
    assert huge.max_epochs == 1  # at least one epoch
    with pytest.raises(ValueError, match="model__max_steps"):
        reg.set_params(model__max_steps=0).fit(Xtr[:20], ytr[:20])


@pytest.mark.parametrize("model", ["mlp", "xgboost", Ridge()], ids=str)
def test_targets_that_cannot_be_standardised(model, bench, split):
    Xtr, ytr, _, _ = split
    settings = {"model__max_epochs": 1} if model == "mlp" else {}
    reg = ArchitectureRegressor(bench.space, model=model, **settings)
    for y in (ytr * 1e200, np.full_like(ytr, 1e308)):
        with pytest.raises(ValueError, match=r"^y cannot be standardised"):
            reg.fit(Xtr, y)
    for bad in (np.nan, np.inf, -np.inf):
        y = ytr.copy()
        y[0] = bad
        with pytest.raises(ValueError, match=r"\by\b"):
            reg.fit(Xtr, y)
    raw = ArchitectureRegressor(None, model=model, **settings)
    with pytest.raises(ValueError, match=r"^X cannot be standardised"):
        raw.fit(np.random.default_rng(0).random((20, 3)) * 1e300, np.arange(20.0))


@pytest.mark.parametrize("params,hint", [
    (dict(model="mlp", model__lr=1e10, model__max_epochs=3), "lower model__lr"),
    (dict(model="gcn", model__lr=1e10, n_ensemble=2, model__max_epochs=3), "lower model__lr"),
    (dict(model="renas", model__lr=1e10, model__max_epochs=3), "lower model__lr"),
    (dict(model="xgboost", model__learning_rate=1e30, model__n_estimators=50), "model__learning_rate"),
])
def test_diverged_training_raises(params, hint, bench, split):
    Xtr, ytr, _, _ = split
    with pytest.raises(ValueError, match=f"training diverged.*{hint}"):
        ArchitectureRegressor(bench.space, random_state=0, **params).fit(Xtr[:60], ytr[:60])


def test_proposers_take_the_predictor_and_the_evaluated_rows(bench, split):
    from sknas.proposers import RandomRankProposer

    Xtr, ytr, _, _ = split
    reg = ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=5, random_state=0).fit(Xtr, ytr)
    assert not any(hasattr(reg, a) for a in ("propose", "X_fit_", "y_fit_"))
    P = RandomRankProposer().propose(reg, 8, Xtr, ytr, exclude=bench.X[:100], random_state=0)
    keys = bench.space.row_keys(P)
    assert len(P) == 8 and len(set(keys)) == 8
    assert not set(keys) & set(bench.space.row_keys(np.concatenate([Xtr, bench.X[:100]])))
    assert np.all(np.diff(reg.predict(P)) <= 1e-9)


# ------------------------------------------------------------------------- model__<name> settings
def test_model_settings_are_parameters(bench, split):
    Xtr, ytr, _, _ = split
    reg = ArchitectureRegressor(bench.space, model="gcn", model__hidden_size=16, model__max_epochs=2, random_state=0)
    params = reg.get_params()
    assert (params["model__hidden_size"], params["model__max_epochs"]) == (16, 2)
    assert "model__hidden_size=16" in repr(reg) and "model__max_epochs=2" in repr(reg)
    twin = clone(reg)
    assert twin.get_params(deep=False) == reg.get_params(deep=False)
    assert reg.set_params(model__hidden_size=8) is reg and reg.get_params()["model__hidden_size"] == 8
    assert twin.get_params()["model__hidden_size"] == 16  # a clone has its own settings
    reg.fit(Xtr[:20], ytr[:20])
    assert reg.estimators_[0].module_.hidden_size == 8
    # a regressor instance: model__<name> sets the members' clones, never the instance itself
    ridge = Ridge()
    est = ArchitectureRegressor(bench.space, model=ridge, model__alpha=7.0)
    assert est.get_params()["model__alpha"] == 7.0 and ridge.alpha == 1.0
    est.set_params(model__alpha=5.0).fit(Xtr, ytr)
    assert ridge.alpha == 1.0 and est.estimators_[0].alpha == 5.0
    grid = GridSearchCV(ArchitectureRegressor(bench.space, model="mlp", model__max_epochs=2, random_state=0),
                        {"model__hidden_size": [4, 8]}, cv=2).fit(Xtr[:40], ytr[:40])
    assert grid.best_estimator_.backend_.params["hidden_size"] in (4, 8)


def test_unknown_setting_names_it_and_lists_the_accepted(bench, split):
    Xtr, ytr, _, _ = split
    reg = ArchitectureRegressor(bench.space, model="renas", model__n_layers=2)  # construction never raises
    with pytest.raises(ValueError, match=r"model__n_layers is not a setting of model 'renas'; accepted: "
                                         r"\['model__weight_decay', 'model__batch_size', 'model__max_epochs', "
                                         r"'model__max_steps', 'model__hidden_size', 'model__lr'\]"):
        reg.fit(Xtr, ytr)
    with pytest.raises(ValueError, match="model__max_epochs is not a setting of model 'xgboost'.*model__n_estimators"):
        ArchitectureRegressor(bench.space, model="xgboost", model__max_epochs=3).fit(Xtr, ytr)
    with pytest.raises(ValueError, match=r"model__n_layers is not a setting of model 'renas'"):
        ArchitectureRegressor(None, model="renas", model__n_layers=2).fit(Xtr, ytr)  # before the MLP fallback


def test_old_flat_names_warn_and_fit_the_same_model(bench, split):
    from sknas.search import default_predictor

    Xtr, ytr, Xte, _ = split
    X, y = Xtr[:60], ytr[:60]
    with pytest.warns(FutureWarning) as record:
        old = ArchitectureRegressor(bench.space, model="gcn", hidden_size=64, max_epochs=60, random_state=0)
    assert [str(w.message).partition(" (")[0] for w in record] == [
        "hidden_size= is deprecated; use model__hidden_size=", "max_epochs= is deprecated; use model__max_epochs="]
    new = ArchitectureRegressor(bench.space, model="gcn", model__hidden_size=64, model__max_epochs=60, random_state=0)
    assert old.get_params() == new.get_params() and repr(old) == repr(new)
    expected = old.fit(X, y).predict(Xte)
    np.testing.assert_array_equal(new.fit(X, y).predict(Xte), expected)
    # the searches' default predictor is this GCN: the same predictions as with the flat names
    np.testing.assert_array_equal(default_predictor(bench.space, random_state=0).fit(X, y).predict(Xte), expected)
    # set_params with an old name sets model__<name> (what sknas.compare does to the default predictor)
    with pytest.warns(FutureWarning, match="model__max_epochs"):
        new.set_params(max_epochs=10)
    assert new.get_params()["model__max_epochs"] == 10 and "max_epochs" not in new.get_params()
    with pytest.warns(FutureWarning, match="model_params is deprecated"):
        xgb = ArchitectureRegressor(bench.space, model="xgboost", model_params={"n_estimators": 5}, random_state=0)
    assert xgb.get_params()["model__n_estimators"] == 5
    twin = ArchitectureRegressor(bench.space, model="xgboost", model__n_estimators=5, random_state=0)
    np.testing.assert_array_equal(xgb.fit(X, y).predict(Xte), twin.fit(X, y).predict(Xte))


def _documented_defaults(cls) -> dict:
    """Defaults written in the docstrings of ``cls`` and its bases: ``name : type, default=value`` entries of
    Other Parameters, and the ````name=value```` of a paragraph starting with "Settings"."""
    import ast
    import inspect
    import re

    out = {}
    for klass in reversed(cls.__mro__):
        doc = inspect.cleandoc(klass.__dict__.get("__doc__") or "")
        section = doc.partition("Other Parameters\n----------------\n")[2].partition("\n\n")[0]
        out.update((m[1], ast.literal_eval(m[2])) for m in re.finditer(r"^(\w+) : .*default=(.+)$", section, re.M))
        settings = re.search(r"^Settings.*?(?:\n\n|\Z)", doc, re.M | re.S)
        if settings:
            out.update((m[1], ast.literal_eval(m[2])) for m in re.finditer(r"``(\w+)=(.+?)``", settings[0]))
    return out


def test_backend_docstrings_document_their_defaults():
    """The defaults live in the backends' ``defaults`` dicts; their docstrings must list exactly those."""
    from sknas.predictors._backends import BACKENDS, SklearnBackend

    for backend in (*BACKENDS.values(), SklearnBackend):
        assert _documented_defaults(backend) == backend.defaults, backend.__name__


@pytest.mark.parametrize("params, name", [(dict(n_ensemble=7_340_032), "n_ensemble"),
                                          (dict(model__hidden_size=50_000), "model__hidden_size"),
                                          (dict(model__n_layers=10**6), "model__n_layers"),
                                          (dict(model__batch_size=2**40), "model__batch_size")])
def test_sizes_that_would_allocate_gigabytes_are_refused(params, name):
    """A typo in a size is a ValueError naming it, before anything is allocated or trained."""
    from sknas.datasets import load_nasbench201

    bench = load_nasbench201("cifar10-valid")
    with pytest.raises(ValueError, match=name):
        ArchitectureRegressor(bench.space, model="mlp", **params).fit(bench.X[:4], bench.metrics["valid"][:4])


def test_device_places_the_neural_models(bench, split):
    """``device`` goes to skorch (tested on the CPU; ``"cuda"`` takes the same path): the models and the
    differentiable outputs live there, the predictions come back as NumPy arrays."""
    Xtr, ytr, Xte, _ = split
    kw = dict(model="gcn", model__max_epochs=2, random_state=0)
    default = ArchitectureRegressor(bench.space, **kw).fit(Xtr[:30], ytr[:30])
    on_cpu = ArchitectureRegressor(bench.space, device="cpu", **kw).fit(Xtr[:30], ytr[:30])
    assert on_cpu.backend_.device == "cpu" and on_cpu.estimators_[0].device == "cpu"
    assert next(on_cpu.estimators_[0].module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(on_cpu.predict(Xte[:50]), default.predict(Xte[:50]))
    assert clone(on_cpu).get_params()["device"] == "cpu"
