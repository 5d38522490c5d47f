"""The ``sknas`` command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

from . import __version__
from .datasets import benchmark_status, load_benchmark

__all__ = ["main"]


def _cmd_benchmarks(args: argparse.Namespace) -> int:
    rows = benchmark_status(args.data_home)
    width = max(len(f"{b} {d}") for b, d, _, _ in rows)
    print(f"{'benchmark dataset':<{width}}  status")
    for bench, dataset, status, hint in rows:
        print(f"{bench + ' ' + dataset:<{width}}  {status}{'  (' + hint + ')' if hint else ''}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    """Summarise a benchmark and run a random-search baseline on it."""
    t0 = time.perf_counter()
    bench = load_benchmark(args.benchmark, args.dataset, data_home=args.data_home)
    space = bench.space
    print(f"{bench.name} / {bench.dataset}: {len(bench)} architectures, {space.n_decisions} decisions, "
          f"{len(space.unique(bench.X))} distinct up to equivalence (loaded from {bench.source} "
          f"in {time.perf_counter() - t0:.2f} s)")
    print(f"metrics: {', '.join(bench.metric_names[:8])}{' ...' if len(bench.metric_names) > 8 else ''}")
    valid = bench.metrics["valid"]
    order = np.argsort(-valid)[:5]
    print("\ntop 5 by validation accuracy:")
    for i in order:
        test = f"  test {bench.metrics['test'][i]:.3f}" if "test" in bench.metrics else ""
        print(f"  valid {valid[i]:.3f}{test}  {space.to_string(bench.X[i])}")
    rng = np.random.default_rng(args.seed)
    regrets = []
    for _ in range(args.repeats):
        X = space.sample(args.budget, rng)
        regrets.append(float(bench.regret(bench.query(X).max())))
    print(f"\nrandom search, {args.budget} queries, {args.repeats} runs: mean validation regret "
          f"{np.mean(regrets):.3f} (± {np.std(regrets) / np.sqrt(len(regrets)):.3f} s.e.)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sknas", description="Predictor-based neural architecture search.")
    parser.add_argument("--version", action="version", version=f"sknas {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--data-home", default=None, help="folder of benchmark tables (default: $SKNAS_DATA)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("benchmarks", help="list the benchmarks and whether their data is present")
    p.set_defaults(func=_cmd_benchmarks)
    p = sub.add_parser("demo", help="summarise a benchmark and run a random-search baseline on it")
    p.add_argument("benchmark", nargs="?", default="nasbench201")
    p.add_argument("--dataset", default=None, help="dataset of the benchmark (default: its first)")
    p.add_argument("--budget", type=int, default=100, help="queries per random-search run")
    p.add_argument("--repeats", type=int, default=30, help="random-search runs")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 runtime failure, 2 bad usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, RuntimeError) as exc:
        if args.debug:
            raise
        print(f"sknas: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
