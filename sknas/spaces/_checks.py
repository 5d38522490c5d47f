"""``check_space``: the laws every search space obeys, checked on sampled rows."""

from __future__ import annotations

import pickle

import numpy as np

from ..utils import Instance, check_int, rng_from, short_repr
from ._base import Space
from ._costs import cost, has_cost

__all__ = ["check_space"]

#: spaces with at most this many rows (valid or not) are enumerated whole
_MAX_CHECK_ENUMERATE = 200_000


def check_space(space: Space, *, n_samples: int = 64, random_state=0) -> None:
    """Check that a search space obeys the laws of the :class:`Space` contract.

    The counterpart of scikit-learn's ``check_estimator`` for spaces: run it on
    a space you wrote (a subclass of :class:`Space` or :class:`CategoricalSpace`)
    before handing it to predictors, proposers and samplers, which rely on
    these laws. The laws are checked on ``n_samples`` sampled rows, on as many
    random in-range rows (valid or not) and on random relaxed rows:

    * ``sample``: rows of the right shape, reproducible with a seed;
      ``is_valid`` and ``check_rows`` accept them, and reject out-of-range
      indices and rows of the wrong length;
    * ``explain_invalid``: ``""`` exactly for valid rows (and ``check_rows``
      raises ``ValueError`` on the others); ``repair`` returns valid rows and
      leaves valid rows unchanged;
    * the relaxed layout (:func:`sknas.encodings.onehot`, ``relax``,
      ``project``): one 1 per decision, at the chosen choice;
      ``project(relax(X)) == X`` and ``project`` of any relaxed rows is valid
      (so ``repair`` guided by ``scores`` gives valid rows);
    * the graph and path hooks: ``_graph`` gives shapes that agree with
      ``_node_types``, and ``_graph_torch(torch.tensor(relax(X)))`` equals
      ``_graph(X)`` (``A`` and ``F``, to float tolerance); ``_paths`` is a
      finite 2-D array;
    * ``canonical``: valid rows, idempotent, consistent with ``row_keys``
      (equal keys iff equal canonical rows; ``row_keys(canonical(X)) ==
      row_keys(X)``); ``unique`` keeps the first row of each key;
    * ``neighbours``: distinct valid rows, each one decision away from the
      row; ``mutate`` returns a neighbour (or the row itself when it has none);
    * round trips: ``params_to_row(row_to_params(row)) == row``;
      ``from_string(to_string(row))`` and ``from_strings(to_strings(X))`` give
      the rows or equivalent ones (same ``row_keys``);
    * ``distributions``: one Optuna categorical per decision, with its choices;
    * ``enumerate`` (only when the space has at most 200,000 rows): distinct
      valid rows in lexicographic order, among them every sampled row;
    * costs: the hooks ``_params`` and ``_flops``, when the space defines
      them, are finite and non-negative, and :func:`cost` agrees with them;
    * pickling: the copy equals the space, has the same hash and the same
      canonical rows.

    Parameters
    ----------
    space : Space
        The space to check.
    n_samples : int, default=64
        Rows sampled (and random in-range rows drawn) for the checks.
    random_state : int, RandomState, Generator or None, default=0
        Seed of the rows checked.

    Raises
    ------
    AssertionError
        At the first law the space breaks, naming the law and, where there is
        one, a counterexample row (the error's ``law`` attribute holds the
        law's name). An exception raised by the space while a law is checked
        becomes such an ``AssertionError`` too.
    TypeError
        When ``space`` is not a :class:`Space`.

    See Also
    --------
    Space : The contract: what a space must provide, may override and must not override.

    Notes
    -----
    The ``graph_torch`` law needs torch (a dependency of sknas); it is the only
    place where :mod:`sknas.spaces` imports it.

    Examples
    --------
    >>> from sknas.spaces import CategoricalSpace, check_space
    >>> check_space(CategoricalSpace({"depth": [1, 2, 3], "act": ["relu", "tanh"]}))

    A space whose canonical form is not idempotent is caught:

    >>> class Shifted(CategoricalSpace):
    ...     def canonical(self, X):
    ...         return (self.check_rows(X) + 1) % self.n_choices
    >>> check_space(Shifted({"depth": [1, 2, 3]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: ... breaks the law 'canonical': canonical(canonical(row)) differs from canonical(row)...
    """
    Instance(Space)("space", space)
    n = check_int(n_samples, "n_samples")
    rng = rng_from(random_state)
    X = _check_sample(space, n, int(rng.integers(2**31 - 1)))
    R = (rng.random((n, space.n_decisions)) * space.n_choices).astype(np.int64)  # in range, valid or not
    _check_validity(space, X, R)
    _check_views(space, X, rng.random((n, int(space.n_choices.sum()))))
    _check_equivalence(space, X, int(rng.integers(2**31 - 1)))
    _check_forms(space, X)
    _check_enumerate_costs_pickle(space, X)


