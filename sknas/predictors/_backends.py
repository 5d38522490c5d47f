"""Model backends of ``ArchitectureRegressor``: one small class per model family.

A backend owns what differs between models: its natural encoding (and the encodings and losses it
accepts), its settings and their defaults, building and fitting one ensemble member, predicting with
a member, and its differentiable forward on relaxed rows (or none). The estimator keeps what they share:
parameter checks, encoding, target standardisation, ensembling and calibration. The estimator routes each
of its ``model__<name>`` keywords to the backend's setting ``<name>`` (the prefix routing of skorch's
``get_params_for``); a backend's :attr:`~Backend.defaults` is the one place each default lives.

Adding a model: subclass :class:`Backend` (or :class:`TorchBackend` for a torch module, which mostly
needs :meth:`TorchBackend.module`) and add it to :data:`BACKENDS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from sklearn.base import clone

from ..encodings import graph, graph_torch
from ..utils import Int, Real, torch_threads

if TYPE_CHECKING:
    import torch

    from ._modules import LeanNeuralNetRegressor

__all__ = ["Backend", "TorchBackend", "GCNBackend", "MLPBackend", "ReNASBackend", "XGBoostBackend", "SklearnBackend",
           "BACKENDS", "FLAT_VIEWS"]

#: views every flat model takes (flattened)
FLAT_VIEWS = ("onehot", "path", "graph", "renas", "renas-compact")
_PREDICT_CHUNK = 512  # small chunks stay in cache: 2-3x faster GCN predictions than 8192
_MIN_EPOCHS, _MAX_EPOCHS = 30, 300


class Backend:
    """One model family of ``ArchitectureRegressor``; subclass it to add a model.

    Parameters
    ----------
    loss : str
        The resolved training loss, one of :attr:`losses`.
    n_threads : int or None, default=None
        Torch intra-op threads during fit and predict (the estimator's ``n_threads``).
    device : str, default="cpu"
        Torch device of the neural models (the estimator's ``device``); the other models ignore it.
    **params
        The settings, every name of :attr:`defaults` with its resolved value (the estimator's
        ``model__<name>``, or the default).
    """

    #: ``model_`` of the estimator
    name: ClassVar[str]
    #: the view taken for ``encoding=None`` with a space, and every view accepted
    encoding: ClassVar[str] = "onehot"
    encodings: ClassVar[tuple[str, ...]] = FLAT_VIEWS
    #: views in which the model is differentiable for ``predict_relaxed`` (none: it raises)
    relaxed_encodings: ClassVar[tuple[str, ...]] = ()
    #: accepted losses, the first being the default
    losses: ClassVar[tuple[str, ...]] = ("mse",)
    #: name of the backend used instead on raw features (``space=None``); ``None``: this one
    raw_fallback: ClassVar[str | None] = None
    #: whether the estimator maps the members' raw outputs onto the standardised targets
    calibrated: ClassVar[bool] = False
    #: the settings (``model__<name>`` of the estimator) and their defaults, taken when a setting is absent or None
    defaults: ClassVar[dict[str, Any]] = {}
    #: checks of settings values (``(name, value) -> value`` constraints of :mod:`sknas.utils`)
    constraints: ClassVar[dict[str, Any]] = {}
    #: dtype of the model inputs
    dtype: ClassVar[type] = np.float64

    def __init__(self, loss: str, n_threads: int | None = None, device: str = "cpu", **params):
        self.loss = loss
        self.n_threads = n_threads
        self.device = device
        self.params = params

    @classmethod
    def accepted(cls, model) -> list[str]:
        """Names of the settings accepted with the estimator's ``model`` (its ``model__<name>`` keywords)."""
        return list(cls.defaults)

    @classmethod
    def check_settings(cls, settings: dict[str, Any], model) -> None:
        """Raise a ``ValueError`` naming the first of ``settings`` that the backend does not accept."""
        accepted = cls.accepted(model)
        unknown = [name for name in settings if name not in accepted]
        if unknown:
            raise ValueError(f"model__{unknown[0]} is not a setting of model {cls.name!r}; accepted: "
                             f"{[f'model__{name}' for name in accepted]}")

    @classmethod
    def from_estimator(cls, estimator, loss: str) -> Backend:
        """The backend configured by ``estimator``: its ``model__<name>`` settings over :attr:`defaults`."""
        given = estimator.get_params_for("model")
        cls.check_settings(given, estimator.model)
        params = dict(cls.defaults)
        for name, value in given.items():
            if value is not None or name not in cls.defaults:
                params[name] = cls.constraints[name](f"model__{name}", value) if name in cls.constraints else value
        return cls(loss, estimator.n_threads, estimator.device, **params)

    def encode(self, encoder, rows: np.ndarray):
        """Model inputs of validated rows: the flattened view of the fitted ``encoder``."""
        return np.ascontiguousarray(encoder.transform(rows), dtype=self.dtype)

    def fit_member(self, X, yz: np.ndarray, seed: int):
        """Build one ensemble member and fit it on inputs ``X`` and standardised targets ``yz``."""
        raise NotImplementedError

    def predict_member(self, member, X) -> np.ndarray:
        """Raw outputs of one member on inputs ``X``: float64, shape (n_samples,)."""
        return np.asarray(member.predict(X), dtype=np.float64).ravel()

    def relaxed_members(self, members: list, Z: torch.Tensor, encoder) -> list[torch.Tensor]:
        """Raw outputs of every member on relaxed rows ``Z``, differentiable in ``Z`` (one tensor per member)."""
        raise NotImplementedError(f"model {self.name!r} is not differentiable")

    def advice(self) -> str:
        """What to change when a fit diverges to non-finite outputs."""
        return "check the settings of the model (model__<name>)"


class TorchBackend(Backend):
    """A torch module trained through skorch: AdamW, cosine schedule, float32, seeded per member.

    Other Parameters
    ----------------
    weight_decay : float, default=1e-4
        AdamW weight decay.
    batch_size : int, default=32
        Mini-batch size (at most 2**20).
    max_epochs : int or None, default=None
        Training epochs (at most 100,000); ``None`` takes about :attr:`steps` optimizer steps, clipped to
        30..300 epochs.
    max_steps : int or None, default=None
        At most this many optimizer steps: on more data, fewer epochs (at least one), so that the cost of a fit
        stops growing with the number of samples. ``None``: no bound.
    lr : float
        AdamW learning rate, annealed with a cosine schedule (default: the subclass's).
    hidden_size : int
        Width of the layers, at most 8192 (default: the subclass's).
    n_layers : int
        Number of graph or hidden layers, for the modules that have them, at most 64 (default: the subclass's).
    """

    losses = ("pairwise", "mse", "mse+pairwise")
    calibrated = True
    dtype = np.float32
    defaults = dict(weight_decay=1e-4, batch_size=32, max_epochs=None, max_steps=None)
    # sizes are bounded, so that a typo is refused before it allocates gigabytes
    constraints = dict(weight_decay=Real(0), batch_size=Int(1, 2**20), max_epochs=Int(1, 100_000, none=True),
                       max_steps=Int(1, 10**9, none=True),
                       hidden_size=Int(1, 8192), n_layers=Int(1, 64), lr=Real(0, closed="neither"))
    #: optimizer steps of the automatic number of epochs (``max_epochs=None``)
    steps: ClassVar[int] = 800

    def module(self, X) -> tuple[type, dict[str, Any]]:
        """The module class and its keyword arguments for inputs ``X`` (skorch's ``initialize_module``)."""
        raise NotImplementedError

    def relaxed_inputs(self, Z: torch.Tensor, encoder) -> dict[str, torch.Tensor]:
        """Module inputs (keyword arguments) on relaxed rows ``Z``, already in the modules' dtype."""
        raise NotImplementedError(f"model {self.name!r} is not differentiable")

    def n_epochs(self, n_samples: int) -> int:
        """``max_epochs`` (or about :attr:`steps` optimizer steps clipped to 30..300 epochs), within ``max_steps``."""
        n_batches = max(1, int(np.ceil(n_samples / self.params["batch_size"])))
        if self.params["max_epochs"] is not None:
            epochs = int(self.params["max_epochs"])
        else:
            epochs = int(np.clip(round(self.steps / n_batches), _MIN_EPOCHS, _MAX_EPOCHS))
        if self.params["max_steps"] is not None:
            epochs = max(1, min(epochs, int(self.params["max_steps"]) // n_batches))
        return epochs

    def build(self, X, n_samples: int) -> LeanNeuralNetRegressor:
        """The (uninitialised) skorch net of one member."""
        import torch
        from skorch.callbacks import LRScheduler

        from ._modules import LeanNeuralNetRegressor, RankingLoss, TensorBatches

        module, kwargs = self.module(X)
        epochs = self.n_epochs(n_samples)
        return LeanNeuralNetRegressor(
            module,
            **{f"module__{k}": v for k, v in kwargs.items()},
            criterion=RankingLoss,
            criterion__loss=self.loss,
            optimizer=torch.optim.AdamW,
            optimizer__weight_decay=self.params["weight_decay"],
            optimizer__foreach=True,
            lr=self.params["lr"],
            max_epochs=epochs,
            batch_size=self.params["batch_size"],
            train_split=None,
            iterator_train=TensorBatches,
            iterator_train__shuffle=True,
            iterator_valid=TensorBatches,
            callbacks=[("lr", LRScheduler("CosineAnnealingLR", T_max=epochs))],
            verbose=0,
            device=self.device,
        )

    def fit_member(self, X, yz, seed):
        import torch

        net = self.build(X, len(yz))
        with torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net.fit(X, yz.astype(np.float32).reshape(-1, 1))
        net.module_.eval()
        return net

    def predict_member(self, member, X):
        import torch

        mod = member.module_
        weight = next(mod.parameters())
        inputs = X if isinstance(X, dict) else {"X": X}
        n = len(next(iter(inputs.values())))
        out = np.empty(n)
        with torch_threads(self.n_threads), torch.no_grad():
            for s in range(0, n, _PREDICT_CHUNK):
                p = mod(**{k: torch.as_tensor(v[s:s + _PREDICT_CHUNK], dtype=weight.dtype, device=weight.device)
                           for k, v in inputs.items()})
                out[s:s + _PREDICT_CHUNK] = p.reshape(-1).double().cpu().numpy()
        return out

    def relaxed_members(self, members, Z, encoder):
        """The members' outputs on relaxed encodings ``Z`` (a CPU tensor), differentiable in ``Z``, on the CPU:
        ``Z`` goes to the members' device and their outputs come back."""
        weight = next(members[0].module_.parameters())
        inputs = self.relaxed_inputs(Z.to(dtype=weight.dtype, device=weight.device), encoder)
        return [net.module_(**inputs).reshape(-1).cpu() for net in members]

    def advice(self) -> str:
        return f"lower model__lr (now {self.params['lr']:g})"


class GCNBackend(TorchBackend):
    """The directed GCN of the Neural Predictor (Wen et al. 2020) on the graph view.

    Settings (:class:`TorchBackend`): defaults ``hidden_size=144``, ``n_layers=3``, ``lr=4e-3``.
    """

    name = "gcn"
    encoding = "graph"
    encodings = relaxed_encodings = ("graph",)
    raw_fallback = "mlp"
    defaults = dict(TorchBackend.defaults, hidden_size=144, n_layers=3, lr=4e-3)

    def encode(self, encoder, rows):
        A, F = graph(encoder.space, rows)
        return {"A": np.ascontiguousarray(A, dtype=np.float32), "F": np.ascontiguousarray(F, dtype=np.float32)}

    def module(self, X):
        from ._modules import DirectedGCN

        return DirectedGCN, dict(n_node_types=X["F"].shape[2], hidden_size=self.params["hidden_size"],
                                 n_layers=self.params["n_layers"])

    def relaxed_inputs(self, Z, encoder):
        A, F = graph_torch(encoder.space, Z)
        return {"A": A.to(Z.dtype), "F": F.to(Z.dtype)}


class MLPBackend(TorchBackend):
    """A fully connected network (BANANAS, White et al. 2021) on any flattened view.

    Settings (:class:`TorchBackend`): defaults ``hidden_size=256``, ``n_layers=3``, ``lr=5e-3``.
    """

    name = "mlp"
    relaxed_encodings = ("onehot",)
    defaults = dict(TorchBackend.defaults, hidden_size=256, n_layers=3, lr=5e-3)
    steps = 1500

    def module(self, X):
        from ._modules import MLP

        return MLP, dict(n_features=X.shape[1], hidden_size=self.params["hidden_size"],
                         n_layers=self.params["n_layers"])

    def fit_member(self, X, yz, seed):
        net = super().fit_member(X, yz, seed)
        # predict in float64: a sample's prediction must not depend on the batch it is in, which float32
        # matrix kernels (chosen by batch size) do not guarantee to 1e-7; cheap for an MLP, while the
        # graph models stay in float32 for speed (batch effects ~1e-6 relative, irrelevant to ranking)
        net.module_.double()
        return net

    def relaxed_inputs(self, Z, encoder):
        return {"X": Z}


class ReNASBackend(TorchBackend):
    """The small CNN of ReNAS (Xu et al. 2021) on its feature tensor.

    Settings (:class:`TorchBackend`; no ``n_layers``): defaults ``hidden_size=32`` (channels), ``lr=2e-3``.
    """

    name = "renas"
    encoding = "renas"
    encodings = relaxed_encodings = ("renas", "renas-compact")
    raw_fallback = "mlp"
    defaults = dict(TorchBackend.defaults, hidden_size=32, lr=2e-3)

    def encode(self, encoder, rows):
        return encoder.tensor(rows).astype(np.float32)

    def module(self, X):
        from ._modules import ReNASNet

        return ReNASNet, dict(n_channels=X.shape[1], n_nodes=X.shape[2], hidden_size=self.params["hidden_size"])

    def relaxed_inputs(self, Z, encoder):
        return {"X": encoder.tensor_torch(Z)}


class XGBoostBackend(Backend):
    """``xgboost.XGBRegressor``; ``loss="pairwise"`` selects the ``rank:pairwise`` objective.

    Settings: any parameter of ``xgboost.XGBRegressor``; defaults ``n_estimators=400``, ``max_depth=6``,
    ``learning_rate=0.05``, ``subsample=0.9``, ``colsample_bytree=0.9``, ``min_child_weight=1.0``, ``n_jobs=1``,
    ``tree_method="hist"``. The others are passed as given, after the member's seed and the objective of the
    pairwise loss, which they override.
    """

    name = "xgboost"
    losses = ("mse", "pairwise")
    defaults = dict(n_estimators=400, max_depth=6, learning_rate=0.05, subsample=0.9, colsample_bytree=0.9,
                    min_child_weight=1.0, n_jobs=1, tree_method="hist")

    @classmethod
    def accepted(cls, model):
        from xgboost import XGBRegressor

        return [*cls.defaults, *(name for name in XGBRegressor().get_params() if name not in cls.defaults)]

    def fit_member(self, X, yz, seed):
        from xgboost import XGBRegressor

        params = {name: self.params[name] for name in self.defaults}
        params["random_state"] = seed
        if self.loss == "pairwise":
            # pairs drawn uniformly ("mean"), not XGBoost's default "topk", which only orders the top
            # of the list and leaves the global ranking (Kendall's tau) poor
            params.update(objective="rank:pairwise", lambdarank_pair_method="mean", lambdarank_num_pair_per_sample=32)
        params.update((name, value) for name, value in self.params.items() if name not in self.defaults)
        return XGBRegressor(**params).fit(X, yz)

    def advice(self) -> str:
        return "lower model__learning_rate"


class SklearnBackend(Backend):
    """A clone of a scikit-learn regressor instance (its ``random_state``, if any, set per member).

    Settings: any parameter of the estimator's ``model`` (a name of its ``get_params()``), set on each
    member's clone as given; the regressor's own values are the defaults.

    Attributes
    ----------
    model : regressor
        The estimator's ``model``, set by :meth:`from_estimator`.
    """

    name = "sklearn"
    model = None

    @classmethod
    def accepted(cls, model):
        return list(model.get_params())

    @classmethod
    def from_estimator(cls, estimator, loss):
        backend = super().from_estimator(estimator, loss)
        backend.model = estimator.model
        return backend

    def fit_member(self, X, yz, seed):
        est = clone(self.model).set_params(**self.params)
        if "random_state" in est.get_params():
            est.set_params(random_state=seed)
        return est.fit(X, yz)


#: the named models (``model="<name>"``); a scikit-learn regressor instance takes :class:`SklearnBackend`
BACKENDS: dict[str, type[Backend]] = {b.name: b for b in (GCNBackend, MLPBackend, ReNASBackend, XGBoostBackend)}
