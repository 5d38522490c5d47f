"""Per-node costs of the graph views (the ReNAS feature tensor's cost channels), checked by hand."""

import numpy as np
import pytest

from sknas.datasets import load_nasbench101_sample
from sknas.spaces import CellSpace, ConstrainedSpace, Constraint, NASBench101Space, NASBench201Space, cost, node_costs
from sknas.spaces._nasbench101 import vertex_channels

M = 1e6


def nb101_row(edges, ops):
    m = np.zeros((7, 7), dtype=int)
    for i, j in edges:
        m[i, j] = 1
    return NASBench101Space().from_spec(m, ["input", *ops, "output"])


def conv(cin, cout, k, side):  # bias-free conv + batch norm: (params, multiply-adds)
    return k * k * cin * cout + 2 * cout, k * k * cin * cout * side * side


def test_nb101_chain_by_hand():
    # input -> conv3x3 -> output; conv1x1 / maxpool vertices 2..5 are pruned
    row = nb101_row([(0, 1), (1, 6)], ["conv3x3-bn-relu"] + ["conv1x1-bn-relu"] * 4)
    nc = node_costs(NASBench101Space(), row[None])
    assert nc.shape == (1, 9, 7, 2)
    for g, (cin, c, side) in {0: (128, 128, 32), 3: (128, 256, 16), 8: (512, 512, 8)}.items():
        p3, f3 = conv(c, c, 3, side)
        pp, fp = conv(cin, c, 1, side)  # the projection of the cell input, on vertex 1
        np.testing.assert_allclose(nc[0, g, 1] * M, [p3 + pp, f3 + fp])
        np.testing.assert_array_equal(nc[0, g, [0, 2, 3, 4, 5, 6]], 0.0)


def test_nb101_split_output_channels_by_hand():
    # vertices 2 (conv1x1), 3 (maxpool) and 4 (conv3x3) feed the output: 128 = 43 + 43 + 42 channels;
    # vertex 1 (conv3x3) feeds 2 and 4 only, so it gets max(43, 42) = 43; the input also feeds the output
    edges = [(0, 1), (1, 2), (1, 4), (0, 3), (2, 6), (3, 6), (4, 6), (0, 6)]
    row = nb101_row(edges, ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "conv3x3-bn-relu",
                            "maxpool3x3"])
    space = NASBench101Space()
    A = space._adjacency(row[None])
    np.testing.assert_array_equal(vertex_channels(A, 128, 128)[0], [128, 43, 43, 43, 42, 0, 128])
    nc = node_costs(space, row[None])[0, 0] * M  # first cell: 128 -> 128 channels on 32x32
    np.testing.assert_allclose(nc[1], np.add(conv(43, 43, 3, 32), conv(128, 43, 1, 32)))
    np.testing.assert_allclose(nc[2], conv(43, 43, 1, 32))
    np.testing.assert_allclose(nc[3], conv(128, 43, 1, 32))  # maxpool: its input projection only
    np.testing.assert_allclose(nc[4], conv(42, 42, 3, 32))
    np.testing.assert_allclose(nc[6], conv(128, 128, 1, 32))  # the output's projection of the input
    np.testing.assert_array_equal(nc[[0, 5]], 0.0)


def test_nb101_params_match_the_benchmark(data_home):
    """Summed over nodes and cells, plus stem and classifier: NAS-Bench-101's trainable parameters, exactly.

    The sample's FLOPs (NASLib's count, with its own conventions) agree to 15 % and correlate > 0.999.
    """
    bench = load_nasbench101_sample()
    nc = node_costs(bench.space, bench.X).sum(axis=(1, 2)) * M
    stem_p, stem_f = conv(3, 128, 3, 32)
    params = (stem_p + nc[:, 0] + 512 * 10 + 10) / M
    np.testing.assert_allclose(params, bench.query(bench.X, "params"), rtol=1e-12)
    flops, ref = (stem_f + nc[:, 1] + 512 * 10) / M, bench.query(bench.X, "flops")
    assert np.all(np.abs(flops / ref - 1) < 0.15) and np.corrcoef(flops, ref)[0, 1] > 0.999


def test_nb201_by_hand():
    space = NASBench201Space()
    s = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
    nc = node_costs(space, space.from_string(s)[None])
    assert nc.shape == (1, 3, 8, 2)
    for g, (c, side) in enumerate([(16, 32), (32, 16), (64, 8)]):
        expected = [conv(c, c, 3, side), conv(c, c, 1, side), (0, 9 * c * side * side), (0, 0), (0, 0),
                    conv(c, c, 3, side)]
        np.testing.assert_allclose(nc[0, g, 1:-1] * M, expected)
        np.testing.assert_array_equal(nc[0, g, [0, -1]], 0.0)


def test_nb201_sums_to_the_network_costs():
    """Node parameters x 5 cells x stages + the fixed parts == params(); FLOPs too, once the pools are added."""
    space = NASBench201Space(n_classes=100)
    X = space.sample(200, random_state=0)
    nc = node_costs(space, X).sum(axis=2) * space.N  # (n, stages, 2)
    empty = np.zeros((1, 6), dtype=np.int64)  # every edge "none": the network without cell ops
    np.testing.assert_allclose(cost(space, empty, "params") + nc[:, :, 0].sum(axis=1), cost(space, X, "params"))
    pools = (X == 4).sum(axis=1) * space.N * sum(9 * c * h * h for c, h in [(16, 32), (32, 16), (64, 8)]) / M
    np.testing.assert_allclose(cost(space, empty, "flops") + nc[:, :, 1].sum(axis=1), cost(space, X, "flops") + pools)


def test_delegation_and_absence():
    base = NASBench201Space()
    sub = ConstrainedSpace(base, [Constraint("params", max_value=1.0)])
    X = sub.sample(5, random_state=0)
    np.testing.assert_array_equal(node_costs(sub, X), node_costs(base, X))
    with pytest.raises(ValueError, match="per-node cost model"):
        node_costs(CellSpace(n_nodes=3), [[0, 1, 2]])
