"""ADWPNAS-style architecture evaluation: one HyperNetwork predicts the weights of every macro CNN."""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..encodings import n_features_onehot, onehot
from ..spaces import MacroCNNSpace
from ..utils import Instance, Int, Options, Real, rng_from, torch_threads, validate_params
from ._network import _POOL, MacroCNN, check_images, macro_forward

__all__ = ["HyperNetworkEvaluator"]

_EVAL_BATCH = 1024  # images per forward pass when scoring (build_network users: same batching, same numbers)


class _HyperNetwork(nn.Module):
    """Maps layer encodings to convolution kernels and a row's one-hot encoding to the classifier.

    Every layer's kernel is generated at the largest shape ``(max_width, max_in, max_k, max_k)``
    and then cut to the layer's shape: the first ``width`` output channels, the first ``c_in`` input
    channels and the centred ``k x k`` window, scaled by He's gain ``sqrt(2 / (c_in k^2))``. The
    encoding-dependent output weights start small, so training starts near a weight-sharing supernet
    (the output biases) and learns each architecture's deviation from it.
    """

    def __init__(self, space: MacroCNNSpace, in_channels: int, n_classes: int, hidden_size: int):
        super().__init__()
        self.space = space
        self.in_channels, self.n_classes = in_channels, n_classes
        nk, nw, L = len(space.kernel_sizes), len(space.widths), space.n_layers
        self.layer_dim = nk + nw + 2 + L + nw + 1
        self.max_k, self.max_w = space.max_kernel, space.max_width
        self.max_in = max(in_channels, self.max_w)
        H = hidden_size
        self.trunk = nn.Sequential(nn.Linear(self.layer_dim, H), nn.ReLU(), nn.Linear(H, H), nn.ReLU())
        self.kernel_out = nn.Linear(H, self.max_w * self.max_in * self.max_k ** 2)
        self.bias_out = nn.Linear(H, self.max_w)
        self.head_net = nn.Sequential(nn.Linear(n_features_onehot(space), H), nn.ReLU(),
                                      nn.Linear(H, n_classes * (self.max_w * _POOL ** 2 + 1)))
        with torch.no_grad():
            # start close to a weight-sharing supernet: the output biases hold kernels shared by every
            # architecture, the (small) encoding-dependent part is learned on top of them
            for lin in (self.kernel_out, self.bias_out, self.head_net[-1]):
                lin.weight.mul_(0.1)
            self.bias_out.bias.zero_()

    def layer_encodings(self, row: np.ndarray) -> np.ndarray:
        """``(n_layers, layer_dim)``: one-hots of kernel, width, skip, position and input width."""
        sp = self.space
        nk, nw, L = len(sp.kernel_sizes), len(sp.widths), sp.n_layers
        enc = np.zeros((L, self.layer_dim), dtype=np.float32)
        for layer in range(L):
            k, w, s = row[3 * layer: 3 * layer + 3]
            prev = nw if layer == 0 else row[3 * layer - 2]  # index nw = "the input images"
            cols = [k, nk + w, nk + nw + s, nk + nw + 2 + layer, nk + nw + 2 + L + prev]
            enc[layer, cols] = 1.0
        return enc

    def forward(self, row: np.ndarray):
        """The weights of one row: ``(convs, head_weight, head_bias)`` for :func:`macro_forward`."""
        sp = self.space
        enc = torch.from_numpy(self.layer_encodings(row))
        h = self.trunk(enc)
        kernels = self.kernel_out(h).view(sp.n_layers, self.max_w, self.max_in, self.max_k, self.max_k)
        biases = self.bias_out(h)
        convs = []
        c_in = self.in_channels
        c = self.max_k // 2
        for layer, (k, w, skip) in enumerate(sp.layers(row)):
            r = k // 2
            kern = kernels[layer, :w, :c_in, c - r: c + r + 1, c - r: c + r + 1]
            gain = np.sqrt(2.0 / (c_in * k * k))
            kern = kern * gain
            convs.append((kern.contiguous(), biases[layer, :w].contiguous(), skip))
            c_in = w
        code = torch.from_numpy(onehot(sp, row[None, :]))
        head = self.head_net(code).view(self.n_classes, self.max_w * _POOL ** 2 + 1)
        head_w = head[:, :-1].reshape(self.n_classes, self.max_w, _POOL ** 2)[:, :c_in].reshape(self.n_classes, -1)
        return convs, head_w.contiguous(), head[:, -1].contiguous()


