"""Feature views of a search space as scikit-learn transformers."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

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
        return self.space.onehot(rows)


class PathEncoder(_SpaceEncoder):
    """Path encoding of BANANAS (White et al. 2021): counts of input-to-output op paths.

    Spaces without a cell graph fall back to their one-hot view (see
    :meth:`sknas.spaces.Space.paths`).

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
        return self.space.paths(rows)


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
        A, F = self.space.graph(rows)
        return np.concatenate([A.reshape(len(rows), -1), F.reshape(len(rows), -1)], axis=1).astype(np.float32)


def renas_tensor_torch(A, F, costs=None):
    """ReNAS feature tensor from (possibly relaxed) graph views, as a torch tensor.

    Parameters
    ----------
    A : torch.Tensor of shape (n, N, N)
        Adjacency (``A[k, i, j] = 1`` when node ``i`` feeds node ``j``).
    F : torch.Tensor of shape (n, N, T)
        Node-type one-hots (or their relaxation).
    costs : torch.Tensor of shape (n, c) or None
        Scaled network costs (FLOPs, params), one column per cost.

    Returns
    -------
    tensor : torch.Tensor of shape (n, 1 + T + c, N, N)
        Channel 0 is ``A``; channel ``1 + t`` is ``A`` masked by "the receiving
        node has type ``t``"; the last ``c`` channels are ``A`` times each cost.
    """
    import torch

    chans = [A.unsqueeze(1), A.unsqueeze(1) * F.permute(0, 2, 1).unsqueeze(2)]
    if costs is not None and costs.shape[1] > 0:
        chans.append(A.unsqueeze(1) * costs[:, :, None, None])
    return torch.cat(chans, dim=1)


class ReNASEncoder(_SpaceEncoder):
    """ReNAS feature tensor (Xu et al. 2021), flattened: op types and costs masked by the adjacency.

    Channels (each an ``N x N`` matrix of the space's graph view): the
    adjacency; one copy of the adjacency per node type, masked to the edges
    entering nodes of that type; and, for spaces with cost models
    (:meth:`~sknas.spaces.Space.flops`, :meth:`~sknas.spaces.Space.params`),
    the adjacency scaled by the network's FLOPs and by its parameter count
    (divided by their maxima over the fit rows).

    Parameters
    ----------
    space : Space or None, default=None
        Search space whose rows are encoded. ``None`` passes numeric ``X``
        through unchanged.

    Attributes
    ----------
    n_features_in_ : int
        Number of decisions seen in :meth:`fit`.
    cost_kinds_ : tuple of str
        The cost channels used (``()`` when the space has no cost model).
    cost_scale_ : ndarray of shape (n_cost_kinds,)
        Divisors of the costs (maximum over the fit rows), one per entry of ``cost_kinds_``.

    Notes
    -----
    ReNAS puts per-node FLOPs and parameters on the edges. The ``Space`` API
    gives costs per network only, so the cost channels here carry the network
    totals on every edge; spaces without a cost model get the op-type channels
    only.
    """

    def _fit_rows(self, rows):
        kinds, scales = [], []
        for kind in ("flops", "params"):
            try:
                c = np.asarray(self.space.cost(rows, kind), dtype=np.float64)
            except (ValueError, NotImplementedError):
                continue
            kinds.append(kind)
            m = float(np.max(np.abs(c))) if c.size else 1.0
            scales.append(m if m > 0 else 1.0)
        self.cost_kinds_ = tuple(kinds)
        self.cost_scale_ = np.asarray(scales, dtype=np.float64)

    def _costs(self, rows) -> np.ndarray:
        cols = [np.asarray(self.space.cost(rows, k), dtype=np.float64) / s
                for k, s in zip(self.cost_kinds_, self.cost_scale_)]
        return np.stack(cols, axis=1).astype(np.float32) if cols else np.zeros((len(rows), 0), np.float32)

    def tensor(self, X) -> np.ndarray:
        """The unflattened feature tensor of shape (n, channels, N, N)."""
        import torch

        check_is_fitted(self, "cost_kinds_")
        rows = self.space.check_rows(X)
        A, F = self.space.graph(rows)
        with torch.no_grad():
            T = renas_tensor_torch(torch.as_tensor(A), torch.as_tensor(F), torch.as_tensor(self._costs(rows)))
        return T.numpy()

    def _encode(self, rows):
        T = self.tensor(rows)
        return T.reshape(len(rows), -1)
