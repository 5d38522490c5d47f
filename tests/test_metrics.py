import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score

from sknas.datasets import load_nasbench201
from sknas.encodings import onehot
from sknas.metrics import kendall_tau, kendall_tau_scorer, precision_at_k, spearman, spearman_scorer


@pytest.fixture(scope="module")
def bench(data_home):
    return load_nasbench201("cifar10-valid")


def test_kendall_and_spearman_match_scipy(bench):
    y = bench.query(bench.X[:500], "valid")
    p = bench.query(bench.X[:500], "test")
    assert kendall_tau(y, p) == pytest.approx(stats.kendalltau(y, p).statistic)
    assert spearman(y, p) == pytest.approx(stats.spearmanr(y, p).statistic)
    assert kendall_tau(y, y) == pytest.approx(1.0)
    assert kendall_tau(y, -y) == pytest.approx(-1.0)


@pytest.mark.parametrize("fn", [kendall_tau, spearman])
def test_constant_predictions_give_zero(fn):
    assert fn([1.0, 2.0, 3.0], [5.0, 5.0, 5.0]) == 0.0
    assert fn([4.0, 4.0], [1.0, 2.0]) == 0.0
    assert fn([1.0], [2.0]) == 0.0


@pytest.mark.parametrize("fn", [kendall_tau, spearman, precision_at_k])
def test_bad_inputs(fn):
    with pytest.raises(ValueError, match="same length"):
        fn([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        fn([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])


def test_precision_at_k():
    y = np.arange(20.0)
    assert precision_at_k(y, y, k=10) == 1.0
    assert precision_at_k(y, -y, k=10) == 0.0
    p = y.copy()
    p[[19, 0]] = p[[0, 19]]  # the best and the worst swapped
    assert precision_at_k(y, p, k=5) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="k must be"):
        precision_at_k(y, y, k=0)
    with pytest.raises(ValueError, match="k must be"):
        precision_at_k(y, y, k=21)


def test_scorers_in_cross_validation(bench):
    X = onehot(bench.space, bench.X[:400])
    y = bench.query(bench.X[:400], "valid")
    for scorer in (kendall_tau_scorer, spearman_scorer):
        scores = cross_val_score(Ridge(), X, y, cv=3, scoring=scorer)
        assert scores.shape == (3,)
        assert np.all(scores > 0.2)
