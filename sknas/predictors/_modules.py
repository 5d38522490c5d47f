"""Torch pieces of the neural predictors: modules, ranking losses and a lean batch iterator."""

from __future__ import annotations

import numpy as np
import torch
from skorch import NeuralNetRegressor
from torch import nn
from torch.nn import functional as fnn

__all__ = ["LeanNeuralNetRegressor", "DirectedGCN", "MLP", "ReNASNet", "RankingLoss", "TensorBatches"]


class DirectedGCN(nn.Module):
    """Directed GCN of the Neural Predictor (Wen et al. 2020).

    Every layer averages a propagation along the row-normalised adjacency
    with self loops (each node gathers its inputs) and one along its transpose
    (each node gathers its consumers), each with its own weights, then a ReLU.
    Node embeddings are averaged over nodes and fed to a small fully
    connected head.

    Parameters
    ----------
    n_node_types : int
        Width of the node features ``F``.
    hidden_size : int, default=144
        Width of every graph layer.
    n_layers : int, default=3
        Number of graph layers.
    head_size : int, default=128
        Width of the hidden layer of the head.
    dropout : float, default=0.0
        Dropout before the output layer.
    """

    def __init__(self, n_node_types: int, hidden_size: int = 144, n_layers: int = 3, head_size: int = 128,
                 dropout: float = 0.0):
        super().__init__()
        sizes = [n_node_types] + [hidden_size] * n_layers
        self.hidden_size = hidden_size
        # the forward- and backward-pass weights of a layer, fused into one matmul
        self.layers = nn.ModuleList(nn.Linear(a, 2 * b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.head = nn.Sequential(nn.Linear(hidden_size, head_size), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(head_size, 1))

    def forward(self, A, F):
        eye = torch.eye(A.shape[1], dtype=A.dtype, device=A.device)
        a_in = A.transpose(1, 2) + eye  # row j: the inputs of node j (and j itself)
        a_in = a_in / a_in.sum(-1, keepdim=True)
        a_out = A + eye  # row i: the consumers of node i (and i itself)
        a_out = a_out / a_out.sum(-1, keepdim=True)
        h = F
        for layer in self.layers:
            h_in, h_out = layer(h).split(self.hidden_size, dim=-1)
            h = fnn.relu(0.5 * (a_in @ h_in + a_out @ h_out))
        return self.head(h.mean(dim=1))


class MLP(nn.Module):
    """Fully connected network with ReLU activations (the BANANAS-style predictor).

    Parameters
    ----------
    n_features : int
        Input width.
    hidden_size : int, default=128
        Width of every hidden layer.
    n_layers : int, default=2
        Number of hidden layers.
    dropout : float, default=0.0
        Dropout after every hidden layer.
    """

    def __init__(self, n_features: int, hidden_size: int = 128, n_layers: int = 2, dropout: float = 0.0):
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for _ in range(n_layers):
            layers += [nn.Linear(width, hidden_size), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = hidden_size
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, X):
        return self.net(X)


class ReNASNet(nn.Module):
    """Small convolutional predictor on the ReNAS feature tensor (channels x N x N).

    Two 3x3 convolutions with ReLU keep the ``N x N`` layout (so edge
    positions stay meaningful), then a fully connected head.

    Parameters
    ----------
    n_channels : int
        Channels of the feature tensor.
    n_nodes : int
        ``N``, the side of the tensor.
    hidden_size : int, default=32
        Channels of the second convolution (the first has half as many).
    head_size : int, default=128
        Width of the hidden layer of the head.
    """

    def __init__(self, n_channels: int, n_nodes: int, hidden_size: int = 32, head_size: int = 128):
        super().__init__()
        c1 = max(hidden_size // 2, 1)
        self.conv = nn.Sequential(
            nn.Conv2d(n_channels, c1, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c1, hidden_size, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(hidden_size * n_nodes * n_nodes, head_size), nn.ReLU(),
                                  nn.Linear(head_size, 1))

    def forward(self, X):
        return self.head(self.conv(X))


def pairwise_logistic(f, y):
    """ReNAS relativistic loss: mean over pairs with ``y_i > y_j`` of ``softplus(-(f_i - f_j))``."""
    f = f.reshape(-1)
    y = y.reshape(-1)
    mask = y[:, None] > y[None, :]
    if not bool(mask.any()):
        return f.sum() * 0.0
    return fnn.softplus(-(f[:, None] - f[None, :])[mask]).mean()


class RankingLoss(nn.Module):
    """Training criterion: ``"mse"``, ``"pairwise"`` (ReNAS) or their sum ``"mse+pairwise"``.

    Parameters
    ----------
    loss : {"mse", "pairwise", "mse+pairwise"}, default="mse"
        Which terms to use.
    """

    def __init__(self, loss: str = "mse"):
        super().__init__()
        self.loss = loss

    def forward(self, y_pred, y_true):
        y_pred = y_pred.reshape(-1)
        y_true = y_true.reshape(-1).to(y_pred.dtype)
        out = y_pred.new_zeros(())
        if self.loss in ("mse", "mse+pairwise"):
            out = out + fnn.mse_loss(y_pred, y_true)
        if self.loss in ("pairwise", "mse+pairwise"):
            out = out + pairwise_logistic(y_pred, y_true)
        return out


def _take(X, idx):
    if isinstance(X, dict):
        return {k: v[idx] for k, v in X.items()}
    return X[idx]


def _as_tensor(X):
    if isinstance(X, dict):
        return {k: torch.as_tensor(v) for k, v in X.items()}
    return torch.as_tensor(X)


class TensorBatches:
    """Minimal replacement for ``torch.utils.data.DataLoader`` on in-memory arrays.

    skorch's default loader fetches and collates samples one by one, which
    dominates the cost of training small predictors. This iterator slices whole
    tensors instead, and splits the data into ``ceil(n / batch_size)`` batches
    of near-equal size (no batch of one sample, which a pairwise loss cannot
    use). Shuffling draws from torch's global generator (seeded by the
    estimator).

    Parameters
    ----------
    dataset : skorch.dataset.Dataset
        Holds ``X`` (array, tensor or dict of them) and ``y``.
    batch_size : int, default=128
        Upper bound of the batch size.
    shuffle : bool, default=False
        Shuffle the samples every pass.
    **kwargs
        Other ``DataLoader`` arguments, ignored.
    """

    def __init__(self, dataset, batch_size: int = 128, shuffle: bool = False, **kwargs):
        self.X = _as_tensor(dataset.X)
        self.y = None if dataset.y is None else torch.as_tensor(dataset.y)
        self.n = len(dataset)
        self.batch_size = int(batch_size) if batch_size and batch_size > 0 else self.n
        self.shuffle = shuffle

    def __len__(self) -> int:
        return max(1, int(np.ceil(self.n / self.batch_size)))

    def __iter__(self):
        idx = torch.randperm(self.n) if self.shuffle else torch.arange(self.n)
        for part in torch.tensor_split(idx, len(self)):
            yield _take(self.X, part), (None if self.y is None else self.y[part])


class LeanNeuralNetRegressor(NeuralNetRegressor):
    """``skorch.NeuralNetRegressor`` without its default callbacks.

    The defaults (epoch timer, loss bookkeeping, progress printing) cost more
    than a small predictor's epoch on tiny data; the loss per batch is still
    recorded in ``history``. User callbacks (e.g. a learning-rate scheduler)
    work as usual.
    """

    def get_default_callbacks(self):
        return []
