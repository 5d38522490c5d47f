"""A macro CNN search space: a chain of convolution layers (the HyperNetwork evaluator's space)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..utils import Int, check_int
from ._categorical import CategoricalSpace, choice_tuple

__all__ = ["MacroCNNSpace"]


class MacroCNNSpace(CategoricalSpace):
    """Chains of convolution layers: a kernel size, a width and a skip connection per layer.

    A row holds ``kernel_1, width_1, skip_1, ..., kernel_L, width_L, skip_L``
    with ``L = n_layers``. Layer ``l`` is ``ReLU(LN(conv_kxk(x)))`` (stride 1,
    "same" padding, with bias; ``LN`` is a parameter-free layer norm over each
    image's channels and pixels), plus ``x`` itself when its skip is on; the
    skip is parameter-free (``x``'s channels are zero-padded or truncated to
    the layer's width). A 2 x 2 adaptive average pooling and a linear
    classifier follow the last layer. There is no batch normalisation (see
    the :ref:`hypernet` guide for why). The network of a row is
    :class:`sknas.hypernet.MacroCNN`; :class:`sknas.hypernet.HyperNetworkEvaluator`
    predicts its weights.

    Every combination is valid and distinct, so the space has
    ``(len(kernel_sizes) * len(widths) * 2) ** n_layers`` architectures
    (104,976 with the defaults).

    Parameters
    ----------
    n_layers : int, default=4
        Number of convolution layers.
    kernel_sizes : sequence of odd int, default=(1, 3, 5)
        Choices of (square) kernel size.
    widths : sequence of int, default=(8, 16, 32)
        Choices of output channels.

    Examples
    --------
    >>> from sknas.spaces import MacroCNNSpace
    >>> space = MacroCNNSpace(n_layers=2)
    >>> space.decision_names
    ('kernel_1', 'width_1', 'skip_1', 'kernel_2', 'width_2', 'skip_2')
    >>> space.layers([2, 0, 1, 1, 2, 0])
    [(5, 8, True), (3, 32, False)]
    >>> space.n_rows
    324
    """

    name = "macro_cnn"
    #: side of the average-pooled map the classifier sees (2 x 2: a little spatial layout; digits need it)
    pool_size = 2

    def __init__(self, n_layers: int = 4, kernel_sizes: Sequence[int] = (1, 3, 5),
                 widths: Sequence[int] = (8, 16, 32)):
        self.n_layers = check_int(n_layers, "n_layers")
        self.kernel_sizes = choice_tuple("kernel_sizes", kernel_sizes, Int())
        if any(k % 2 == 0 for k in self.kernel_sizes):
            raise ValueError(f"kernel_sizes must be odd (centre-cropped from the largest); got {self.kernel_sizes}")
        self.widths = choice_tuple("widths", widths, Int())
        decisions: dict[str, list] = {}
        for k in range(1, self.n_layers + 1):
            decisions[f"kernel_{k}"] = list(self.kernel_sizes)
            decisions[f"width_{k}"] = list(self.widths)
            decisions[f"skip_{k}"] = [False, True]
        super().__init__(decisions)

    def __repr__(self) -> str:
        return f"MacroCNNSpace(n_layers={self.n_layers}, kernel_sizes={self.kernel_sizes}, widths={self.widths})"

    @property
    def max_kernel(self) -> int:
        """Largest kernel size of the space."""
        return max(self.kernel_sizes)

    @property
    def max_width(self) -> int:
        """Largest width of the space."""
        return max(self.widths)

    def layers(self, row) -> list[tuple[int, int, bool]]:
        """The layers of a row as ``(kernel_size, width, skip)`` triples.

        Parameters
        ----------
        row : sequence of int
            One row of the space.

        Returns
        -------
        layers : list of (int, int, bool)
        """
        row = self.check_rows(row, name="row")[0]
        return [(self.choices[3 * k][row[3 * k]], self.choices[3 * k + 1][row[3 * k + 1]],
                 bool(self.choices[3 * k + 2][row[3 * k + 2]])) for k in range(self.n_layers)]

    def _params(self, X, in_channels: int = 1, n_classes: int = 10) -> np.ndarray:
        """Number of parameters (millions) of each row's network (:class:`sknas.hypernet.MacroCNN`).

        Convolution kernels and biases plus the classifier on the
        ``pool_size x pool_size`` pooled map; the skips and layer norms have
        none. A cheap baseline ranking (bigger is often better) for the
        HyperNetwork's scores.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_decisions) or (n_decisions,)
            Rows of the space.
        in_channels : int, default=1
            Channels of the input images.
        n_classes : int, default=10
            Outputs of the classifier.

        Returns
        -------
        params : ndarray of shape (n_rows,)
        """
        X = self.check_rows(X)
        in_channels = check_int(in_channels, "in_channels")
        n_classes = check_int(n_classes, "n_classes")
        out = np.empty(len(X))
        for i, row in enumerate(X):
            total, c = 0, in_channels
            for k, w, _ in self.layers(row):
                total += c * w * k * k + w
                c = w
            out[i] = (total + n_classes * (c * self.pool_size ** 2 + 1)) / 1e6
        return out
