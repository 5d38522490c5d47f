"""What a comparison runs on: a benchmark from its name, the objectives and constraints of its studies, its true
Pareto front."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..datasets import TabularBenchmark, load_benchmark
from ..spaces import has_cost

#: epochs of the short and of the full training of NAS-Bench-201, the table with a short training
SHORT_STEP, FULL_STEP = 12, 200
#: the short training a table holds: benchmark name -> (metric, its epochs, epochs of the full training)
SHORT_TRAININGS = {"nasbench201": ("valid_12", SHORT_STEP, FULL_STEP)}


def short_training(bench: TabularBenchmark):
    """``(metric, step, full_step)`` of the short training ``bench`` holds (see :data:`SHORT_TRAININGS`), or
    None."""
    short = SHORT_TRAININGS.get(bench.name)
    return short if short is not None and short[0] in bench.metrics else None


def load_spec(spec: str, data_home=None) -> TabularBenchmark:
    """Load ``"benchmark:dataset"`` (e.g. ``"nasbench201:cifar100"``; the dataset may be omitted)."""
    name, _, dataset = spec.partition(":")
    return load_benchmark(name, dataset or None, data_home=data_home)


def parse_objectives(texts: Sequence[str] | str, bench: TabularBenchmark) -> tuple[str, ...]:
    """The benchmark metrics a study optimises, from ``"valid,latency:pixel3"`` or a list of such names.

    Each name is a metric of the benchmark (``valid``, ``params``, ``latency_pixel3``, ...); ``kind:device``
    is short for ``kind_device``. Accuracies are maximised, costs minimised (the benchmark's
    ``maximize``). One or two objectives; the first is the one the table and regret report on.
    """
    names = [n.strip() for t in ([texts] if isinstance(texts, str) else texts) for n in str(t).split(",")]
    out = tuple(n.replace(":", "_") for n in names)
    bad = [n for n in out if n not in bench.metrics]
    if bad or not out:
        raise ValueError(f"objectives {','.join(names)!r}: {', '.join(bad) or 'none given'} not a metric of "
                         f"{bench.name} {bench.dataset}; metrics: {', '.join(bench.metric_names)} "
                         "(kind:device is short for kind_device, e.g. latency:pixel3)")
    if len(out) > 2 or len(set(out)) != len(out):
        raise ValueError(f"objectives {','.join(names)!r}: give one or two distinct metrics")
    return out


def parse_constraint(text: str, bench: TabularBenchmark):
    """A :class:`~sknas.spaces.Constraint` from ``"cost<=value"`` or ``"cost>=value"``.

    ``cost`` is ``params`` or ``flops`` when the space computes it, else any metric of the benchmark (e.g.
    ``latency_pixel3``, a device latency of NAS-Bench-201).
    """
    import re

    from ..spaces import Constraint

    m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*", str(text))
    try:
        value = float(m.group(3)) if m else None
    except ValueError:
        value = None
    if m is None or value is None:
        raise ValueError(f"constraint {str(text)[:60]!r} is not of the form cost<=value or cost>=value")
    name, op = m.group(1), m.group(2)
    if name in ("params", "flops") and has_cost(bench.space, name):
        cost = name
    elif name in bench.metrics:
        cost = bench.cost(name)
    else:
        raise ValueError(f"constraint {text!r}: {name!r} is neither a cost of the space nor a metric of "
                         f"{bench.name} {bench.dataset}; metrics: {', '.join(bench.metric_names)}")
    return Constraint(cost, max_value=value, name=name) if op == "<=" else Constraint(cost, min_value=value, name=name)


def search_space(bench: TabularBenchmark, constraints: Sequence[str] = ()):
    """The space a comparison searches: the benchmark's search space, within the constraints (if any)."""
    from ..spaces import ConstrainedSpace

    space = bench.search_space
    return ConstrainedSpace(space, [parse_constraint(c, bench) for c in constraints]) if constraints else space


def front_points(bench: TabularBenchmark, X, objectives: Sequence[str]) -> np.ndarray:
    """The objective values of rows ``X``, one column per objective, each turned to maximisation."""
    return np.stack([bench.query(X, m) * (1.0 if bench.maximize[m] else -1.0) for m in objectives], axis=1)


def true_front(bench: TabularBenchmark, objectives: Sequence[str], space=None) -> tuple[np.ndarray, np.ndarray]:
    """The Pareto front of the whole table (of its rows valid in ``space``, if given), as :func:`front_points`,
    and the reference point of hypervolumes on it: the worst value of each objective over those rows."""
    from ..metrics import pareto_front

    X = bench.X if space is None else bench.X[space.is_valid(bench.X)]
    Y = front_points(bench, X, objectives)
    return np.unique(Y[pareto_front(Y)], axis=0), Y.min(axis=0)