class HyperNetworkEvaluator(BaseEstimator):
    """Score architectures of a macro CNN space with weights predicted by one HyperNetwork (ADWPNAS).

    After Zhang, Zhou and Gu (2020), "ADWPNAS: Architecture-Driven Weight
    Prediction for Neural Architecture Search" (arXiv:2003.01335): a
    HyperNetwork maps the encoding of each layer of an architecture to that
    layer's convolution kernels. :meth:`fit` trains it on images with
    stochastic architecture encodings: every mini-batch draws
    ``archs_per_step`` random architectures of ``space``, predicts their
    weights, passes the same images through each of them and minimises their
    mean cross-entropy. Afterwards any architecture is scored with its
    predicted weights and no fine-tuning: one HyperNetwork pass plus one
    forward pass (:meth:`score_architectures`, :meth:`objective`).

    Each layer is encoded by one-hots of its kernel size, width, skip,
    position and input width; a shared MLP maps the encoding to a kernel of
    the largest shape, which the layer crops to its own (leading channels,
    centred window, scaled by He's gain). A second MLP predicts the classifier
    from the one-hot encoding of the whole row. The networks have no batch
    normalisation, so a score is a pure function of the predicted weights and
    :meth:`build_network` returns a plain :class:`MacroCNN` whose accuracy
    equals :meth:`score_architectures`.

    Parameters
    ----------
    space : MacroCNNSpace or None, default=None
        The architecture space; ``None`` means ``MacroCNNSpace()``.
    hidden_size : int, default=64
        Hidden units of the HyperNetwork's MLPs.
    max_epochs : int, default=40
        Passes over the training images.
    batch_size : int, default=64
        Images per mini-batch.
    archs_per_step : int, default=4
        Random architectures drawn for every mini-batch; each sees the whole
        mini-batch and the step minimises their mean loss (the cost of a step
        grows linearly with it).
    lr : float, default=2e-3
        Adam learning rate (the peak one with ``lr_schedule="cosine"``).
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"`` decays the learning rate from ``lr`` to zero over all
        steps; ``"constant"`` keeps ``lr``.
    weight_decay : float, default=0.0
        Adam weight decay on the HyperNetwork's parameters.
    n_score_archs : int, default=10
        Architectures averaged by :meth:`score`.
    n_threads : int or None, default=1
        Torch intra-op threads during fit and scoring (restored afterwards);
        ``None`` leaves torch's setting alone.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the HyperNetwork's initialisation, the shuffling, the drawn
        architectures and :meth:`score`'s architectures. Torch's global random
        state is left untouched.

    Attributes
    ----------
    space_ : MacroCNNSpace
        The space used.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    in_channels_ : int
        Channels of the training images.
    hypernet_ : torch.nn.Module
        The trained HyperNetwork.
    loss_curve_ : list of float
        Mean training loss per epoch.
    fit_time_ : float
        Seconds spent in ``fit``.

    Notes
    -----
    ``score(X, y)`` is the mean accuracy of ``n_score_archs`` architectures
    drawn from ``space`` with ``random_state``. scikit-learn's
    ``parametrize_with_checks`` does not apply (its checks feed 2-D tabular
    ``X``, not image batches); the estimator is clonable and
    ``get_params``/``set_params`` work.

    The design choices (several architectures per mini-batch, the cosine
    decay, the weight scheme, no batch normalisation) and the measurements
    behind them are in the :ref:`hypernet` guide.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sknas.hypernet import HyperNetworkEvaluator
    >>> from sknas.spaces import MacroCNNSpace
    >>> X, y = load_digits(return_X_y=True)
    >>> X = (X / 16.0).reshape(-1, 1, 8, 8)
    >>> space = MacroCNNSpace(n_layers=2)
    >>> ev = HyperNetworkEvaluator(space, max_epochs=2, random_state=0).fit(X[:1000], y[:1000])
    >>> acc = ev.score_architectures(space.sample(3, random_state=0), X[1000:], y[1000:])
    >>> acc.shape
    (3,)
    """

    _parameter_constraints = {
        "space": Instance(MacroCNNSpace, none=True),
        "hidden_size": Int(1),
        "max_epochs": Int(1),
        "batch_size": Int(1),
        "archs_per_step": Int(1),
        "lr": Real(0.0, closed="neither"),
        "lr_schedule": Options(("cosine", "constant")),
        "weight_decay": Real(0.0),
        "n_score_archs": Int(1),
        "n_threads": Int(1, none=True),
    }

    def __init__(self, space=None, hidden_size=64, max_epochs=40, batch_size=64, archs_per_step=4, lr=2e-3,
                 lr_schedule="cosine", weight_decay=0.0, n_score_archs=10, n_threads=1, random_state=None):
        self.space = space
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.archs_per_step = archs_per_step
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.weight_decay = weight_decay
        self.n_score_archs = n_score_archs
        self.n_threads = n_threads
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Train the HyperNetwork on images, ``archs_per_step`` random architectures per mini-batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, channels, height, width)
            Training images (finite floats).
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).

        Returns
        -------
        self : HyperNetworkEvaluator
        """
        space = validate_params(self)["space"] or MacroCNNSpace()
        X, y = check_images(X, y)
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"y must hold at least two classes; got {len(classes)}")
        rng = rng_from(self.random_state)
        seed = int(rng.integers(2**31 - 1))
        t0 = time.perf_counter()
        with torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            net = _HyperNetwork(space, X.shape[1], len(classes), int(self.hidden_size))
            opt = torch.optim.Adam(net.parameters(), lr=float(self.lr), weight_decay=float(self.weight_decay))
            Xt, yt = torch.from_numpy(X), torch.from_numpy(y_idx.astype(np.int64))
            bs, k = int(self.batch_size), int(self.archs_per_step)
            n_steps = -(-len(X) // bs)
            n_total, t = int(self.max_epochs) * n_steps, 0
            curve = []
            net.train()
            for _ in range(int(self.max_epochs)):
                perm = torch.from_numpy(rng.permutation(len(X)))
                archs = space.sample(n_steps * k, rng)
                total = 0.0
                for step in range(n_steps):
                    if self.lr_schedule == "cosine":
                        for group in opt.param_groups:
                            group["lr"] = float(self.lr) * 0.5 * (1.0 + np.cos(np.pi * t / n_total))
                    idx = perm[step * bs:(step + 1) * bs]
                    xb, yb = Xt[idx], yt[idx]
                    # the mean loss of k architectures on the same images: a lower-variance gradient that
                    # serves k corners of the space at once (one architecture per step lets the last few
                    # drawn architectures pull the shared kernels their way)
                    loss = sum(F.cross_entropy(macro_forward(xb, *net(arch)), yb)
                               for arch in archs[step * k:(step + 1) * k]) / k
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    t += 1
                    total += loss.item() * len(idx)
                curve.append(total / len(X))
            net.eval()
        self.space_ = space
        self.classes_ = classes
        self.in_channels_ = int(X.shape[1])
        self.hypernet_ = net
        self.loss_curve_ = curve
        self.fit_time_ = time.perf_counter() - t0
        return self

    # -------------------------------------------------------------- scoring
    def _check_eval(self, X, y, name="X"):
        check_is_fitted(self, "hypernet_")
        X, y = check_images(X, y, name=name)
        if X.shape[1] != self.in_channels_:
            raise ValueError(f"{name} has {X.shape[1]} channels but the evaluator was fitted on {self.in_channels_}")
        # labels unseen in fit can never be predicted: map them to -1 (always wrong)
        pos = np.clip(np.searchsorted(self.classes_, y), 0, len(self.classes_) - 1)
        y_idx = np.where(self.classes_[pos] == y, pos, -1)
        return torch.from_numpy(X), y_idx

    def _logits(self, row, Xt):
        convs, hw, hb = self.hypernet_(row)
        return torch.cat([macro_forward(Xt[i:i + _EVAL_BATCH], convs, hw, hb)
                          for i in range(0, len(Xt), _EVAL_BATCH)])

    def score_architectures(self, rows, X, y) -> np.ndarray:
        """Accuracy of each architecture with its predicted weights (no fine-tuning).

        Parameters
        ----------
        rows : array-like of shape (n_archs, n_decisions) or (n_decisions,)
            Architectures of ``space_``.
        X : array-like of shape (n_samples, channels, height, width)
            Validation images.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        accuracy : ndarray of shape (n_archs,)
        """
        rows = self.space_.check_rows(rows, name="rows")
        Xt, y_idx = self._check_eval(X, y)
        out = np.empty(len(rows))
        with torch_threads(self.n_threads), torch.no_grad():
            for i, row in enumerate(rows):
                out[i] = float(np.mean(self._logits(row, Xt).argmax(1).numpy() == y_idx))
        return out

    def predict_architecture(self, row, X) -> np.ndarray:
        """Class labels predicted for images ``X`` by the architecture ``row`` with predicted weights.

        Parameters
        ----------
        row : array-like of shape (n_decisions,)
        X : array-like of shape (n_samples, channels, height, width)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        row = self.space_.check_rows(row, name="row")[0]
        Xt, _ = self._check_eval(X, np.zeros(len(np.asarray(X)), dtype=self.classes_.dtype))
        with torch_threads(self.n_threads), torch.no_grad():
            return self.classes_[self._logits(row, Xt).argmax(1).numpy()]

    def build_network(self, row) -> MacroCNN:
        """A standalone :class:`MacroCNN` of ``row`` holding the predicted weights.

        Its outputs are logits over ``classes_`` (index ``i`` is ``classes_[i]``),
        and its accuracy equals :meth:`score_architectures` (same forward pass,
        evaluated in batches of 1024 images). It can be fine-tuned or trained
        further like any torch module.

        Parameters
        ----------
        row : array-like of shape (n_decisions,) or str
            An architecture of ``space_`` (or its string form).

        Returns
        -------
        module : MacroCNN (in eval mode)
        """
        check_is_fitted(self, "hypernet_")
        if isinstance(row, str):
            row = self.space_.from_string(row)
        row = self.space_.check_rows(row, name="row")[0]
        net = MacroCNN(row, in_channels=self.in_channels_, n_classes=len(self.classes_), space=self.space_)
        with torch.no_grad():
            convs, hw, hb = self.hypernet_(row)
            for m, (w, b, _) in zip(net.convs, convs):
                m.weight.copy_(w)
                m.bias.copy_(b)
            net.head.weight.copy_(hw)
            net.head.bias.copy_(hb)
        return net.eval()

    def objective(self, X, y):
        """A search objective: a callable mapping rows to their accuracy with predicted weights.

        Use it with :func:`sknas.search.run_search` (``run_search(ev.objective(X_val, y_val), ev.space_, ...)``)
        or inside an Optuna objective (``objective([space.suggest(trial)])[0]``).

        Parameters
        ----------
        X : array-like of shape (n_samples, channels, height, width)
            Validation images (checked once here).
        y : array-like of shape (n_samples,)

        Returns
        -------
        objective : callable
            ``objective(rows) -> ndarray of shape (n_archs,)``; higher is better.
        """
        X, y = check_images(X, y)
        self._check_eval(X, y)

        def objective(rows):
            return self.score_architectures(rows, X, y)

        return objective

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy over ``n_score_archs`` architectures drawn with ``random_state``.

        Parameters
        ----------
        X : array-like of shape (n_samples, channels, height, width)
        y : array-like of shape (n_samples,)
        sample_weight : None
            Not supported (must be None).

        Returns
        -------
        score : float
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by HyperNetworkEvaluator.score")
        check_is_fitted(self, "hypernet_")
        rows = self.space_.sample(int(self.n_score_archs), rng_from(self.random_state))
        return float(np.mean(self.score_architectures(rows, X, y)))
