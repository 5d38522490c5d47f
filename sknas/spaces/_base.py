"""The base class of every search space: architectures as rows of choice indices."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from ..utils import check_int, rng_from, short_repr
from ._costs import cost, has_cost, node_costs

__all__ = ["Space"]

_MAX_ENUMERATE = 2_000_000


class Space:
    """A search space whose architectures are rows of choice indices.

    An architecture is a 1-D integer array with one entry per decision of the
    space; ``X`` (many architectures) is a 2-D integer array of such rows.
    Every space, built in or yours, keeps the contract below, and
    :func:`check_space` checks its laws.

    Parameters
    ----------
    decisions : mapping of str to sequence
        Decision name to the labels of its choices, in order. Labels must be
        unique within a decision and of a type Optuna can store (str, int,
        float, bool or None).

    Attributes
    ----------
    decision_names : tuple of str
        The decisions, in row order.
    choices : tuple of tuple
        The choice labels of each decision.
    n_choices : ndarray of shape (n_decisions,)
        Number of choices of each decision.

    See Also
    --------
    check_space : Check that a space obeys the laws of this contract.
    CategoricalSpace : The space to subclass when every combination is valid.

    Notes
    -----
    **The core.** A space owns its rows and nothing else: their validity and
    repair, their canonical form, sampling, neighbours and mutation, native
    strings and the Optuna bridge. What is computed *from* rows lives with the
    modules that use it, as functions of the space: the feature views in
    :mod:`sknas.encodings` (:func:`~sknas.encodings.onehot`,
    :func:`~sknas.encodings.relax`, :func:`~sknas.encodings.project`,
    :func:`~sknas.encodings.onehot_slices`,
    :func:`~sknas.encodings.n_features_onehot`,
    :func:`~sknas.encodings.graph`, :func:`~sknas.encodings.graph_torch`,
    :func:`~sknas.encodings.node_types`, :func:`~sknas.encodings.paths`), the
    costs here (:func:`cost`, :func:`has_cost`, :func:`node_type_costs`,
    :func:`node_costs`). Those that rest on a space's structure reach it
    through the private hooks below. The old method spellings
    (``space.onehot(X)``, ``space.params(X)``, ...) still work, with a
    ``FutureWarning``.

    **The contract of a subclass.** The members of this class fall in three groups.

    *Must provide*

    * ``__init__``: check and store the space's own parameters, then call
      ``super().__init__(decisions)`` with the mapping of decision names to
      choice labels; every other member rests on it.
    * ``_key()``, when parameters other than the decisions change the space
      (e.g. :class:`NASBench201Space`'s ``n_classes``): a hashable tuple of
      them, on which equality, hashing and pickling rest. Also set ``name``
      (a short identifier for messages and the CLI) and ``__repr__``; a space
      with caches drops them in ``__getstate__``. A space is immutable once built
      (``copy.deepcopy`` returns the space itself).

    *Override only when the space has the structure*

    * Validity: ``_valid_mask(X)`` (a vectorised mask over in-range ``int64``
      rows) together with ``explain_invalid(row)`` (why a row is invalid,
      ``""`` when it is valid); ``repair(X, scores=None)`` when something
      better than the best valid neighbour exists (valid rows unchanged,
      results valid, guided by relaxed ``scores``: one block of columns per
      decision, as in :func:`~sknas.encodings.relax`); ``_sample_raw(n, rng)``
      when drawing from the product of decisions and rejecting invalid rows
      is too slow (it must draw valid rows uniformly, as the rejection does).
    * Symmetries: ``canonical(X)``, the representative of each row's class of
      rows that denote the same computation: valid, idempotent, equal for
      equivalent rows. :meth:`row_keys` and :meth:`unique` follow from it.
    * Native form: ``to_string(row)`` and ``from_string(s)``, as a pair
      (``from_string`` raises ``ValueError`` on a malformed string). The
      default is ``name=choice`` pairs.
    * Graph hooks (behind :func:`~sknas.encodings.graph`,
      :func:`~sknas.encodings.graph_torch` and
      :func:`~sknas.encodings.node_types`): ``_graph(X)`` together with
      ``_graph_torch(Z)`` and the property ``_node_types``. ``_graph_torch``
      is the differentiable twin of ``_graph`` on relaxed rows
      (``_graph_torch(relax(space, X))`` equals ``_graph(X)``); it builds its
      tensors from ``Z`` (``Z.new_zeros``, ``Z.new_tensor``), so that the
      spaces never import torch. The default is a chain: input, one node per
      decision, output.
    * ``_paths(X)``: the path encoding behind :func:`~sknas.encodings.paths`
      (default: the one-hot view).
    * Cost hooks (behind :func:`cost`): ``_params(X)`` and ``_flops(X)``, in
      millions, finite and non-negative (default: ``ValueError``, no cost
      model; :func:`has_cost` tells whether a space overrides them);
      ``_node_type_costs(X)``, the per-node costs of the graph view behind
      :func:`node_type_costs`, :func:`node_costs` and the ReNAS feature tensor
      (default: ``ValueError``).

    *Derived: do not override*

    The sizes (:attr:`n_decisions`, :attr:`n_rows`), ``==`` and ``hash``,
    :meth:`check_rows`, :meth:`as_row`, :meth:`is_valid`, :meth:`row_keys`,
    :meth:`unique`, :meth:`enumerate`, :meth:`sample`, :meth:`neighbours`,
    :meth:`mutate`, :meth:`to_strings`, :meth:`from_strings` and the Optuna
    bridge (:meth:`distributions`, :meth:`row_to_params`,
    :meth:`params_to_row`, :meth:`suggest`) are written
    once here in terms of the members above, so that every space behaves
    alike; so are the one-hot view and the projection of relaxed rows.

    The guide (:ref:`spaces`) writes a space step by step.
    """

    #: short identifier used in messages and by the CLI
    name = "space"

    # ========================================================================
    # MUST PROVIDE: __init__ calling super().__init__(decisions); _key when other parameters matter
    # ========================================================================
    def __init__(self, decisions: Mapping[str, Sequence[Any]]):
        if not isinstance(decisions, Mapping) or len(decisions) == 0:
            raise ValueError("decisions must be a non-empty mapping of decision name -> list of choices")
        names, choices = [], []
        for key, options in decisions.items():
            if not isinstance(key, str):
                raise TypeError(f"decision names must be str; got {key!r}")
            if isinstance(options, (str, bytes)) or not isinstance(options, Sequence):
                raise TypeError(f"choices of decision {key!r} must be a list of labels; got {options!r}")
            options = tuple(options)
            if len(options) < 1:
                raise ValueError(f"decision {key!r} needs at least one choice")
            if len(set(options)) != len(options):
                raise ValueError(f"choices of decision {key!r} must be unique; got {short_repr(list(options))}")
            for opt in options:
                if opt is not None and not isinstance(opt, (str, int, float, bool)):
                    raise TypeError(f"choice {short_repr(opt)} of decision {key!r} must be str, int, float, bool "
                                    "or None")
                if isinstance(opt, float) and not np.isfinite(opt):
                    raise ValueError(f"choice {opt!r} of decision {key!r} must be a finite number: NaN equals "
                                     "nothing, so a trial that picks it could never be read back")
            forms = [str(o) for o in options]
            if len(set(forms)) != len(forms) or any("," in f or "=" in f for f in forms + [key]):
                raise ValueError(f"the choices of decision {short_repr(key)} must have distinct string forms without "
                                 f"',' or '=' (the generic string form 'decision=choice,...' must parse back); got "
                                 f"{short_repr(list(options))}")
            names.append(key)
            choices.append(options)
        self.decision_names: tuple[str, ...] = tuple(names)
        self.choices: tuple[tuple[Any, ...], ...] = tuple(choices)
        self.n_choices = np.array([len(c) for c in choices], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(self.n_choices)]).astype(np.int64)

    def _key(self):
        return (self.decision_names, self.choices)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_decisions={self.n_decisions})"

    # ========================================================================
    # OVERRIDE WHEN THE SPACE HAS THE STRUCTURE (each has a working default)
    # ========================================================================
    # --------------------------------------------------------------- validity
    def _valid_mask(self, X: np.ndarray) -> np.ndarray:
        """Validity of in-range rows; subclasses with constraints override this."""
        return np.ones(len(X), dtype=bool)

    def explain_invalid(self, row) -> str:
        """Say why ``row`` is not a valid architecture (empty string when it is valid)."""
        row = self.check_rows(row, name="row", require_valid=False)[:1]
        return "" if self._valid_mask(row)[0] else "it breaks the space's constraints"

    def repair(self, X, scores=None) -> np.ndarray:
        """Map in-range rows to valid rows (valid rows are returned unchanged).

        The base implementation takes, for an invalid row, the valid neighbour
        with the highest total score (or a random valid row if none exists);
        spaces with structure override it.
        """
        X = self.check_rows(X, require_valid=False).copy()
        ok = self._valid_mask(X)
        if ok.all():
            return X
        if scores is None:
            scores = self._onehot(X)
        scores = np.asarray(scores, dtype=np.float64)
        rng = np.random.default_rng(0)
        for i in np.flatnonzero(~ok):
            nb = self.neighbours(X[i])
            if len(nb):
                s = np.take_along_axis(np.broadcast_to(scores[i], (len(nb), scores.shape[1])),
                                       nb + self._offsets[None, :-1], axis=1).sum(axis=1)
                X[i] = nb[int(np.argmax(s))]
            else:
                X[i] = self.sample(1, rng)[0]
        return X

    def _sample_raw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return (rng.random((n, self.n_decisions)) * self.n_choices[None, :]).astype(np.int64)

    # ------------------------------------------------------------- symmetries
    def canonical(self, X) -> np.ndarray:
        """Map rows to a canonical representative of their equivalence class.

        Rows that denote the same computation map to the same row. The base
        space has no such symmetry and returns the rows unchanged.
        """
        return self.check_rows(X).copy()

    # ------------------------------------------------------------ native form
    def to_string(self, row) -> str:
        """Native string form of one row (generic ``name=choice`` pairs unless overridden)."""
        row = self.check_rows(row, name="row", require_valid=False)[0]
        return ",".join(f"{n}={self.choices[j][row[j]]}" for j, n in enumerate(self.decision_names))

    def from_string(self, s: str) -> np.ndarray:
        """Parse the string form written by :meth:`to_string` back to a row.

        Every decision must appear exactly once, with one of its choices; anything else raises ``ValueError``.
        """
        if not isinstance(s, str):
            raise TypeError(f"architecture string must be str; got {type(s).__name__}")
        params = {}
        for p in (p for p in s.split(",") if p):
            k, sep, v = p.partition("=")
            if not sep:
                raise ValueError(f"malformed architecture string {short_repr(s)}: expected 'decision=choice' pairs")
            if k not in self.decision_names:
                raise ValueError(f"architecture string {short_repr(s)} names {short_repr(k)}, which is not a decision "
                                 f"of {self!r}; decisions: {list(self.decision_names)}")
            if k in params:
                raise ValueError(f"architecture string {short_repr(s)} gives decision {k!r} twice")
            labels = {str(c): c for c in self.choices[self.decision_names.index(k)]}
            params[k] = labels.get(v, v)
        return self.params_to_row(params)

    # ------------------------------------------------- graph and path views
    @property
    def _node_types(self) -> tuple[str, ...]:
        """Labels of the node types of the graph view (columns of its node features)."""
        return ("input", "output") + tuple(
            f"{n}={c}" for n, ch in zip(self.decision_names, self.choices) for c in ch
        )

    def _graph(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Node-labelled graph view ``(A, F)`` of rows: the hook behind :func:`sknas.encodings.graph`.

        Returns
        -------
        A : ndarray of shape (n, n_nodes, n_nodes)
            Adjacency, ``A[k, i, j] = 1`` when node ``i`` feeds node ``j``.
        F : ndarray of shape (n, n_nodes, n_node_types)
            One-hot node labels (see ``_node_types``).

        The base space is a chain: input -> one node per decision -> output,
        each decision node labelled by its chosen option.
        """
        X = self.check_rows(X, require_valid=False)
        n, d = X.shape
        N = d + 2
        A = np.zeros((n, N, N), dtype=np.float32)
        idx = np.arange(N - 1)
        A[:, idx, idx + 1] = 1.0
        F = np.zeros((n, N, len(self._node_types)), dtype=np.float32)
        F[:, 0, 0] = 1.0
        F[:, -1, 1] = 1.0
        F[np.arange(n)[:, None], np.arange(1, d + 1)[None, :], 2 + X + self._offsets[None, :-1]] = 1.0
        return A, F

    def _graph_torch(self, Z):
        """Differentiable graph view of relaxed rows: the hook behind :func:`sknas.encodings.graph_torch`.

        Parameters
        ----------
        Z : torch.Tensor of shape (n, n_features_onehot)
            Relaxed rows (one probability simplex per decision, see :func:`sknas.encodings.relax`).

        Returns
        -------
        A, F : torch.Tensor
            As ``_graph``; for one-hot ``Z`` they equal ``_graph(X)``, and they
            are differentiable with respect to ``Z``.
        """
        n, d = Z.shape[0], self.n_decisions
        A0, F0 = self._graph(np.zeros((1, d), dtype=np.int64))
        A = Z.new_tensor(A0[0]).expand(n, -1, -1)
        F = Z.new_zeros((n, d + 2, F0.shape[2]))
        F[:, [0, -1]] = Z.new_tensor(F0[0, [0, -1]])  # input and output rows
        for j in range(d):
            a, b = int(self._offsets[j]), int(self._offsets[j + 1])
            F[:, 1 + j, 2 + a:2 + b] = Z[:, a:b]
        return A, F

    def _paths(self, X) -> np.ndarray:
        """Path encoding (BANANAS), the hook behind :func:`sknas.encodings.paths`; default: the one-hot view."""
        return self._onehot(X)

    # ------------------------------------------------------------------ costs
    def _params(self, X) -> np.ndarray:
        """Number of parameters (millions) of each row's network, where computable."""
        raise ValueError(f"{self!r} has no parameter-count model; pass costs from a benchmark column instead")

    def _flops(self, X) -> np.ndarray:
        """FLOPs (millions of multiply-adds) of each row's network, where computable."""
        raise ValueError(f"{self!r} has no FLOPs model; pass costs from a benchmark column instead")

    def _has_cost(self, kind: str) -> bool:
        """Whether the space computes the cost ``kind``: it overrides ``_params`` or ``_flops``."""
        return kind in ("params", "flops") and getattr(type(self), "_" + kind) is not getattr(Space, "_" + kind)

    def _node_type_costs(self, X) -> np.ndarray:
        """Per-node ``(params, FLOPs)`` under every node type, per group of cells: see :func:`node_type_costs`."""
        raise ValueError(f"{self!r} has no per-node cost model")

    # ========================================================================
    # DERIVED: written once in terms of the members above; do not override
    # ========================================================================
    # ----------------------------------------------------- sizes and identity
    @property
    def n_decisions(self) -> int:
        """Number of decisions, i.e. the length of a row."""
        return len(self.decision_names)

    @property
    def n_rows(self) -> int:
        """Number of rows in the product of decisions (valid or not)."""
        return math.prod(int(c) for c in self.n_choices)

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        # a space is immutable: its copies are itself, caches included (scikit-learn's clone deep-copies
        # the space parameter of every estimator it clones, e.g. a predictor in every search round)
        return self

    # ------------------------------------------------------------- validation
    def check_rows(self, X, *, name: str = "X", require_valid: bool = True) -> np.ndarray:
        """Validate ``X`` as rows of this space and return it as a 2-D int64 array.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_decisions) or (n_decisions,)
            Rows of choice indices. Floats are accepted when they hold whole numbers.
        name : str, default="X"
            Name used in error messages.
        require_valid : bool, default=True
            Also raise when a row breaks the space's constraints (see :meth:`is_valid`).

        Returns
        -------
        X : ndarray of shape (n_samples, n_decisions), dtype int64

        Raises
        ------
        ValueError
            On a wrong row length, non-integer or out-of-range indices, or
            (with ``require_valid``) an invalid architecture.
        """
        if np.ma.isMaskedArray(X) and np.ma.getmaskarray(X).any():
            raise ValueError(f"{name} has masked entries; pass plain choice indices")
        try:
            arr = np.asarray(X)
        except (TypeError, ValueError) as exc:  # e.g. ragged nested lists
            raise ValueError(f"{name} must be a 2-D array of choice indices: {exc}") from None
        if arr.dtype == object:
            flat = arr.ravel()
            if not all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                       for v in flat):
                raise ValueError(f"{name} must hold numeric choice indices of {self!r}; got objects such as "
                                 f"{short_repr(next(v for v in flat if not isinstance(v, (int, float))), 40)}")
            arr = arr.astype(np.float64)
        if arr.dtype.kind not in "iuf":  # not bool, complex, timedelta, datetime, str, bytes, void
            raise ValueError(f"{name} must hold integer choice indices; got dtype {arr.dtype}")
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D (one row per architecture); got {arr.ndim}-D")
        if arr.shape[1] != self.n_decisions:
            raise ValueError(
                f"{name} has rows of length {arr.shape[1]}, but {self!r} has {self.n_decisions} decisions "
                f"({', '.join(self.decision_names)})"
            )
        if arr.dtype.kind == "f" and (not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr))):
            raise ValueError(f"{name} must hold whole-number choice indices; got non-integer values")
        bad = (arr < 0) | (arr >= self.n_choices[None, :])  # checked before the cast, which would wrap huge values
        if bad.any():
            i, j = np.argwhere(bad)[0]
            value = int(arr[i, j]) if arr.dtype.kind in "iu" else float(arr[i, j])
            raise ValueError(
                f"{name}[{i}] has choice index {value} for decision {self.decision_names[j]!r}, "
                f"which accepts 0..{self.n_choices[j] - 1} ({short_repr(list(self.choices[j]))})"
            )
        arr = arr.astype(np.int64)
        if require_valid:
            ok = self._valid_mask(arr)
            if not ok.all():
                i = int(np.flatnonzero(~ok)[0])
                raise ValueError(f"{name}[{i}] is not a valid architecture of {self!r}: {self.explain_invalid(arr[i])}")
        return arr

    def as_row(self, arch, *, name: str = "arch") -> np.ndarray:
        """One architecture, given as a row of choice indices or in the space's string form, as a valid row.

        Raises ``ValueError`` for several rows, a malformed string or an invalid architecture.
        """
        if isinstance(arch, str):
            arch = self.from_string(arch)
        arr = np.asarray(arch)
        if arr.ndim == 2 and len(arr) != 1:
            raise ValueError(f"{name} must be a single architecture; got an array of shape {arr.shape}")
        return self.check_rows(arr, name=name)[0]

    def is_valid(self, X) -> np.ndarray:
        """Whether each row is a valid architecture of the space.

        Rows of the wrong length raise ``ValueError``; out-of-range indices are
        reported as invalid rather than raising.
        """
        arr = np.asarray(X)
        arr2 = arr[None, :] if arr.ndim == 1 else arr
        if arr2.ndim != 2 or arr2.shape[1] != self.n_decisions:
            raise ValueError(f"X must have shape (n, {self.n_decisions}); got {arr.shape}")
        out = np.zeros(len(arr2), dtype=bool)
        if not np.issubdtype(arr2.dtype, np.number):
            return out
        whole = np.all(np.isfinite(arr2) & (arr2 == np.round(arr2)), axis=1)
        in_range = whole & np.all((arr2 >= 0) & (arr2 < self.n_choices[None, :]), axis=1)
        if in_range.any():
            out[in_range] = self._valid_mask(arr2[in_range].astype(np.int64))
        return out

    def _check_scores(self, scores, n_rows: int) -> np.ndarray:
        """Validate relaxed-encoding ``scores`` for :meth:`repair` (shape ``(n_rows, n_features_onehot)``)."""
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim == 1:
            scores = scores[None, :]
        width = int(self._offsets[-1])
        if scores.shape != (n_rows, width):
            raise ValueError(f"scores must have shape ({n_rows}, {width}); got {scores.shape}")
        if not np.all(np.isfinite(scores)):
            raise ValueError("scores hold NaN or infinite values")
        return scores

    # ------------------------------------------------------------ equivalence
    def row_keys(self, X) -> list[bytes]:
        """Hashable keys of the canonical forms of rows (equal keys = same architecture)."""
        C = np.ascontiguousarray(self.canonical(X), dtype=np.int64)
        return [r.tobytes() for r in C]

    def unique(self, X) -> np.ndarray:
        """Indices of the first row of each canonical class in ``X``, in order."""
        seen: set[bytes] = set()
        keep = []
        for i, k in enumerate(self.row_keys(X)):
            if k not in seen:
                seen.add(k)
                keep.append(i)
        return np.asarray(keep, dtype=np.int64)

    # ----------------------------------------------------- sampling and moves
    def enumerate(self) -> np.ndarray:
        """All valid rows, in lexicographic order (only for spaces small enough)."""
        if self.n_rows > _MAX_ENUMERATE:
            raise ValueError(f"{self!r} has {self.n_rows} rows, too many to enumerate (limit {_MAX_ENUMERATE})")
        grids = np.indices(tuple(int(c) for c in self.n_choices)).reshape(self.n_decisions, -1).T
        grids = np.ascontiguousarray(grids, dtype=np.int64)
        return grids[self._valid_mask(grids)]

    def sample(self, n: int, random_state=None) -> np.ndarray:
        """Draw ``n`` rows uniformly from the valid rows of the space.

        Parameters
        ----------
        n : int
            Number of rows.
        random_state : int, RandomState, Generator or None
            Seed for reproducibility.

        Returns
        -------
        X : ndarray of shape (n, n_decisions)
        """
        n = check_int(n, "n", low=0)
        rng = rng_from(random_state)
        out = np.empty((0, self.n_decisions), dtype=np.int64)
        batch = max(64, 2 * int(n))
        for _ in range(10_000):
            if len(out) >= n:
                break
            cand = self._sample_raw(batch, rng)
            out = np.concatenate([out, cand[self._valid_mask(cand)]])
        if len(out) < n:
            raise RuntimeError(f"could not draw {n} valid rows from {self!r} by rejection sampling")
        return out[:n]

    def neighbours(self, row) -> np.ndarray:
        """All valid rows that differ from ``row`` in exactly one decision."""
        row = self.check_rows(row, name="row", require_valid=False)[0]
        cands = []
        for j, k in enumerate(self.n_choices):
            for c in range(int(k)):
                if c != row[j]:
                    r = row.copy()
                    r[j] = c
                    cands.append(r)
        if not cands:
            return np.empty((0, self.n_decisions), dtype=np.int64)
        cands = np.asarray(cands, dtype=np.int64)
        return cands[self._valid_mask(cands)]

    def mutate(self, X, random_state=None) -> np.ndarray:
        """Return, for each row, a uniformly chosen valid neighbour (one decision changed).

        A row without any valid neighbour is returned unchanged.
        """
        X = self.check_rows(X, require_valid=False)
        rng = rng_from(random_state)
        out = X.copy()
        for i, row in enumerate(X):
            nb = self.neighbours(row)
            if len(nb):
                out[i] = nb[rng.integers(len(nb))]
        return out

    # ---------------------------------------------------------------- strings
    def to_strings(self, X) -> list[str]:
        """:meth:`to_string` over every row of ``X``."""
        return [self.to_string(r) for r in self.check_rows(X, require_valid=False)]

    def from_strings(self, strings: Sequence[str]) -> np.ndarray:
        """:meth:`from_string` over a sequence of strings, stacked into ``X``."""
        rows = [self.from_string(s) for s in strings]
        return np.asarray(rows, dtype=np.int64).reshape(len(rows), self.n_decisions)

    # ----------------------------------------------------------------- Optuna
    def distributions(self) -> dict:
        """One ``optuna.distributions.CategoricalDistribution`` per decision."""
        from optuna.distributions import CategoricalDistribution

        return {n: CategoricalDistribution(list(c)) for n, c in zip(self.decision_names, self.choices)}

    def row_to_params(self, row) -> dict[str, Any]:
        """Map a row to Optuna-style parameters ``{decision: choice label}``."""
        row = self.check_rows(row, name="row", require_valid=False)[0]
        return {n: self.choices[j][row[j]] for j, n in enumerate(self.decision_names)}

    def params_to_row(self, params: Mapping[str, Any], *, repair: bool = False) -> np.ndarray:
        """Map ``{decision: choice label}`` (e.g. ``trial.params``) to a row.

        Extra keys are ignored so that trials with other hyperparameters work.
        With ``repair=True`` an invalid combination is mapped to a valid row
        (:meth:`repair`); otherwise it raises ``ValueError``.
        """
        row = np.empty(self.n_decisions, dtype=np.int64)
        for j, n in enumerate(self.decision_names):
            if n not in params:
                raise ValueError(f"params lack decision {n!r}; expected keys {list(self.decision_names)}")
            row[j] = self._label_index(n, params[n])
        if repair:
            return self.repair(row[None, :])[0]
        return self.check_rows(row, name="params")[0]

    def _label_index(self, decision: str, label) -> int:
        """The choice index of ``label`` in ``decision``; ``ValueError`` when it is not one of its choices.

        Labels match by value and kind: ``True`` is not ``1`` and ``"1"`` is not ``1`` (``1.0`` is ``1``).
        """
        if decision not in self.decision_names:
            raise ValueError(f"{short_repr(decision)} is not a decision of {self!r}; decisions: "
                             f"{list(self.decision_names)}")
        j = self.decision_names.index(decision)
        k = next((k for k, c in enumerate(self.choices[j]) if _same_label(c, label)), None)
        if k is None:
            raise ValueError(f"unknown choice {short_repr(label)} for decision {decision!r}; accepted: "
                             f"{short_repr(list(self.choices[j]))}")
        return k

    def suggest(self, trial, *, repair: bool = True) -> np.ndarray:
        """Suggest one categorical per decision on an Optuna ``trial`` and return the row.

        In spaces with constraints, a combination that is not valid is mapped
        to a valid row with :meth:`repair` (set ``repair=False`` to get a
        ``ValueError`` instead).
        """
        params = {
            n: trial.suggest_categorical(n, list(c)) for n, c in zip(self.decision_names, self.choices)
        }
        return self.params_to_row(params, repair=repair)

    # ------------------------------------------------------- relaxed layout
    def _onehot(self, X) -> np.ndarray:
        """The one-hot view of rows (float32): the layout of relaxed rows and of :meth:`repair`'s ``scores``."""
        X = self.check_rows(X, require_valid=False)
        out = np.zeros((len(X), int(self._offsets[-1])), dtype=np.float32)
        out[np.arange(len(X))[:, None], X + self._offsets[None, :-1]] = 1.0
        return out

    def _project(self, Z) -> np.ndarray:
        """Relaxed rows back to valid rows: the best choice of each decision, mended by :meth:`repair`."""
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim == 1:
            Z = Z[None, :]
        width = int(self._offsets[-1])
        if Z.ndim != 2 or Z.shape[1] != width:
            raise ValueError(f"Z must have shape (n, {width}); got {Z.shape}")
        if not np.all(np.isfinite(Z)):
            raise ValueError("Z holds NaN or infinite values")
        X = np.stack([Z[:, a:b].argmax(axis=1) for a, b in zip(self._offsets[:-1], self._offsets[1:])], axis=1)
        return self.repair(X.astype(np.int64), scores=Z)

    # ------------------------------------------------------ moved (deprecated)
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for old in _OLD_HOOKS:  # a space written against the old contract: its override becomes the hook
            if old in cls.__dict__ and "_" + old not in cls.__dict__:
                warnings.warn(f"{cls.__name__} overrides Space.{old}, which is deprecated; override _{old} "
                              f"instead", FutureWarning, stacklevel=2)
                setattr(cls, "_" + old, cls.__dict__[old])

    def __getattr__(self, name: str):
        # only reached when normal lookup fails: the names that moved out of the class, with a FutureWarning.
        # Private names raise at once, so unpickling and copying (which look up __setstate__ and the like on
        # an instance without attributes yet) never recurse.
        if name.startswith("_") or name not in _MOVED:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        new, serve = _MOVED[name]
        warnings.warn(f"Space.{name} is deprecated; use {new}", FutureWarning, stacklevel=2)
        return serve(self)


