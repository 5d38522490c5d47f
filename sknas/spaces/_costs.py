"""Costs of architectures: the public functions over a space's cost hooks, and the layer formulas behind them.

A space computes costs through private hooks (``_params``, ``_flops``, ``_node_type_costs``; see
:class:`Space`); :func:`cost`, :func:`has_cost`, :func:`node_type_costs` and :func:`node_costs` are the
public entry points, used by :class:`Constraint` and the ReNAS encoder.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cost", "has_cost", "node_type_costs", "node_costs", "conv_bn_costs", "pool_flops"]

#: the network costs a space may compute
COST_KINDS = ("params", "flops")


def cost(space, X, kind: str = "params", **kwargs) -> np.ndarray:
    """Cost of each row of ``space``: ``"params"`` (millions) or ``"flops"`` (MFLOPs, multiply-adds).

    Parameters
    ----------
    space : Space
    X : array-like of shape (n_samples, n_decisions)
        Rows of ``space``.
    kind : {"params", "flops"}, default="params"
    **kwargs
        Passed to the space's cost model (e.g. ``in_channels`` and ``n_classes`` of
        :class:`MacroCNNSpace`'s parameter count).

    Returns
    -------
    cost : ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        For a cost the space cannot compute (see :func:`has_cost`).

    Examples
    --------
    >>> from sknas.spaces import NASBench201Space, cost
    >>> cost(NASBench201Space(), [[0, 1, 2, 3, 4, 0]], "params").round(6)
    array([0.802426])
    """
    if kind not in COST_KINDS:
        raise ValueError(f"cost kind={kind!r} is not supported; accepted values: {list(COST_KINDS)}")
    return getattr(space, "_" + kind)(X, **kwargs)


def has_cost(space, kind: str) -> bool:
    """Whether ``space`` computes the cost ``kind`` (``"params"`` or ``"flops"``) with :func:`cost`."""
    return space._has_cost(kind)


def node_type_costs(space, X) -> np.ndarray:
    """Cost of every node of the graph view under every node type, per group of cells, where computable.

    ``out[k, g, v, t]`` is ``(params, FLOPs)`` (millions; FLOPs are multiply-adds) of what node
    ``v`` of :func:`sknas.encodings.graph` would compute in one cell of group ``g`` of row ``k``'s
    network if it had type ``t`` of :func:`sknas.encodings.node_types`, the rest of the row
    unchanged. A group is a set of cells that cost the same (a cell, or a stage of identical cells;
    see the space's own docstring). :func:`node_costs` takes the entries of the actual types; a
    relaxed op distribution takes their expectation (the ReNAS tensor on relaxed rows).

    Parameters
    ----------
    space : Space
    X : array-like of shape (n_samples, n_decisions)
        Rows; each node is costed under every type.

    Returns
    -------
    costs : ndarray of shape (n_samples, n_groups, n_nodes, n_node_types, 2), float64

    Raises
    ------
    ValueError
        When the space has no per-node cost model (its ``_node_type_costs`` hook is not overridden).
    """
    return space._node_type_costs(X)


def node_costs(space, X) -> np.ndarray:
    """Per-node ``(params, FLOPs)`` of each group of cells: :func:`node_type_costs` at the nodes' types.

    Parameters
    ----------
    space : Space
    X : array-like of shape (n_samples, n_decisions)
        Rows; each node is costed at its own type.

    Returns
    -------
    costs : ndarray of shape (n_samples, n_groups, n_nodes, 2), float64
        ``costs[k, g, v]`` is the cost of node ``v`` of the graph view in one cell of group ``g``.

    Raises
    ------
    ValueError
        When the space has no per-node cost model.
    """
    X = space.check_rows(X, require_valid=False)
    T = space._node_type_costs(X)
    _, F = space._graph(X)
    return np.einsum("kvt,kgvtc->kgvc", F.astype(np.float64), T)


def conv_bn_costs(cin, cout, k: int, side) -> tuple[np.ndarray, np.ndarray]:
    """Parameters and multiply-adds of a bias-free ``k x k`` convolution followed by batch norm.

    Parameters
    ----------
    cin, cout : int or ndarray
        Input and output channels (arrays broadcast).
    k : int
        Kernel side.
    side : int
        Side of the (square) output feature map.

    Returns
    -------
    params : ndarray
        ``k*k*cin*cout`` weights plus the batch norm's scale and shift (``2*cout``).
    madds : ndarray
        ``k*k*cin*cout*side*side`` multiply-adds (the batch norm and activation are not counted).
    """
    w = k * k * np.asarray(cin, dtype=np.float64) * np.asarray(cout, dtype=np.float64)
    return w + 2.0 * np.asarray(cout, dtype=np.float64), w * side * side


def pool_flops(channels, k: int, side) -> np.ndarray:
    """Operations of a stride-1 ``k x k`` pooling: ``k*k`` per output value (padding ignored)."""
    return k * k * np.asarray(channels, dtype=np.float64) * side * side
