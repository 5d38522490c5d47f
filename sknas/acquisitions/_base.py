"""What every acquisition shares: predictions in, scores out, a batch chosen from the scores."""

from __future__ import annotations

import inspect

import numpy as np

from ..utils import short_repr

__all__ = ["Acquisition", "predict_members"]


def predict_members(predictor, X) -> np.ndarray:
    """A predictor's predictions of rows ``X``, shape ``(n_members, len(X))``.

    Every ensemble member's predictions when the predictor has ``predict_members``
    (:class:`~sknas.proposers.EnsemblePredictor`), else one row of ``predict(X)``. ``predictor=None``
    (a proposer that needs no model, such as regularized evolution) gives a row of zeros: the candidates
    keep the order their proposer generated them in.
    """
    if len(X) == 0:
        return np.empty((1, 0))
    if predictor is None:
        return np.zeros((1, len(X)))
    members = getattr(predictor, "predict_members", None)
    P = members(X) if members is not None else predictor.predict(X)
    return np.atleast_2d(np.asarray(P, dtype=np.float64))


class Acquisition:
    """Base of the acquisition functions: how much a candidate is worth evaluating next.

    An acquisition sees the predictions of the candidates (:func:`predict_members`: one row per ensemble
    member) and writes one method, :meth:`score`. :meth:`select` turns the scores into a batch: the
    ``n`` best, ties broken by the predicted mean. An acquisition that chooses a batch jointly (one
    posterior draw per slot, a greedy front) overrides :meth:`select` too.

    Subclasses take their settings as keyword arguments of ``__init__`` and store them unchanged
    (``repr`` shows them); they are checked in :meth:`score`.
    """

    def __repr__(self) -> str:
        names = [name for name, p in inspect.signature(type(self).__init__).parameters.items()
                 if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        return f"{type(self).__name__}({', '.join(f'{k}={short_repr(getattr(self, k))}' for k in names)})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))

    def score(self, P: np.ndarray, *, incumbent: float | None = None, rng: np.random.Generator) -> np.ndarray:
        """The worth of each candidate, larger is better.

        Parameters
        ----------
        P : ndarray of shape (n_members, n_candidates)
            The candidates' predictions, one row per ensemble member (one row for a single model).
        incumbent : float or None
            The best value evaluated so far (on the predictions' scale), or None when unknown.
        rng : numpy.random.Generator
            For acquisitions that draw.

        Returns
        -------
        scores : ndarray of shape (n_candidates,)
        """
        raise NotImplementedError

    def select(self, P: np.ndarray, n: int, *, incumbent: float | None = None, rng: np.random.Generator,
               predictor=None, X=None) -> np.ndarray:
        """Indices of the ``n`` candidates to evaluate, best first.

        Parameters
        ----------
        P, incumbent, rng
            See :meth:`score`.
        n : int
            Batch size.
        predictor : Predictor, default=None
            The fitted predictor, for acquisitions that need more than its predictions.
        X : ndarray of shape (n_candidates, n_decisions), default=None
            The candidate rows, likewise.
        """
        if P.shape[1] == 0:
            return np.empty(0, dtype=np.int64)
        scores = np.asarray(self.score(P, incumbent=incumbent, rng=rng), dtype=np.float64)
        return np.lexsort((-P.mean(axis=0), -scores))[:n]
