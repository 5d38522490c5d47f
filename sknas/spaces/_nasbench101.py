"""The NAS-Bench-101 cell space: a 7-node DAG with operations on the nodes."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence

import numpy as np

from ._base import Space
from ._costs import conv_bn_costs

__all__ = ["NASBench101Space", "NB101_OPS", "nasbench_graph_hash", "vertex_channels"]

#: the intermediate-node operations, in NAS-Bench-101's ``available_ops`` order
NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")

_N = 7  # vertices, including input (0) and output (6)
_MAX_EDGES = 9
_IU = np.triu_indices(_N, k=1)  # the 21 edge slots in row-major order: (0,1), (0,2), ..., (5,6)
_N_EDGES = len(_IU[0])
_EDGE_INDEX = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(*_IU))}
#: short op codes of the string form
_SHORT = ("c3", "c1", "mp")
#: NASLib's op codes: 0 = input, 1 = output, 2 = maxpool3x3, 3 = conv1x1-bn-relu, 4 = conv3x3-bn-relu
_NASLIB_CODE = {"input": 0, "output": 1, "maxpool3x3": 2, "conv1x1-bn-relu": 3, "conv3x3-bn-relu": 4}
_NASLIB_OP = {v: k for k, v in _NASLIB_CODE.items()}
#: the network of NAS-Bench-101: a conv3x3-bn-relu stem to 128 channels on 32x32 images, then 3 stacks of 3 cells,
#: each stack after the first halving the side (2x2 max-pool) and doubling the channels
_STEM, _N_STACKS, _CELLS_PER_STACK, _IMAGE_SIDE = 128, 3, 3, 32


def _cell_shapes() -> list[tuple[int, int, int]]:
    """``(input channels, output channels, feature-map side)`` of the 9 cells of the network, in order."""
    shapes, cin = [], _STEM
    for stack in range(_N_STACKS):
        cout, side = _STEM * 2**stack, _IMAGE_SIDE // 2**stack
        for _ in range(_CELLS_PER_STACK):
            shapes.append((cin, cout, side))
            cin = cout
    return shapes


def vertex_channels(A: np.ndarray, cin: int, cout: int) -> np.ndarray:
    """Channels of every vertex of a batch of pruned cells, by NAS-Bench-101's rule.

    The vertices that feed the output share its ``cout`` channels (they are concatenated): each
    gets ``cout // k`` (``k`` of them), and the first ``cout % k`` of them, in vertex order, one
    more. Every other live intermediate vertex gets the largest channel count among the
    intermediate vertices it feeds (their inputs are truncated to it). The input has ``cin``
    channels, the output ``cout``; pruned vertices 0.

    Parameters
    ----------
    A : ndarray of shape (n, 7, 7), bool
        Adjacency with the vertices off every input->output path removed (all their edges zero).
    cin, cout : int
        Channels of the cell's input and output.

    Returns
    -------
    channels : ndarray of shape (n, 7), int64
    """
    n = len(A)
    feeds = A[:, 1:-1, -1]  # intermediate vertices feeding the output
    k = feeds.sum(axis=1)
    share, extra = cout // np.maximum(k, 1), cout % np.maximum(k, 1)
    rank = np.cumsum(feeds, axis=1) - 1
    ch = np.zeros((n, _N), dtype=np.int64)
    ch[:, 0], ch[:, -1] = cin, cout
    ch[:, 1:-1] = np.where(feeds, share[:, None] + (rank < extra[:, None]), 0)
    for v in range(_N - 3, 0, -1):  # the last intermediate vertex (5) either feeds the output or is pruned
        widest = np.max(A[:, v, v + 1:-1] * ch[:, v + 1:-1], axis=1)
        ch[:, v] = np.where(feeds[:, v - 1], ch[:, v], widest)
    return ch


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def nasbench_graph_hash(matrix, labeling: Sequence[int]) -> str:
    """Isomorphism-invariant MD5 fingerprint of a labelled directed graph (NAS-Bench-101's graph hash).

    Every vertex starts from the MD5 of the text of ``(out-degree, in-degree,
    label)``; then, as many times as there are vertices, each vertex's hash
    becomes the MD5 of its in-neighbours' hashes (sorted, concatenated), ``|``,
    its out-neighbours' hashes (sorted, concatenated), ``|`` and its own hash.
    The fingerprint is the MD5 of the text of the sorted list of final hashes.
    This is the algorithm NAS-Bench-101 uses to key its table, so the result
    equals the benchmark's module hash for the same (pruned) spec and labels.

    Parameters
    ----------
    matrix : array-like of shape (V, V)
        Adjacency matrix, ``matrix[i, j] != 0`` for an edge ``i -> j``.
    labeling : sequence of int
        One integer label per vertex (NAS-Bench-101: ``-1`` input, ``-2``
        output, else the op's index in :data:`NB101_OPS`).

    Returns
    -------
    fingerprint : str
        32 hexadecimal digits.
    """
    adj = np.asarray(matrix) != 0
    if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
        raise ValueError(f"matrix must be square; got shape {adj.shape}")
    n = adj.shape[0]
    labels = [int(x) for x in labeling]
    if len(labels) != n:
        raise ValueError(f"labeling has {len(labels)} labels for a graph of {n} vertices")
    outdeg = adj.sum(axis=1)
    indeg = adj.sum(axis=0)
    hashes = [_md5(str((int(outdeg[v]), int(indeg[v]), labels[v]))) for v in range(n)]
    preds = [np.flatnonzero(adj[:, v]).tolist() for v in range(n)]
    succs = [np.flatnonzero(adj[v, :]).tolist() for v in range(n)]
    for _ in range(n):
        hashes = [
            _md5("".join(sorted(hashes[w] for w in preds[v])) + "|"
                 + "".join(sorted(hashes[w] for w in succs[v])) + "|" + hashes[v])
            for v in range(n)
        ]
    return _md5(str(sorted(hashes)))


def _live_nodes(A: np.ndarray) -> np.ndarray:
    """Nodes on an input->output path, for a batch of upper-triangular adjacencies ``(n, 7, 7)``."""
    n = len(A)
    fwd = np.zeros((n, _N), dtype=bool)
    fwd[:, 0] = True
    for j in range(1, _N):
        fwd[:, j] = np.any(fwd[:, :j] & A[:, :j, j], axis=1)
    bwd = np.zeros((n, _N), dtype=bool)
    bwd[:, -1] = True
    for i in range(_N - 2, -1, -1):
        bwd[:, i] = np.any(bwd[:, i + 1:] & A[:, i, i + 1:], axis=1)
    return fwd & bwd


class NASBench101Space(Space):
    """The NAS-Bench-101 space: cells of 7 nodes, at most 9 edges, 3 node operations.

    A cell is a DAG on 7 vertices: the input (0), five intermediate vertices
    (1..5), each applying ``conv3x3-bn-relu``, ``conv1x1-bn-relu`` or
    ``maxpool3x3``, and the output (6). A row holds the 21 bits of the
    upper-triangular adjacency matrix in row-major order (decisions
    ``edge_0_1``, ``edge_0_2``, ..., ``edge_5_6``, choices ``0, 1``) followed
    by the five intermediate ops (decisions ``op_1`` .. ``op_5``, choices
    :data:`NB101_OPS`; indices 0, 1, 2 are NAS-Bench-101's op labels).

    Notes
    -----
    Validity follows NAS-Bench-101's ``ModelSpec`` and ``_check_spec``:
    vertices that are not on an input->output path are pruned (their ops do
    not matter), and the spec is valid when the input reaches the output and
    the pruned graph has at most 9 edges. A row with extra dangling edges is
    therefore valid as long as its pruned graph is.

    :meth:`canonical` prunes the graph and relabels it in a canonical order:
    the pruned ``k``-vertex graph is re-embedded into the 7 slots (input in 0,
    intermediate vertices in ``1..k-2``, output in 6, unused slots without
    edges and with op ``conv3x3-bn-relu``), choosing the ordering of the
    intermediate vertices (among those that keep the matrix upper-triangular)
    that gives the lexicographically smallest row. Isomorphic cells, which
    share one NAS-Bench-101 hash (:meth:`spec_hash`), map to one row.

    Examples
    --------
    >>> import numpy as np
    >>> from sknas.spaces import NASBench101Space
    >>> space = NASBench101Space()
    >>> m = np.zeros((7, 7), dtype=int)
    >>> m[0, 1] = m[1, 6] = 1
    >>> row = space.from_spec(m, ["input", "conv3x3-bn-relu"] + ["maxpool3x3"] * 4 + ["output"])
    >>> space.to_string(row)
    '100000000010000000000|c3,mp,mp,mp,mp'
    >>> space.spec_hash(row) == space.spec_hash(space.canonical(row)[0])
    True
    """

    name = "nasbench101"

    def __init__(self):
        decisions: dict[str, list] = {f"edge_{i}_{j}": [0, 1] for i, j in zip(*_IU)}
        decisions.update({f"op_{v}": list(NB101_OPS) for v in range(1, _N - 1)})
        super().__init__(decisions)
        self.ops = NB101_OPS
        self.max_edges = _MAX_EDGES
        self.n_nodes = _N

    def _key(self):
        return ()

    def __repr__(self) -> str:
        return "NASBench101Space()"

    # -------------------------------------------------------------- helpers
    @staticmethod
    def _adjacency(X: np.ndarray) -> np.ndarray:
        A = np.zeros((len(X), _N, _N), dtype=bool)
        A[:, _IU[0], _IU[1]] = X[:, :_N_EDGES] != 0
        return A

    def _pruned_edges(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Adjacency, live-node mask and pruned edge count of in-range rows."""
        A = self._adjacency(X)
        live = _live_nodes(A)
        n_edges = (A & live[:, :, None] & live[:, None, :]).sum(axis=(1, 2))
        return A, live, n_edges

    def _valid_mask(self, X: np.ndarray) -> np.ndarray:
        _, live, n_edges = self._pruned_edges(X)
        return live[:, -1] & (n_edges <= _MAX_EDGES)

    def explain_invalid(self, row) -> str:
        """Say why ``row`` is not a valid cell (empty string when it is valid)."""
        X = self.check_rows(row, name="row", require_valid=False)[:1]
        _, live, n_edges = self._pruned_edges(X)
        if not live[0, -1]:
            return "no path from the input to the output (the cell is disconnected)"
        if n_edges[0] > _MAX_EDGES:
            return (f"the cell has {int(n_edges[0])} edges after pruning vertices off the input->output paths; "
                    f"NAS-Bench-101 allows at most {_MAX_EDGES}")
        return ""

    # -------------------------------------------------------- native forms
    def to_spec(self, row) -> tuple[np.ndarray, list[str]]:
        """The unpruned NAS-Bench-101 spec of one row.

        Parameters
        ----------
        row : array-like of shape (n_decisions,)

        Returns
        -------
        matrix : ndarray of shape (7, 7), dtype int64
            Upper-triangular adjacency, ``matrix[i, j] = 1`` for an edge ``i -> j``.
        ops : list of str
            ``["input", op_1, ..., op_5, "output"]``.
        """
        r = self.check_rows(row, name="row", require_valid=False)[0]
        return self._adjacency(r[None, :])[0].astype(np.int64), self._ops_of(r)

    def _ops_of(self, r: np.ndarray) -> list[str]:
        return ["input"] + [NB101_OPS[int(o)] for o in r[_N_EDGES:]] + ["output"]

    def to_specs(self, X) -> tuple[np.ndarray, list[list[str]]]:
        """:meth:`to_spec` over the rows of ``X``: matrices ``(n, 7, 7)`` and a list of op lists."""
        X = self.check_rows(X, require_valid=False)
        return self._adjacency(X).astype(np.int64), [self._ops_of(r) for r in X]

    def pruned_spec(self, row) -> tuple[np.ndarray, list[str]]:
        """The pruned spec of one valid row, as NAS-Bench-101's ``ModelSpec`` holds it.

        Vertices off every input->output path are removed, so the matrix is
        ``k x k`` with ``k <= 7``.
        """
        r = self.check_rows(row, name="row")[0]
        A, live, _ = self._pruned_edges(r[None, :])
        keep = np.flatnonzero(live[0])
        ops = self._ops_of(r)
        return A[0][np.ix_(keep, keep)].astype(np.int64), [ops[v] for v in keep]

    def from_spec(self, matrix, ops: Sequence[str]) -> np.ndarray:
        """The row of a NAS-Bench-101 spec (adjacency matrix and op names).

        Parameters
        ----------
        matrix : array-like of shape (V, V), 2 <= V <= 7
            0/1 upper-triangular adjacency. A pruned spec with fewer than 7
            vertices is embedded with its output in slot 6 and the unused
            slots without edges (op ``conv3x3-bn-relu``).
        ops : sequence of str of length V
            ``"input"``, the intermediate ops (names of :data:`NB101_OPS`), ``"output"``.

        Returns
        -------
        row : ndarray of shape (26,)

        Raises
        ------
        ValueError
            On a wrong shape, entries other than 0/1, a cycle or back edge
            (non-upper-triangular matrix), unknown op names, no input->output
            path, or more than 9 edges after pruning.
        """
        try:
            m = np.asarray(matrix, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError("matrix must be a numeric 0/1 adjacency matrix") from exc
        if m.ndim != 2 or m.shape[0] != m.shape[1] or not 2 <= m.shape[0] <= _N:
            raise ValueError(f"matrix must be square with 2 to {_N} vertices; got shape {m.shape}")
        if not np.all((m == 0) | (m == 1)):
            raise ValueError("matrix must hold only 0 and 1 entries")
        V = m.shape[0]
        if isinstance(ops, str) or not isinstance(ops, Sequence):
            raise ValueError(f"ops must be a list of {V} op names; got {ops!r}")
        ops = list(ops)
        if len(ops) != V:
            raise ValueError(f"ops has {len(ops)} entries but the matrix has {V} vertices")
        if np.any(np.tril(m) != 0):
            i, j = np.argwhere(np.tril(m) != 0)[0]
            kind = "a self-loop" if i == j else "a back edge (cycle)"
            raise ValueError(
                f"matrix has {kind} {int(i)}->{int(j)}: NAS-Bench-101 cells are DAGs whose matrix is strictly "
                "upper triangular"
            )
        if ops[0] != "input" or ops[-1] != "output":
            raise ValueError(f"ops must start with 'input' and end with 'output'; got {ops}")
        for op in ops[1:-1]:
            if op not in NB101_OPS:
                raise ValueError(f"unknown op {op!r}; accepted ops: {list(NB101_OPS)}")
        slots = list(range(V - 1)) + [_N - 1]
        full = np.zeros((_N, _N), dtype=np.int64)
        full[np.ix_(slots, slots)] = m.astype(np.int64)
        row = np.zeros(self.n_decisions, dtype=np.int64)
        row[:_N_EDGES] = full[_IU]
        for v, op in zip(slots[1:-1], ops[1:-1]):
            row[_N_EDGES + v - 1] = NB101_OPS.index(op)
        msg = self.explain_invalid(row)
        if msg:
            raise ValueError(f"invalid NAS-Bench-101 spec: {msg}")
        return row

    def from_specs(self, matrices, ops_list: Sequence[Sequence[str]]) -> np.ndarray:
        """:meth:`from_spec` over matrices and op lists, stacked into ``X``."""
        if len(matrices) != len(ops_list):
            raise ValueError(f"got {len(matrices)} matrices but {len(ops_list)} op lists")
        rows = [self.from_spec(m, o) for m, o in zip(matrices, ops_list)]
        return np.asarray(rows, dtype=np.int64).reshape(len(rows), self.n_decisions)

    def to_naslib_key(self, row) -> tuple[int, ...]:
        """NASLib's 56-integer key of a row: the 7x7 adjacency row by row, then 7 op codes.

        Op codes: 0 = input, 1 = output, 2 = maxpool3x3, 3 = conv1x1-bn-relu, 4 = conv3x3-bn-relu.
        """
        matrix, ops = self.to_spec(row)
        return tuple(int(v) for v in matrix.ravel()) + tuple(_NASLIB_CODE[o] for o in ops)

    def from_naslib_key(self, key) -> np.ndarray:
        """The row of a NASLib key (a tuple of 56 integers, or its text as in NASLib's JSON files)."""
        if isinstance(key, str):
            text = key.strip().strip("()[]")
            try:
                vals = [int(t) for t in text.split(",") if t.strip()]
            except ValueError:
                raise ValueError(f"malformed NASLib key {key!r}: expected 56 comma-separated integers") from None
        else:
            try:
                vals = [int(t) for t in key]
            except (TypeError, ValueError):
                raise ValueError(f"malformed NASLib key {key!r}: expected 56 integers") from None
        if len(vals) != _N * _N + _N:
            raise ValueError(f"a NASLib NAS-Bench-101 key has {_N * _N + _N} integers; got {len(vals)}")
        codes = vals[_N * _N:]
        bad = [c for c in codes if c not in _NASLIB_OP]
        if bad:
            raise ValueError(f"unknown NASLib op code {bad[0]} in key; accepted codes: {_NASLIB_CODE}")
        return self.from_spec(np.asarray(vals[:_N * _N]).reshape(_N, _N), [_NASLIB_OP[c] for c in codes])

    def from_naslib_keys(self, keys: Sequence) -> np.ndarray:
        """:meth:`from_naslib_key` over a sequence of keys, stacked into ``X``."""
        rows = [self.from_naslib_key(k) for k in keys]
        return np.asarray(rows, dtype=np.int64).reshape(len(rows), self.n_decisions)

    def to_string(self, row) -> str:
        """Compact string: the 21 edge bits, ``|``, the five op codes (``c3``, ``c1``, ``mp``).

        For example ``'100000000010000000000|c3,mp,mp,mp,mp'`` is ``input -> conv3x3 -> output``.
        """
        r = self.check_rows(row, name="row", require_valid=False)[0]
        return "".join(str(int(b)) for b in r[:_N_EDGES]) + "|" + ",".join(_SHORT[int(o)] for o in r[_N_EDGES:])

    def from_string(self, s: str) -> np.ndarray:
        """Parse the string written by :meth:`to_string` (op codes or full op names)."""
        if not isinstance(s, str):
            raise TypeError(f"architecture string must be str; got {type(s).__name__}")
        bits, sep, ops = s.strip().partition("|")
        if not sep or len(bits) != _N_EDGES or set(bits) - {"0", "1"}:
            raise ValueError(f"malformed NAS-Bench-101 string {s!r}: expected 21 edge bits (0/1), '|', 5 op codes")
        names = [o.strip() for o in ops.split(",")]
        if len(names) != _N - 2:
            raise ValueError(f"malformed NAS-Bench-101 string {s!r}: expected 5 comma-separated ops")
        row = np.zeros(self.n_decisions, dtype=np.int64)
        row[:_N_EDGES] = [int(b) for b in bits]
        for v, o in enumerate(names):
            if o in _SHORT:
                row[_N_EDGES + v] = _SHORT.index(o)
            elif o in NB101_OPS:
                row[_N_EDGES + v] = NB101_OPS.index(o)
            else:
                raise ValueError(f"unknown op {o!r} in {s!r}; accepted: {list(_SHORT)} or {list(NB101_OPS)}")
        return self.check_rows(row, name="row")[0]

    # ---------------------------------------------------------- equivalence
    def spec_hash(self, row) -> str:
        """NAS-Bench-101's module hash of a valid row (the key of its table).

        The pruned spec is hashed with :func:`nasbench_graph_hash` and the
        labels NAS-Bench-101 uses: ``-1`` for the input, ``-2`` for the output,
        the op's index in :data:`NB101_OPS` for the other vertices.
        """
        matrix, ops = self.pruned_spec(row)
        labels = [-1] + [NB101_OPS.index(o) for o in ops[1:-1]] + [-2]
        return nasbench_graph_hash(matrix, labels)

    def spec_hashes(self, X) -> list[str]:
        """:meth:`spec_hash` of every row of ``X``."""
        return [self.spec_hash(r) for r in self.check_rows(X)]

    @staticmethod
    def _perms(k: int) -> np.ndarray:
        mids = list(itertools.permutations(range(1, k - 1)))
        return np.asarray([(0, *p, k - 1) for p in mids], dtype=np.int64).reshape(len(mids), k)

    def canonical(self, X) -> np.ndarray:
        """Pruned, isomorphism-invariant representative of each row (see the class notes)."""
        X = self.check_rows(X)
        A, live, _ = self._pruned_edges(X)
        ops = X[:, _N_EDGES:]
        k_all = live.sum(axis=1)
        order = np.argsort(~live, axis=1, kind="stable")  # live vertices first, in increasing order
        out = np.empty_like(X)
        radix = np.concatenate([2 ** np.arange(_N_EDGES - 1, -1, -1, dtype=np.int64) * 3**5,
                                3 ** np.arange(4, -1, -1, dtype=np.int64)])
        chunk = 1024  # bounds memory: each row expands to up to 120 candidate orderings
        groups = [(int(k), idx[a:a + chunk]) for k in np.unique(k_all)
                  for idx in [np.flatnonzero(k_all == k)] for a in range(0, len(idx), chunk)]
        for k, rows in groups:
            sel = order[rows, :k]  # (m, k) original vertex of each pruned vertex
            Ap = A[rows[:, None, None], sel[:, :, None], sel[:, None, :]]  # (m, k, k)
            lab = np.zeros((len(rows), k), dtype=np.int64)
            if k > 2:
                lab[:, 1:-1] = np.take_along_axis(ops[rows], sel[:, 1:-1] - 1, axis=1)
            P = self._perms(k)  # (p, k): new vertex i is pruned vertex P[:, i]
            B = Ap[:, P[:, :, None], P[:, None, :]]  # (m, p, k, k)
            upper = ~np.any(np.tril(np.ones((k, k), dtype=bool))[None, None] & B, axis=(2, 3))
            slots = list(range(k - 1)) + [_N - 1]
            E = np.zeros(B.shape[:2] + (_N, _N), dtype=np.int8)
            E[:, :, np.asarray(slots)[:, None], np.asarray(slots)[None, :]] = B
            cand = np.zeros(B.shape[:2] + (self.n_decisions,), dtype=np.int64)
            cand[:, :, :_N_EDGES] = E[:, :, _IU[0], _IU[1]]
            if k > 2:
                cand[:, :, _N_EDGES:_N_EDGES + k - 2] = lab[:, P[:, 1:-1]]
            code = cand @ radix
            code[~upper] = np.iinfo(np.int64).max
            best = np.argmin(code, axis=1)
            out[rows] = cand[np.arange(len(rows)), best]
        return out

    # -------------------------------------------------------------- repair
    def repair(self, X, scores=None) -> np.ndarray:
        """Map in-range rows to valid cells (valid rows are returned unchanged).

        For an invalid row, every edge gets a weight: ``scores[1] - scores[0]``
        of its decision when relaxed ``scores`` (shape ``(n, n_features_onehot)``,
        see :func:`~sknas.encodings.relax`) are given, else ``+1`` for a present and ``-1`` for
        an absent edge. The input->output path of largest total weight is kept,
        then the other present edges are added in decreasing weight while the
        pruned cell has at most 9 edges. Ops are kept. The result is always valid.
        """
        X = self.check_rows(X, require_valid=False).copy()
        ok = self._valid_mask(X)
        if ok.all():
            return X
        if scores is not None:
            scores = self._check_scores(scores, len(X))
        off = self._offsets[:_N_EDGES]
        for i in np.flatnonzero(~ok):
            present = X[i, :_N_EDGES] == 1
            if scores is not None:
                w = scores[i, off + 1] - scores[i, off]
            else:
                w = np.where(present, 1.0, -1.0)
            # deterministic tie-break: among equal weights, prefer edges earlier in the row
            w = w - 1e-9 * np.arange(_N_EDGES)
            X[i, :_N_EDGES] = self._repair_edges(w, present)
        return X

    def _repair_edges(self, w: np.ndarray, present: np.ndarray) -> np.ndarray:
        best = np.full(_N, -np.inf)
        prev = np.full(_N, -1)
        best[0] = 0.0
        for j in range(1, _N):
            for i in range(j):
                cand = best[i] + w[_EDGE_INDEX[(i, j)]]
                if cand > best[j]:
                    best[j], prev[j] = cand, i
        bits = np.zeros(_N_EDGES, dtype=np.int64)
        v = _N - 1
        while v != 0:
            bits[_EDGE_INDEX[(int(prev[v]), v)]] = 1
            v = int(prev[v])
        for e in np.argsort(-w, kind="stable"):
            if present[e] and not bits[e]:
                bits[e] = 1
                trial = np.concatenate([bits, np.zeros(_N - 2, dtype=np.int64)])[None, :]
                if not self._valid_mask(trial)[0]:
                    bits[e] = 0
        return bits

    # -------------------------------------------------------- feature views
    @property
    def _node_types(self) -> tuple[str, ...]:
        """Node labels of :func:`~sknas.encodings.graph`: ``input``, ``output`` and the three ops."""
        return ("input", "output") + NB101_OPS

    def _graph(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The cell as a node-labelled graph ``(A, F)``, unpruned.

        Returns
        -------
        A : ndarray of shape (n, 7, 7), float32
            The row's adjacency matrix as is (dangling vertices and edges are
            kept; use :meth:`canonical` first for the pruned cell).
        F : ndarray of shape (n, 7, 5), float32
            One-hot labels over :func:`~sknas.encodings.node_types`; every intermediate vertex
            carries its op, whether or not it is pruned.
        """
        X = self.check_rows(X, require_valid=False)
        n = len(X)
        A = self._adjacency(X).astype(np.float32)
        F = np.zeros((n, _N, len(self._node_types)), dtype=np.float32)
        F[:, 0, 0] = 1.0
        F[:, -1, 1] = 1.0
        F[np.arange(n)[:, None], np.arange(1, _N - 1)[None, :], 2 + X[:, _N_EDGES:]] = 1.0
        return A, F

    def _graph_torch(self, Z):
        """Differentiable :func:`~sknas.encodings.graph` of relaxed rows ``Z`` (shape ``(n, n_features_onehot)``).

        ``A[i, j]`` is the weight of choice ``1`` of edge ``(i, j)`` and the op
        rows of ``F`` are the op blocks of ``Z``; for one-hot ``Z`` both equal
        :func:`~sknas.encodings.graph`.
        """
        if Z.ndim != 2 or Z.shape[1] != int(self._offsets[-1]):
            raise ValueError(f"Z must have shape (n, {int(self._offsets[-1])}); got {tuple(Z.shape)}")
        n = Z.shape[0]
        on = Z[:, self._offsets[:_N_EDGES] + 1]  # (n, 21)
        A = Z.new_zeros((n, _N, _N))
        A[:, _IU[0], _IU[1]] = on
        ops = Z[:, int(self._offsets[_N_EDGES]):].reshape(n, _N - 2, len(NB101_OPS))
        F = Z.new_zeros((n, _N, len(self._node_types)))
        F[:, 0, 0] = 1.0
        F[:, -1, 1] = 1.0
        F[:, 1:-1, 2:] = ops
        return A, F

    def _node_type_costs(self, X) -> np.ndarray:
        """Per-node ``(params, FLOPs)`` of each of the network's 9 cells, under every node type.

        The network is NAS-Bench-101's: a conv3x3-bn-relu stem to 128 channels on 32x32 images,
        then 3 stacks of 3 cells with 128, 256 and 512 output channels on 32x32, 16x16 and 8x8
        maps (a 2x2 max-pool before the second and third stacks; the first cell of a stack reads
        the previous stack's channels). In the pruned cell, vertex ``v`` has the channels of
        :func:`vertex_channels`; as ``conv3x3-bn-relu`` or ``conv1x1-bn-relu`` (``c -> c``) it
        costs its weights plus the batch norm's ``2c`` and ``k*k*c*c*side*side`` multiply-adds,
        as ``maxpool3x3`` (or the input and output types) nothing. A vertex fed by the cell input,
        the output included, also carries the conv1x1-bn-relu projection of the input to its
        channels. Pruned vertices cost nothing. Summed over the nodes and the cells, plus the stem
        and the classifier, the parameters are the network's trainable parameters.

        Returns
        -------
        costs : ndarray of shape (n_samples, 9, 7, 5, 2), float64
            See :func:`~sknas.spaces.node_type_costs`; node types :func:`~sknas.encodings.node_types`.
        """
        X = self.check_rows(X, require_valid=False)
        A, live, _ = self._pruned_edges(X)
        A = A & live[:, :, None] & live[:, None, :]
        types = self._node_types
        shapes = _cell_shapes()
        out = np.zeros((len(X), len(shapes), _N, len(types), 2))
        for g, (cin, cout, side) in enumerate(shapes):
            ch = vertex_channels(A, cin, cout)
            mid = ch[:, 1:-1]  # the ops of the intermediate vertices; the input and output vertices have none
            for op, k in (("conv3x3-bn-relu", 3), ("conv1x1-bn-relu", 1)):
                out[:, g, 1:-1, types.index(op)] = np.stack(conv_bn_costs(mid, mid, k, side), axis=-1)
            proj = np.stack(conv_bn_costs(cin, ch, 1, side), axis=-1) * A[:, 0, :, None]  # (n, 7, 2); 0 at input
            out[:, g] += proj[:, :, None, :]
        return out / 1e6

    @property
    def n_features_paths(self) -> int:
        """Width of :func:`~sknas.encodings.paths`: one feature per op sequence of length 0..5 (364)."""
        return sum(len(NB101_OPS) ** L for L in range(_N - 1))

    def _paths(self, X) -> np.ndarray:
        """BANANAS path encoding: which op sequences occur on input->output paths.

        Feature ``offset(L) + code`` is 1 when some input->output path passes
        through ``L`` intermediate vertices whose ops, read from input to
        output, have the base-3 code ``code`` (op indices of
        :data:`NB101_OPS`, first op most significant); ``offset(L)`` is
        ``3^0 + ... + 3^(L-1)``. Paths only run through live vertices, so
        pruning does not change the encoding. Shape ``(n, 364)``, float32.
        """
        X = self.check_rows(X, require_valid=False)
        A = self._adjacency(X)
        ops = X[:, _N_EDGES:]
        n = len(X)
        k = len(NB101_OPS)
        out = np.zeros((n, self.n_features_paths), dtype=np.float32)
        offsets = np.cumsum([0] + [k**L for L in range(_N - 1)])
        for L in range(_N - 1):
            for mids in itertools.combinations(range(1, _N - 1), L):
                nodes = (0, *mids, _N - 1)
                has = np.ones(n, dtype=bool)
                for a, b in zip(nodes[:-1], nodes[1:]):
                    has &= A[:, a, b]
                if not has.any():
                    continue
                code = np.zeros(n, dtype=np.int64)
                for v in mids:
                    code = code * k + ops[:, v - 1]
                rows = np.flatnonzero(has)
                out[rows, offsets[L] + code[rows]] = 1.0
        return out
