"""A layer-wise space of multi-layer perceptrons for tabular data."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..utils import Int, Options, check_int
from ._categorical import CategoricalSpace, choice_tuple

__all__ = ["MLPSpace"]

#: the activation names a row may choose (the torch modules are in :mod:`sknas.networks`)
MLP_ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid", "elu", "leaky_relu", "selu", "silu", "identity")


class MLPSpace(CategoricalSpace):
    """Multi-layer perceptrons: a depth, then a width and an activation per hidden layer.

    A row holds the decisions ``depth, width_1, activation_1, ..., width_D,
    activation_D`` with ``D = max_depth``. Layers beyond the row's depth are
    unused, so :meth:`canonical` sets their choices to index 0: rows that
    differ only there denote the same network, and :meth:`suggest` asks an
    Optuna trial only for the layers in use (conditional parameters). The
    network of a row is :class:`sknas.networks.MLPNetwork`.

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
    >>> from sknas.spaces import MLPSpace
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
        self.max_depth = check_int(max_depth, "max_depth")
        self.widths = choice_tuple("widths", widths, Int())
        self.activations = choice_tuple("activations", activations, Options(MLP_ACTIVATIONS))
        decisions: dict[str, list] = {"depth": list(range(1, self.max_depth + 1))}
        for k in range(1, self.max_depth + 1):
            decisions[f"width_{k}"] = list(self.widths)
            decisions[f"activation_{k}"] = list(self.activations)
        super().__init__(decisions)

    def __repr__(self) -> str:
        return f"MLPSpace(max_depth={self.max_depth}, widths={self.widths}, activations={self.activations})"

    def suggest(self, trial, *, repair: bool = True) -> np.ndarray:
        """Suggest the depth on an Optuna ``trial``, then the width and activation of each layer in use.

        The layers beyond the depth are not suggested: the trial's parameters hold only decisions that
        shape its network (Optuna's samplers model them as conditional parameters), and the row returned
        is canonical (see :meth:`canonical`).

        Parameters
        ----------
        trial : optuna.trial.Trial
            The trial to suggest on.
        repair : bool, default=True
            Unused (every combination of an MLP space is valid); kept for the contract of :meth:`Space.suggest`.

        Returns
        -------
        row : ndarray of shape (n_decisions,)
        """
        params = {"depth": trial.suggest_categorical("depth", list(self.choices[0]))}
        for j in range(1, 2 * params["depth"] + 1):
            params[self.decision_names[j]] = trial.suggest_categorical(self.decision_names[j], list(self.choices[j]))
        return self.params_to_row(params, repair=repair)

    def params_to_row(self, params, *, repair: bool = False) -> np.ndarray:
        """Map ``{decision: choice label}`` to a row; the layers beyond the depth may be left out.

        The decisions of a layer beyond ``params["depth"]`` that ``params`` lacks (as :meth:`suggest`
        records them) take index 0, their canonical choice; the depth and the layers in use are required.
        """
        if "depth" in params:
            depth = self.choices[0][self._label_index("depth", params["depth"])]
            unused = {n: self.choices[j][0] for j, n in enumerate(self.decision_names) if (j + 1) // 2 > depth}
            params = {**unused, **params}
        return super().params_to_row(params, repair=repair)

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
