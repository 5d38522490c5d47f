"""A layer-wise MLP space for tabular data and the network built from its rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..spaces import CategoricalSpace
from ._nb201 import _positive_int, _seed_parameters

__all__ = ["MLPSpace", "MLPNetwork"]

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "selu": nn.SELU,
    "silu": nn.SiLU,
    "identity": nn.Identity,
}
_MLP_OUTPUTS = ("auto", "softmax", "identity")


class MLPSpace(CategoricalSpace):
    """Multi-layer perceptrons: a depth, then a width and an activation per hidden layer.

    A row holds the decisions ``depth, width_1, activation_1, ..., width_D,
    activation_D`` with ``D = max_depth``. Layers beyond the row's depth are
    unused, so :meth:`canonical` sets their choices to index 0: rows that
    differ only there denote the same network.

    Parameters
    ----------
    max_depth : int, default=3
        Largest number of hidden layers (depth runs over ``1..max_depth``).
    widths : sequence of int, default=(16, 32, 64, 128)
        Choices of hidden-layer width.
    activations : sequence of str, default=("relu", "tanh", "gelu")
        Choices of activation, among ``"relu"``, ``"tanh"``, ``"gelu"``,
        ``"sigmoid"``, ``"elu"``, ``"leaky_relu"``, ``"selu"``, ``"silu"`` and
        ``"identity"``.

    Examples
    --------
    >>> from sknas.networks import MLPSpace
    >>> space = MLPSpace(max_depth=2, widths=(16, 32), activations=("relu", "tanh"))
    >>> space.decision_names
    ('depth', 'width_1', 'activation_1', 'width_2', 'activation_2')
    >>> space.canonical([[0, 1, 1, 1, 1]]).tolist()
    [[0, 1, 1, 0, 0]]
    >>> space.to_string([1, 1, 0, 0, 1])
    'depth=2,width_1=32,activation_1=relu,width_2=16,activation_2=tanh'
    """

    name = "mlp"

    def __init__(self, max_depth: int = 3, widths: Sequence[int] = (16, 32, 64, 128),
                 activations: Sequence[str] = ("relu", "tanh", "gelu")):
        max_depth = _positive_int("max_depth", max_depth)
        if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence) or len(widths) == 0:
            raise ValueError(f"widths must be a non-empty sequence of positive integers; got {widths!r}")
        widths = tuple(_positive_int("each width", w) for w in widths)
        if isinstance(activations, (str, bytes)) or not isinstance(activations, Sequence) or len(activations) == 0:
            raise ValueError(f"activations must be a non-empty sequence of names; got {activations!r}")
        activations = tuple(activations)
        unknown = [a for a in activations if a not in _ACTIVATIONS]
        if unknown:
            raise ValueError(f"unknown activations {unknown}; accepted: {list(_ACTIVATIONS)}")
        self.max_depth, self.widths, self.activations = max_depth, widths, activations
        decisions: dict[str, list] = {"depth": list(range(1, max_depth + 1))}
        for k in range(1, max_depth + 1):
            decisions[f"width_{k}"] = list(widths)
            decisions[f"activation_{k}"] = list(activations)
        super().__init__(decisions)

    def __repr__(self) -> str:
        return f"MLPSpace(max_depth={self.max_depth}, widths={self.widths}, activations={self.activations})"

    def canonical(self, X) -> np.ndarray:
        """Set the choices of layers beyond each row's depth to index 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Rows of the space.

        Returns
        -------
        C : ndarray of shape (n_samples, n_decisions)
            Canonical rows; equal rows denote the same network.
        """
        X = self.check_rows(X).copy()
        depth = X[:, 0] + 1
        layer = (np.arange(1, self.n_decisions) + 1) // 2  # hidden layer of each column after "depth"
        X[:, 1:][layer[None, :] > depth[:, None]] = 0
        return X

    def layers(self, row) -> list[tuple[int, str]]:
        """The used hidden layers of a row as ``(width, activation)`` pairs.

        Parameters
        ----------
        row : sequence of int
            One row of the space.

        Returns
        -------
        layers : list of (int, str)
        """
        row = self.check_rows(row, name="row")[0]
        depth = self.choices[0][row[0]]
        return [(self.choices[2 * k - 1][row[2 * k - 1]], self.choices[2 * k][row[2 * k]])
                for k in range(1, depth + 1)]

    def build_module(self, row, n_features: int, n_outputs: int, **kwargs) -> MLPNetwork:
        """Build the :class:`MLPNetwork` of a row of this space.

        Parameters
        ----------
        row : sequence of int or str
            One row of the space (or its string form).
        n_features : int
            Input features.
        n_outputs : int
            Outputs (classes, or regression targets).
        **kwargs
            Further :class:`MLPNetwork` parameters (``dropout``, ``output``).

        Returns
        -------
        module : MLPNetwork
        """
        return MLPNetwork(row, n_features, n_outputs, space=self, **kwargs)


class MLPNetwork(nn.Module):
    """A multi-layer perceptron built from a row of an :class:`MLPSpace`.

    Each used hidden layer is ``Linear -> activation`` (followed by dropout
    when ``dropout > 0``); a final ``Linear`` maps to ``n_outputs``.

    Parameters
    ----------
    arch : sequence of int or str
        One row of ``space`` (stored as given), or its string form such as
        ``"depth=1,width_1=32,activation_1=relu,..."``.
    n_features : int
        Input features.
    n_outputs : int
        Outputs: classes for classification, targets for regression.
    space : MLPSpace or None, default=None
        The space of ``arch``; ``None`` means ``MLPSpace()``.
    dropout : float, default=0.0
        Dropout probability after every hidden activation.
    output : {"auto", "softmax", "identity"}, default="auto"
        ``"softmax"`` returns probabilities (skorch's ``NeuralNetClassifier``
        with its default ``NLLLoss``); ``"identity"`` returns raw outputs
        (regression, ``CrossEntropyLoss`` or ``NeuralNetBinaryClassifier``);
        ``"auto"`` is ``"softmax"`` when ``n_outputs >= 2`` and ``"identity"``
        when ``n_outputs == 1``. Set it for multi-output regression.
    seed : int or None, default=None
        Seed of the initial weights (``None``: torch's global random state).

    Examples
    --------
    >>> import torch
    >>> from sknas.networks import MLPNetwork
    >>> net = MLPNetwork([1, 0, 0, 2, 1, 0, 0], n_features=4, n_outputs=3)
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(self, arch, n_features: int, n_outputs: int, space=None, dropout: float = 0.0,
                 output: str = "auto", seed=None):
        super().__init__()
        self.arch = arch
        self.n_features = _positive_int("n_features", n_features)
        self.n_outputs = _positive_int("n_outputs", n_outputs)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.number)) or not 0 <= dropout < 1:
            raise ValueError(f"dropout must be a float in [0, 1); got {dropout!r}")
        self.dropout = float(dropout)
        if output not in _MLP_OUTPUTS:
            raise ValueError(f"output must be one of {list(_MLP_OUTPUTS)}; got {output!r}")
        self.output = output
        self._softmax = output == "softmax" or (output == "auto" and self.n_outputs >= 2)
        if space is None:
            space = MLPSpace()
        if not isinstance(space, MLPSpace):
            raise ValueError(f"space must be an MLPSpace (or None for MLPSpace()); got {space!r}")
        self.space = space
        self.row = row = space.as_row(arch)
        modules: list[nn.Module] = []
        width_in = self.n_features
        for width, activation in space.layers(row):
            modules += [nn.Linear(width_in, width), _ACTIVATIONS[activation]()]
            if self.dropout > 0:
                modules.append(nn.Dropout(self.dropout))
            width_in = width
        modules.append(nn.Linear(width_in, self.n_outputs))
        self.layers = nn.Sequential(*modules)
        self.seed = seed
        _seed_parameters(self, seed)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Outputs of a batch of feature rows.

        Parameters
        ----------
        X : torch.Tensor of shape (n, n_features)
            Features; converted to the network's dtype when needed.

        Returns
        -------
        out : torch.Tensor of shape (n, n_outputs)
        """
        dtype = self.layers[-1].weight.dtype
        if X.dtype != dtype:
            X = X.to(dtype)
        out = self.layers(X)
        return torch.softmax(out, dim=-1) if self._softmax else out
