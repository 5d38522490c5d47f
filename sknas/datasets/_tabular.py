"""Load any user table of architectures and metrics as a :class:`TabularBenchmark`."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from ..spaces import Space
from ..utils import check_choice, check_range, is_int, short_repr
from ._base import TabularBenchmark, check_metric_range, metric_bounds

__all__ = ["load_tabular_benchmark"]


def load_tabular_benchmark(data, space: Space, *, arch_column: str | None = None,
                           metrics: Sequence[str] | Mapping[str, str] | None = None,
                           maximize: Mapping[str, bool] | None = None, name: str = "tabular",
                           dataset: str = "", duplicates: str = "raise", complete: bool | None = None,
                           bounds: Mapping[str, tuple[float, float] | None] | None = None) -> TabularBenchmark:
    """Turn a table of architectures and their metrics into a benchmark.

    Parameters
    ----------
    data : pandas.DataFrame or str or path-like
        The table, or the path of a CSV file holding it.
    space : Space
        The space the architectures belong to.
    arch_column : str, default=None
        Column of native strings (parsed with ``space.from_string``). When
        ``None``, the table must have one column per decision of the space,
        named as ``space.decision_names`` and holding choice labels or indices.
    metrics : list of str or dict, default=None
        Metric columns (a dict renames them: ``{"valid": "val_acc"}``). By
        default every other numeric column.
    maximize : dict of str to bool, default=None
        Direction per metric (see :class:`TabularBenchmark`).
    name, dataset : str
        Labels of the benchmark.
    duplicates : {"raise", "mean"}, default="raise"
        The same architecture on several rows (the same choices) raises
        ``ValueError`` naming them (a query would only ever reach the first), or
        is merged into one row holding the mean of their metrics (e.g. several
        training seeds in one table). Rows that differ but are equivalent (equal
        up to ``space.canonical``) are distinct entries, as in NAS-Bench-201.
    complete : bool or None, default=None
        Whether the table holds every architecture of the space (searches on an
        incomplete table stay within its rows, see
        :attr:`TabularBenchmark.search_space`). ``None``: found out by
        enumerating the space when it has at most 200,000 rows, else ``False``.
    bounds : dict of str to (float, float) or None, default=None
        The closed interval each metric's values must lie in (by metric name,
        as renamed by ``metrics``), or ``None`` for any finite value. Metrics
        not named here follow the default policy: a cost (``params``,
        ``flops``, ``latency``, ``train_time``, ``size``, ``cost`` or
        ``time`` in its name, not maximised by ``maximize``) is ``>= 0``; an
        accuracy (``acc`` in its name) lies in ``[0, 100]`` (fractions or
        percents); any other metric may hold any finite value. A value outside
        is a ``ValueError`` naming the column and the row: an accuracy of
        ``1e6`` or a latency of ``-1e300`` is a broken table, not a result.
        The benchmark keeps the intervals as its ``bounds``, to which front
        ends clip the predictions they show.

    Returns
    -------
    bench : TabularBenchmark

    Raises
    ------
    ValueError
        When the table is empty, a named column is missing, a cell is not in
        the space, a metric cell is not a finite number (text, NaN, infinite
        or overflowing like ``1e400`` or the integer ``10**400``) or lies
        outside its ``bounds``, or two rows hold the same architecture (with
        ``duplicates="raise"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sknas.spaces import CategoricalSpace
    >>> from sknas.datasets import load_tabular_benchmark
    >>> space = CategoricalSpace({"depth": [1, 2], "act": ["relu", "tanh"]})
    >>> df = pd.DataFrame({"depth": [1, 2, 2], "act": ["relu", "relu", "tanh"], "acc": [0.8, 0.9, 0.85]})
    >>> bench = load_tabular_benchmark(df, space)
    >>> bench.optimum("acc")
    0.9
    """
    import pandas as pd

    if not isinstance(space, Space):
        raise TypeError(f"space must be a sknas Space; got {type(space).__name__}")
    check_choice("duplicates", duplicates, ("raise", "mean"))
    if isinstance(data, (str, os.PathLike)):
        try:
            df = pd.read_csv(data)
        except (OSError, ValueError) as exc:
            raise ValueError(f"could not read the table {data!s}: {exc}") from exc
        source = str(data)
    elif isinstance(data, pd.DataFrame):
        df, source = data, "DataFrame"
    else:
        raise TypeError(f"data must be a pandas DataFrame or a CSV path; got {type(data).__name__}")
    if len(df) == 0:
        raise ValueError(f"the table {source} has no rows")

    if arch_column is not None:
        if arch_column not in df.columns:
            raise ValueError(f"arch_column={arch_column!r} is not a column; columns: {list(df.columns)}")
        X = space.from_strings(df[arch_column].astype(str).tolist())
        used = {arch_column}
    else:
        missing = [n for n in space.decision_names if n not in df.columns]
        if missing:
            raise ValueError(
                f"missing decision columns {missing}: the table needs one column per decision of the space "
                f"({list(space.decision_names)}) or an arch_column of native strings"
            )
        X = np.empty((len(df), space.n_decisions), dtype=np.int64)
        for j, n in enumerate(space.decision_names):
            X[:, j] = _column_indices(space, n, space.choices[j], df[n].tolist())
        used = set(space.decision_names)

    if metrics is None:  # every numeric column, and every column that is numeric but for a few text cells
        cols = {c: c for c in df.columns if c not in used
                and (pd.api.types.is_numeric_dtype(df[c]) or np.isfinite(_numbers(df[c])).mean() > .5)}
    elif isinstance(metrics, Mapping):
        cols = dict(metrics)
    else:
        cols = {c: c for c in metrics}
    if not cols:
        raise ValueError("no metric columns: pass metrics=[...] naming the numeric columns to use")
    missing = [c for c in cols.values() if c not in df.columns]
    if missing:
        raise ValueError(f"missing metric columns {missing}; columns: {list(df.columns)}")
    bounds = _check_bounds(bounds, cols)
    values, declared = {}, {}
    for key, c in cols.items():
        numbers = _numbers(df[c])
        bad = np.flatnonzero(~np.isfinite(numbers))
        if len(bad):
            raise ValueError(f"metric column {c!r} has {len(bad)} cell(s) that are not finite numbers, e.g. row "
                             f"{int(bad[0])}: {short_repr(df[c].iloc[bad[0]])}; fix or drop those rows")
        limits = bounds[key] if key in bounds else metric_bounds(key, (maximize or {}).get(key))
        if limits is not None:
            check_metric_range(numbers, c, *limits)
            declared[key] = limits
        values[key] = numbers
    keys = [r.tobytes() for r in np.ascontiguousarray(X)]  # the same row twice: only the first would be reachable
    if len(set(keys)) < len(keys):
        groups: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            groups.setdefault(k, []).append(i)
        if duplicates == "raise":
            same = next(g for g in groups.values() if len(g) > 1)
            raise ValueError(f"{sum(len(g) - 1 for g in groups.values())} row(s) repeat an architecture of an earlier "
                             f"row, e.g. rows {same[:5]} ({short_repr(space.to_string(X[same[0]]))}); pass "
                             "duplicates='mean' to average their metrics")
        first = [g[0] for g in groups.values()]
        X = X[first]
        values = {k: np.array([v[g].mean() for g in groups.values()]) for k, v in values.items()}
    if complete is None:
        complete = space.n_rows <= 200_000 and len(set(space.row_keys(X))) == len(space.unique(space.enumerate()))
    return TabularBenchmark(space, X, values, maximize=maximize, name=name, dataset=dataset, source=source,
                            complete=complete, bounds=declared)


def _numbers(column) -> np.ndarray:
    """A metric column as floats, NaN where a cell is not a number or too large for a float (``10**400``)."""
    import pandas as pd

    try:
        return pd.to_numeric(column, errors="coerce").to_numpy(np.float64)
    except OverflowError:  # a Python int past float's range in an object column: cell by cell
        out = np.full(len(column), np.nan)
        for i, v in enumerate(column.tolist()):
            try:
                out[i] = float(v)
            except (TypeError, ValueError, OverflowError):
                pass
        return out


def _check_bounds(bounds, cols: Mapping[str, str]) -> dict:
    """``bounds`` checked: a dict of metric name to a (low, high) pair of numbers, low <= high, or None."""
    if bounds is None:
        return {}
    if not isinstance(bounds, Mapping):
        raise TypeError(f"bounds must be a dict of metric name to (low, high) or None; got {type(bounds).__name__}")
    unknown = [k for k in bounds if k not in cols]
    if unknown:
        raise ValueError(f"bounds names {short_repr(unknown)}, which are not metrics; metrics: {list(cols)}")
    return {k: check_range(b, f"bounds[{k!r}]", allow_none=True) for k, b in bounds.items()}


def _column_indices(space, name: str, labels, column: list) -> np.ndarray:
    """A decision column as choice indices: labels throughout, or (when it holds no label) indices throughout.

    A column that mixes the two is refused: with labels ``[1, 3, 5]``, the column ``[1, 2]`` would read one
    value as a label and the other as an index.
    """
    found, not_labels = [], []
    for i, v in enumerate(column):
        try:
            found.append(space._label_index(name, v))
        except ValueError:
            not_labels.append(i)
    if not not_labels:
        return np.asarray(found, dtype=np.int64)
    if len(not_labels) < len(column):
        rest = set(not_labels)
        i, k = not_labels[0], next(i for i in range(len(column)) if i not in rest)
        raise ValueError(f"decision column {name!r} mixes choice labels (row {k}: {short_repr(column[k])}) and "
                         f"values that are not labels (row {i}: {short_repr(column[i])}); give the labels "
                         f"{short_repr(list(labels))} throughout, or choice indices throughout")
    out = np.empty(len(column), dtype=np.int64)
    for i, v in enumerate(column):
        if not (is_int(v) and 0 <= v < len(labels)):
            raise ValueError(f"row {i}: {short_repr(v)} is not a choice of decision {name!r}; accepted: "
                             f"{short_repr(list(labels))} or their indices 0..{len(labels) - 1}")
        out[i] = int(v)
    return out
