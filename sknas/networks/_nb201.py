"""The NAS-Bench-201 macro network built from a cell row, usable as a skorch module."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..spaces import NB201_OPS, CellSpace, NASBench201Space
from ..utils import check_choice, check_int
from ._seed import seed_parameters

__all__ = ["NB201Network"]


def _relu_conv_bn(c_in: int, c_out: int, kernel_size: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.ReLU(inplace=False),
        nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=kernel_size // 2, bias=False),
        nn.BatchNorm2d(c_out),
    )


class _Zero(nn.Module):
    """The ``none`` op: zeros shaped like the input."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.zeros_like(x)


def _make_op(name: str, C: int) -> nn.Module:
    if name == "none":
        return _Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return _relu_conv_bn(C, C, 1)
    if name == "nor_conv_3x3":
        return _relu_conv_bn(C, C, 3)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"op {name!r} has no NAS-Bench-201 implementation")


class _Cell(nn.Module):
    """One searched cell: node ``i`` sums ``op_{i<-j}(node j)`` over ``j < i``; the output is the last node."""

    def __init__(self, op_names: list[str], edges: list[tuple[int, int]], n_nodes: int, C: int):
        super().__init__()
        self.edges = list(edges)
        self.n_nodes = n_nodes
        self.zero = [name == "none" for name in op_names]
        self.ops = nn.ModuleList(_make_op(name, C) for name in op_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x] + [None] * (self.n_nodes - 1)
        for k, (i, j) in enumerate(self.edges):
            if self.zero[k] or nodes[j] is None:  # zero edge, or an all-zero input node
                continue
            out = self.ops[k](nodes[j])
            nodes[i] = out if nodes[i] is None else nodes[i] + out
        last = nodes[-1]
        return torch.zeros_like(x) if last is None else last


class _ResNetReduction(nn.Module):
    """NAS-Bench-201's residual reduction block (stride 2, doubles the channels)."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv_a = _relu_conv_bn(c_in, c_out, 3, stride=2)
        self.conv_b = _relu_conv_bn(c_out, c_out, 3)
        # ceil_mode keeps the shortcut the same size as the strided conv on odd inputs (7 -> 4, 1 -> 1)
        self.shortcut = nn.Sequential(
            nn.AvgPool2d(2, stride=2, ceil_mode=True),
            nn.Conv2d(c_in, c_out, 1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_b(self.conv_a(x)) + self.shortcut(x)


class NB201Network(nn.Module):
    """The NAS-Bench-201 macro network with the cell given by an architecture row.

    Stem (3x3 conv + BN), three stages of ``N`` cells at ``C``, ``2C`` and
    ``4C`` channels separated by residual reduction blocks (stride 2), then
    BN, ReLU, global average pooling and a linear classifier. Its parameter
    count equals ``cost(NASBench201Space(n_classes, C=C, N=N), [row], "params") * 1e6``
    when ``in_channels=3``.

    Parameters
    ----------
    arch : sequence of int or str
        The cell: one op index per edge of ``space`` (a row, stored as given),
        or its NAS-Bench-201 string such as
        ``"|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"``.
    C : int, default=16
        Channels of the first stage.
    N : int, default=5
        Cells per stage.
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=10
        Number of outputs of the classifier.
    space : CellSpace or None, default=None
        The space of ``arch``; ``None`` means :class:`~sknas.spaces.NASBench201Space`.
        Any :class:`~sknas.spaces.CellSpace` whose ops are among NAS-Bench-201's
        five works (e.g. more nodes).
    output : {"softmax", "identity"}, default="softmax"
        ``"softmax"`` returns class probabilities, as skorch's
        ``NeuralNetClassifier`` expects with its default ``NLLLoss``;
        ``"identity"`` returns logits (use with ``criterion=torch.nn.CrossEntropyLoss``).
    seed : int or None, default=None
        Seed of the initial weights, so that a cross-validated search is
        reproducible whatever process fits the network (``None``: torch's
        global random state).

    Raises
    ------
    ValueError
        On a row of the wrong length or with out-of-range indices, a malformed
        string, a space with ops outside NAS-Bench-201's five, or bad sizes.

    Examples
    --------
    >>> import torch
    >>> from sknas.networks import NB201Network
    >>> net = NB201Network([3, 3, 4, 1, 3, 1], C=4, N=1, in_channels=1)
    >>> net(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, arch, C: int = 16, N: int = 5, in_channels: int = 3, n_classes: int = 10, space=None,
                 output: str = "softmax", seed=None):
        super().__init__()
        self.arch = arch
        self.C = check_int(C, "C")
        self.N = check_int(N, "N")
        self.in_channels = check_int(in_channels, "in_channels")
        self.n_classes = check_int(n_classes, "n_classes")
        check_choice("output", output, ("softmax", "identity"))
        self.output = output
        if space is None:
            space = NASBench201Space()
        if not isinstance(space, CellSpace):
            raise ValueError(f"space must be a CellSpace (or None for NASBench201Space); got {space!r}")
        self.space = space
        self.row = _parse_row(space, arch)
        op_names = [space.ops[k] for k in self.row]
        edges = list(space.edges)

        self.stem = nn.Sequential(
            nn.Conv2d(self.in_channels, self.C, 3, padding=1, bias=False),
            nn.BatchNorm2d(self.C),
        )
        blocks: list[nn.Module] = []
        c_prev = self.C
        for stage, c in enumerate((self.C, 2 * self.C, 4 * self.C)):
            if stage > 0:
                blocks.append(_ResNetReduction(c_prev, c))
            blocks.extend(_Cell(op_names, edges, space.n_nodes, c) for _ in range(self.N))
            c_prev = c
        self.cells = nn.Sequential(*blocks)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=False))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, self.n_classes)
        self.seed = seed
        seed_parameters(self, seed)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Class probabilities (or logits with ``output="identity"``) of a batch of images.

        Parameters
        ----------
        X : torch.Tensor of shape (n, in_channels, height, width)
            Images; converted to the network's dtype when needed.

        Returns
        -------
        out : torch.Tensor of shape (n, n_classes)
        """
        dtype = self.classifier.weight.dtype
        if X.dtype != dtype:
            X = X.to(dtype)
        h = self.lastact(self.cells(self.stem(X)))
        out = self.classifier(self.pool(h).flatten(1))
        return torch.softmax(out, dim=-1) if self.output == "softmax" else out


def _parse_row(space: CellSpace, arch) -> np.ndarray:
    unknown = [op for op in space.ops if op not in NB201_OPS]
    if unknown:
        raise ValueError(f"space {space!r} has ops without a NAS-Bench-201 implementation: {unknown}")
    return space.as_row(arch)
