"""The macro CNN of a :class:`~sknas.spaces.MacroCNNSpace` row, its forward pass, and training helpers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..networks import seed_parameters
from ..spaces import MacroCNNSpace
from ..utils import check_int, rng_from

__all__ = ["MacroCNN", "train_from_scratch", "accuracy", "check_images"]

_POOL = MacroCNNSpace.pool_size  # the classifier sees a 2 x 2 average-pooled map


def _match_channels(x: torch.Tensor, c: int) -> torch.Tensor:
    """Zero-pad or truncate the channels of ``x`` to ``c`` (the parameter-free skip)."""
    n = x.shape[1]
    if n == c:
        return x
    if n > c:
        return x[:, :c]
    return F.pad(x, (0, 0, 0, 0, 0, c - n))


def macro_forward(x: torch.Tensor, convs: Sequence[tuple[torch.Tensor, torch.Tensor, bool]],
                  head_weight: torch.Tensor, head_bias: torch.Tensor) -> torch.Tensor:
    """The forward pass of a macro CNN given its weights (shared by the HyperNetwork and :class:`MacroCNN`).

    Parameters
    ----------
    x : torch.Tensor of shape (n, channels, height, width)
        Images.
    convs : sequence of (weight, bias, skip)
        Per layer: a ``(out, in, k, k)`` kernel, an ``(out,)`` bias and whether the skip is on.
    head_weight, head_bias : torch.Tensor
        The classifier, ``(n_classes, last_width * 4)`` and ``(n_classes,)``.

    Returns
    -------
    logits : torch.Tensor of shape (n, n_classes)
    """
    for w, b, skip in convs:
        out = F.conv2d(x, w, b, padding=w.shape[-1] // 2)
        out = F.relu(F.layer_norm(out, out.shape[1:]))
        x = out + _match_channels(x, out.shape[1]) if skip else out
    return F.linear(F.adaptive_avg_pool2d(x, _POOL).flatten(1), head_weight, head_bias)


class MacroCNN(nn.Module):
    """The network of a row of a :class:`~sknas.spaces.MacroCNNSpace`, with its own weights.

    Parameters
    ----------
    arch : sequence of int or str
        One row of ``space`` or its string form.
    in_channels : int, default=1
        Channels of the input images.
    n_classes : int, default=10
        Number of outputs; ``forward`` returns logits.
    space : MacroCNNSpace or None, default=None
        The space of ``arch``; ``None`` means ``MacroCNNSpace()``.
    seed : int or None, default=None
        Seed of the initial weights (``None``: torch's global random state).

    Examples
    --------
    >>> import torch
    >>> from sknas.hypernet import MacroCNN
    >>> net = MacroCNN([1, 0, 0] * 4, in_channels=1, n_classes=10, seed=0)
    >>> net(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, arch, in_channels: int = 1, n_classes: int = 10, space=None, seed=None):
        super().__init__()
        self.arch = arch
        self.in_channels = check_int(in_channels, "in_channels")
        self.n_classes = check_int(n_classes, "n_classes")
        if space is None:
            space = MacroCNNSpace()
        if not isinstance(space, MacroCNNSpace):
            raise ValueError(f"space must be a MacroCNNSpace (or None for MacroCNNSpace()); got {space!r}")
        self.space = space
        self.row = row = space.as_row(arch)
        self.skips = []
        convs = []
        c = self.in_channels
        for k, w, skip in space.layers(row):
            convs.append(nn.Conv2d(c, w, k, padding=k // 2))
            self.skips.append(skip)
            c = w
        self.convs = nn.ModuleList(convs)
        self.head = nn.Linear(c * _POOL * _POOL, self.n_classes)
        self.seed = seed
        seed_parameters(self, seed)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Logits of a batch of images.

        Parameters
        ----------
        X : torch.Tensor of shape (n, in_channels, height, width)

        Returns
        -------
        logits : torch.Tensor of shape (n, n_classes)
        """
        dtype = self.head.weight.dtype
        if X.dtype != dtype:
            X = X.to(dtype)
        convs = [(m.weight, m.bias, s) for m, s in zip(self.convs, self.skips)]
        return macro_forward(X, convs, self.head.weight, self.head.bias)


def check_images(X, y=None, *, name: str = "X"):
    """Validate images ``(n, channels, height, width)`` and, if given, their labels.

    Parameters
    ----------
    X : array-like of shape (n_samples, channels, height, width)
        Finite numeric images.
    y : array-like of shape (n_samples,) or None
        Labels.
    name : str, default="X"
        Name of ``X`` in messages (``y`` is named after it, e.g. ``X_val`` -> ``y_val``).

    Returns
    -------
    X : ndarray of float32
    y : ndarray or None

    Raises
    ------
    ValueError
        Naming the field: wrong number of dimensions, no samples, NaN or infinite
        values, labels of the wrong shape or length.
    """
    yname = "y" + name[1:] if name.startswith("X") else f"labels of {name}"
    try:
        arr = np.asarray(X, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array of images (n, channels, height, width)") from exc
    if arr.ndim != 4:
        raise ValueError(f"{name} must be 4-D (n_samples, channels, height, width); got {arr.ndim}-D "
                         f"of shape {arr.shape}")
    if arr.shape[0] == 0 or min(arr.shape[1:]) == 0:
        raise ValueError(f"{name} must hold at least one non-empty image; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values")
    if y is None:
        return arr, None
    yarr = np.asarray(y)
    if yarr.ndim != 1:
        raise ValueError(f"{yname} must be 1-D (one label per image); got shape {yarr.shape}")
    if len(yarr) != len(arr):
        raise ValueError(f"{yname} has {len(yarr)} labels but {name} has {len(arr)} images")
    if yarr.dtype.kind == "f" and not np.all(np.isfinite(yarr)):
        raise ValueError(f"{yname} holds NaN or infinite values")
    return arr, yarr


def accuracy(module: nn.Module, X, y, batch_size: int = 1024) -> float:
    """Accuracy of a logits-returning ``module`` on images ``X`` with integer class indices ``y``."""
    X = torch.as_tensor(np.asarray(X, dtype=np.float32))
    y = np.asarray(y)
    module.eval()
    with torch.no_grad():
        pred = torch.cat([module(X[i:i + batch_size]).argmax(1) for i in range(0, len(X), batch_size)])
    return float(np.mean(pred.numpy() == y))


def train_from_scratch(row, X, y, epochs: int = 20, random_state=None, *, space=None, batch_size: int = 64,
                       lr: float = 3e-3, weight_decay: float = 0.0) -> MacroCNN:
    """Train the network of ``row`` on its own (own weights, no HyperNetwork) with Adam and cross-entropy.

    Parameters
    ----------
    row : sequence of int or str
        An architecture of ``space``.
    X : array-like of shape (n_samples, channels, height, width)
        Training images.
    y : array-like of shape (n_samples,)
        Integer class labels ``0..n_classes-1`` (``n_classes = max(y) + 1``).
    epochs : int, default=20
        Passes over the data.
    random_state : int or None, default=None
        Seed of the initial weights and of the shuffling (torch's global state is untouched).
    space : MacroCNNSpace or None, default=None
        ``None`` means ``MacroCNNSpace()``.
    batch_size : int, default=64
    lr : float, default=3e-3
    weight_decay : float, default=0.0

    Returns
    -------
    module : MacroCNN
        The trained network, in eval mode; ``module.fit_time_`` holds the training seconds.
    """
    import time

    X, y = check_images(X, y)
    if y.dtype.kind not in "iu" or y.min() < 0:
        raise ValueError("y must hold non-negative integer class indices")
    epochs = check_int(epochs, "epochs")
    batch_size = check_int(batch_size, "batch_size")
    rng = rng_from(random_state)
    seed = int(rng.integers(2**31 - 1))
    t0 = time.perf_counter()
    net = MacroCNN(row, in_channels=X.shape[1], n_classes=int(y.max()) + 1, space=space, seed=seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    net.train()
    for _ in range(epochs):
        perm = torch.from_numpy(rng.permutation(len(Xt)))
        for i in range(0, len(Xt), batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(net(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    net.eval()
    net.fit_time_ = time.perf_counter() - t0
    return net
