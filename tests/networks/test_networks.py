import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier, NeuralNetRegressor

from sknas.networks import MLPNetwork, NB201Network
from sknas.networks._mlp import _ACTIVATIONS
from sknas.spaces import CategoricalSpace, CellSpace, MLPSpace, NASBench201Space, cost
from sknas.spaces._mlp import MLP_ACTIVATIONS

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def n_params(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("n_classes", [10, 100])
def test_nb201_params_match_analytic_model(n_classes):
    space = NASBench201Space(n_classes=n_classes)
    rows = np.vstack([[0] * 6, [3] * 6, [1, 2, 3, 4, 0, 2], space.sample(3, random_state=0)])
    expected = cost(space, rows, "params") * 1e6
    for row, exp in zip(rows, expected):
        assert n_params(NB201Network(row, n_classes=n_classes)) == round(exp)
    # another width/depth, with the space told the same sizes
    small = NASBench201Space(n_classes=n_classes, C=8, N=2)
    expected = round(cost(small, rows[2:3], "params")[0] * 1e6)
    assert n_params(NB201Network(rows[2], C=8, N=2, n_classes=n_classes)) == expected


def test_nb201_string_and_row_agree():
    a, b = NB201Network(BEST, C=4, N=1), NB201Network([3, 3, 4, 1, 3, 1], C=4, N=1)
    assert a.arch == BEST and a.row.tolist() == b.row.tolist() == [3, 3, 4, 1, 3, 1]
    assert n_params(a) == n_params(b)


@pytest.mark.parametrize("shape, in_channels", [((3, 1, 8, 8), 1), ((2, 3, 32, 32), 3), ((2, 1, 7, 7), 1)])
def test_nb201_forward_shapes(shape, in_channels):
    torch.manual_seed(0)
    net = NB201Network([3, 3, 4, 1, 3, 1], C=4, N=1, in_channels=in_channels, n_classes=5).eval()
    out = net(torch.randn(*shape))
    assert out.shape == (shape[0], 5)
    assert torch.allclose(out.sum(dim=1), torch.ones(shape[0]), atol=1e-5)  # softmax by default
    logits = NB201Network([3, 3, 4, 1, 3, 1], C=4, N=1, in_channels=in_channels, n_classes=5, output="identity")
    assert logits(torch.randn(*shape).double()).shape == (shape[0], 5)  # float64 input is cast


def test_nb201_none_cell_runs():
    torch.manual_seed(0)
    net = NB201Network([0] * 6, C=4, N=1, in_channels=1).train()
    x = torch.randn(4, 1, 8, 8)
    out = net(x)
    assert out.shape == (4, 10) and torch.isfinite(out).all()
    cell = net.cells[0]
    assert torch.count_nonzero(cell(torch.randn(2, 4, 8, 8))) == 0


def test_nb201_other_cell_spaces():
    space = CellSpace(n_nodes=5)
    net = NB201Network([3, 1, 2, 0, 4, 1, 1, 3, 0, 2], C=4, N=1, space=space)
    assert net(torch.randn(2, 3, 8, 8)).shape == (2, 10)
    conv_only = CellSpace(n_nodes=3, ops=("nor_conv_3x3", "skip_connect"), zero_op=None)
    assert NB201Network([0, 1, 0], C=4, N=1, space=conv_only)(torch.randn(1, 3, 8, 8)).shape == (1, 10)
    with pytest.raises(ValueError, match="without a NAS-Bench-201 implementation"):
        NB201Network([0, 0, 0], space=CellSpace(n_nodes=3, ops=("none", "sep_conv_3x3"), identity_op=None))


@pytest.mark.parametrize(
    "arch, kwargs, match",
    [
        ([3, 3, 3], {}, "length 3"),
        ([3, 3, 3, 3, 3, 5], {}, "choice index 5"),
        ([3, 3, 3, 3, 3, 1.5], {}, "whole-number"),
        ([[3] * 6, [1] * 6], {}, "single architecture"),
        ("|nor_conv_3x3~0|+|nor_conv_3x3~0|", {}, "malformed"),
        (BEST.replace("avg_pool_3x3", "max_pool_3x3"), {}, "unknown op"),
        ([3] * 6, {"C": 0}, "C must be"),
        ([3] * 6, {"output": "logits"}, "output='logits' is not supported"),
        ([3] * 6, {"space": CategoricalSpace({"a": [1, 2]})}, "CellSpace"),
    ],
)
def test_nb201_bad_input(arch, kwargs, match):
    with pytest.raises(ValueError, match=match):
        NB201Network(arch, **kwargs)


def test_mlp_network():
    space = MLPSpace(max_depth=2, widths=(8, 16), activations=("relu", "tanh"))
    net = MLPNetwork([1, 0, 1, 1, 0], n_features=5, n_outputs=3, space=space, dropout=0.1)
    linear = [m for m in net.layers if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linear] == [(5, 8), (8, 16), (16, 3)]
    assert isinstance(net.layers[1], torch.nn.Tanh) and isinstance(net.layers[2], torch.nn.Dropout)
    out = net.eval()(torch.randn(4, 5))
    assert out.shape == (4, 3) and torch.allclose(out.sum(dim=1), torch.ones(4))
    shallow = MLPNetwork("depth=1,width_1=16,activation_1=relu,width_2=8,activation_2=tanh", 5, 1, space=space)
    assert len(shallow.layers) == 3 and shallow(torch.randn(2, 5).double()).shape == (2, 1)  # identity output
    for arch, kwargs in [([1, 0, 1], {}), ([0, 0, 0, 2, 0], {}), ([0] * 5, {"dropout": 1.0}),
                         ([0] * 5, {"output": "sigmoid"}), ([0] * 5, {"space": NASBench201Space()})]:
        with pytest.raises(ValueError):
            MLPNetwork(arch, 5, 2, **{"space": space, **kwargs})
    with pytest.raises(TypeError, match="n_features"):
        MLPNetwork([0] * 5, 5.0, 2, space=space)
    # every activation an MLPSpace accepts has its torch module
    assert set(_ACTIVATIONS) == set(MLP_ACTIVATIONS)


def test_skorch_nb201_on_digits():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = (X[:300] / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = y[:300].astype(np.int64)
    row = [3, 3, 4, 1, 3, 1]
    net = NeuralNetClassifier(NB201Network, module__arch=row, module__C=4, module__N=1, module__in_channels=1,
                              max_epochs=3, lr=0.1, batch_size=64, train_split=None, verbose=0)
    net.fit(X, y)
    losses = net.history[:, "train_loss"]
    assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    assert net.predict_proba(X[:5]).shape == (5, 10) and net.predict(X[:5]).shape == (5,)
    restored = pickle.loads(pickle.dumps(net))
    np.testing.assert_allclose(restored.predict_proba(X[:5]), net.predict_proba(X[:5]), rtol=1e-5)
    cloned = clone(net)
    assert cloned.module__arch is not None and list(cloned.module__arch) == row
    assert not hasattr(cloned, "module_")
    cloned.set_params(module__arch=BEST, max_epochs=1).fit(X[:64], y[:64])
    assert cloned.module_.row.tolist() == row


def test_skorch_mlp_on_breast_cancer():
    torch.manual_seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    y = y.astype(np.int64)
    space = MLPSpace(max_depth=2)
    row = [1, 1, 0, 0, 2]
    net = NeuralNetClassifier(MLPNetwork, module__arch=row, module__n_features=X.shape[1], module__n_outputs=2,
                              module__space=space, max_epochs=5, lr=0.1, train_split=None, verbose=0)
    net.fit(X, y)
    assert net.score(X, y) > 0.9
    cloned = clone(net)
    assert cloned.module__arch == row and cloned.module__space == space
    reg = NeuralNetRegressor(MLPNetwork, module__arch=row, module__n_features=X.shape[1], module__n_outputs=1,
                             module__space=space, max_epochs=2, train_split=None, verbose=0)
    reg.fit(X, y.astype(np.float32).reshape(-1, 1))
    assert reg.predict(X[:3]).shape == (3, 1)


def test_seed_makes_initial_weights_reproducible():
    a = NB201Network([3, 3, 4, 1, 3, 1], C=4, N=1, seed=3)
    b = NB201Network([3, 3, 4, 1, 3, 1], C=4, N=1, seed=3)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    c = MLPNetwork([1, 0, 0, 2, 1, 0, 0], n_features=4, n_outputs=3, seed=3)
    d = MLPNetwork([1, 0, 0, 2, 1, 0, 0], n_features=4, n_outputs=3, seed=4)
    assert not torch.equal(c.layers[0].weight, d.layers[0].weight)
    with pytest.raises(TypeError, match="seed must be an integer or None"):
        NB201Network([0] * 6, seed="x")
