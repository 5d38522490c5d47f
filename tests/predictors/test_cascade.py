import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench201
from sknas.predictors import CascadePredictor
from sknas.spaces import NASBench201Space


@pytest.fixture(scope="module")
def data(one_torch_thread):
    bench = load_nasbench201("cifar10-valid")
    X = bench.X[np.random.default_rng(0).choice(len(bench), 40, replace=False)]
    return bench, X, bench.query(X)


def small(space, **kw):
    return ArchitectureRegressor(space, model="mlp", model__max_epochs=20, **kw)


def test_kept_rows_rank_above_dropped_ones(data):
    bench, X, y = data
    model = CascadePredictor(bench.space, regressor=small(bench.space), classifier=small(bench.space, loss="mse"),
                             quantile=0.75, random_state=0).fit(X, y)
    assert model.threshold_ == pytest.approx(np.quantile(y, 0.75))
    assert model.span_ == pytest.approx(y.max() - y.min())
    # the regressor learned the top quarter only, the classifier every row
    assert model.regressor_.y_mean_ == pytest.approx(y[y >= model.threshold_].mean())
    assert model.classifier_.y_mean_ == pytest.approx((y >= model.threshold_).mean())
    kept, pred = model.keep(bench.X), model.predict(bench.X)
    assert 0 < kept.sum() < len(kept)
    assert pred[kept].min() >= model.threshold_ > pred[~kept].max()
    assert np.isfinite(pred).all()
    again = clone(model).fit(X, y)
    np.testing.assert_array_equal(again.predict(bench.X[:50]), pred[:50])  # seeded: deterministic
    assert -1 <= model.score(bench.X[:200], bench.query(bench.X[:200])) <= 1


def test_a_scikit_learn_classifier_and_equal_values(data):
    bench, X, y = data
    model = CascadePredictor(bench.space, regressor=small(bench.space), classifier=LogisticRegression(),
                             random_state=0).fit(X, y)
    p = model.classifier_.predict_proba(bench.X[:100])[:, 1]
    np.testing.assert_array_equal(model.keep(bench.X[:100]), p >= 0.5)
    flat = CascadePredictor(bench.space, regressor=small(bench.space)).fit(X, np.ones(len(X)))
    assert flat.classifier_ is None and flat.keep(bench.X[:10]).all()  # nothing below the threshold


def test_bad_parameters(data):
    bench, X, y = data
    with pytest.raises(ValueError, match=r"quantile"):
        CascadePredictor(bench.space, quantile=1.0).fit(X, y)
    with pytest.raises(TypeError, match="classifier must be None or an estimator"):
        CascadePredictor(bench.space, classifier="gcn").fit(X, y)
    with pytest.raises(TypeError, match="space must be"):
        CascadePredictor(None).fit(X, y)
    with pytest.raises(ValueError, match="y contains NaN"):
        CascadePredictor(bench.space).fit(X[:2], [1.0, np.nan])
    with pytest.raises(ValueError, match="at least 2 finite values"):
        CascadePredictor(bench.space).fit(X[:1], [1.0])


def _expected_failed(est):
    from .test_regressor import SPACE_FAILED_CHECKS

    return SPACE_FAILED_CHECKS


@parametrize_with_checks(
    [CascadePredictor(NASBench201Space(), regressor=ArchitectureRegressor(NASBench201Space(), model="mlp",
                                                                         model__max_epochs=4, random_state=0),
                      classifier=LogisticRegression(), random_state=0)],
    expected_failed_checks=_expected_failed,
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)
