"""The feature views of a search space, as functions of the space and its rows.

The one-hot view and the continuous relaxation are generic over the space's decisions and choices;
the graph and path views rest on each space's structure, through its private hooks (``_graph``,
``_graph_torch``, ``_node_types``, ``_paths``; see :class:`sknas.spaces.Space`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["onehot", "onehot_slices", "n_features_onehot", "relax", "project", "node_types", "graph", "graph_torch",
           "paths"]


def n_features_onehot(space) -> int:
    """Width of the one-hot view and of relaxed rows: the sum of the numbers of choices.

    Parameters
    ----------
    space : Space

    Returns
    -------
    width : int
    """
    return int(space._offsets[-1])


def onehot_slices(space) -> list[slice]:
    """Column slice of each decision in the one-hot view and in relaxed rows.

    Parameters
    ----------
    space : Space

    Returns
    -------
    slices : list of slice
        One per decision, in row order.
    """
    return [slice(int(a), int(b)) for a, b in zip(space._offsets[:-1], space._offsets[1:])]


def onehot(space, X) -> np.ndarray:
    """One-hot view: the concatenated one-hot codes of every decision.

    Parameters
    ----------
    space : Space
    X : array-like of shape (n_samples, n_decisions)
        Rows of ``space`` (valid or not).

    Returns
    -------
    H : ndarray of shape (n_samples, n_features_onehot), float32

    Examples
    --------
    >>> from sknas.encodings import onehot
    >>> from sknas.spaces import CategoricalSpace
    >>> onehot(CategoricalSpace({"depth": [1, 2, 3], "act": ["relu", "tanh"]}), [[2, 0]])
    array([[0., 0., 1., 1., 0.]], dtype=float32)
    """
    return space._onehot(X)


def relax(space, X) -> np.ndarray:
    """Continuous relaxation of rows: one probability simplex per decision (the one-hot view).

    Gradient-based proposers move in this space and come back with :func:`project`.

    Parameters
    ----------
    space : Space
    X : array-like of shape (n_samples, n_decisions)
        Rows to relax, each to the vertex of its simplices.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_features_onehot), float32
    """
    return space._onehot(X)


def project(space, Z) -> np.ndarray:
    """Project relaxed rows back to valid rows of ``space``.

    Each decision takes its highest-scoring choice; rows that break the space's constraints
    are then mended by ``space.repair``, guided by ``Z``. The projection of a one-hot row
    (``relax(space, X)``) returns ``X``.

    Parameters
    ----------
    space : Space
    Z : array-like of shape (n_samples, n_features_onehot) or (n_features_onehot,)
        Relaxed rows (scores of every choice).

    Returns
    -------
    X : ndarray of shape (n_samples, n_decisions), int64
        Valid rows.

    Raises
    ------
    ValueError
        When ``Z`` has the wrong width or holds NaN or infinite values.
    """
    return space._project(Z)


def node_types(space) -> tuple[str, ...]:
    """Labels of the node types of the graph view (the columns of its node features ``F``).

    Parameters
    ----------
    space : Space

    Returns
    -------
    types : tuple of str
    """
    return space._node_types


def graph(space, X) -> tuple[np.ndarray, np.ndarray]:
    """Node-labelled graph view ``(A, F)`` of rows, for graph predictors.

    Parameters
    ----------
    space : Space
    X : array-like of shape (n_samples, n_decisions)
        Rows, one graph each.

    Returns
    -------
    A : ndarray of shape (n_samples, n_nodes, n_nodes), float32
        Adjacency, ``A[k, i, j] = 1`` when node ``i`` feeds node ``j``.
    F : ndarray of shape (n_samples, n_nodes, n_node_types), float32
        One-hot node labels over :func:`node_types`.

    Notes
    -----
    A space without a cell graph is a chain: input, one node per decision (labelled by its
    choice), output.
    """
    return space._graph(X)


def graph_torch(space, Z):
    """Differentiable graph view of relaxed rows, for gradient-based proposers.

    Parameters
    ----------
    space : Space
    Z : torch.Tensor of shape (n, n_features_onehot)
        Relaxed rows (see :func:`relax`).

    Returns
    -------
    A, F : torch.Tensor
        As :func:`graph`; for one-hot ``Z`` (``relax(space, X)``) they equal ``graph(space, X)``,
        and they are differentiable with respect to ``Z``.
    """
    return space._graph_torch(Z)


def paths(space, X) -> np.ndarray:
    """Path encoding of BANANAS (White et al. 2021): input-to-output op paths of each row.

    Spaces without a cell graph fall back to the one-hot view.

    Parameters
    ----------
    space : Space
    X : array-like of shape (n_samples, n_decisions)
        Rows whose paths are counted.

    Returns
    -------
    P : ndarray of shape (n_samples, n_features_paths), float32
    """
    return space._paths(X)
