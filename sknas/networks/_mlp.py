"""The multi-layer perceptron built from a row of an :class:`~sknas.spaces.MLPSpace`."""

from __future__ import annotations

import torch
from torch import nn

from ..spaces import MLPSpace
from ..utils import check_choice, check_int, check_real
from ._seed import seed_parameters

__all__ = ["MLPNetwork"]

#: the torch module of every activation name of :class:`~sknas.spaces.MLPSpace`
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


class MLPNetwork(nn.Module):
    """A multi-layer perceptron built from a row of an :class:`~sknas.spaces.MLPSpace`.

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
        self.n_features = check_int(n_features, "n_features")
        self.n_outputs = check_int(n_outputs, "n_outputs")
        self.dropout = check_real(dropout, "dropout", low=0.0, high=1.0, closed="left")
        check_choice("output", output, ("auto", "softmax", "identity"))
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
        seed_parameters(self, seed)

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
