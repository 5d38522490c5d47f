"""MLPSpace and MacroCNNSpace: the layer-wise spaces of sknas.networks' MLPs and sknas.hypernet's macro CNNs."""

import pytest

from sknas.spaces import MacroCNNSpace, MLPSpace, cost


def test_mlp_space():
    space = MLPSpace()
    assert space.decision_names == ("depth", "width_1", "activation_1", "width_2", "activation_2",
                                    "width_3", "activation_3")
    assert space.n_choices.tolist() == [3, 4, 3, 4, 3, 4, 3]
    assert space == MLPSpace() and space != MLPSpace(max_depth=2) and "max_depth=3" in repr(space)
    a, b = [0, 2, 1, 3, 2, 1, 1], [0, 2, 1, 0, 0, 3, 2]  # depth 1: only layer 1 matters
    assert space.canonical([a, b]).tolist() == [[0, 2, 1, 0, 0, 0, 0]] * 2
    assert space.canonical([[2, 1, 1, 2, 2, 3, 1]]).tolist() == [[2, 1, 1, 2, 2, 3, 1]]
    assert len(space.unique([a, b, [1, 2, 1, 3, 2, 1, 1]])) == 2
    assert space.layers([1, 2, 1, 3, 2, 1, 1]) == [(64, "tanh"), (128, "gelu")]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"max_depth": 0}, ValueError, "max_depth"),
    ({"max_depth": 2.0}, TypeError, "max_depth"),
    ({"widths": ()}, ValueError, "widths must be a non-empty sequence"),
    ({"widths": (16, -1)}, ValueError, "each of widths"),
    ({"widths": (16, 16)}, ValueError, "widths must be distinct"),
    ({"activations": ("relu", "swish")}, ValueError, "each of activations='swish' is not supported"),
])
def test_mlp_space_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        MLPSpace(**kwargs)


def test_macro_cnn_space():
    space = MacroCNNSpace()
    assert space.n_decisions == 12 and space.n_rows == 18 ** 4
    assert space.layers([0, 2, 1] * 4) == [(1, 32, True)] * 4
    assert space == MacroCNNSpace() and space != MacroCNNSpace(n_layers=2)
    assert space.max_kernel == 5 and space.max_width == 32 and space.pool_size == 2
    # one 3x3 conv 1 -> 8 channels (72 weights + 8 biases), then the classifier on a 2 x 2 map of 8 channels
    assert cost(MacroCNNSpace(n_layers=1), [1, 0, 0], "params")[0] * 1e6 == 80 + 10 * (8 * 4 + 1)
    with pytest.raises(ValueError, match="n_classes"):
        cost(space, [0] * 12, "params", n_classes=0)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"kernel_sizes": (2, 3)}, ValueError, "kernel_sizes must be odd"),
    ({"kernel_sizes": (3, 3)}, ValueError, "kernel_sizes must be distinct"),
    ({"n_layers": 0}, ValueError, "n_layers"),
    ({"widths": "abc"}, ValueError, "widths must be a non-empty sequence"),
    ({"widths": (8, True)}, TypeError, "each of widths"),
])
def test_macro_cnn_space_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        MacroCNNSpace(**kwargs)
