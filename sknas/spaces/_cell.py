"""Cell spaces with operations on the edges of a DAG: ``CellSpace`` and NAS-Bench-201."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from ..utils import check_int
from ._base import Space
from ._costs import conv_bn_costs, pool_flops

__all__ = ["CellSpace", "NASBench201Space", "NB201_OPS"]

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


class CellSpace(Space):
    """An NB201-like cell: ``n_nodes`` nodes, every edge ``j -> i`` (``j < i``) picks one op.

    Node 0 is the cell input, node ``n_nodes - 1`` its output; each node sums
    its incoming edges. A row holds one op index per edge, edges ordered as in
    NAS-Bench-201: ``(1<-0), (2<-0), (2<-1), (3<-0), ...``.

    Parameters
    ----------
    n_nodes : int, default=4
        Number of nodes, at least 2.
    ops : sequence of str, default=NAS-Bench-201's five ops
        Operation names.
    zero_op : str or None, default="none"
        The op that outputs zeros (cuts the edge); used by :meth:`canonical`.
    identity_op : str or None, default="skip_connect"
        The op that passes its input unchanged; used by :meth:`canonical`.

    Notes
    -----
    Equivalence (:meth:`canonical`) follows the computation: a zero edge adds
    nothing, an op applied to an all-zero node gives zero (convolution and
    pooling of zeros), an identity edge forwards its input, and sums are
    commutative. The representative of a class is its smallest row in
    lexicographic order (computed exactly by enumeration when the space has at
    most two million rows, otherwise by pruning dead edges only).
    """

    name = "cell"

    def __init__(self, n_nodes: int = 4, ops: Sequence[str] = NB201_OPS, zero_op="none", identity_op="skip_connect"):
        n_nodes = check_int(n_nodes, "n_nodes", low=2)
        ops = tuple(ops)
        if len(ops) < 1 or not all(isinstance(o, str) and o and not re.search(r"[|~+]", o) for o in ops):
            raise ValueError(f"ops must be non-empty names without '|', '~' or '+'; got {list(ops)}")
        for label, op in (("zero_op", zero_op), ("identity_op", identity_op)):
            if op is not None and op not in ops:
                raise ValueError(f"{label}={op!r} is not one of ops {list(ops)}")
        self.n_nodes = n_nodes
        self.ops = ops
        self.zero_op = zero_op
        self.identity_op = identity_op
        self.edges = [(i, j) for i in range(1, self.n_nodes) for j in range(i)]
        super().__init__({f"{i}<-{j}": list(ops) for i, j in self.edges})
        self._canon_index = None

    def _key(self):
        return (self.n_nodes, self.ops, self.zero_op, self.identity_op)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_nodes={self.n_nodes}, ops={list(self.ops)})"

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_canon_index"] = None
        return state

    # ------------------------------------------------------------ string form
    def to_string(self, row) -> str:
        """NAS-Bench-201 string, e.g. ``|nor_conv_3x3~0|+|skip_connect~0|none~1|+|...|``."""
        row = self.check_rows(row, name="row", require_valid=False)[0]
        parts, e = [], 0
        for i in range(1, self.n_nodes):
            parts.append("|" + "|".join(f"{self.ops[row[e + j]]}~{j}" for j in range(i)) + "|")
            e += i
        return "+".join(parts)

    def from_string(self, s: str) -> np.ndarray:
        """Parse an NB201-style string back to a row (strict: node count, edge order, op names)."""
        if not isinstance(s, str):
            raise TypeError(f"architecture string must be str; got {type(s).__name__}")
        nodes = s.split("+")
        if len(nodes) != self.n_nodes - 1:
            raise ValueError(f"malformed cell string {s!r}: expected {self.n_nodes - 1} '+'-separated nodes")
        row = []
        for i, node in enumerate(nodes, start=1):
            if not (node.startswith("|") and node.endswith("|")) or len(node) < 2:
                raise ValueError(f"malformed cell string {s!r}: node {i} must look like '|op~j|...|'")
            edges = node[1:-1].split("|")
            if len(edges) != i:
                raise ValueError(f"malformed cell string {s!r}: node {i} needs {i} inputs, got {len(edges)}")
            for j, edge in enumerate(edges):
                op, sep, src = edge.rpartition("~")
                if not sep or src != str(j):
                    raise ValueError(f"malformed cell string {s!r}: edge {edge!r} of node {i} must be 'op~{j}'")
                if op not in self.ops:
                    raise ValueError(f"unknown op {op!r} in {s!r}; accepted ops: {list(self.ops)}")
                row.append(self.ops.index(op))
        return np.asarray(row, dtype=np.int64)

    # ------------------------------------------------------------ equivalence
    def _signature(self, row) -> str:
        """A string that is equal for two rows iff they compute the same function (see class notes)."""
        zero = self.ops.index(self.zero_op) if self.zero_op is not None else -1
        ident = self.ops.index(self.identity_op) if self.identity_op is not None else -1
        nodes: list[tuple[str, ...]] = [("x",)]  # each node: the sorted multiset of its summed terms
        e = 0
        for i in range(1, self.n_nodes):
            terms: list[str] = []
            for j in range(i):
                op, src = row[e + j], nodes[j]
                if op == zero or not src:
                    continue
                if op == ident:
                    terms.extend(src)
                else:
                    terms.append(f"{self.ops[op]}({'+'.join(src)})")
            nodes.append(tuple(sorted(terms)))
            e += i
        return "+".join(nodes[-1]) or "0"

    def _canonical_table(self) -> np.ndarray:
        if self._canon_index is None:
            rows = self.enumerate()
            rep: dict[str, int] = {}
            out = np.empty(len(rows), dtype=np.int64)
            for k, r in enumerate(rows):  # lexicographic order: the first seen is the smallest
                out[k] = rep.setdefault(self._signature(r), k)
            self._canon_index = out
        return self._canon_index

    def _row_index(self, X: np.ndarray) -> np.ndarray:
        radix = np.cumprod(np.concatenate([[1], self.n_choices[::-1][:-1]]))[::-1]
        return X @ radix

    def _prune(self, X: np.ndarray) -> np.ndarray:
        """Set to the zero op every edge that cannot influence the output."""
        if self.zero_op is None:
            return X
        zero = self.ops.index(self.zero_op)
        X = X.copy()
        eidx = {edge: k for k, edge in enumerate(self.edges)}
        for r in X:
            live_in = [True] + [False] * (self.n_nodes - 1)  # node carries a non-zero signal
            for i in range(1, self.n_nodes):
                for j in range(i):
                    k = eidx[(i, j)]
                    if not live_in[j]:
                        r[k] = zero
                    elif r[k] != zero:
                        live_in[i] = True
            live_out = [False] * (self.n_nodes - 1) + [True]  # node reaches the output
            for j in range(self.n_nodes - 2, -1, -1):
                live_out[j] = any(r[eidx[(i, j)]] != zero and live_out[i] for i in range(j + 1, self.n_nodes))
            for (i, _j), k in eidx.items():
                if not live_out[i]:
                    r[k] = zero
        return X

    def canonical(self, X) -> np.ndarray:
        X = self.check_rows(X)
        if self.n_rows <= 2_000_000:
            table = self._canonical_table()
            rows = np.indices(tuple(int(c) for c in self.n_choices)).reshape(self.n_decisions, -1).T
            return np.ascontiguousarray(rows[table[self._row_index(X)]], dtype=np.int64)
        return self._prune(X)

    # ------------------------------------------------------------ feature views
    @property
    def _node_types(self) -> tuple[str, ...]:
        return ("input", "output") + self.ops

    def _graph(self, X):
        """Node-labelled DAG: input, one node per edge labelled by its op, output.

        An edge node ``j -> i`` feeds every edge node leaving node ``i`` (or the
        output node when ``i`` is the cell output); edges leaving node 0 are fed
        by the input node.
        """
        X = self.check_rows(X, require_valid=False)
        n, E = X.shape
        N = E + 2
        A = np.zeros((N, N), dtype=np.float32)
        for a, (i, j) in enumerate(self.edges):
            if j == 0:
                A[0, a + 1] = 1.0
            if i == self.n_nodes - 1:
                A[a + 1, N - 1] = 1.0
            for b, (_i2, j2) in enumerate(self.edges):
                if j2 == i:
                    A[a + 1, b + 1] = 1.0
        F = np.zeros((n, N, 2 + len(self.ops)), dtype=np.float32)
        F[:, 0, 0] = 1.0
        F[:, -1, 1] = 1.0
        F[np.arange(n)[:, None], np.arange(1, E + 1)[None, :], 2 + X] = 1.0
        return np.broadcast_to(A, (n, N, N)).copy(), F

    def _graph_torch(self, Z):
        n = Z.shape[0]
        A0, _ = self._graph(np.zeros((1, self.n_decisions), dtype=np.int64))
        A = Z.new_tensor(A0[0]).expand(n, -1, -1)
        k = len(self.ops)
        ops = Z.reshape(n, self.n_decisions, k)
        F = Z.new_zeros((n, self.n_decisions + 2, 2 + k))
        F[:, 0, 0] = 1.0
        F[:, 1:-1, 2:] = ops
        F[:, -1, 1] = 1.0
        return A, F

    def _path_index(self):
        """Structural input->output paths (as edge-index tuples) and the feature offset per length."""
        eidx = {edge: k for k, edge in enumerate(self.edges)}
        paths = []
        last = self.n_nodes - 1
        for length in range(1, self.n_nodes):
            for mids in itertools.combinations(range(1, last), length - 1):
                nodes = (0, *mids, last)
                paths.append(tuple(eidx[(nodes[t + 1], nodes[t])] for t in range(length)))
        return paths

    def _paths(self, X) -> np.ndarray:
        """BANANAS path encoding: counts of input->output paths per sequence of (non-zero) ops."""
        X = self.check_rows(X, require_valid=False)
        live = [k for k, o in enumerate(self.ops) if o != self.zero_op]
        pos = {o: t for t, o in enumerate(live)}
        L = len(live)
        offsets = np.cumsum([0] + [L**length for length in range(1, self.n_nodes)])
        out = np.zeros((len(X), int(offsets[-1])), dtype=np.float32)
        for path in self._path_index():
            ops = X[:, list(path)]
            ok = np.all(np.isin(ops, live), axis=1)
            code = np.zeros(len(X), dtype=np.int64)
            for t in range(len(path)):
                code = code * L + np.vectorize(lambda o: pos.get(o, 0))(ops[:, t]) if len(X) else code
            rows = np.flatnonzero(ok)
            np.add.at(out, (rows, offsets[len(path) - 1] + code[rows]), 1.0)
        return out


class NASBench201Space(CellSpace):
    """The NAS-Bench-201 / NATS-Bench topology space: 4 nodes, 6 edges, 5 ops, 15,625 cells.

    Rows are the six op indices in string order (``none=0, skip_connect=1,
    nor_conv_1x1=2, nor_conv_3x3=3, avg_pool_3x3=4``), the same digits as the
    benchmark's ``op_code``.

    Parameters
    ----------
    n_classes : int, default=10
        Classes of the classifier head (10 for CIFAR-10, 100 for CIFAR-100,
        120 for ImageNet16-120), used by ``cost(space, X, "params")``.
    input_size : int, default=32
        Image side length (32 for CIFAR, 16 for ImageNet16-120), used by ``cost(space, X, "flops")``.
    C : int, default=16
        Channels of the first stage.
    N : int, default=5
        Cells per stage.

    Examples
    --------
    >>> from sknas.spaces import NASBench201Space
    >>> space = NASBench201Space()
    >>> s = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    >>> row = space.from_string(s)
    >>> row.tolist()
    [3, 3, 4, 1, 3, 1]
    """

    name = "nasbench201"

    def __init__(self, n_classes: int = 10, input_size: int = 32, C: int = 16, N: int = 5):
        super().__init__(4, NB201_OPS)
        sizes = {"n_classes": n_classes, "input_size": input_size, "C": C, "N": N}
        self.n_classes, self.input_size, self.C, self.N = (check_int(v, name) for name, v in sizes.items())

    def _key(self):
        return (self.n_classes, self.input_size, self.C, self.N)

    def __repr__(self) -> str:
        return "NASBench201Space()"

    def _stages(self) -> list[tuple[int, int]]:
        """``(channels, feature-map side)`` of the three stages."""
        return [(self.C * 2**s, self.input_size // 2**s) for s in range(3)]

    def _network_costs(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Analytic (params, multiply-adds) of the NB201 macro network for each row."""
        X = self.check_rows(X, require_valid=False)
        n_conv1 = (X == NB201_OPS.index("nor_conv_1x1")).sum(axis=1)
        n_conv3 = (X == NB201_OPS.index("nor_conv_3x3")).sum(axis=1)
        params, flops = (np.zeros(len(X)) + v for v in conv_bn_costs(3, self.C, 3, self.input_size))  # stem
        for stage, (c, h) in enumerate(self._stages()):
            if stage > 0:  # ResNet basic block with stride 2: two ReLU-conv3x3-BN and a 1x1 shortcut conv
                cin = c // 2
                pa, fa = conv_bn_costs(cin, c, 3, h)
                pb, fb = conv_bn_costs(c, c, 3, h)
                params += pa + pb + cin * c
                flops += fa + fb + cin * c * h * h
            p1, f1 = conv_bn_costs(c, c, 1, h)
            p3, f3 = conv_bn_costs(c, c, 3, h)
            params += self.N * (n_conv1 * p1 + n_conv3 * p3)
            flops += self.N * (n_conv1 * f1 + n_conv3 * f3)
        last, K = 4 * self.C, self.n_classes
        params += 2 * last + last * K + K  # final BN, classifier
        flops += last * K
        return params / 1e6, flops / 1e6

    def _node_type_costs(self, X) -> np.ndarray:
        """Per-node ``(params, FLOPs)`` of one cell of each of the three stages, under every node type.

        The groups are the stages (``C``, ``2C``, ``4C`` channels on feature maps of side
        ``input_size``, its half and its quarter; the ``N`` cells of a stage cost the same). The op
        nodes of :func:`~sknas.encodings.graph` cost: ``nor_conv_3x3`` and ``nor_conv_1x1`` (ReLU-conv-BN, ``c -> c``)
        their weights plus the batch norm's ``2c`` and ``k*k*c*c*side*side`` multiply-adds;
        ``avg_pool_3x3`` no parameters and ``9*c*side*side`` operations; ``skip_connect``, ``none``,
        the input and the output nothing. Summed over the nodes, times ``N``, over the stages, plus the
        stem, the reduction blocks and the head, the parameters are ``cost(space, X, "params")``; the FLOPs are
        ``cost(space, X, "flops")`` plus the pooling operations (which ``cost(space, X, "flops")`` does not count).

        Returns
        -------
        costs : ndarray of shape (n_samples, 3, 8, 7, 2), float64
            See :func:`~sknas.spaces.node_type_costs`.
        """
        X = self.check_rows(X, require_valid=False)
        types = self._node_types
        per_type = np.zeros((3, len(types), 2))
        for g, (c, h) in enumerate(self._stages()):
            per_type[g, types.index("nor_conv_1x1")] = conv_bn_costs(c, c, 1, h)
            per_type[g, types.index("nor_conv_3x3")] = conv_bn_costs(c, c, 3, h)
            per_type[g, types.index("avg_pool_3x3"), 1] = pool_flops(c, 3, h)
        out = np.zeros((len(X), 3, self.n_decisions + 2, len(types), 2))
        out[:, :, 1:-1] = per_type[None, :, None] / 1e6  # the op nodes; input and output cost nothing
        return out

    def _params(self, X) -> np.ndarray:
        """Parameters (millions) of the NB201 network (C, N, n_classes of this space)."""
        return self._network_costs(X)[0]

    def _flops(self, X) -> np.ndarray:
        """Multiply-adds (millions) of the NB201 network at ``input_size`` (convolutions and classifier)."""
        return self._network_costs(X)[1]