class _Law:
    """A law being checked: failures, and exceptions raised inside its block, become an ``AssertionError``.

    ``row`` (set while looping over rows) is reported as the counterexample of an unexpected exception.
    """

    def __init__(self, space: Space, name: str):
        self.space, self.name, self.row = space, name, None

    def __enter__(self) -> _Law:
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, Exception) and getattr(exc, "law", None) is None:
            raise self._error(f"{kind.__name__}: {exc}", self.row) from exc
        return False

    def expect(self, ok, message: str, row=None) -> None:
        """Raise the law's ``AssertionError`` with ``message`` (and the counterexample ``row``) unless ``ok``."""
        if not ok:
            raise self._error(message, row)

    def expect_all(self, ok, message: str, rows, got=None) -> None:
        """Expect every entry of ``ok`` True; the counterexample is the row of ``rows`` at the first False.

        When ``got`` is given, the message ends with what the space gave for that row, ``got[i]``.
        """
        bad = np.flatnonzero(~np.asarray(ok, dtype=bool))
        if len(bad):
            i = bad[0]
            raise self._error(message if got is None else f"{message}: {np.asarray(got[i]).tolist()}", rows[i])

    def _error(self, message: str, row) -> AssertionError:
        where = "" if row is None else f"; counterexample row: {np.asarray(row).tolist()}"
        err = AssertionError(f"{short_repr(self.space)} breaks the law '{self.name}': {message}{where}")
        err.law = self.name
        return err


def _same_rows(law: _Law, got, expected, what: str) -> None:
    """Expect ``got == expected`` row by row; the counterexample is the first row of ``expected`` that differs."""
    got = np.asarray(got)
    law.expect(got.shape == np.shape(expected), f"{what} has shape {got.shape}, expected {np.shape(expected)}")
    law.expect_all(np.all(got == expected, axis=1), f"{what} differs from the row; it gives", expected, got)


def _check_sample(space: Space, n: int, seed: int) -> np.ndarray:
    with _Law(space, "decisions") as law:
        d = space.n_decisions
        law.expect(len(space.decision_names) == len(space.choices) == len(space.n_choices) == d,
                   "decision_names, choices and n_choices do not have n_decisions entries")
        law.expect(len(set(space.decision_names)) == d, "decision names are not unique")
        law.expect(space.n_choices.tolist() == [len(c) for c in space.choices], "n_choices do not count the choices")
        law.expect(space._offsets.tolist() == [0, *np.cumsum(space.n_choices).tolist()],
                   "the relaxed layout does not have one block per decision, of its number of choices")
    with _Law(space, "sample") as law:
        X = space.sample(n, seed)
        law.expect(isinstance(X, np.ndarray) and X.shape == (n, d) and np.issubdtype(X.dtype, np.integer),
                   f"sample({n}) is not an integer array of shape ({n}, {d})")
        _same_rows(law, space.sample(n, seed), X, "sample with the same seed")
        law.expect(space.sample(0, seed).shape == (0, d), f"sample(0) does not have shape (0, {d})")
    return X


def _check_validity(space: Space, X: np.ndarray, R: np.ndarray) -> None:
    d = space.n_decisions
    with _Law(space, "is_valid / check_rows") as law:
        law.expect_all(space.is_valid(X), "a sampled row is not valid", X)
        _same_rows(law, space.check_rows(X), X, "check_rows(X)")
        for j in range(d):
            bad = X[:1].copy()
            bad[0, j] = space.n_choices[j]
            law.expect(not space.is_valid(bad)[0], f"an out-of-range index of decision {j} is valid", bad[0])
            law.expect(_raises(space.check_rows, bad), f"check_rows accepts an out-of-range index (decision {j})",
                       bad[0])
        law.expect(_raises(space.check_rows, X[:, :-1] if d > 1 else np.zeros((1, 2), dtype=np.int64)),
                   "check_rows accepts rows of the wrong length")
    with _Law(space, "explain_invalid") as law:
        ok = space.is_valid(R)
        for row, valid in zip(np.concatenate([X, R]), np.concatenate([np.ones(len(X), bool), ok])):
            law.row = row
            msg = space.explain_invalid(row)
            law.expect(isinstance(msg, str) and (msg == "") == valid,
                       f"explain_invalid gives {msg!r} for a{' valid' if valid else 'n invalid'} row", row)
            law.expect(valid or _raises(space.check_rows, row), "check_rows accepts an invalid row", row)
    with _Law(space, "repair") as law:
        _same_rows(law, space.repair(X), X, "repair of valid rows")
        fixed = space.repair(R)
        law.expect_all(space.is_valid(fixed), "repair gives an invalid row", R, fixed)
        _same_rows(law, fixed[ok], R[ok], "repair of valid rows")


