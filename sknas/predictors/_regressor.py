"""``ArchitectureRegressor``: performance predictors for architectures of a search space.

The estimator checks parameters, encodes rows, standardises targets, ensembles and calibrates members;
everything specific to a model lives in its backend (:mod:`._backends`).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..encodings import GraphEncoder, OneHotEncoder, PathEncoder, ReNASEncoder, n_features_onehot
from ..metrics import kendall_tau
from ..spaces import Space
from ..utils import Instance, Int, Options, short_repr, validate_params
from ._backends import BACKENDS, FLAT_VIEWS, Backend, SklearnBackend

__all__ = ["ArchitectureRegressor", "MODELS", "ENCODINGS", "LOSSES"]

#: model aliases: name -> (backend, encoding taken with a space when ``encoding=None``)
_ALIASES = {"auto": ("mlp", "path")}
#: accepted model names (besides scikit-learn regressor instances)
MODELS = (*_ALIASES, *BACKENDS)
#: accepted encoding names
ENCODINGS = (*FLAT_VIEWS, "raw")
#: accepted losses
LOSSES = ("mse", "pairwise", "mse+pairwise")

#: settings of the model that were flat parameters, now ``model__<name>`` (deprecated spellings)
_FLAT_SETTINGS = ("hidden_size", "n_layers", "max_epochs", "batch_size", "lr", "weight_decay")
_PREFIX = "model__"

_ENCODERS = {"onehot": OneHotEncoder, "path": PathEncoder, "graph": GraphEncoder, "renas": ReNASEncoder,
             "renas-compact": functools.partial(ReNASEncoder, layout="compact")}


def _check_device(name: str, value):
    """Constraint of ``device``: a torch device name such as ``"cpu"``, ``"cuda"`` or ``"cuda:1"``."""
    import torch

    if not isinstance(value, (str, torch.device)):
        raise TypeError(f"{name} must be a str such as 'cpu' or 'cuda'; got {type(value).__name__}")
    try:
        return str(torch.device(value))
    except RuntimeError:
        raise ValueError(f"{name}={value!r} is not a torch device; accepted: e.g. 'cpu', 'cuda', 'cuda:1'") from None


def _check_model(name: str, value):
    """Constraint of ``model``: a name of :data:`MODELS` or a scikit-learn regressor instance."""
    if (isinstance(value, str) and value in MODELS) or (
            not isinstance(value, (str, type)) and all(hasattr(value, a) for a in ("fit", "predict", "get_params"))):
        return value
    raise ValueError(f"{name}={short_repr(value)} is not supported; accepted: {list(MODELS)} or a scikit-learn "
                     "regressor instance")


def _route(kwargs: dict[str, Any], stacklevel: int) -> dict[str, Any]:
    """Keyword arguments beyond the signature, in their ``model__<name>`` spelling.

    The deprecated flat settings (``max_epochs=``...) and ``model_params`` (a dict) become ``model__<name>``,
    with a ``FutureWarning``; any other keyword is kept as it is, for :meth:`ArchitectureRegressor.fit` to
    reject (scikit-learn estimators do not raise in ``__init__`` or ``set_params``).
    """
    out = {}
    for key, value in kwargs.items():
        if key in _FLAT_SETTINGS:
            warnings.warn(f"{key}= is deprecated; use {_PREFIX}{key}= (the model's settings are routed to its "
                          "backend)", FutureWarning, stacklevel=stacklevel)
            out[_PREFIX + key] = value
        elif key == "model_params" and isinstance(value, dict):
            warnings.warn(f"model_params is deprecated; pass each entry as {_PREFIX}<name>=", FutureWarning,
                          stacklevel=stacklevel)
            out.update((_PREFIX + name, v) for name, v in value.items())
        elif not (key == "model_params" and value is None):
            out[key] = value
    return out


def _affine_fit(f: np.ndarray, yz: np.ndarray) -> tuple[float, float]:
    """Increasing least-squares affine map ``(slope, intercept)`` of outputs ``f`` onto ``yz``."""
    var = float(f.var())
    slope = float(np.mean((f - f.mean()) * (yz - yz.mean())) / var) if var > 0 else 0.0
    slope = slope if slope > 0 else 1.0
    return slope, float(yz.mean() - slope * f.mean())


class ArchitectureRegressor(RegressorMixin, BaseEstimator):
    """Performance predictor for architectures of a search space.

    Fits a model mapping architectures (rows of choice indices of ``space``)
    to a performance measure (e.g. validation accuracy), for predictor-based
    architecture search. :meth:`score` returns **Kendall's tau** rather than
    R²: a search only needs the predictor to rank architectures correctly.
    How the models and their defaults compare is measured in the user guide
    (:ref:`predictors`).

    Parameters
    ----------
    space : Space or None, default=None
        Search space of the architectures. With ``None``, ``X`` is treated as
        plain numeric features (standardised); the graph models ``"gcn"`` and
        ``"renas"`` then fall back to ``"mlp"``, and ``encoding`` must be
        ``None`` or ``"raw"``.
    model : {"auto", "gcn", "mlp", "renas", "xgboost"} or scikit-learn regressor, default="auto"
        ``"auto"``: ``"mlp"`` on the path encoding (the space's one-hot view
        when it has no path view); not differentiable in relaxed rows.
        ``"mlp"``: a fully connected network (BANANAS, White et al. 2021).
        ``"gcn"``: the directed GCN of the Neural Predictor (Wen et al. 2020)
        on the graph view. ``"renas"``: the small CNN of ReNAS (Xu et al.
        2021) on its feature tensor (:class:`~sknas.encodings.ReNASEncoder`).
        ``"xgboost"``: ``xgboost.XGBRegressor``. A regressor instance is
        cloned and fit on the chosen encoding.
    encoding : {"onehot", "path", "graph", "renas", "renas-compact", "raw"} or None, default=None
        Feature view fed to the model. ``None`` picks the model's natural view:
        graph for GCN, ReNAS tensor for ReNAS, path for ``"auto"``, one-hot for
        the MLP, XGBoost and scikit-learn models. ``"renas"`` is the ReNAS
        tensor as published, ``"renas-compact"`` the earlier layout
        (:class:`~sknas.encodings.ReNASEncoder`'s ``layout``). The GCN needs
        ``"graph"``, ReNAS one of the two ReNAS tensors; the MLP, XGBoost and scikit-learn models take the
        flattened form of any view. :meth:`predict_relaxed` needs the GCN,
        ReNAS, or the MLP on ``"onehot"``.
    loss : {"mse", "pairwise", "mse+pairwise"} or None, default=None
        Training loss of the neural models: squared error on standardised
        targets, the ReNAS pairwise logistic loss (mean over the pairs of a
        batch with ``y_i > y_j`` of ``softplus(-(f_i - f_j))``), or their sum.
        For XGBoost, ``"pairwise"`` selects the ``"rank:pairwise"`` objective
        (with 32 uniformly drawn pairs per sample: ``lambdarank_pair_method="mean"``).
        A scikit-learn model accepts ``"mse"`` only. ``None`` picks
        ``"pairwise"`` for the neural models and ``"mse"`` for XGBoost and
        scikit-learn models. The outputs of every neural member are mapped
        onto the targets by an increasing affine fit on the training set
        (``calibration_``), so predictions read in the units of ``y`` whatever
        the loss.
    n_ensemble : int, default=1
        Number of members trained with different seeds (at most 256);
        predictions are their mean (``predict(X, return_std=True)`` also
        returns their spread).
    n_threads : int or None, default=1
        Torch intra-op threads during fit and predict (restored afterwards);
        ``None`` leaves torch's setting alone.
    device : str, default="cpu"
        Torch device on which the neural models (``"mlp"``, ``"gcn"``,
        ``"renas"``) train and predict, e.g. ``"cuda"`` or ``"cuda:1"``
        (skorch's ``device``). Inputs and predictions stay NumPy arrays on the
        CPU. XGBoost and scikit-learn models ignore it. The small predictors
        of a search train in about a second on the CPU, so a GPU pays off for
        large ensembles or training sets, less for the default.
    random_state : int, RandomState or None, default=None
        Seed of weight initialisation, shuffling and ensemble seeds; a fixed
        value makes fits deterministic. Torch's global random state is left
        untouched.
    **kwargs
        The model's settings, as ``model__<name>=value`` (skorch's prefix
        routing, e.g. ``model__hidden_size=64, model__max_epochs=60``); they
        are parameters like the others (:meth:`get_params`, :meth:`set_params`,
        ``sklearn.base.clone``, grid searches). Each model's backend lists its
        settings with their defaults, taken for a setting not given or None:
        :class:`~sknas.predictors._backends.GCNBackend`,
        :class:`~sknas.predictors._backends.MLPBackend` (also ``"auto"``),
        :class:`~sknas.predictors._backends.ReNASBackend` (each also
        :class:`~sknas.predictors._backends.TorchBackend`'s),
        :class:`~sknas.predictors._backends.XGBoostBackend` (and any parameter
        of ``xgboost.XGBRegressor``), and for a regressor instance any of its
        own parameters (:class:`~sknas.predictors._backends.SklearnBackend`).
        :meth:`fit` raises a ``ValueError`` on a setting the model does not
        take. The flat spellings of earlier versions (``hidden_size``,
        ``n_layers``, ``max_epochs``, ``batch_size``, ``lr``,
        ``weight_decay``, and the dict ``model_params``) still work, with a
        ``FutureWarning``, and become ``model__<name>``.

    Attributes
    ----------
    model_ : str
        Resolved model name (``"mlp"`` for ``"auto"``, ``"sklearn"`` for a
        regressor instance).
    encoding_ : str
        Resolved encoding.
    loss_ : str
        Resolved loss.
    backend_ : Backend
        The model's backend, with its resolved hyperparameters; it builds,
        fits and runs the members.
    encoder_ : transformer or None
        Fitted encoder of ``space`` (``None`` for raw features).
    estimators_ : list
        Fitted ensemble members: ``skorch.NeuralNetRegressor`` instances for
        the neural models (trained in float32; an MLP's ``module_`` is converted
        to float64 after training so that predictions do not depend on batch
        composition), fitted regressors otherwise.
    calibration_ : ndarray of shape (n_ensemble, 2)
        ``(slope, intercept)`` of each member's increasing affine map from its
        raw outputs onto the standardised targets (``(1, 0)`` for XGBoost and
        scikit-learn members, used as they are).
    y_mean_, y_scale_ : float
        Standardisation of the targets.
    n_features_in_ : int
        Number of columns of ``X`` seen in :meth:`fit`.

    See Also
    --------
    sknas.metrics.kendall_tau_scorer : scorer for cross-validation.
    sknas.proposers.RandomRankProposer : proposes architectures with a fitted predictor.

    Examples
    --------
    >>> from sknas.datasets import load_nasbench201
    >>> from sknas import ArchitectureRegressor
    >>> bench = load_nasbench201("cifar10-valid")  # doctest: +SKIP
    >>> X = bench.space.sample(200, random_state=0)  # doctest: +SKIP
    >>> reg = ArchitectureRegressor(bench.space, random_state=0).fit(X, bench.query(X))  # doctest: +SKIP
    >>> reg.score(bench.X, bench.query(bench.X))  # Kendall's tau  # doctest: +SKIP
    """

    _parameter_constraints: ClassVar[dict[str, Any]] = {
        "space": Instance(Space, none=True),
        "model": _check_model,
        "encoding": Options(ENCODINGS, none=True),
        "loss": Options(LOSSES, none=True),
        "n_ensemble": Int(1, 256),  # bounded: a typo must not allocate and train millions of members
        "n_threads": Int(1, none=True),
        "device": _check_device,
    }  # random_state: checked by check_random_state; model__<name>: by the backend

    def __init__(self, space=None, model="auto", encoding=None, loss=None, n_ensemble=1, n_threads=1,
                 random_state=None, device="cpu", **kwargs):
        self.space = space
        self.model = model
        self.encoding = encoding
        self.loss = loss
        self.n_ensemble = n_ensemble
        self.n_threads = n_threads
        self.random_state = random_state
        self.device = device
        # private: scikit-learn's checks allow no public attribute beyond the signature's
        self._kwargs = _route(kwargs, stacklevel=3)

    # ------------------------------------------------------------ parameters
    def get_params(self, deep=True):
        """Get the parameters of this estimator, the ``model__<name>`` settings included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of a regressor instance ``model`` (as ``model__<name>``; a setting
            given to this estimator takes precedence).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return {**super().get_params(deep=deep), **self._kwargs}

    def set_params(self, **params):
        """Set the parameters of this estimator, ``model__<name>`` settings included.

        A ``model__<name>`` is a setting of this estimator, routed to the backend at :meth:`fit`; with a
        regressor instance ``model``, it does not modify the instance. The deprecated flat settings
        (``max_epochs=``...) set ``model__<name>``, with a ``FutureWarning``.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : ArchitectureRegressor
        """
        own = {key: params.pop(key) for key in list(params)
               if key.startswith(_PREFIX) or key in _FLAT_SETTINGS or key == "model_params" or key in self._kwargs}
        super().set_params(**params)
        self._kwargs.update(_route(own, stacklevel=3))
        return self

    def get_params_for(self, prefix: str) -> dict[str, Any]:
        """The parameters ``<prefix>__<name>`` as ``{name: value}`` (skorch's routing).

        Parameters
        ----------
        prefix : str
            ``"model"``: the model's settings.

        Returns
        -------
        params : dict
        """
        head = prefix + "__"
        return {key[len(head):]: value for key, value in self._kwargs.items() if key.startswith(head)}

    def _resolve(self) -> tuple[type[Backend], str, str]:
        """Check the parameters; return the backend class, encoding and loss they resolve to."""
        validate_params(self)
        unexpected = [key for key in self._kwargs if not key.startswith(_PREFIX) or key == _PREFIX]
        if unexpected:
            key = unexpected[0]
            if key == "model_params":
                raise TypeError(f"model_params (deprecated) must be a dict or None; got "
                                f"{type(self._kwargs[key]).__name__}")
            raise TypeError(f"unexpected parameter {key!r}; a setting of the model is passed as "
                            f"{_PREFIX}<name>=")
        if isinstance(self.model, str):
            name, natural = _ALIASES.get(self.model, (self.model, None))
            backend = BACKENDS[name]
        else:
            backend, natural = SklearnBackend, None
        backend.check_settings(self.get_params_for("model"), self.model)
        loss = self.loss or backend.losses[0]
        if loss not in backend.losses:
            raise ValueError(f"loss={loss!r} is not available for model {backend.name!r}; accepted: "
                             f"{list(backend.losses)}")
        enc = self.encoding
        if self.space is None:
            if enc not in (None, "raw"):
                raise ValueError(f"encoding={enc!r} needs a space; with space=None use encoding=None or 'raw'")
            return (BACKENDS[backend.raw_fallback] if backend.raw_fallback else backend), "raw", loss
        if enc == "raw":
            raise ValueError(f"encoding='raw' is for space=None; with a space use one of {list(FLAT_VIEWS)}")
        enc = enc or natural or backend.encoding
        if enc not in backend.encodings:
            raise ValueError(f"model {backend.name!r} works on the {backend.encoding!r} view only; got "
                             f"encoding={enc!r} (use {backend.encoding!r} or None)")
        return backend, enc, loss

    # -------------------------------------------------------------- features
    def _check_X(self, X, *, reset: bool, y="no_validation"):
        if isinstance(y, str) and y == "no_validation":
            X = validate_data(self, X, reset=reset, dtype="numeric")
        else:
            X, y = validate_data(self, X, y, reset=reset, dtype="numeric", y_numeric=True)
        if self.space is not None:
            X = self.space.check_rows(X)
        return X, y

    def _inputs(self, rows):
        """Model inputs of validated rows: the backend's encoding, or standardised raw features.

        Torch models take float32; XGBoost and scikit-learn models float64 (a float32 linear model's
        predictions would depend on the order of the samples at the 1e-7 level).
        """
        if self.encoder_ is None:
            raw = (np.asarray(rows, dtype=np.float64) - self.x_mean_) / self.x_scale_
            return np.ascontiguousarray(raw, dtype=self.backend_.dtype)
        return self.backend_.encode(self.encoder_, rows)

    def _raw_outputs(self, inputs) -> np.ndarray:
        """Uncalibrated outputs of every member, shape (n_members, n_samples)."""
        return np.stack([self.backend_.predict_member(member, inputs) for member in self.estimators_])

    # ------------------------------------------------------------------- fit
    def fit(self, X, y):
        """Fit the predictor (every ensemble member).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Architectures as rows of choice indices of ``space`` (or numeric
            features when ``space`` is None).
        y : array-like of shape (n_samples,)
            Performance of each architecture (larger or smaller, the model
            only needs consistency; search code assumes larger is better).

        Returns
        -------
        self : ArchitectureRegressor

        Raises
        ------
        TypeError
            On a parameter of the wrong type.
        ValueError
            On invalid parameters, NaN, infinite or overflowing targets,
            inconsistent lengths, rows that are not valid architectures of
            ``space``, a pairwise loss with fewer than 2 samples, or a training
            that diverges to non-finite outputs.
        """
        backend, enc, loss = self._resolve()
        rows, y = self._check_X(X, reset=True, y=y)
        y = np.asarray(y, dtype=np.float64)
        if loss != "mse" and len(y) < 2:
            raise ValueError(f"loss={loss!r} compares pairs of samples and needs at least 2; got n_samples=1")
        self.model_, self.encoding_, self.loss_ = backend.name, enc, loss
        self.backend_ = backend.from_estimator(self, loss)
        if enc == "raw":
            self.encoder_ = None
            with np.errstate(over="ignore", invalid="ignore"):
                self.x_mean_ = rows.mean(axis=0)
                sd = rows.std(axis=0)
            if not (np.all(np.isfinite(self.x_mean_)) and np.all(np.isfinite(sd))):
                raise ValueError("X cannot be standardised: the mean or standard deviation of a column overflows "
                                 "float64; rescale X")
            self.x_scale_ = np.where(sd > 0, sd, 1.0)
        else:
            self.encoder_ = _ENCODERS[enc](self.space).fit(rows)
        with np.errstate(over="ignore", invalid="ignore"):
            self.y_mean_ = float(y.mean())
            sd = float(y.std())
            self.y_scale_ = sd if sd > 0 else 1.0
            yz = (y - self.y_mean_) / self.y_scale_
        if not (np.isfinite(self.y_mean_) and np.isfinite(sd) and np.all(np.isfinite(yz))):
            raise ValueError(f"y cannot be standardised: its mean ({self.y_mean_:g}) or standard deviation ({sd:g}) "
                             "overflows float64; rescale y (e.g. accuracies in [0, 1])")
        inputs = self._inputs(rows)
        seeds = check_random_state(self.random_state).randint(0, 2**31 - 1, size=self.n_ensemble)
        self.estimators_ = [self.backend_.fit_member(inputs, yz, int(s)) for s in seeds]
        F = self._raw_outputs(inputs)
        with np.errstate(all="ignore"):
            # increasing affine map of the raw outputs onto the standardised targets (least squares on the
            # training set): keeps the ranking, and makes pairwise-trained outputs read in the units of y
            self.calibration_ = np.array([_affine_fit(f, yz) if backend.calibrated else (1.0, 0.0) for f in F])
            fitted = F * self.calibration_[:, :1] + self.calibration_[:, 1:]
        diverged = np.flatnonzero(~np.isfinite(fitted).all(axis=1))
        if len(diverged):
            raise ValueError(f"training diverged: ensemble member {diverged[0]} predicts non-finite values on its "
                             f"training set; {self.backend_.advice()}")
        return self

    # --------------------------------------------------------------- predict
    def predict(self, X, return_std: bool = False):
        """Predict the performance of architectures.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Architectures as rows of ``space``.
        return_std : bool, default=False
            Also return the standard deviation over ensemble members (zeros
            for ``n_ensemble=1``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Mean prediction of the members, in the units of ``y``.
        y_std : ndarray of shape (n_samples,)
            Only with ``return_std=True``.
        """
        check_is_fitted(self, "estimators_")
        P = self.predict_members(X)
        mean = P.mean(axis=0)
        if return_std:
            return mean, P.std(axis=0)
        return mean

    def predict_members(self, X) -> np.ndarray:
        """Predictions of every ensemble member (Thompson sampling draws one member per proposal).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Architectures as rows of ``space``.

        Returns
        -------
        y_members : ndarray of shape (n_ensemble, n_samples)
            In the units of ``y``; their mean is :meth:`predict`.
        """
        check_is_fitted(self, "estimators_")
        rows, _ = self._check_X(X, reset=False)
        P = self._raw_outputs(self._inputs(rows))
        return (P * self.calibration_[:, :1] + self.calibration_[:, 1:]) * self.y_scale_ + self.y_mean_

    def predict_relaxed(self, Z):
        """Differentiable prediction on relaxed rows (for gradient-based proposers).

        Parameters
        ----------
        Z : torch.Tensor of shape (n, n_features_onehot(space))
            Relaxed rows (one probability simplex per decision; see
            :func:`sknas.encodings.relax`). One-hot ``Z`` gives the same
            values as :meth:`predict` on the corresponding rows.

        Returns
        -------
        y_pred : torch.Tensor of shape (n,)
            Mean prediction of the members, differentiable with respect to ``Z``.

        Raises
        ------
        ValueError
            When the model is not differentiable in ``Z``: XGBoost, scikit-learn
            models, an MLP on an encoding other than one-hot, or no space.
        """
        import torch

        check_is_fitted(self, "estimators_")
        relaxed = self.backend_.relaxed_encodings
        if not relaxed:
            names = [name for name, b in BACKENDS.items() if b.relaxed_encodings]
            raise ValueError(f"model {self.model_!r} is not differentiable; predict_relaxed needs one of {names}")
        if self.space is None:
            raise ValueError("predict_relaxed needs a space (relaxed rows are defined by its one-hot view)")
        if self.encoding_ not in relaxed:
            raise ValueError(f"model {self.model_!r} on encoding={self.encoding_!r} is not differentiable in the "
                             f"relaxed rows; use encoding={relaxed[0]!r}")
        if not isinstance(Z, torch.Tensor):
            raise ValueError(f"Z must be a torch.Tensor; got {type(Z).__name__}")
        width = n_features_onehot(self.space)
        if Z.ndim != 2 or Z.shape[1] != width:
            raise ValueError(f"Z must have shape (n, {width}); got {tuple(Z.shape)}")
        outs = self.backend_.relaxed_members(self.estimators_, Z, self.encoder_)
        preds = [a * out + b for (a, b), out in zip(self.calibration_.tolist(), outs)]
        return torch.stack(preds).mean(dim=0) * self.y_scale_ + self.y_mean_

    def score(self, X, y, sample_weight=None) -> float:
        """Kendall's tau between ``y`` and the predictions on ``X``.

        Ranking quality, not R², is what a predictor-based search needs, so
        this replaces the usual regressor score.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions)
            Architectures as rows of ``space``.
        y : array-like of shape (n_samples,)
            True performance.
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        tau : float
            Kendall's tau-b in [-1, 1] (0 for constant predictions).
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by the Kendall-tau score")
        return kendall_tau(y, self.predict(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = False
        return tags
