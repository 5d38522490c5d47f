"""The NAS-Bench-Graph space: 4 GNN computing nodes, a link pattern and one op per node."""

from __future__ import annotations

import functools

import numpy as np

from ..utils import check_choice
from ._base import Space

__all__ = ["NASBenchGraphSpace", "GRAPH_LINKS", "GRAPH_OPS", "GRAPH_OPS_PROTEINS"]

#: the 9 link patterns; entry ``k`` names the input of computing node ``k + 1``
#: (0 = the input features, ``j > 0`` = the output of computing node ``j``)
GRAPH_LINKS = (
    (0, 0, 0, 0),
    (0, 0, 0, 1),
    (0, 0, 1, 1),
    (0, 0, 1, 2),
    (0, 0, 1, 3),
    (0, 1, 1, 1),
    (0, 1, 1, 2),
    (0, 1, 2, 2),
    (0, 1, 2, 3),
)

#: the 9 operations of the benchmark, in the order that defines its integer keys
GRAPH_OPS = ("gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip")

#: the 5 operations evaluated on ogbn-proteins (a subset of :data:`GRAPH_OPS`, same order)
GRAPH_OPS_PROTEINS = ("gcn", "sage", "arma", "fc", "skip")

_OP_SETS = {"full": GRAPH_OPS, "proteins": GRAPH_OPS_PROTEINS}
_LINK_LABELS = tuple("".join(str(v) for v in lk) for lk in GRAPH_LINKS)
_SKIP = "skip"
_N = 4  # computing nodes
_KEY_BASE = len(GRAPH_OPS) + 1  # radix of the benchmark's integer keys (10, for every op set)


def _signature(link: tuple[int, ...], ops: tuple[str, ...]) -> tuple:
    """Isomorphism-invariant signature of one architecture (see ``NASBenchGraphSpace`` notes).

    Skip nodes are contracted (each node is replaced by its nearest non-skip
    ancestor, or the input); what remains is a tree rooted at the input whose
    nodes carry their op, the number of output connections they make (a leaf
    connects itself; a skip leaf connects its nearest non-skip ancestor) and the
    sorted signatures of their children. Output connections of the input itself
    (pass-throughs of the raw features) are dropped, as in the benchmark.
    """
    owner = [0]  # the non-skip node (or the input, 0) whose value each node carries
    children: list[list[int]] = [[] for _ in range(_N + 1)]
    for k in range(_N):
        src = owner[link[k]]
        if ops[k] == _SKIP:
            owner.append(src)
        else:
            owner.append(k + 1)
            children[src].append(k + 1)
    outputs = [0] * (_N + 1)
    consumed = set(link)
    for k in range(1, _N + 1):
        if k not in consumed:
            outputs[owner[k]] += 1
    outputs[0] = 0

    def sig(v: int) -> tuple:
        return ("input" if v == 0 else ops[v - 1], outputs[v], tuple(sorted(sig(c) for c in children[v])))

    return sig(0)


@functools.lru_cache(maxsize=4)
def _canonical_index(ops: tuple[str, ...]) -> np.ndarray:
    """For every row of the product space (lexicographic index), the index of its representative.

    Invalid rows (all ops skip) map to -1.
    """
    m = len(ops)
    grid = np.indices((len(GRAPH_LINKS),) + (m,) * _N).reshape(_N + 1, -1).T
    skip = ops.index(_SKIP)
    # representative preference: longest leading chain of skips (node k is a skip fed by node k-1),
    # then the largest link-pattern index, then the lexicographically smallest ops
    links = np.asarray(GRAPH_LINKS)[grid[:, 0]]
    lead = np.zeros(len(grid), dtype=np.int64)
    alive = np.ones(len(grid), dtype=bool)
    for k in range(_N):
        alive &= (grid[:, 1 + k] == skip) & (links[:, k] == k)
        lead += alive
    order = np.lexsort(tuple(grid[:, c] for c in range(_N, 0, -1)) + (-grid[:, 0], -lead))
    out = np.full(len(grid), -1, dtype=np.int64)
    rep: dict[tuple, int] = {}
    for i in order:
        r = grid[i]
        if np.all(r[1:] == skip):
            continue
        out[i] = rep.setdefault(_signature(GRAPH_LINKS[r[0]], tuple(ops[o] for o in r[1:])), int(i))
    out.setflags(write=False)
    return out


