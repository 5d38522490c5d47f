"""The predictors work on any space's views (real NB101 and NB301 samples), including predict_relaxed."""

import numpy as np
import pytest
import torch

from sknas import ArchitectureRegressor
from sknas.datasets import load_nasbench101_sample, load_nasbench301_sample
from sknas.encodings import relax

LOADERS = {"nb101": load_nasbench101_sample, "nb301": load_nasbench301_sample}


@pytest.fixture(scope="module", params=list(LOADERS))
def bench(request, data_home):
    return LOADERS[request.param]()


@pytest.mark.parametrize("model,encoding", [("gcn", None), ("mlp", "onehot"), ("renas", None)])
def test_fit_predict_relaxed(bench, model, encoding):
    X, y = bench.X[:300], bench.query(bench.X[:300], "valid")
    reg = ArchitectureRegressor(bench.space, model=model, encoding=encoding, model__max_epochs=4, random_state=0)
    reg.fit(X[:200], y[:200])
    assert reg.score(X[200:], y[200:]) > 0.1
    Z = torch.tensor(relax(bench.space, X[200:210]), requires_grad=True)
    out = reg.predict_relaxed(Z)
    np.testing.assert_allclose(out.detach().numpy(), reg.predict(X[200:210]), rtol=1e-4, atol=1e-3)
    out.sum().backward()
    assert Z.grad.abs().sum() > 0


def test_default_predictor(bench):
    X, y = bench.X[:300], bench.query(bench.X[:300], "valid")
    reg = ArchitectureRegressor(bench.space, model__max_epochs=8, random_state=0).fit(X[:200], y[:200])
    assert reg.score(X[200:], y[200:]) > 0.2