def _raises(fn, *args) -> bool:
    try:
        fn(*args)
    except ValueError:
        return True
    return False


def _check_views(space: Space, X: np.ndarray, Z: np.ndarray) -> None:
    n = len(X)
    with _Law(space, "onehot") as law:
        H = space._onehot(X)
        law.expect(H.shape == (n, int(space.n_choices.sum())), f"onehot(X) has shape {H.shape}")
        law.expect(np.isin(H, (0.0, 1.0)).all(), "onehot(X) holds values other than 0 and 1")
        for j, (a, b) in enumerate(zip(space._offsets[:-1], space._offsets[1:])):
            law.expect_all((H[:, a:b].sum(axis=1) == 1) & (H[:, a:b].argmax(axis=1) == X[:, j]),
                           f"decision {space.decision_names[j]!r} is not one-hot at its choice", X)
    with _Law(space, "relax / project") as law:
        _same_rows(law, space._project(H), X, "project(relax(X))")
        P = space._project(Z)
        law.expect_all(space.is_valid(P), "project of random relaxed rows gives an invalid row", P)
    with _Law(space, "graph") as law:
        A, F = space._graph(X)
        N = A.shape[1] if A.ndim == 3 else -1
        law.expect(A.shape == (n, N, N) and F.shape == (n, N, len(space._node_types)),
                   f"graph(X) gives A of shape {A.shape} and F of shape {F.shape} for {n} rows and "
                   f"{len(space._node_types)} node types")
    with _Law(space, "graph_torch") as law:
        import torch

        At, Ft = space._graph_torch(torch.tensor(H))
        for name, got, expected in (("A", At, A), ("F", Ft, F)):
            got = got.detach().cpu().numpy()
            law.expect(got.shape == expected.shape, f"{name} has shape {got.shape}; graph(X) has {expected.shape}")
            law.expect_all(np.isclose(got, expected, atol=1e-5).reshape(n, -1).all(axis=1),
                           f"{name} of graph_torch(relax(X)) differs from graph(X)", X)
    with _Law(space, "paths") as law:
        P = space._paths(X)
        law.expect(P.ndim == 2 and len(P) == n and np.isfinite(P).all(), f"paths(X) of shape {P.shape} is not a "
                   f"finite 2-D array with one row per architecture")


def _check_equivalence(space: Space, X: np.ndarray, seed: int) -> None:
    with _Law(space, "canonical") as law:
        C = space.canonical(X)
        law.expect_all(space.is_valid(C), "canonical(row) is not valid", X, C)
        law.expect_all(np.all(space.canonical(C) == C, axis=1), "canonical(canonical(row)) differs from canonical(row)",
                       X)
    Y = np.concatenate([X, space.mutate(X, seed), C])  # mutated rows: some land in the classes of others
    with _Law(space, "row_keys") as law:
        keys, CY = space.row_keys(Y), space.canonical(Y)
        law.expect_all([a == b for a, b in zip(space.row_keys(C), keys)], "row_keys(canonical(X)) differs from "
                       "row_keys(X)", X)
        first: dict[bytes, int] = {}
        for i, k in enumerate(keys):
            j = first.setdefault(k, i)
            law.expect(np.array_equal(CY[i], CY[j]), "two rows with equal keys have different canonical rows", Y[i])
        by_row = {CY[i].tobytes(): keys[i] for i in first.values()}
        law.expect(len(by_row) == len(first), "two rows with different keys have equal canonical rows")
    with _Law(space, "unique") as law:
        law.expect(space.unique(Y).tolist() == sorted(first.values()),
                   "unique(X) does not keep exactly the first row of each key, in order")
    with _Law(space, "neighbours") as law:
        for row in X:
            law.row = row
            nb = space.neighbours(row)
            law.expect(nb.ndim == 2 and nb.shape[1] == space.n_decisions, f"neighbours has shape {nb.shape}", row)
            law.expect(space.is_valid(nb).all(), "a neighbour is not valid", row)
            law.expect(((nb != row).sum(axis=1) == 1).all(), "a neighbour does not differ in exactly one decision", row)
            law.expect(len(np.unique(nb, axis=0)) == len(nb), "neighbours are not distinct", row)
    with _Law(space, "mutate") as law:
        M = space.mutate(X, seed)
        law.expect(M.shape == X.shape, f"mutate(X) has shape {M.shape}")
        for row, m in zip(X, M):
            law.row = row
            nb = space.neighbours(row)
            law.expect(np.any(np.all(nb == m, axis=1)) if len(nb) else np.array_equal(m, row),
                       f"mutate gives {m.tolist()}, which is not a neighbour of the row", row)


