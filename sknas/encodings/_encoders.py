"""Feature views of a search space as scikit-learn transformers."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..spaces import cost, node_type_costs
from ..utils import Options, validate_params
from ._views import graph, graph_torch, onehot, paths, project

__all__ = ["OneHotEncoder", "PathEncoder", "GraphEncoder", "ReNASEncoder", "renas_tensor_torch"]


class _SpaceEncoder(TransformerMixin, BaseEstimator):
    """Common logic: validate rows of ``space`` and map them to one of its feature views.

    With ``space=None`` the encoder treats ``X`` as plain numeric features and
    returns them unchanged (as float64), so it can sit in any pipeline.
    """

    def __init__(self, space=None):
        self.space = space

    def _check_X(self, X, *, reset: bool) -> np.ndarray:
        X = validate_data(self, X, reset=reset, dtype="numeric")
        if self.space is None:
            return np.asarray(X, dtype=np.float64)
        return self.space.check_rows(X)

    def fit(self, X, y=None):
        """Validate ``X`` (rows of ``space``) and learn what the encoding needs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Architectures as rows of choice indices of ``space``.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        rows = self._check_X(X, reset=True)
        if self.space is not None:
            self._fit_rows(rows)
        return self

    def _fit_rows(self, rows: np.ndarray) -> None:
        """Hook for encoders that learn something from the fit rows."""

    def transform(self, X) -> np.ndarray:
        """Encode ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Architectures as rows of choice indices of ``space``.

        Returns
        -------
        Xt : ndarray of shape (n_samples, n_features_out)
            The encoding (float32), or ``X`` as float64 when ``space`` is None.

        Raises
        ------
        ValueError
            When a row is not a valid architecture of ``space``.
        """
        check_is_fitted(self, "n_features_in_")
        rows = self._check_X(X, reset=False)
        if self.space is None:
            return rows
        return self._encode(rows)

    def _encode(self, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class OneHotEncoder(_SpaceEncoder):
    """One-hot view of architectures: the concatenated one-hot codes of every decision.

    Parameters
    ----------
    space : Space or None, default=None
        Search space whose rows are encoded. ``None`` passes numeric ``X``
        through unchanged.

    Attributes
    ----------
    n_features_in_ : int
        Number of decisions seen in :meth:`fit`.

    Examples
    --------
    >>> from sknas.spaces import NASBench201Space
    >>> OneHotEncoder(NASBench201Space()).fit_transform([[0, 1, 2, 3, 4, 0]]).shape
    (1, 30)
    """

    def _encode(self, rows):
        return onehot(self.space, rows)


class PathEncoder(_SpaceEncoder):
    """Path encoding of BANANAS (White et al. 2021): counts of input-to-output op paths.

    Spaces without a cell graph fall back to their one-hot view (see
    :func:`sknas.encodings.paths`).

    Parameters
    ----------
    space : Space or None, default=None
        Search space whose rows are encoded. ``None`` passes numeric ``X``
        through unchanged.

    Attributes
    ----------
    n_features_in_ : int
        Number of decisions seen in :meth:`fit`.
    """

    def _encode(self, rows):
        return paths(self.space, rows)


class GraphEncoder(_SpaceEncoder):
    """Graph view, flattened: the adjacency ``A`` then the node-type one-hots ``F``, row by row.

    Parameters
    ----------
    space : Space or None, default=None
        Search space whose rows are encoded. ``None`` passes numeric ``X``
        through unchanged.

    Attributes
    ----------
    n_features_in_ : int
        Number of decisions seen in :meth:`fit`.
    """

    def _encode(self, rows):
        A, F = graph(self.space, rows)
        return np.concatenate([A.reshape(len(rows), -1), F.reshape(len(rows), -1)], axis=1).astype(np.float32)


#: layouts of the ReNAS feature tensor
RENAS_LAYOUTS = ("published", "compact")


def renas_tensor_torch(A, F, costs=None, type_costs=None, *, layout="published"):
    """ReNAS feature tensor from (possibly relaxed) graph views, as a torch tensor.

    Every channel is an ``N x N`` matrix: the adjacency with each edge ``i -> j`` carrying a
    feature of the receiving node ``j`` (0 where there is no edge).

    Parameters
    ----------
    A : torch.Tensor of shape (n, N, N)
        Adjacency (``A[k, i, j] = 1`` when node ``i`` feeds node ``j``).
    F : torch.Tensor of shape (n, N, T)
        Node-type one-hots over the space's :func:`node_types` (or their relaxation).
    costs : torch.Tensor of shape (n, c) or None
        Scaled network costs, one column per cost; used when ``type_costs`` is None.
    type_costs : torch.Tensor of shape (n, C, N, T) or None
        Scaled per-node costs under every node type, one slice per cost channel
        (see :func:`sknas.spaces.node_type_costs`); a node's cost is its
        expectation under ``F`` (its own type's entry for one-hot ``F``).
    layout : {"published", "compact"}, default="published"
        ``"published"``: channel 0 is ``A`` times the receiving node's type code
        (type ``t`` of ``T`` coded ``(t + 1) / T``, in ``node_types`` order; for
        relaxed ``F`` the expected code), then one channel per cost. ``"compact"``:
        channel 0 is ``A``, channel ``1 + t`` is ``A`` masked by "the receiving
        node has type ``t``", then one channel per cost.

    Returns
    -------
    tensor : torch.Tensor of shape (n, channels, N, N)
        ``1 + C`` (or ``1 + c``) channels for ``"published"``, ``1 + T + C`` (or
        ``1 + T + c``) for ``"compact"``. A cost channel is ``A`` times the
        receiving node's cost (``type_costs``) or the network's (``costs``, the
        same value on every edge).
    """
    import torch

    T = F.shape[2]
    if layout == "published":
        codes = torch.arange(1, T + 1, dtype=F.dtype, device=F.device) / T
        chans = [A.unsqueeze(1) * (F @ codes)[:, None, None, :]]
    else:
        chans = [A.unsqueeze(1), A.unsqueeze(1) * F.permute(0, 2, 1).unsqueeze(2)]
    if type_costs is not None:
        node = torch.einsum("kvt,kcvt->kcv", F, type_costs)
        chans.append(A.unsqueeze(1) * node.unsqueeze(2))
    elif costs is not None and costs.shape[1] > 0:
        chans.append(A.unsqueeze(1) * costs[:, :, None, None])
    return torch.cat(chans, dim=1)


class ReNASEncoder(_SpaceEncoder):
    """ReNAS feature tensor (Xu et al. 2021), flattened: op types and per-node costs masked by the adjacency.

    Every channel is an ``N x N`` matrix over the space's graph view
    (:func:`graph`), nonzero on its edges only, an edge
    ``i -> j`` carrying a feature of the receiving node ``j``.

    With ``layout="published"`` (the paper's layout), channel 0 is the op-type
    matrix: the adjacency times the node's type code, type ``t`` of the
    space's ``T`` :func:`node_types` coded ``(t + 1) / T``
    (NAS-Bench-101: input 0.2, output 0.4, conv3x3 0.6, conv1x1 0.8, maxpool
    1.0). Then, for spaces with per-node costs
    (:func:`sknas.spaces.node_type_costs`), one channel per group of
    cells with the nodes' FLOPs, then one per group with their parameters:
    NAS-Bench-101's 9 cells give the paper's ``1 + 9 + 9 = 19`` channels of
    ``7 x 7``; NAS-Bench-201's 3 stages give ``1 + 3 + 3 = 7`` channels of
    ``8 x 8`` (its graph view has the ops as nodes). Spaces with network
    costs only (:func:`sknas.spaces.cost`, ``"flops"`` and
    ``"params"``) get the network's FLOPs and parameters
    on every edge instead, spaces without costs the type channel only.

    ``layout="compact"`` is the layout of earlier sknas versions: the
    adjacency, one copy of it per node type masked to the edges entering
    nodes of that type, and the network's FLOPs and parameters on every edge.

    Every cost channel is divided by its maximum over the fit rows.

    Parameters
    ----------
    space : Space or None, default=None
        Search space whose rows are encoded. ``None`` passes numeric ``X``
        through unchanged.
    layout : {"published", "compact"}, default="published"
        Layout of the tensor (see above).

    Attributes
    ----------
    n_features_in_ : int
        Number of decisions seen in :meth:`fit`.
    node_costs_ : bool
        Whether the cost channels hold per-node costs (else network costs, or none).
    cost_kinds_ : tuple of str
        The kinds of cost channels, in channel order (``()`` when the space has no cost model).
    cost_scale_ : ndarray of shape (n_cost_channels,)
        Divisor of each cost channel (its maximum over the fit rows): with
        per-node costs, the FLOPs of every group of cells, then their parameters.

    Notes
    -----
    On relaxed rows (:meth:`tensor_torch`), a node's type code and costs are
    their expectations under its relaxed type distribution; the costs of each
    type (for NAS-Bench-101, through the vertex channels) are those of the
    projected rows, held constant.
    """

    _parameter_constraints = {"layout": Options(RENAS_LAYOUTS)}

    def __init__(self, space=None, layout="published"):
        super().__init__(space)
        self.layout = layout

    def fit(self, X, y=None):
        validate_params(self)
        return super().fit(X, y)

    def _fit_rows(self, rows):
        self.node_costs_ = False
        if self.layout == "published":
            try:
                tc = self._type_costs(rows)
            except (ValueError, NotImplementedError):
                tc = None
            if tc is not None:
                _, F = graph(self.space, rows)
                node = np.einsum("kvt,kcvt->kcv", F.astype(np.float64), tc)
                m = node.max(axis=(0, 2)) if len(rows) else np.ones(tc.shape[1])
                self.node_costs_ = True
                self.cost_kinds_ = ("flops", "params")
                self.cost_scale_ = np.where(m > 0, m, 1.0)
                return
        kinds, scales = [], []
        for kind in ("flops", "params"):
            try:
                c = np.asarray(cost(self.space, rows, kind), dtype=np.float64)
            except (ValueError, NotImplementedError):
                continue
            kinds.append(kind)
            m = float(np.max(np.abs(c))) if c.size else 1.0
            scales.append(m if m > 0 else 1.0)
        self.cost_kinds_ = tuple(kinds)
        self.cost_scale_ = np.asarray(scales, dtype=np.float64)

    def _type_costs(self, rows) -> np.ndarray:
        """Unscaled per-node costs under every type, one slice per channel: shape (n, 2 * n_groups, N, T)."""
        tc = node_type_costs(self.space, rows)
        return np.concatenate([tc[..., 1], tc[..., 0]], axis=1)

    def _cost_inputs(self, rows) -> dict[str, np.ndarray]:
        """The scaled cost arguments of :func:`renas_tensor_torch` for validated rows."""
        if self.node_costs_:
            return {"type_costs": (self._type_costs(rows) / self.cost_scale_[None, :, None, None]).astype(np.float32)}
        cols = [np.asarray(cost(self.space, rows, k), dtype=np.float64) / s
                for k, s in zip(self.cost_kinds_, self.cost_scale_)]
        costs = np.stack(cols, axis=1) if cols else np.zeros((len(rows), 0))
        return {"costs": costs.astype(np.float32)}

    def tensor_torch(self, Z):
        """The feature tensor of relaxed rows ``Z`` (see :func:`relax`), differentiable in ``Z``.

        Parameters
        ----------
        Z : torch.Tensor of shape (n, n_features_onehot)

        Returns
        -------
        tensor : torch.Tensor of shape (n, channels, N, N), of ``Z``'s dtype
            Equal to :meth:`tensor` for one-hot ``Z``.
        """
        import torch

        check_is_fitted(self, "cost_kinds_")
        A, F = graph_torch(self.space, Z)
        rows = project(self.space, Z.detach().cpu().numpy())
        extra = {k: torch.as_tensor(v, dtype=Z.dtype, device=Z.device) for k, v in self._cost_inputs(rows).items()}
        return renas_tensor_torch(A.to(Z.dtype), F.to(Z.dtype), layout=self.layout, **extra)

    def tensor(self, X) -> np.ndarray:
        """The unflattened feature tensor of shape (n, channels, N, N), float32."""
        import torch

        check_is_fitted(self, "cost_kinds_")
        rows = self.space.check_rows(X)
        A, F = graph(self.space, rows)
        extra = {k: torch.as_tensor(v) for k, v in self._cost_inputs(rows).items()}
        with torch.no_grad():
            T = renas_tensor_torch(torch.as_tensor(A), torch.as_tensor(F), layout=self.layout, **extra)
        return T.numpy()

    def _encode(self, rows):
        T = self.tensor(rows)
        return T.reshape(len(rows), -1)
