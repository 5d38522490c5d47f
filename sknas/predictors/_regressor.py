"""``ArchitectureRegressor``: performance predictors for architectures of a search space."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..encodings import GraphEncoder, OneHotEncoder, PathEncoder, ReNASEncoder, renas_tensor_torch
from ..metrics import kendall_tau
from ..utils import torch_threads

__all__ = ["ArchitectureRegressor", "MODELS", "ENCODINGS", "LOSSES"]

#: accepted model names (besides scikit-learn regressor instances)
MODELS = ("auto", "gcn", "mlp", "renas", "xgboost")
#: accepted encoding names
ENCODINGS = ("onehot", "path", "graph", "renas", "raw")
#: accepted losses
LOSSES = ("mse", "pairwise", "mse+pairwise")

_NATURAL = {"gcn": "graph", "mlp": "onehot", "renas": "renas", "xgboost": "onehot", "sklearn": "onehot"}
_ENCODERS = {"onehot": OneHotEncoder, "path": PathEncoder, "graph": GraphEncoder, "renas": ReNASEncoder}

# per neural model: hidden_size, n_layers, lr, weight_decay, batch_size, optimizer steps of the auto epoch rule
_NEURAL_DEFAULTS = {
    "gcn": dict(hidden_size=144, n_layers=3, lr=4e-3, weight_decay=1e-4, batch_size=32, steps=800),
    "mlp": dict(hidden_size=256, n_layers=3, lr=5e-3, weight_decay=1e-4, batch_size=32, steps=1500),
    "renas": dict(hidden_size=32, n_layers=2, lr=2e-3, weight_decay=1e-4, batch_size=32, steps=800),
}
_MIN_EPOCHS, _MAX_EPOCHS = 30, 300
_XGB_DEFAULTS = dict(n_estimators=400, max_depth=6, learning_rate=0.05, subsample=0.9, colsample_bytree=0.9,
                     min_child_weight=1.0, n_jobs=1, tree_method="hist")
_PREDICT_CHUNK = 512  # small chunks stay in cache: 2-3x faster GCN predictions than 8192




class ArchitectureRegressor(RegressorMixin, BaseEstimator):
    """Performance predictor for architectures of a search space.

    Fits a model mapping architectures (rows of choice indices of ``space``)
    to a performance measure (e.g. validation accuracy), for predictor-based
    architecture search. :meth:`score` returns **Kendall's tau** rather than
    R²: a search only needs the predictor to rank architectures correctly.

    The default, ``model="auto"`` (an MLP on the BANANAS path encoding,
    trained with the ReNAS pairwise ranking loss), was chosen by measurement
    on NAS-Bench-201: it ranked best among the GCN, MLP, ReNAS and XGBoost
    variants at every training-set size from 78 to 1563 cells, and fits in
    about two seconds on 469 cells (see ``benchmarks/predictors.py``).

    Parameters
    ----------
    space : Space or None, default=None
        Search space of the architectures. With ``None``, ``X`` is treated as
        plain numeric features (standardised for the neural models); the graph
        models ``"gcn"`` and ``"renas"`` then fall back to ``"mlp"`` on those
        raw features, and ``encoding`` must be ``None`` or ``"raw"``.
    model : {"auto", "gcn", "mlp", "renas", "xgboost"} or scikit-learn regressor, default="auto"
        ``"auto"``: the measured default, ``"mlp"`` on the path encoding (the
        space's one-hot view when it has no path view). It is not
        differentiable in relaxed rows; gradient-based proposers need
        ``"gcn"`` or ``"mlp"`` (one-hot). ``"mlp"``: a fully connected
        network (BANANAS, White et al. 2021) on the one-hot or path encoding.
        ``"gcn"``: the directed GCN of the Neural Predictor (Wen et al. 2020)
        on the graph view. ``"renas"``: the small CNN
        of ReNAS (Xu et al. 2021) on its feature tensor (see
        :class:`~sknas.encodings.ReNASEncoder`). ``"xgboost"``:
        ``xgboost.XGBRegressor`` on the one-hot encoding. A regressor instance
        is cloned and fit on the chosen encoding.
    encoding : {"onehot", "path", "graph", "renas", "raw"} or None, default=None
        Feature view fed to the model. ``None`` picks the model's natural view:
        graph for GCN, ReNAS tensor for ReNAS, path for ``"auto"`` (it ranked
        clearly better than one-hot here), one-hot for the MLP (differentiable
        through :meth:`predict_relaxed`), XGBoost and scikit-learn models. The
        GCN needs ``"graph"``, ReNAS ``"renas"``; the MLP, XGBoost and
        scikit-learn models take the flattened form of any view.
    loss : {"mse", "pairwise", "mse+pairwise"} or None, default=None
        Training loss of the neural models: squared error on standardised
        targets, the ReNAS pairwise logistic loss (mean over the pairs of a
        batch with ``y_i > y_j`` of ``softplus(-(f_i - f_j))``), or their sum.
        For XGBoost, ``"pairwise"`` selects the ``"rank:pairwise"`` objective
        (with 32 uniformly drawn pairs per sample: ``lambdarank_pair_method="mean"``).
        A scikit-learn model accepts ``"mse"`` only. ``None`` picks
        ``"pairwise"`` for the neural models (best ranking at every size
        measured) and ``"mse"`` for XGBoost and scikit-learn models. The
        outputs of every neural member are mapped onto the targets by an
        increasing affine fit on the training set, so predictions read in the
        units of ``y`` whatever the loss.
    n_ensemble : int, default=1
        Number of members trained with different seeds; predictions are their
        mean (``predict(X, return_std=True)`` also returns their spread).
    hidden_size : int or None, default=None
        Layer width (``None``: 144 for GCN, 256 for MLP, 32 channels for ReNAS).
    n_layers : int or None, default=None
        Number of graph layers (GCN, default 3) or hidden layers (MLP, default 3).
    max_epochs : int or None, default=None
        Training epochs of the neural models. ``None`` picks about 1500
        optimizer steps for the MLP and 800 for GCN and ReNAS, clipped to
        30..300 epochs.
    batch_size : int or None, default=None
        Mini-batch size (default 32).
    lr : float or None, default=None
        AdamW learning rate (default 5e-3 for the MLP, 4e-3 for GCN, 2e-3 for
        ReNAS), annealed with a cosine schedule.
    weight_decay : float or None, default=None
        AdamW weight decay (default 1e-4).
    model_params : dict or None, default=None
        Extra keyword arguments for ``xgboost.XGBRegressor`` (``"xgboost"``)
        or the ``set_params`` of a scikit-learn model.
    n_threads : int or None, default=1
        Torch intra-op threads during fit and predict (restored afterwards);
        ``None`` leaves torch's setting alone.
    random_state : int, RandomState or None, default=None
        Seed of weight initialisation, shuffling and ensemble seeds; a fixed
        value makes fits deterministic. Torch's global random state is left
        untouched.

    Attributes
    ----------
    model_ : str
        Resolved model name (``"mlp"`` for ``"auto"``, ``"sklearn"`` for a
        regressor instance).
    encoding_ : str
        Resolved encoding.
    loss_ : str
        Resolved loss.
    encoder_ : transformer or None
        Fitted encoder of ``space`` (``None`` for raw features).
    estimators_ : list
        Fitted ensemble members: ``skorch.NeuralNetRegressor`` instances for
        the neural models (trained in float32; an MLP's ``module_`` is converted
        to float64 after training so that predictions do not depend on batch
        composition), fitted regressors otherwise.
    y_mean_, y_scale_ : float
        Standardisation of the targets.
    n_features_in_ : int
        Number of columns of ``X`` seen in :meth:`fit`.

    See Also
    --------
    sknas.metrics.kendall_tau_scorer : scorer for cross-validation.

    Examples
    --------
    >>> from sknas.datasets import load_nasbench201
    >>> from sknas import ArchitectureRegressor
    >>> bench = load_nasbench201("cifar10-valid")  # doctest: +SKIP
    >>> X = bench.space.sample(200, random_state=0)  # doctest: +SKIP
    >>> reg = ArchitectureRegressor(bench.space, random_state=0).fit(X, bench.query(X))  # doctest: +SKIP
    >>> reg.score(bench.X, bench.query(bench.X))  # Kendall's tau  # doctest: +SKIP
    """

    def __init__(self, space=None, model="auto", encoding=None, loss=None, n_ensemble=1, hidden_size=None,
                 n_layers=None, max_epochs=None, batch_size=None, lr=None, weight_decay=None, model_params=None,
                 n_threads=1, random_state=None):
        self.space = space
        self.model = model
        self.encoding = encoding
        self.loss = loss
        self.n_ensemble = n_ensemble
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.model_params = model_params
        self.n_threads = n_threads
        self.random_state = random_state

    # ------------------------------------------------------------ parameters
    def _resolve(self) -> tuple[str, str, str]:
        """Check the parameters and return the resolved (model, encoding, loss)."""
        model = self.model
        if isinstance(model, str):
            if model not in MODELS:
                raise ValueError(
                    f"model={model!r} is not supported; accepted: {list(MODELS)} or a scikit-learn regressor instance"
                )
        elif not isinstance(model, type) and all(hasattr(model, a) for a in ("fit", "predict", "get_params")):
            model = "sklearn"
        else:
            raise ValueError(
                f"model={model!r} is not supported; accepted: {list(MODELS)} or a scikit-learn regressor instance"
            )
        loss = self.loss
        if loss is not None and (not isinstance(loss, str) or loss not in LOSSES):
            raise ValueError(f"loss={loss!r} is not supported; accepted values: {list(LOSSES)} or None")
        if loss is None:
            loss = "mse" if model in ("sklearn", "xgboost") else "pairwise"
        if model == "sklearn" and loss != "mse":
            raise ValueError(
                f"loss={loss!r} needs a neural model or 'xgboost'; a scikit-learn model accepts 'mse' only"
            )
        if model == "xgboost" and loss == "mse+pairwise":
            raise ValueError("loss='mse+pairwise' is not available for 'xgboost'; use 'mse' or 'pairwise'")
        enc = self.encoding
        if enc is not None and (not isinstance(enc, str) or enc not in ENCODINGS):
            raise ValueError(f"encoding={enc!r} is not supported; accepted values: {list(ENCODINGS)} or None")
        if not isinstance(self.n_ensemble, numbers.Integral) or self.n_ensemble < 1:
            raise ValueError(f"n_ensemble must be a positive integer; got {self.n_ensemble!r}")
        for name in ("hidden_size", "n_layers", "max_epochs", "batch_size"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, numbers.Integral) or v < 1):
                raise ValueError(f"{name} must be a positive integer or None; got {v!r}")
        for name in ("lr", "weight_decay"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, numbers.Real) or v < 0 or (name == "lr" and v == 0)):
                raise ValueError(f"{name} must be a positive number or None; got {v!r}")
        if model == "auto":
            model = "mlp"
            if self.space is not None:
                enc = enc or "path"
        if self.space is None:
            if enc not in (None, "raw"):
                raise ValueError(f"encoding={enc!r} needs a space; with space=None use encoding=None or 'raw'")
            if model in ("gcn", "renas"):
                model = "mlp"  # documented fallback: no graph without a space
            return model, "raw", loss
        if enc == "raw":
            raise ValueError("encoding='raw' is for space=None; with a space use 'onehot', 'path', 'graph' or 'renas'")
        enc = enc or _NATURAL[model]
        if model == "gcn" and enc != "graph":
            raise ValueError(f"model='gcn' works on the graph view; got encoding={enc!r} (use 'graph' or None)")
        if model == "renas" and enc != "renas":
            raise ValueError(f"model='renas' works on the ReNAS tensor; got encoding={enc!r} (use 'renas' or None)")
        return model, enc, loss

    def _hp(self, name):
        v = getattr(self, name, None)
        return _NEURAL_DEFAULTS[self.model_][name] if v is None else v

    # -------------------------------------------------------------- features
    def _check_X(self, X, *, reset: bool, y="no_validation"):
        if isinstance(y, str) and y == "no_validation":
            X = validate_data(self, X, reset=reset, dtype="numeric")
        else:
            X, y = validate_data(self, X, y, reset=reset, dtype="numeric", y_numeric=True)
        if self.space is not None:
            X = self.space.check_rows(X)
        return X, y

    def _features(self, rows):
        """Model input for validated rows: ndarray, or dict of arrays for the GCN.

        Torch models take float32; XGBoost and scikit-learn models float64 (a float32 linear model's
        predictions would depend on the order of the samples at the 1e-7 level).
        """
        dtype = np.float32 if self.model_ in _NEURAL_DEFAULTS else np.float64
        if self.encoding_ == "raw":
            return ((np.asarray(rows, dtype=np.float64) - self.x_mean_) / self.x_scale_).astype(dtype)
        if self.model_ == "gcn":
            A, F = self.space.graph(rows)
            return {"A": np.ascontiguousarray(A, dtype=np.float32), "F": np.ascontiguousarray(F, dtype=np.float32)}
        if self.model_ == "renas":
            return self.encoder_.tensor(rows).astype(np.float32)
        return np.ascontiguousarray(self.encoder_.transform(rows), dtype=dtype)

    def _build_module(self, feats):
        from ._modules import MLP, DirectedGCN, ReNASNet

        if self.model_ == "gcn":
            return DirectedGCN, dict(n_node_types=feats["F"].shape[2], hidden_size=self._hp("hidden_size"),
                                     n_layers=self._hp("n_layers"))
        if self.model_ == "renas":
            return ReNASNet, dict(n_channels=feats.shape[1], n_nodes=feats.shape[2],
                                  hidden_size=self._hp("hidden_size"))
        return MLP, dict(n_features=feats.shape[1], hidden_size=self._hp("hidden_size"), n_layers=self._hp("n_layers"))

    def _n_epochs(self, n_samples: int) -> int:
        if self.max_epochs is not None:
            return int(self.max_epochs)
        n_batches = max(1, int(np.ceil(n_samples / self._hp("batch_size"))))
        return int(np.clip(round(self._hp("steps") / n_batches), _MIN_EPOCHS, _MAX_EPOCHS))

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
        ValueError
            On invalid parameters, NaN or infinite targets, inconsistent
            lengths, rows that are not valid architectures of ``space``, or a
            pairwise loss with fewer than 2 samples.
        """
        model, enc, loss = self._resolve()
        rows, y = self._check_X(X, reset=True, y=y)
        y = np.asarray(y, dtype=np.float64)
        if loss != "mse" and len(y) < 2:
            raise ValueError(f"loss={loss!r} compares pairs of samples and needs at least 2; got n_samples=1")
        self.model_, self.encoding_, self.loss_ = model, enc, loss
        if enc == "raw":
            self.encoder_ = None
            self.x_mean_ = rows.mean(axis=0)
            sd = rows.std(axis=0)
            self.x_scale_ = np.where(sd > 0, sd, 1.0)
        else:
            self.encoder_ = _ENCODERS[enc](self.space).fit(rows)
        self.y_mean_ = float(y.mean())
        sd = float(y.std())
        self.y_scale_ = sd if sd > 0 else 1.0
        yz = (y - self.y_mean_) / self.y_scale_
        feats = self._features(rows)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(0, 2**31 - 1, size=self.n_ensemble)
        with torch_threads(self.n_threads if model in _NEURAL_DEFAULTS else None):
            self.estimators_ = [self._fit_member(feats, yz, int(s)) for s in seeds]
        if self.space is not None:  # what propose() starts from and excludes
            self.X_fit_, self.y_fit_ = rows.copy(), y.copy()
        return self

    # --------------------------------------------------------------- propose
    def propose(self, n: int, *, exclude=None, proposer=None, random_state=None):
        """Propose ``n`` new architectures, best first, with this fitted predictor.

        Parameters
        ----------
        n : int
            Number of proposals.
        exclude : array-like of shape (n_rows, n_decisions), default=None
            Architectures that must not be proposed (nor anything equivalent),
            on top of the rows the predictor was fitted on.
        proposer : BaseProposer, default=None
            A proposer of :mod:`sknas.proposers`; default
            :func:`~sknas.proposers.default_proposer`. It starts from the best
            fitted rows (their targets, larger is better).
        random_state : int, Generator or None

        Returns
        -------
        X : ndarray of shape (n, n_decisions)
            Valid, mutually distinct rows, none equivalent to a fitted or
            excluded row (fewer only when the space holds no more).
        """
        check_is_fitted(self, "estimators_")
        if self.space is None:
            raise ValueError("propose needs the predictor's space; it was fitted with space=None")
        from ..proposers import default_proposer  # proposers build on predictors: imported at call time

        proposer = default_proposer() if proposer is None else proposer
        return proposer.propose(self, n, self.X_fit_, self.y_fit_, exclude=exclude, random_state=random_state)

    def _fit_member(self, feats, yz, seed):
        if self.model_ in _NEURAL_DEFAULTS:
            return self._fit_neural(feats, yz, seed)
        if self.model_ == "xgboost":
            from xgboost import XGBRegressor

            params = dict(_XGB_DEFAULTS, random_state=seed)
            if self.loss_ == "pairwise":
                # pairs drawn uniformly ("mean"), not XGBoost's default "topk", which only orders the top
                # of the list and leaves the global ranking (Kendall's tau) poor
                params.update(objective="rank:pairwise", lambdarank_pair_method="mean",
                              lambdarank_num_pair_per_sample=32)
            params.update(self.model_params or {})
            est = XGBRegressor(**params)
        else:
            est = clone(self.model)
            if self.model_params:
                est.set_params(**self.model_params)
            if "random_state" in est.get_params():
                est.set_params(random_state=seed)
        return est.fit(feats, yz)

    def _fit_neural(self, feats, yz, seed):
        import torch
        from skorch.callbacks import LRScheduler

        from ._modules import LeanNeuralNetRegressor, RankingLoss, TensorBatches

        module, kwargs = self._build_module(feats)
        epochs = self._n_epochs(len(yz))
        net = LeanNeuralNetRegressor(
            module,
            **{f"module__{k}": v for k, v in kwargs.items()},
            criterion=RankingLoss,
            criterion__loss=self.loss_,
            optimizer=torch.optim.AdamW,
            optimizer__weight_decay=self._hp("weight_decay"),
            optimizer__foreach=True,
            lr=self._hp("lr"),
            max_epochs=epochs,
            batch_size=self._hp("batch_size"),
            train_split=None,
            iterator_train=TensorBatches,
            iterator_train__shuffle=True,
            iterator_valid=TensorBatches,
            callbacks=[("lr", LRScheduler("CosineAnnealingLR", T_max=epochs))],
            verbose=0,
            device="cpu",
        )
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net.fit(feats, yz.astype(np.float32).reshape(-1, 1))
        net.module_.eval()
        if self.model_ == "mlp":
            # predict in float64: a sample's prediction must not depend on the batch it is in, which float32
            # matrix kernels (chosen by batch size) do not guarantee to 1e-7; cheap for an MLP, while the
            # graph models stay in float32 for speed (batch effects ~1e-6 relative, irrelevant to ranking)
            net.module_.double()
        # increasing affine map of the raw outputs onto the standardised targets (least squares on the
        # training set): keeps the ranking, and makes pairwise-trained outputs read in the units of y
        f = self._forward([net], feats, calibrated=False)[0]
        var = float(f.var())
        slope = float(np.mean((f - f.mean()) * (yz - yz.mean())) / var) if var > 0 else 0.0
        slope = slope if slope > 0 else 1.0
        net.calibration_ = (slope, float(yz.mean() - slope * f.mean()))
        return net

    # --------------------------------------------------------------- predict
    def _forward(self, nets, feats, *, calibrated: bool = True) -> np.ndarray:
        """Outputs of torch members on model inputs, shape (n_members, n_samples), standardised units."""
        import torch

        n = len(feats["A"]) if isinstance(feats, dict) else len(feats)
        out = np.empty((len(nets), n))
        with torch_threads(self.n_threads), torch.no_grad():
            for m, net in enumerate(nets):
                mod = net.module_
                dtype = next(mod.parameters()).dtype
                for s in range(0, n, _PREDICT_CHUNK):
                    if isinstance(feats, dict):
                        p = mod(**{k: torch.as_tensor(v[s:s + _PREDICT_CHUNK], dtype=dtype) for k, v in feats.items()})
                    else:
                        p = mod(torch.as_tensor(feats[s:s + _PREDICT_CHUNK], dtype=dtype))
                    out[m, s:s + _PREDICT_CHUNK] = p.reshape(-1).double().numpy()
                if calibrated:
                    a, b = net.calibration_
                    out[m] = a * out[m] + b
        return out

    def _member_predictions(self, feats) -> np.ndarray:
        if self.model_ not in _NEURAL_DEFAULTS:
            return np.stack([np.asarray(est.predict(feats), dtype=np.float64).ravel() for est in self.estimators_])
        return self._forward(self.estimators_, feats)

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
        return self._member_predictions(self._features(rows)) * self.y_scale_ + self.y_mean_

    def predict_relaxed(self, Z):
        """Differentiable prediction on relaxed rows (for gradient-based proposers).

        Parameters
        ----------
        Z : torch.Tensor of shape (n, space.n_features_onehot)
            Relaxed rows (one probability simplex per decision; see
            :meth:`sknas.spaces.Space.relax`). One-hot ``Z`` gives the same
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
        if self.model_ not in _NEURAL_DEFAULTS:
            raise ValueError(f"model {self.model_!r} is not differentiable; predict_relaxed needs 'gcn', 'mlp' or "
                             "'renas'")
        if self.space is None:
            raise ValueError("predict_relaxed needs a space (relaxed rows are defined by its one-hot view)")
        if self.model_ == "mlp" and self.encoding_ != "onehot":
            raise ValueError(f"an MLP on encoding={self.encoding_!r} is not differentiable in the relaxed rows; "
                             "use encoding='onehot'")
        if not isinstance(Z, torch.Tensor):
            raise ValueError(f"Z must be a torch.Tensor; got {type(Z).__name__}")
        width = self.space.n_features_onehot
        if Z.ndim != 2 or Z.shape[1] != width:
            raise ValueError(f"Z must have shape (n, {width}); got {tuple(Z.shape)}")
        dtype = next(self.estimators_[0].module_.parameters()).dtype
        Z = Z.to(dtype)
        if self.model_ == "gcn":
            A, F = self.space.graph_torch(Z)
            inputs = {"A": A.to(dtype), "F": F.to(dtype)}
        elif self.model_ == "renas":
            A, F = self.space.graph_torch(Z)
            with torch.no_grad():
                rows = self.space.project(Z.detach().cpu().numpy())
            costs = torch.as_tensor(self.encoder_._costs(rows), dtype=dtype)
            inputs = {"X": renas_tensor_torch(A.to(dtype), F.to(dtype), costs)}
        else:
            inputs = {"X": Z}
        preds = [net.calibration_[0] * net.module_(**inputs).reshape(-1) + net.calibration_[1]
                 for net in self.estimators_]
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