class NASBenchGraphSpace(Space):
    """The NAS-Bench-Graph space (Qin et al., NeurIPS 2022): 9 link patterns x one op per node.

    A GNN has 4 computing nodes. A row is ``[link, op1, op2, op3, op4]``: the
    index of the link pattern (choices labelled ``"0000", "0001", "0011",
    "0012", "0013", "0111", "0112", "0122", "0123"``) and the op index of each
    computing node. Entry ``k`` of a pattern names the input of node ``k + 1``:
    0 is the input features, ``j > 0`` the output of node ``j``. Nodes whose
    output no other node consumes (the leaves) are connected to the output.

    Parameters
    ----------
    ops : {"full", "proteins"}, default="full"
        Op set: the 9 ops ``gat, gcn, gin, cheb, sage, arma, graph, fc, skip``
        (every dataset but ogbn-proteins) or the 5 ops ``gcn, sage, arma, fc,
        skip`` evaluated on proteins.

    Attributes
    ----------
    ops : tuple of str
        Op names, in choice order.
    links : tuple of tuple of int
        The 9 link patterns, in choice order.

    Notes
    -----
    The only invalid row is the one whose four ops are all ``skip`` (it
    computes no GNN layer at all; the benchmark excludes it).

    Equivalence (:meth:`canonical`) follows the computation: a ``skip`` node
    is the identity, so it can be contracted into its input; what remains is a
    tree of GNN layers rooted at the input, in which sibling subtrees (nodes
    that share their input) commute, and each layer feeds the output once per
    leaf that carries its value. A leaf that carries the raw input features
    (a chain of skips from the input) adds nothing: the benchmark drops it
    (the raw features do not have the hidden dimension). Two rows are
    equivalent iff these labelled trees are isomorphic. These classes are
    exactly the benchmark's: 26,206 for the 9 ops and 2,021 for the 5 protein
    ops. Within a class the representative is the row with the longest leading
    chain of skip nodes (node ``k`` a skip fed by node ``k - 1``), then the
    largest link-pattern index, then the smallest op indices in lexicographic
    order; this rule picks the very rows the benchmark tables hold.

    Examples
    --------
    >>> from sknas.spaces import NASBenchGraphSpace
    >>> space = NASBenchGraphSpace()
    >>> row = space.from_string("link=0012|gcn,gat,sage,skip")
    >>> row.tolist()
    [3, 1, 0, 4, 8]
    >>> space.to_string(space.canonical(row)[0])  # the skip moves up front
    'link=0112|skip,gcn,gat,sage'
    >>> space.to_bench_key(space.canonical(row)[0])
    68104
    """

    name = "nasbench_graph"

    def __init__(self, ops: str = "full"):
        check_choice("ops", ops, _OP_SETS)
        self.op_set = ops
        self.ops: tuple[str, ...] = _OP_SETS[ops]
        self.links = GRAPH_LINKS
        super().__init__({"link": list(_LINK_LABELS), **{f"op{k + 1}": list(self.ops) for k in range(_N)}})
        self._skip = self.ops.index(_SKIP)
        self._global = np.array([GRAPH_OPS.index(o) for o in self.ops], dtype=np.int64)

    def _key(self):
        return (self.op_set,)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ops={self.op_set!r})"

    # -------------------------------------------------------------- validity
    def _valid_mask(self, X: np.ndarray) -> np.ndarray:
        return ~np.all(X[:, 1:] == self._skip, axis=1)

    def explain_invalid(self, row) -> str:
        """Say why ``row`` is not a valid architecture (empty string when it is valid)."""
        row = self.check_rows(row, name="row", require_valid=False)[0]
        if np.all(row[1:] == self._skip):
            return "all four ops are 'skip', so the network has no GNN layer (the benchmark excludes it)"
        return ""

    def repair(self, X, scores=None) -> np.ndarray:
        """Map rows to valid rows: the all-skip row gets one non-skip op.

        For an invalid row, the link is kept and the (node, op) pair with the
        highest score among the non-skip ops is switched on (with no
        ``scores``, node 1 gets the first op). Valid rows are returned unchanged.

        Parameters
        ----------
        X : array-like of shape (n, 5)
            In-range rows.
        scores : array-like of shape (n, n_features_onehot), default=None
            Scores of every choice (e.g. relaxed rows).

        Returns
        -------
        X : ndarray of shape (n, 5)
        """
        X = self.check_rows(X, require_valid=False).copy()
        bad = np.flatnonzero(~self._valid_mask(X))
        if len(bad) == 0:
            return X
        m = len(self.ops)
        if scores is None:
            S = np.zeros((len(X), _N, m))
        else:
            scores = np.asarray(scores, dtype=np.float64)
            if scores.shape != (len(X), int(self._offsets[-1])):
                raise ValueError(f"scores must have shape ({len(X)}, {int(self._offsets[-1])}); got {scores.shape}")
            S = scores[:, len(self.links):].reshape(len(X), _N, m).copy()
        S[:, :, self._skip] = -np.inf
        for i in bad:
            k, o = np.unravel_index(int(np.argmax(S[i])), (_N, m))
            X[i, 1 + k] = o
        return X

    # ----------------------------------------------------------- equivalence
    def _row_index(self, X: np.ndarray) -> np.ndarray:
        radix = np.cumprod(np.concatenate([[1], self.n_choices[::-1][:-1]]))[::-1]
        return X @ radix

    def canonical(self, X) -> np.ndarray:
        """Map rows to the representative of their isomorphism class (the row the benchmark holds).

        See the class notes for the equivalence and the choice of representative.

        Parameters
        ----------
        X : array-like of shape (n, 5)
            Valid rows.

        Returns
        -------
        C : ndarray of shape (n, 5)
        """
        X = self.check_rows(X)
        idx = _canonical_index(self.ops)[self._row_index(X)]
        shape = tuple(int(c) for c in self.n_choices)
        return np.ascontiguousarray(np.stack(np.unravel_index(idx, shape), axis=1), dtype=np.int64)

    # ---------------------------------------------------------- native forms
    def to_string(self, row) -> str:
        """Readable form, e.g. ``"link=0012|gcn,gat,sage,skip"`` (link pattern, then the op of nodes 1-4)."""
        row = self.check_rows(row, name="row", require_valid=False)[0]
        return f"link={_LINK_LABELS[row[0]]}|" + ",".join(self.ops[o] for o in row[1:])

    def from_string(self, s: str) -> np.ndarray:
        """Parse the form written by :meth:`to_string` back to a row.

        Raises
        ------
        ValueError
            On a malformed string, an unknown link pattern or op, or the
            all-skip architecture.
        """
        if not isinstance(s, str):
            raise TypeError(f"architecture string must be str; got {type(s).__name__}")
        head, sep, tail = s.strip().partition("|")
        if not sep or not head.startswith("link="):
            raise ValueError(f"malformed NAS-Bench-Graph string {s!r}: expected 'link=XXXX|op1,op2,op3,op4'")
        link = head[len("link="):].strip()
        if link not in _LINK_LABELS:
            raise ValueError(f"unknown link pattern {link!r} in {s!r}; accepted: {list(_LINK_LABELS)}")
        names = [t.strip() for t in tail.split(",")]
        if len(names) != _N:
            raise ValueError(f"malformed NAS-Bench-Graph string {s!r}: expected {_N} comma-separated ops, "
                             f"got {len(names)}")
        row = [_LINK_LABELS.index(link)]
        for name in names:
            if name not in self.ops:
                raise ValueError(f"unknown op {name!r} in {s!r}; accepted ops: {list(self.ops)}")
            row.append(self.ops.index(name))
        return self.check_rows(np.asarray(row, dtype=np.int64), name="architecture string")[0]

    def to_bench_key(self, X):
        """Integer key of the benchmark's tables (``nas_bench_graph.Arch.hash_arch``) for rows.

        The key is ``link * 10**4 + sum(op_k * 10**(3 - k))`` with ``op_k`` the
        index of node ``k + 1``'s op in the full 9-op list (also for the
        protein op set, whose tables use the same keys). The key of a row that
        is not its own canonical form is not in the tables; use
        ``to_bench_key(canonical(X))`` to look an architecture up.

        Parameters
        ----------
        X : array-like of shape (n, 5) or (5,)
            Rows (validity is not required).

        Returns
        -------
        keys : ndarray of shape (n,) of int64, or int for a single 1-D row
        """
        single = np.ndim(X) == 1
        X = self.check_rows(X, require_valid=False)
        keys = X[:, 0].copy()
        for k in range(_N):
            keys = keys * _KEY_BASE + self._global[X[:, 1 + k]]
        return int(keys[0]) if single else keys

    def from_bench_key(self, key):
        """Rows of the benchmark's integer keys (inverse of :meth:`to_bench_key`).

        Parameters
        ----------
        key : int or array-like of int
            One key or many.

        Returns
        -------
        row : ndarray of shape (5,) for one key, or X of shape (n, 5)

        Raises
        ------
        ValueError
            For a key that is not a whole number, is out of range, or names an
            op outside this op set.
        """
        arr = np.asarray(key)
        single = arr.ndim == 0
        arr = arr.reshape(-1)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
            raise ValueError(f"bench keys must be integers; got {key!r}")
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"bench keys must be whole numbers; got {key!r}")
        keys = arr.astype(np.int64)
        limit = len(self.links) * _KEY_BASE**_N
        if np.any((keys < 0) | (keys >= limit)):
            bad = keys[(keys < 0) | (keys >= limit)][0]
            raise ValueError(f"bench key {bad} is out of range: keys lie in [0, {limit})")
        local = np.full(_KEY_BASE, -1, dtype=np.int64)
        local[self._global] = np.arange(len(self.ops))
        X = np.empty((len(keys), _N + 1), dtype=np.int64)
        rest = keys.copy()
        for k in range(_N - 1, -1, -1):
            digit = rest % _KEY_BASE
            rest //= _KEY_BASE
            if np.any(digit >= len(GRAPH_OPS)) or np.any(local[digit] < 0):
                i = int(np.flatnonzero((digit >= len(GRAPH_OPS)) | (local[np.minimum(digit, _KEY_BASE - 1)] < 0))[0])
                d = int(digit[i])
                what = GRAPH_OPS[d] if d < len(GRAPH_OPS) else f"op index {d}"
                raise ValueError(f"bench key {keys[i]} names {what!r} for node {k + 1}, which is not in "
                                 f"{self!r} (ops {list(self.ops)})")
            X[:, 1 + k] = local[digit]
        X[:, 0] = rest
        return X[0] if single else X

    # ---------------------------------------------------------- feature views
    @property
    def _node_types(self) -> tuple[str, ...]:
        """Node labels of the graph view: ``input``, ``output``, then the ops."""
        return ("input", "output") + self.ops

    def _link_adjacency(self) -> np.ndarray:
        """Adjacency (6 x 6: input, nodes 1-4, output) of each of the 9 link patterns."""
        A = np.zeros((len(self.links), _N + 2, _N + 2), dtype=np.float32)
        for p, lk in enumerate(self.links):
            for k, src in enumerate(lk):
                A[p, src, k + 1] = 1.0
            for v in range(1, _N + 1):
                if v not in lk:
                    A[p, v, _N + 1] = 1.0
        return A

    def _graph(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Node-labelled DAG ``(A, F)``: input, the 4 computing nodes, output.

        ``A[k, i, j] = 1`` when node ``i`` feeds node ``j``: each computing
        node is fed by the node its link entry names, and the nodes no other
        node consumes feed the output. ``F`` one-hot encodes :func:`~sknas.encodings.node_types`
        (``skip`` nodes are kept, labelled ``skip``).

        Returns
        -------
        A : ndarray of shape (n, 6, 6)
        F : ndarray of shape (n, 6, 2 + n_ops)
        """
        X = self.check_rows(X, require_valid=False)
        n = len(X)
        A = self._link_adjacency()[X[:, 0]]
        F = np.zeros((n, _N + 2, len(self._node_types)), dtype=np.float32)
        F[:, 0, 0] = 1.0
        F[:, -1, 1] = 1.0
        F[np.arange(n)[:, None], np.arange(1, _N + 1)[None, :], 2 + X[:, 1:]] = 1.0
        return A, F

    def _graph_torch(self, Z):
        """Differentiable graph view of relaxed rows.

        ``A`` is the mixture of the 9 patterns' adjacencies weighted by the
        link block of ``Z``; the computing nodes' features are the op blocks.
        For one-hot ``Z`` the result equals :func:`~sknas.encodings.graph`.

        Parameters
        ----------
        Z : torch.Tensor of shape (n, n_features_onehot)

        Returns
        -------
        A : torch.Tensor of shape (n, 6, 6)
        F : torch.Tensor of shape (n, 6, 2 + n_ops)
        """
        if Z.ndim != 2 or Z.shape[1] != int(self._offsets[-1]):
            raise ValueError(f"Z must have shape (n, {int(self._offsets[-1])}); got {tuple(Z.shape)}")
        n, p, m = Z.shape[0], len(self.links), len(self.ops)
        adj = Z.new_tensor(self._link_adjacency().reshape(p, -1))
        A = (Z[:, :p] @ adj).reshape(n, _N + 2, _N + 2)
        F = Z.new_zeros((n, _N + 2, 2 + m))
        F[:, 0, 0] = 1.0
        F[:, -1, 1] = 1.0
        F[:, 1:-1, 2:] = Z[:, p:].reshape(n, _N, m)
        return A, F

    def _paths(self, X) -> np.ndarray:
        """Path encoding: counts of input->output paths per sequence of non-skip ops.

        Every computing node has a single input, so each input->output path
        is the chain from the input to one leaf. Skip ops (identities) are left
        out of the sequences, and paths made of skips only (the raw input,
        which the benchmark drops) are not counted, so equivalent rows (see
        :meth:`canonical`) get equal encodings. Features are ordered by
        sequence length (1 to 4), then by the sequence's op indices.

        Returns
        -------
        P : ndarray of shape (n, sum(L**k for k in 1..4)), float32
            ``L`` is the number of non-skip ops (8, or 4 for proteins).
        """
        X = self.check_rows(X, require_valid=False)
        live = [i for i in range(len(self.ops)) if i != self._skip]
        pos = np.full(len(self.ops), -1, dtype=np.int64)
        pos[live] = np.arange(len(live))
        L = len(live)
        offsets = np.cumsum([0] + [L**k for k in range(1, _N + 1)])
        out = np.zeros((len(X), int(offsets[-1])), dtype=np.float32)
        for i, row in enumerate(X):
            lk = self.links[row[0]]
            for leaf in range(1, _N + 1):
                if leaf in lk:
                    continue
                seq = []
                v = leaf
                while v > 0:
                    if row[v] != self._skip:
                        seq.append(int(pos[row[v]]))
                    v = lk[v - 1]
                if not seq:
                    continue
                code = 0
                for t in reversed(seq):
                    code = code * L + t
                out[i, offsets[len(seq) - 1] + code] += 1.0
        return out
