"""``PredictorSearchCV``: predictor-based architecture search by cross-validation on the user's data."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..proposers import default_predictor, default_proposer
from ..spaces import Space

__all__ = ["PredictorSearchCV"]


class PredictorSearchCV(BaseSearchCV):
    """Search the architecture of an estimator by cross-validation, guided by a predictor.

    A ``BaseSearchCV`` (like ``GridSearchCV``) whose candidates are
    architectures of ``space``: ``n_initial`` random ones first, then rounds
    in which a predictor is fitted on the architectures evaluated so far
    (their mean cross-validated score) and a proposer suggests the next
    ``batch_size``. Each round is one call of ``evaluate_candidates``, so the
    candidates of a round run in parallel through joblib (``n_jobs``; a Dask
    cluster serves as backend with ``joblib.parallel_backend("dask")``).

    Parameters
    ----------
    estimator : estimator
        The model to tune, e.g. a skorch net whose module takes the
        architecture as ``module__<name>``.
    space : Space
        The architecture space.
    arch_param : str
        Parameter of ``estimator`` receiving the architecture (a tuple of
        choice indices), e.g. ``"module__arch"``.
    predictor : estimator, default=None
        Performance predictor on rows of ``space`` (cloned each round).
        Default: :func:`~sknas.search.default_predictor`.
    proposer : BaseProposer, default=None
        Default: :func:`~sknas.search.default_proposer`.
    n_initial : int, default=8
        Random architectures evaluated first.
    n_iter : int, default=24
        Total number of architectures evaluated.
    batch_size : int, default=4
        Architectures proposed per round.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        scorers, ``refit`` names the one the predictor learns.
    random_state : int, RandomState or None, default=None

    Attributes
    ----------
    cv_results_ : dict
        As in ``GridSearchCV``, plus ``round`` (0 = initial random) and
        ``predicted_score`` (the predictor's value when proposed; NaN in round
        0) per candidate, and ``param_<arch_param>`` holding the rows.
    best_params_, best_score_, best_estimator_, best_index_
        As in ``GridSearchCV``.
    space_ : Space
        The space searched.
    """

    def __init__(self, estimator, space, *, arch_param, predictor=None, proposer=None, n_initial=8, n_iter=24,
                 batch_size=4, scoring=None, n_jobs=None, refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs",
                 random_state=None, error_score=np.nan, return_train_score=False):
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit, cv=cv, verbose=verbose,
                         pre_dispatch=pre_dispatch, error_score=error_score, return_train_score=return_train_score)
        self.space = space
        self.arch_param = arch_param
        self.predictor = predictor
        self.proposer = proposer
        self.n_initial = n_initial
        self.n_iter = n_iter
        self.batch_size = batch_size
        self.random_state = random_state

    def _check_search_params(self):
        if not isinstance(self.space, Space):
            raise TypeError(f"space must be a sknas Space; got {type(self.space).__name__}")
        if not isinstance(self.arch_param, str) or self.arch_param not in self.estimator.get_params():
            raise ValueError(f"arch_param={self.arch_param!r} is not a parameter of the estimator "
                             f"{type(self.estimator).__name__}")
        for name in ("n_initial", "n_iter", "batch_size"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer; got {v!r}")

    def _score_key(self) -> str:
        return f"mean_test_{self.refit}" if isinstance(self.refit, str) else "mean_test_score"

    def _history(self, results):
        rows = np.array([p[self.arch_param] for p in results["params"]], dtype=np.int64)
        key = self._score_key()
        if key not in results:
            raise ValueError("with several scorers, set refit to the name of the one the predictor should learn")
        y = np.asarray(results[key], dtype=np.float64)
        return rows, y

    def _run_search(self, evaluate_candidates):
        self._check_search_params()
        space = self.space
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(2**31 - 1))
        n_first = min(self.n_initial, self.n_iter)
        first = space.sample(4 * n_first + 16, rng.randint(2**31 - 1))
        first = first[space.unique(first)][:n_first]
        results = evaluate_candidates(
            [{self.arch_param: tuple(int(c) for c in r)} for r in first],
            more_results={"round": [0] * len(first), "predicted_score": [np.nan] * len(first)},
        )
        round_ = 0
        while len(results["params"]) < self.n_iter:
            round_ += 1
            X, y = self._history(results)
            ok = np.isfinite(y)
            model = self._fit_predictor(X[ok], y[ok], seed + round_)
            k = min(self.batch_size, self.n_iter - len(X))
            X_new = self._proposer().propose(model, k, X[ok], y[ok], exclude=X, random_state=rng.randint(2**31 - 1))
            if len(X_new) == 0:
                break
            results = evaluate_candidates(
                [{self.arch_param: tuple(int(c) for c in r)} for r in X_new],
                more_results={"round": [round_] * len(X_new), "predicted_score": list(model.predict(X_new))},
            )

    def _fit_predictor(self, X, y, seed):
        if len(X) < 2:
            raise ValueError("fewer than two candidates scored finitely: the predictor cannot be fitted "
                             "(see error_score and the warnings of the failed fits)")
        model = clone(self.predictor) if self.predictor is not None else default_predictor(self.space, seed)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        return model.fit(X, y)

    def _proposer(self):
        return self.proposer if self.proposer is not None else default_proposer()

    def fit(self, X, y=None, **params):
        """Run the search (see :class:`~sklearn.model_selection.GridSearchCV.fit`)."""
        super().fit(X, y, **params)
        self.space_ = self.space
        return self

    def propose(self, n: int, random_state=None) -> np.ndarray:
        """Suggest ``n`` further architectures (rows), best first, none evaluated yet.

        The predictor is fitted on every architecture evaluated by :meth:`fit`.
        """
        check_is_fitted(self, "cv_results_")
        X, y = self._history(self.cv_results_)
        ok = np.isfinite(y)
        model = self._fit_predictor(X[ok], y[ok], check_random_state(random_state).randint(2**31 - 1))
        return self._proposer().propose(model, n, X[ok], y[ok], exclude=X, random_state=random_state)
