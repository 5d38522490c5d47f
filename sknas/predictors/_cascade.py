"""The two-stage predictor of the Neural Predictor (Wen et al. 2020, Sec. 3): a classifier, then a regressor."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..spaces import Space
from ..utils import Instance, Real, validate_params
from ._regressor import ArchitectureRegressor

__all__ = ["CascadePredictor"]


def _estimator(name: str, value):
    """Constraint of ``regressor`` / ``classifier``: None or an estimator with ``fit`` and ``get_params``."""
    if value is None or (not isinstance(value, type) and all(hasattr(value, a) for a in ("fit", "get_params"))):
        return value
    raise TypeError(f"{name} must be None or an estimator with fit / get_params; got {type(value).__name__}")


class CascadePredictor(RegressorMixin, BaseEstimator):
    """A classifier drops the architectures it predicts poor; a regressor ranks the others.

    The cascade of the Neural Predictor (Wen et al. 2020, Sec. 3): the classifier learns whether an
    architecture's value is at least ``threshold_`` (the ``quantile`` of the training values), the
    regressor learns the values of the training architectures at or above it. Predictions keep every
    architecture the classifier keeps above every one it drops, so a proposer that ranks by prediction
    (:class:`~sknas.proposers.RandomRankProposer`) takes the regressor's best among the kept ones first.

    Parameters
    ----------
    space : Space
        The architecture space (rows of choice indices).
    regressor : estimator, default=None
        Fitted on the training rows at or above the threshold (cloned). Default:
        ``ArchitectureRegressor(space, model="gcn")``, the directed GCN of the paper.
    classifier : estimator, default=None
        Fitted on every training row with the label 1 (at or above the threshold) or 0 (cloned). A
        row is kept when ``predict_proba(X)[:, 1]`` (or, without ``predict_proba``, ``predict(X)``) is at
        least 0.5. Default: ``ArchitectureRegressor(space, model="gcn", loss="mse")``: the same GCN
        fitted to the labels by least squares.
    quantile : float, default=0.5
        The threshold as a quantile of the training values, in (0, 1): 0.5 keeps what is predicted to
        be better than the median.
    random_state : int, RandomState or None, default=None
        Seeds the classifier's and the regressor's ``random_state`` (when they have one).

    Attributes
    ----------
    threshold_ : float
        The ``quantile`` of the training values.
    span_ : float
        The range of the training values (1 when they are all equal): the gap between kept and dropped
        predictions.
    classifier_ : estimator or None
        Fitted classifier; None when every training value is at or above the threshold.
    regressor_ : estimator
        Fitted regressor (on every training row when fewer than 2 are at or above the threshold).
    n_features_in_ : int

    Examples
    --------
    >>> from sknas.datasets import load_nasbench201
    >>> from sknas.predictors import CascadePredictor
    >>> bench = load_nasbench201("cifar10-valid")  # doctest: +SKIP
    >>> X = bench.space.sample(50, random_state=0)  # doctest: +SKIP
    >>> model = CascadePredictor(bench.space, random_state=0).fit(X, bench.query(X))  # doctest: +SKIP
    >>> model.score(bench.X, bench.query(bench.X))  # Kendall's tau  # doctest: +SKIP
    """

    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "space": Instance(Space), "regressor": _estimator, "classifier": _estimator,
        "quantile": Real(0.0, 1.0, closed="neither")}

    def __init__(self, space=None, regressor=None, classifier=None, quantile=0.5, random_state=None):
        self.space = space
        self.regressor = regressor
        self.classifier = classifier
        self.quantile = quantile
        self.random_state = random_state

    def _fit_one(self, estimator, X, y, seed):
        model = clone(estimator)
        if "random_state" in model.get_params():
            model.set_params(random_state=int(seed))
        return model.fit(X, y)

    def fit(self, X, y):
        """Fit the classifier and the regressor.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Architectures as rows of ``space``.
        y : array-like of shape (n_samples,)
            Their values, higher is better.

        Returns
        -------
        self : CascadePredictor
        """
        validate_params(self)
        X, y = validate_data(self, X, y, dtype="numeric", y_numeric=True)
        X = self.space.check_rows(X, name="X")
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        if len(y) < 2 or not np.all(np.isfinite(y)):
            raise ValueError(f"y must hold at least 2 finite values; got {len(y)} values, "
                             f"{int((~np.isfinite(y)).sum())} not finite")
        seeds = check_random_state(self.random_state).randint(0, 2**31 - 1, size=2)
        self.threshold_ = float(np.quantile(y, self.quantile))
        self.span_ = float(np.ptp(y)) or 1.0
        good = y >= self.threshold_
        classifier = ArchitectureRegressor(self.space, model="gcn", loss="mse") if self.classifier is None \
            else self.classifier
        regressor = ArchitectureRegressor(self.space, model="gcn") if self.regressor is None else self.regressor
        self.classifier_ = None if good.all() else self._fit_one(classifier, X, good.astype(np.int64), seeds[0])
        top = good if good.sum() >= 2 else np.ones(len(y), dtype=bool)
        self.regressor_ = self._fit_one(regressor, X[top], y[top], seeds[1])
        return self

    def keep(self, X) -> np.ndarray:
        """Whether the classifier keeps each row (predicted at or above ``threshold_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)

        Returns
        -------
        kept : ndarray of bool, shape (n_samples,)
        """
        check_is_fitted(self, "regressor_")
        X = self.space.check_rows(validate_data(self, X, reset=False, dtype="numeric"), name="X")
        if self.classifier_ is None:
            return np.ones(len(X), dtype=bool)
        proba = getattr(self.classifier_, "predict_proba", None)
        if proba is not None:
            p = proba(X)[:, list(self.classifier_.classes_).index(1)]
        else:
            p = self.classifier_.predict(X)
        return np.asarray(p, dtype=np.float64) >= 0.5

    def predict(self, X) -> np.ndarray:
        """The regressor's prediction, at least ``threshold_`` where the classifier keeps a row and at most
        ``threshold_ - span_`` where it drops one: every kept row ranks above every dropped one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        kept = self.keep(X)
        r = np.asarray(self.regressor_.predict(X), dtype=np.float64)
        return np.where(kept, np.maximum(r, self.threshold_), np.minimum(r, self.threshold_) - self.span_)

    #: Kendall's tau between ``y`` and the predictions on ``X`` (:meth:`ArchitectureRegressor.score`)
    score = ArchitectureRegressor.score