def _same_label(label, value) -> bool:
    """Equal labels of the same kind: ``True`` is not ``1`` and ``"1"`` is not ``1`` (``1.0`` is ``1``)."""
    try:
        equal = bool(label == value)
    except (TypeError, ValueError):
        return False
    kinds = (isinstance(label, (bool, np.bool_)), isinstance(label, str))
    return equal and kinds == (isinstance(value, (bool, np.bool_)), isinstance(value, str))


#: the hooks that were public methods: a subclass overriding the old name overrides the hook
_OLD_HOOKS = ("node_types", "graph", "graph_torch", "paths", "params", "flops", "node_type_costs")


def _slices(space: Space) -> list[slice]:
    return [slice(int(a), int(b)) for a, b in zip(space._offsets[:-1], space._offsets[1:])]


#: the members that moved out of the class: old name -> (new spelling, what the old spelling serves)
_MOVED = {
    "onehot": ("sknas.encodings.onehot(space, X)", lambda s: s._onehot),
    "relax": ("sknas.encodings.relax(space, X)", lambda s: s._onehot),
    "project": ("sknas.encodings.project(space, Z)", lambda s: s._project),
    "n_features_onehot": ("sknas.encodings.n_features_onehot(space)", lambda s: int(s._offsets[-1])),
    "onehot_slices": ("sknas.encodings.onehot_slices(space)", _slices),
    "node_types": ("sknas.encodings.node_types(space)", lambda s: s._node_types),
    "graph": ("sknas.encodings.graph(space, X)", lambda s: s._graph),
    "graph_torch": ("sknas.encodings.graph_torch(space, Z)", lambda s: s._graph_torch),
    "paths": ("sknas.encodings.paths(space, X)", lambda s: s._paths),
    "params": ("sknas.spaces.cost(space, X, 'params')", lambda s: s._params),
    "flops": ("sknas.spaces.cost(space, X, 'flops')", lambda s: s._flops),
    "cost": ("sknas.spaces.cost(space, X, kind)", lambda s: partial(cost, s)),
    "has_cost": ("sknas.spaces.has_cost(space, kind)", lambda s: partial(has_cost, s)),
    "node_costs": ("sknas.spaces.node_costs(space, X)", lambda s: partial(node_costs, s)),
    "node_type_costs": ("sknas.spaces.node_type_costs(space, X)", lambda s: s._node_type_costs),
    "label_index": ("space.params_to_row(params), which maps every decision's label to its index",
                    lambda s: s._label_index),
}