def _check_forms(space: Space, X: np.ndarray) -> None:
    with _Law(space, "row_to_params / params_to_row") as law:
        for row in X:
            law.row = row
            params = space.row_to_params(row)
            law.expect(list(params) == list(space.decision_names), "row_to_params does not name every decision", row)
            law.expect(np.array_equal(space.params_to_row(params), row), "params_to_row(row_to_params(row)) != row",
                       row)
    keys = space.row_keys(X)
    with _Law(space, "to_string / from_string") as law:
        for row, key in zip(X, keys):
            law.row = row
            s = space.to_string(row)
            law.expect(isinstance(s, str), f"to_string gives {type(s).__name__}, not str", row)
            back = space.from_string(s)
            law.expect(np.array_equal(back, row) or space.row_keys(back) == [key],
                       f"from_string(to_string(row)) gives {np.asarray(back).tolist()}, neither the row nor an "
                       "equivalent one", row)
    with _Law(space, "to_strings / from_strings") as law:
        back = space.from_strings(space.to_strings(X))
        law.expect(back.shape == X.shape, f"from_strings(to_strings(X)) has shape {back.shape}")
        law.expect_all([np.array_equal(b, r) or k == kb for b, r, k, kb in zip(back, X, keys, space.row_keys(back))],
                       "from_strings(to_strings(X)) gives a row neither equal nor equivalent", X, back)
    with _Law(space, "distributions") as law:
        from optuna.distributions import CategoricalDistribution

        dists = space.distributions()
        law.expect(list(dists) == list(space.decision_names), "distributions() does not name every decision, in order")
        for (name, dist), choices in zip(dists.items(), space.choices):
            law.expect(isinstance(dist, CategoricalDistribution) and tuple(dist.choices) == tuple(choices),
                       f"the distribution of {name!r} is not a categorical over its choices")


def _check_enumerate_costs_pickle(space: Space, X: np.ndarray) -> None:
    if space.n_rows <= _MAX_CHECK_ENUMERATE:
        with _Law(space, "enumerate") as law:
            E = space.enumerate()
            law.expect_all(space.is_valid(E), "enumerate() gives an invalid row", E)
            radix = np.cumprod(np.concatenate([[1], space.n_choices[::-1][:-1]]))[::-1]
            index = E @ radix
            law.expect_all(np.diff(index) > 0, "enumerate() gives repeated rows or rows out of lexicographic order",
                           E[1:])
            law.expect_all(np.isin(X @ radix, index), "a sampled row is missing from enumerate()", X)
    for kind in ("params", "flops"):
        if not has_cost(space, kind):
            continue  # the space has no cost model of this kind
        with _Law(space, f"costs ({kind})") as law:
            c = np.asarray(getattr(space, "_" + kind)(X), dtype=np.float64)
            law.expect(c.shape == (len(X),), f"{kind}(X) has shape {c.shape}, expected ({len(X)},)")
            law.expect_all(np.isfinite(c) & (c >= 0), f"{kind} is not finite and non-negative", X, c)
            law.expect(np.array_equal(cost(space, X, kind), c), f"cost(space, X, {kind!r}) differs from _{kind}(X)")
    with _Law(space, "pickle") as law:
        copy = pickle.loads(pickle.dumps(space))
        law.expect(copy == space and hash(copy) == hash(space),
                   "the unpickled copy differs from the space or has another hash")
        _same_rows(law, copy.canonical(X), space.canonical(X), "canonical of the unpickled copy")
