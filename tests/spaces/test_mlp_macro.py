"""MLPSpace and MacroCNNSpace: the layer-wise spaces of sknas.networks' MLPs and sknas.hypernet's macro CNNs."""

import warnings

import numpy as np
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


def test_mlp_suggest_records_only_the_layers_in_use():
    """A layer beyond the chosen depth is not suggested: Optuna's samplers (TPE's conditional parameters) see
    only decisions that shape the network, and the sknas samplers still read every trial's architecture."""
    import optuna

    from sknas.samplers import RegularizedEvolutionSampler

    space = MLPSpace(max_depth=3, widths=(16, 32), activations=("relu", "tanh"))
    rows = []

    def objective(trial):
        rows.append(space.suggest(trial))
        return float(rows[-1].sum())

    for sampler in (optuna.samplers.TPESampler(seed=0), RegularizedEvolutionSampler(space, population_size=6, seed=0)):
        rows.clear()
        study = optuna.create_study(direction="maximize", sampler=sampler)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "trial suggested part of the decisions" from the sknas sampler
            study.optimize(objective, n_trials=20)
        for t, row in zip(study.trials, rows):
            depth = t.params["depth"]
            assert set(t.params) == {"depth"} | {f"{d}_{k}" for k in range(1, depth + 1)
                                                 for d in ("width", "activation")}
            np.testing.assert_array_equal(row, space.canonical(row[None, :])[0])
            np.testing.assert_array_equal(space.params_to_row(t.params), row)
        assert len({t.params["depth"] for t in study.trials}) > 1
    assert sampler._history(study.trials, study, -1)[0].shape == (20, space.n_decisions)


def test_mlp_params_to_row_needs_the_layers_in_use():
    space = MLPSpace(max_depth=2, widths=(16, 32), activations=("relu", "tanh"))
    assert space.params_to_row({"depth": 1, "width_1": 32, "activation_1": "tanh"}).tolist() == [0, 1, 1, 0, 0]
    with pytest.raises(ValueError, match="width_2"):
        space.params_to_row({"depth": 2, "width_1": 32, "activation_1": "tanh"})
