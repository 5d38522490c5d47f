"""The DARTS / NAS-Bench-301 cell space: a normal and a reduction cell of four nodes each."""

from __future__ import annotations

import ast
import itertools

import numpy as np

from ..utils import Instance, is_int, short_repr
from ._base import Space

__all__ = ["DARTSSpace", "DARTS_OPS"]

#: the seven DARTS operations, in NASLib's order (the op indices of NAS-Bench-301's compact genotypes)
DARTS_OPS = (
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)

_CELLS = ("normal", "reduce")
_N_NODES = 4  # intermediate nodes per cell
_N_OPS = len(DARTS_OPS)
_PER_CELL = 4 * _N_NODES  # decisions per cell: per node two (input, op) pairs
_CONCAT = [2, 3, 4, 5]
# graph view: per cell the two inputs, then per intermediate node its two op nodes and its sum node, then the output
_CELL_GRAPH = 2 + 3 * _N_NODES + 1
_NODE_TYPES = ("input", "output", "sum") + DARTS_OPS
_MAX_PATH = _N_NODES  # longest input -> output path, in ops


def _op_node(i: int, k: int) -> int:
    """Graph position (within a cell) of the op node of pair ``k`` of intermediate node ``i``."""
    return 2 + 3 * i + k


def _sum_node(i: int) -> int:
    """Graph position (within a cell) of intermediate node ``i``'s sum node."""
    return 2 + 3 * i + 2


def _source_node(j: int) -> int:
    """Graph position (within a cell) of the state an input index ``j`` refers to."""
    return j if j < 2 else _sum_node(j - 2)


class DARTSSpace(Space):
    """The DARTS search space of NAS-Bench-301: a normal and a reduction cell.

    Each cell has two inputs (states 0 and 1: the outputs of the two previous
    cells) and four intermediate nodes (states 2..5). Intermediate node ``i``
    (state ``i + 2``) sums two ``(input, op)`` pairs, whose inputs are two
    distinct earlier states ``0..i+1``; the op is one of :data:`DARTS_OPS`.
    The cell output concatenates the four intermediate nodes.

    A row has 32 decisions: for each cell (normal, then reduce), for each
    intermediate node ``n2..n5``, for each of its two pairs: the input, then
    the op. Decisions are named ``"{cell}_n{state}_in{k}"`` and
    ``"{cell}_n{state}_op{k}"``, e.g. ``"normal_n2_in0"``, ``"normal_n2_op0"``,
    ``"normal_n2_in1"``, ... ``"reduce_n5_op1"``. Input decisions take the state
    indices as labels (ints), op decisions the op names. Flattening a row gives
    NASLib's compact genotype: ``[normal, reduce]``, each a list of eight
    ``(input, op_index)`` pairs (see :meth:`to_genotype`).

    Parameters
    ----------
    merge_isomorphic : bool, default=True
        Whether :meth:`canonical` also identifies cells that differ only by a
        renumbering of their intermediate nodes (see Notes).

    Notes
    -----
    Validity: the two inputs of a node must differ, as in every DARTS genotype
    (DARTS keeps the two strongest distinct predecessors of each node). All
    725 genotypes of the NAS-Bench-301 sample satisfy this.

    Equivalence (:meth:`canonical`): the two pairs of a node are summed, so
    their order is irrelevant; each node's pairs are sorted. With
    ``merge_isomorphic`` the four intermediate nodes may also be renumbered in
    any order compatible with their dependencies: the cell then computes the
    same states, only concatenated in another channel order, which the
    following 1x1 preprocessing convolutions and the classifier absorb (the
    two networks have the same function class and, with i.i.d. weight
    initialisation, the same training distribution). The representative is the
    lexicographically smallest row of the class (each cell independently).
    Not merged: ``skip_connect`` is not treated as an identity (in the
    reduction cell it is a strided factorised reduction), and no op is
    treated as zero, so no further computation-level equivalences are assumed.

    Cost models (``cost(space, X, "params")``, ``cost(space, X, "flops")``) are not provided: use the
    ``params`` / ``flops`` columns of :func:`sknas.datasets.load_nasbench301_sample`.

    Examples
    --------
    >>> from sknas.spaces import DARTSSpace
    >>> space = DARTSSpace()
    >>> space.n_decisions
    32
    >>> g = [[(0, 3), (1, 3), (0, 3), (1, 3), (1, 3), (0, 3), (1, 3), (2, 5)],
    ...      [(0, 0), (1, 0), (2, 2), (1, 0), (0, 0), (2, 2), (2, 2), (1, 0)]]
    >>> row = space.from_genotype(g)
    >>> space.to_genotype(row) == g
    True
    >>> space.to_string(row)[:60]
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ("
    """

    name = "darts"

    def __init__(self, merge_isomorphic: bool = True):
        self.merge_isomorphic = bool(Instance((bool, np.bool_))("merge_isomorphic", merge_isomorphic))
        self.ops = DARTS_OPS
        decisions = {}
        for cell in _CELLS:
            for i in range(_N_NODES):
                for k in range(2):
                    decisions[f"{cell}_n{i + 2}_in{k}"] = list(range(i + 2))
                    decisions[f"{cell}_n{i + 2}_op{k}"] = list(DARTS_OPS)
        super().__init__(decisions)
        cols = np.arange(self.n_decisions)
        self._in_cols = cols[0::2].reshape(2, _N_NODES, 2)  # [cell, node, k] -> column of the input decision
        self._op_cols = cols[1::2].reshape(2, _N_NODES, 2)
        self._graph_maps = None
        self._perms = None

    def _key(self):
        return (self.merge_isomorphic,)

    def __repr__(self) -> str:
        return "DARTSSpace()" if self.merge_isomorphic else "DARTSSpace(merge_isomorphic=False)"

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_graph_maps"] = None
        return state

    # -------------------------------------------------------------- validity
    def _valid_mask(self, X: np.ndarray) -> np.ndarray:
        ins = X[:, self._in_cols]  # (n, cell, node, k)
        return np.all(ins[..., 0] != ins[..., 1], axis=(1, 2))

    def explain_invalid(self, row) -> str:
        """Say why ``row`` is not a valid DARTS architecture (empty string when it is valid)."""
        row = np.asarray(row).reshape(-1)
        if row.shape != (self.n_decisions,):
            return f"it has {row.size} decisions instead of {self.n_decisions}"
        for c, cell in enumerate(_CELLS):
            for i in range(_N_NODES):
                a, b = (row[self._in_cols[c, i, k]] for k in range(2))
                if a == b:
                    return (
                        f"node {i + 2} of the {cell} cell takes input {int(a)} twice (decisions {cell}_n{i + 2}_in0 "
                        f"and {cell}_n{i + 2}_in1); a DARTS node needs two distinct inputs"
                    )
        return ""

    def _sample_raw(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Uniform valid rows: each node draws an ordered pair of distinct inputs and two ops."""
        X = np.empty((n, self.n_decisions), dtype=np.int64)
        X[:, self._op_cols.reshape(-1)] = rng.integers(_N_OPS, size=(n, 2 * _N_NODES * 2))
        for c in range(2):
            for i in range(_N_NODES):
                m = i + 2
                a = rng.integers(m, size=n)
                b = rng.integers(m - 1, size=n)
                b = b + (b >= a)  # uniform over the m - 1 inputs other than a
                X[:, self._in_cols[c, i, 0]] = a
                X[:, self._in_cols[c, i, 1]] = b
        return X

    # ----------------------------------------------------------- native forms
    def to_genotype(self, row) -> list[list[tuple[int, int]]]:
        """NASLib's compact genotype ``[normal, reduce]``, each eight ``(input, op_index)`` pairs.

        Parameters
        ----------
        row : array-like of shape (32,)
            One architecture.

        Returns
        -------
        genotype : list of two lists of eight (int, int) tuples
        """
        row = self.check_rows(row, name="row", require_valid=False)[0]
        return [
            [(int(row[c * _PER_CELL + 2 * p]), int(row[c * _PER_CELL + 2 * p + 1])) for p in range(2 * _N_NODES)]
            for c in range(2)
        ]

    def from_genotype(self, genotype) -> np.ndarray:
        """Row of a genotype.

        Parameters
        ----------
        genotype : sequence, str or DARTS ``Genotype``
            NASLib's compact form ``[normal, reduce]`` with eight ``(input,
            op_index)`` pairs per cell (also as its string, e.g. a key of
            the NAS-Bench-301 sample file), or an object with ``normal`` and
            ``reduce`` attributes holding DARTS's ``(op_name, input)`` pairs
            (a DARTS ``Genotype`` namedtuple).

        Returns
        -------
        row : ndarray of shape (32,)

        Raises
        ------
        ValueError
            On a malformed genotype, an unknown op, an input out of range or
            a node whose two inputs are equal.
        """
        if hasattr(genotype, "normal") and hasattr(genotype, "reduce"):
            return self._from_named_pairs({"normal": genotype.normal, "reduce": genotype.reduce},
                                          short_repr(genotype))
        text = short_repr(genotype)
        if isinstance(genotype, str):
            try:
                genotype = ast.literal_eval(genotype)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                raise ValueError(
                    f"malformed genotype string {text}: not a Python literal [normal, reduce] of (input, op) pairs"
                ) from None
        if not isinstance(genotype, (list, tuple)) or len(genotype) != 2:
            raise ValueError(f"malformed genotype {text}: expected [normal, reduce], two lists of 8 (input, op) pairs")
        row = []
        for c, cell in enumerate(genotype):
            name = _CELLS[c]
            if not isinstance(cell, (list, tuple)) or len(cell) != 2 * _N_NODES:
                raise ValueError(f"malformed genotype {text}: the {name} cell must be a list of 8 (input, op) pairs")
            for p, pair in enumerate(cell):
                if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                    raise ValueError(f"malformed genotype {text}: {name} pair {p} is {short_repr(pair)}, "
                                     "not an (input, op) pair")
                src, op = pair
                if not is_int(op):
                    raise ValueError(f"malformed genotype {text}: {name} pair {p} has op {short_repr(op)}, "
                                     "not an op index")
                if not 0 <= op < _N_OPS:
                    raise ValueError(
                        f"unknown op index {short_repr(op)} in {name} pair {p} of {text}; accepted 0..{_N_OPS - 1} "
                        f"({list(DARTS_OPS)})"
                    )
                row += [self._check_input(src, name, p, text), int(op)]
        return self._checked(row, text)

    def to_string(self, row) -> str:
        """DARTS ``Genotype`` string of one row (the ``str`` of DARTS's ``Genotype`` namedtuple).

        The form is ``Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5],
        reduce=[...], reduce_concat=[2, 3, 4, 5])``: pairs are ``(op_name, input)``
        in row order (node 2's two pairs first).
        """
        g = self.to_genotype(row)
        cells = [", ".join(f"({DARTS_OPS[op]!r}, {src})" for src, op in cell) for cell in g]
        return (
            f"Genotype(normal=[{cells[0]}], normal_concat={_CONCAT}, "
            f"reduce=[{cells[1]}], reduce_concat={_CONCAT})"
        )

    def from_string(self, s: str) -> np.ndarray:
        """Parse a DARTS ``Genotype`` string (as written by :meth:`to_string`) to a row.

        Keyword or positional fields are accepted, concat lists may also be
        written ``range(2, 6)``; a string starting with ``[`` is read as
        NASLib's compact genotype (see :meth:`from_genotype`).

        Raises
        ------
        ValueError
            On a malformed string, an unknown op, an input out of range, a
            concat other than ``[2, 3, 4, 5]`` or a node with equal inputs.
        """
        if not isinstance(s, str):
            raise TypeError(f"architecture string must be str; got {type(s).__name__}")
        if s.lstrip().startswith("["):
            return self.from_genotype(s)
        try:
            tree = ast.parse(s.strip(), mode="eval").body
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            raise ValueError(f"malformed genotype string {short_repr(s)}: not a Genotype(...) expression "
                             f"({short_repr(exc)})") from None
        if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "Genotype"):
            raise ValueError(f"malformed genotype string {short_repr(s)}: expected 'Genotype(normal=[...], ...)'")
        fields = ("normal", "normal_concat", "reduce", "reduce_concat")
        if len(tree.args) > len(fields):
            raise ValueError(f"malformed genotype string {short_repr(s)}: Genotype takes at most 4 fields "
                             f"{list(fields)}")
        given = dict(zip(fields, tree.args))
        for kw in tree.keywords:
            if kw.arg not in fields:
                raise ValueError(f"malformed genotype string {short_repr(s)}: unknown field {kw.arg!r}; "
                                 f"fields: {list(fields)}")
            if kw.arg in given:
                raise ValueError(f"malformed genotype string {short_repr(s)}: field {kw.arg!r} given twice")
            given[kw.arg] = kw.value
        missing = [f for f in fields if f not in given]
        if missing:
            raise ValueError(f"malformed genotype string {short_repr(s)}: missing field(s) {missing}")
        values = {}
        for f in fields:
            node = given[f]
            if f.endswith("_concat") and isinstance(node, ast.Call):
                values[f] = _literal_range(node, s)
                continue
            try:
                values[f] = ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                raise ValueError(f"malformed genotype string {short_repr(s)}: field {f!r} is not a literal "
                                 "list") from None
        for f in ("normal_concat", "reduce_concat"):
            if not isinstance(values[f], (list, tuple)) or list(values[f]) != _CONCAT:  # a range: never range(2, 6)
                raise ValueError(
                    f"genotype string {short_repr(s)} has {f}={short_repr(values[f])}; this space concatenates all "
                    f"four intermediate nodes, {_CONCAT}"
                )
        return self._from_named_pairs({"normal": values["normal"], "reduce": values["reduce"]}, short_repr(s))

    def _from_named_pairs(self, cells, text: str) -> np.ndarray:
        """Row from DARTS ``(op_name, input)`` pairs per cell."""
        row = []
        for name in _CELLS:
            cell = cells[name]
            if not isinstance(cell, (list, tuple)) or len(cell) != 2 * _N_NODES:
                raise ValueError(
                    f"malformed genotype {text}: {name} must be a list of 8 (op, input) pairs, two per node"
                )
            for p, pair in enumerate(cell):
                if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                    raise ValueError(f"malformed genotype {text}: {name} pair {p} is {short_repr(pair)}, "
                                     "not an (op, input) pair")
                op, src = pair
                if not isinstance(op, str):
                    raise ValueError(f"malformed genotype {text}: {name} pair {p} has op {short_repr(op)}, "
                                     "not an op name")
                if op not in DARTS_OPS:
                    raise ValueError(f"unknown op {short_repr(op)} in {name} pair {p} of {text}; "
                                     f"accepted ops: {list(DARTS_OPS)}")
                row += [self._check_input(src, name, p, text), DARTS_OPS.index(op)]
        return self._checked(row, text)

    @staticmethod
    def _check_input(src, cell: str, p: int, text: str) -> int:
        node = p // 2 + 2
        if not is_int(src):
            raise ValueError(f"malformed genotype {text}: {cell} pair {p} has input {short_repr(src)}, "
                             "not a state index")
        if not 0 <= src < node:
            raise ValueError(
                f"{cell} pair {p} of {text} feeds node {node} from input {short_repr(src)}; "
                f"node {node} accepts inputs 0..{node - 1}"
            )
        return int(src)

    def _checked(self, row, text: str) -> np.ndarray:
        row = np.asarray(row, dtype=np.int64)
        if not self._valid_mask(row[None, :])[0]:
            raise ValueError(f"genotype {text} is not a valid DARTS architecture: {self.explain_invalid(row)}")
        return row

    # ------------------------------------------------------------ equivalence
    def _orders(self) -> list[tuple[int, ...]]:
        if self._perms is None:
            self._perms = list(itertools.permutations(range(_N_NODES)))
        return self._perms

    def canonical(self, X) -> np.ndarray:
        """Canonical rows: each node's two pairs sorted; with ``merge_isomorphic``, nodes renumbered.

        See the class Notes. Each cell becomes the lexicographically smallest
        equivalent cell; the map is idempotent.
        """
        X = self.check_rows(X)
        out = X.copy()
        n = len(X)
        for c in range(2):
            block = X[:, c * _PER_CELL:(c + 1) * _PER_CELL].reshape(n, _N_NODES, 2, 2)  # node, k, (input, op)
            orders = self._orders() if self.merge_isomorphic else [tuple(range(_N_NODES))]
            best = None
            best_key = None
            for order in orders:
                # new node q is old node order[q]; old state 2 + order[q] becomes state 2 + q
                relabel = np.arange(2 + _N_NODES)
                relabel[2 + np.asarray(order)] = 2 + np.arange(_N_NODES)
                cand = block[:, list(order)].copy()
                cand[..., 0] = relabel[cand[..., 0]]
                ok = np.all(cand[..., 0] < (np.arange(_N_NODES) + 2)[None, :, None], axis=(1, 2))
                code = cand[..., 0] * _N_OPS + cand[..., 1]  # (n, node, k), sortable pair codes
                swap = code[..., 0] > code[..., 1]
                cand[swap] = cand[swap][:, ::-1]
                code = np.sort(code, axis=2)
                key = np.zeros(n, dtype=np.int64)
                for v in code.reshape(n, -1).T:
                    key = key * (_N_OPS * (2 + _N_NODES)) + v
                key = np.where(ok, key, np.iinfo(np.int64).max)
                if best is None:
                    best, best_key = cand, key
                else:
                    better = key < best_key
                    best[better] = cand[better]
                    best_key = np.minimum(best_key, key)
            out[:, c * _PER_CELL:(c + 1) * _PER_CELL] = best.reshape(n, _PER_CELL)
        return out

    # ------------------------------------------------------------------ repair
    def repair(self, X, scores=None) -> np.ndarray:
        """Give every node two distinct inputs (valid rows are returned unchanged).

        Parameters
        ----------
        X : array-like of shape (n, 32)
            In-range rows.
        scores : array-like of shape (n, n_features_onehot), default=None
            Scores of every choice (e.g. relaxed rows, see :func:`~sknas.encodings.relax`). A
            node with equal inputs takes the pair of distinct inputs with the
            highest summed score of its two input decisions. Without scores
            the first input is kept and the second becomes the smallest other
            input. Ops are never changed.

        Returns
        -------
        X : ndarray of shape (n, 32)
        """
        X = self.check_rows(X, require_valid=False).copy()
        if scores is not None:
            scores = self._check_scores(scores, len(X))
        for c in range(2):
            for i in range(_N_NODES):
                j0, j1 = self._in_cols[c, i]
                bad = np.flatnonzero(X[:, j0] == X[:, j1])
                if not len(bad):
                    continue
                m = i + 2
                if scores is None:
                    a = X[bad, j0]
                    X[bad, j1] = np.where(a == 0, 1, 0)
                    continue
                s0 = scores[bad, self._offsets[j0]:self._offsets[j0] + m]
                s1 = scores[bad, self._offsets[j1]:self._offsets[j1] + m]
                total = s0[:, :, None] + s1[:, None, :]
                total[:, np.arange(m), np.arange(m)] = -np.inf
                flat = total.reshape(len(bad), -1).argmax(axis=1)
                X[bad, j0], X[bad, j1] = flat // m, flat % m
        return X

    # ------------------------------------------------------------ feature views
    @property
    def _node_types(self) -> tuple[str, ...]:
        """``("input", "output", "sum")`` followed by the seven ops."""
        return _NODE_TYPES

    @property
    def n_graph_nodes(self) -> int:
        """Number of nodes of the graph view (15 per cell, 30 in all)."""
        return 2 * _CELL_GRAPH

    def _graph(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Node-labelled DAG of both cells, as one block-diagonal graph of 30 nodes.

        Each cell contributes 15 nodes, in topological order: its two inputs
        (type ``input``), then for each intermediate node ``n2..n5`` its two op
        nodes (labelled by their op) followed by its ``sum`` node, then the
        ``output`` node. An op node is fed by the state its input names (a cell
        input or an earlier sum node) and feeds its node's sum; every sum node
        feeds the output (the concatenation). Nodes 0..14 are the normal cell,
        15..29 the reduction cell; the cells are not connected, so models that
        pool over nodes tell them apart only through node positions.

        Returns
        -------
        A : ndarray of shape (n, 30, 30)
            ``A[k, i, j] = 1`` when node ``i`` feeds node ``j``.
        F : ndarray of shape (n, 30, 10)
            One-hot node types (see :func:`~sknas.encodings.node_types`).
        """
        X = self.check_rows(X, require_valid=False)
        n = len(X)
        N = self.n_graph_nodes
        A = np.zeros((n, N, N), dtype=np.float32)
        F = np.zeros((n, N, len(_NODE_TYPES)), dtype=np.float32)
        rows = np.arange(n)
        src_of = np.array([_source_node(j) for j in range(2 + _N_NODES)])
        for c in range(2):
            base = c * _CELL_GRAPH
            F[:, base + 0, 0] = F[:, base + 1, 0] = 1.0
            F[:, base + _CELL_GRAPH - 1, 1] = 1.0
            for i in range(_N_NODES):
                s = base + _sum_node(i)
                F[:, s, 2] = 1.0
                A[:, s, base + _CELL_GRAPH - 1] = 1.0
                for k in range(2):
                    o = base + _op_node(i, k)
                    A[rows, base + src_of[X[:, self._in_cols[c, i, k]]], o] = 1.0
                    A[:, o, s] = 1.0
                    F[rows, o, 3 + X[:, self._op_cols[c, i, k]]] = 1.0
        return A, F

    def _graph_linear_maps(self):
        """Constant maps with ``A = Z @ MA + A0`` and ``F = Z @ MF + F0`` (flattened)."""
        if self._graph_maps is None:
            N, T = self.n_graph_nodes, len(_NODE_TYPES)
            MA = np.zeros((int(self._offsets[-1]), N * N), dtype=np.float64)
            MF = np.zeros((int(self._offsets[-1]), N * T), dtype=np.float64)
            A0 = np.zeros((N, N))
            F0 = np.zeros((N, T))
            for c in range(2):
                base = c * _CELL_GRAPH
                F0[base + 0, 0] = F0[base + 1, 0] = F0[base + _CELL_GRAPH - 1, 1] = 1.0
                for i in range(_N_NODES):
                    s = base + _sum_node(i)
                    F0[s, 2] = 1.0
                    A0[s, base + _CELL_GRAPH - 1] = 1.0
                    for k in range(2):
                        o = base + _op_node(i, k)
                        A0[o, s] = 1.0
                        off_in = self._offsets[self._in_cols[c, i, k]]
                        for j in range(i + 2):
                            MA[off_in + j, (base + _source_node(j)) * N + o] = 1.0
                        off_op = self._offsets[self._op_cols[c, i, k]]
                        for t in range(_N_OPS):
                            MF[off_op + t, o * T + 3 + t] = 1.0
            self._graph_maps = (MA, MF, A0.reshape(-1), F0.reshape(-1))
        return self._graph_maps

    def _graph_torch(self, Z):
        """Differentiable graph view of relaxed rows (see :func:`~sknas.encodings.graph`).

        ``A[src, op_node]`` is the probability that the op node's input
        decision picks ``src``; the op rows of ``F`` are the op decision's
        probabilities; all other entries are constant. For one-hot ``Z``
        (``relax(X)``) the result equals ``graph(X)``.

        Parameters
        ----------
        Z : torch.Tensor of shape (n, n_features_onehot)
            Relaxed rows.

        Returns
        -------
        A : torch.Tensor of shape (n, 30, 30)
        F : torch.Tensor of shape (n, 30, 10)
        """
        if Z.ndim != 2 or Z.shape[1] != int(self._offsets[-1]):
            raise ValueError(f"Z must have shape (n, {int(self._offsets[-1])}); got {tuple(Z.shape)}")
        MA, MF, A0, F0 = self._graph_linear_maps()
        N, T = self.n_graph_nodes, len(_NODE_TYPES)
        A = Z @ Z.new_tensor(MA) + Z.new_tensor(A0)
        F = Z @ Z.new_tensor(MF) + Z.new_tensor(F0)
        return A.reshape(-1, N, N), F.reshape(-1, N, T)

    # ------------------------------------------------------------------ paths
    @property
    def n_features_paths(self) -> int:
        """Width of the path encoding: 2 cells x 2 inputs x (7 + 7**2 + 7**3 + 7**4) op sequences."""
        return 2 * 2 * sum(_N_OPS**length for length in range(1, _MAX_PATH + 1))

    def _paths(self, X) -> np.ndarray:
        """BANANAS path encoding: counts of input -> output paths per op sequence, per cell and input.

        Every intermediate node is concatenated into the cell output, so each
        path from a cell input to any intermediate node is an input -> output
        path; it passes 1 to 4 ops. The features count, for each cell
        (normal, reduce), each cell input (0, 1) and each op sequence of
        length 1..4 (base-7 code, shortest first), the paths carrying that
        sequence. Sorting a node's pairs or renumbering its intermediate nodes
        leaves the encoding unchanged.

        Returns
        -------
        P : ndarray of shape (n, 11200), dtype float32
        """
        X = self.check_rows(X, require_valid=False)
        per_input = sum(_N_OPS**length for length in range(1, _MAX_PATH + 1))
        len_off = np.cumsum([0] + [_N_OPS**length for length in range(1, _MAX_PATH)])
        out = np.zeros((len(X), self.n_features_paths), dtype=np.float32)
        for r, row in enumerate(X):
            for c in range(2):
                # paths[state] = list of (cell input, length, code) for paths ending at that state
                ending: list[list[tuple[int, int, int]]] = [[(0, 0, 0)], [(1, 0, 0)]]
                for i in range(_N_NODES):
                    here = []
                    for k in range(2):
                        src = row[self._in_cols[c, i, k]]
                        op = row[self._op_cols[c, i, k]]
                        here += [(s, length + 1, code * _N_OPS + op) for s, length, code in ending[src]]
                    ending.append(here)
                    for s, length, code in here:
                        out[r, (2 * c + s) * per_input + len_off[length - 1] + code] += 1.0
        return out


def _literal_range(node: ast.Call, s: str) -> range | list[int]:
    """Evaluate a ``range(a, b)`` call node with literal int arguments.

    A range other than the four intermediate nodes comes back as the ``range`` itself (its repr is short and
    it allocates nothing, however long: ``range(0, 30000000)`` must not build a list before it is refused).
    """
    if not (isinstance(node.func, ast.Name) and node.func.id == "range" and not node.keywords
            and 1 <= len(node.args) <= 3):
        raise ValueError(f"malformed genotype string {short_repr(s)}: a concat must be a list or range(2, 6)")
    try:
        args = [ast.literal_eval(a) for a in node.args]
    except (ValueError, TypeError, SyntaxError):
        raise ValueError(f"malformed genotype string {short_repr(s)}: range() arguments must be integers") from None
    if not all(is_int(a) for a in args):
        raise ValueError(f"malformed genotype string {short_repr(s)}: range() arguments must be integers")
    try:
        r = range(*args)
    except ValueError:  # range(0, 5, 0)
        raise ValueError(f"malformed genotype string {short_repr(s)}: range() step must not be zero") from None
    return list(r) if r == range(2, 2 + _N_NODES) else r

