"""The ``sknas`` command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import __version__
from .datasets import benchmark_status, load_benchmark

__all__ = ["main"]

DEFAULT_METHODS = "prednas,neural-predictor,sknas,rea,tpe,nsga2,random"


class _Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int, label: str):
        self.total, self.done, self.label, self.t0 = total, 0, label, time.perf_counter()
        self.tty = sys.stderr.isatty()

    def step(self, note: str = "") -> None:
        self.done += 1
        width = 30
        fill = int(width * self.done / self.total)
        line = (f"{self.label} [{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} "
                f"{time.perf_counter() - self.t0:5.0f} s {note}")
        if self.tty:
            print("\r" + line[:120].ljust(120), end="" if self.done < self.total else "\n", file=sys.stderr,
                  flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def _table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def _spec(args) -> str:
    return f"{args.benchmark}:{args.dataset}" if args.dataset else args.benchmark


# ---------------------------------------------------------------- subcommands
def _cmd_benchmarks(args: argparse.Namespace) -> int:
    rows = benchmark_status(args.data_home)
    width = max(len(f"{b} {d}") for b, d, _, _ in rows)
    print(f"{'benchmark dataset':<{width}}  status")
    for bench, dataset, status, hint in rows:
        print(f"{bench + ' ' + dataset:<{width}}  {status}{'  (' + hint + ')' if hint else ''}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    """Summarise a benchmark and run a random-search baseline on it."""
    from .compare import _standard_error

    t0 = time.perf_counter()
    bench = load_benchmark(args.benchmark, args.dataset, data_home=args.data_home)
    space = bench.space
    print(f"{bench.name} / {bench.dataset}: {len(bench)} architectures, {space.n_decisions} decisions, "
          f"{len(space.unique(bench.X))} distinct up to equivalence (loaded from {bench.source} "
          f"in {time.perf_counter() - t0:.2f} s)")
    print(f"metrics: {', '.join(bench.metric_names[:8])}{' ...' if len(bench.metric_names) > 8 else ''}")
    valid = bench.metrics["valid"]
    print("\ntop 5 by validation accuracy:")
    for i in np.argsort(-valid)[:5]:
        test = f"  test {bench.metrics['test'][i]:.3f}" if "test" in bench.metrics else ""
        print(f"  valid {valid[i]:.3f}{test}  {space.to_string(bench.X[i])}")
    rng = np.random.default_rng(args.seed)
    regrets = [float(bench.regret(bench.query(space.sample(args.budget, rng)).max())) for _ in range(args.repeats)]
    se = _standard_error(np.asarray(regrets))
    print(f"\nrandom search, {args.budget} queries, {args.repeats} runs: mean validation regret "
          f"{np.mean(regrets):.3f}" + (f" (± {se:.3f} s.e.)" if se is not None else ""))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    """Compare search methods on one benchmark: progress, a table, and CSV / JSON / PNG in the output folder."""
    from .compare import compare, curve_to_dict, load_spec, regret_curve, summarise, summary_rows

    spec = _spec(args)
    methods = [m for m in args.methods.split(",") if m]
    bench = load_spec(spec, args.data_home)
    optimum = bench.optimum("valid")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    budgets = sorted({b for b in (10, 25, 50, 100, 200, 500) if b < args.budget} | {args.budget})
    progress = _Progress(len(methods) * args.seeds, f"{spec} x {len(methods)} methods x {args.seeds} seeds")
    print(f"comparing {', '.join(methods)} on {spec}: {args.budget} trials, {args.seeds} seeds, {args.jobs} jobs",
          file=sys.stderr)
    interrupted = False
    try:
        runs = compare([spec], methods, budget=args.budget, seeds=args.seeds, n_jobs=args.jobs, fast=args.fast,
                       data_home=args.data_home,
                       on_result=lambda r: progress.step(f"{r['method']} seed {r['seed']}"))
    except KeyboardInterrupt as exc:
        runs, interrupted = list(getattr(exc, "runs", [])), True
        print("\ninterrupted: keeping the finished studies", file=sys.stderr)
    if not runs:
        return 130 if interrupted else 1
    _write_trials(out / "trials.csv", runs, bench)
    summary, curves, rows = {}, {}, []
    for m in methods:
        mine = [r for r in runs if r["method"] == m]
        if not mine:
            continue
        summary[m] = summarise(mine, budgets, optimum)
        curves[m] = regret_curve(mine, optimum)
        rows += [[m, *row] for row in summary_rows(summary[m])]
    table = _table(["method", "trials", "valid regret (mean ± s.e.)", "hit optimum", "median trials to optimum",
                    "test acc. of best-by-valid", f"wall s per {args.budget}-trial study"], rows)
    (out / "summary.json").write_text(json.dumps({
        "benchmark": spec, "optimum_valid": optimum, "budget": args.budget, "seeds": args.seeds,
        "interrupted": interrupted, "methods": summary,
        "curves": {m: curve_to_dict(c) for m, c in curves.items()},
    }, indent=1) + "\n")
    (out / "summary.md").write_text(table + "\n")
    from .plotting import plot_regret

    fig = plot_regret(curves, title=f"{spec}: validation regret ({len(runs)} studies)")
    fig.savefig(out / f"regret_{spec.replace(':', '_')}.png", dpi=120)
    print(table)
    print(f"\nwrote {out / 'trials.csv'}, {out / 'summary.json'}, {out / 'summary.md'} and the regret plot")
    return 130 if interrupted else 0


def _write_trials(path: Path, runs, bench) -> None:
    import pandas as pd

    frames = []
    for r in runs:
        frames.append(pd.DataFrame({
            "benchmark": r["spec"], "method": r["method"], "seed": r["seed"],
            "trial": np.arange(1, len(r["valid"]) + 1),
            "arch": bench.space.to_strings(r["rows"]), "valid": r["valid"], "test": r["test"],
            "regret": bench.regret(r["valid"]), "best_so_far": np.maximum.accumulate(r["valid"]),
        }))
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)


def _cmd_search(args: argparse.Namespace) -> int:
    """One search run; prints the best architecture in its native form with its metrics."""
    from .compare import load_spec, run_study

    spec = _spec(args)
    bench = load_spec(spec, args.data_home)
    print(f"{args.method} on {spec}: {args.budget} trials, seed {args.seed}", file=sys.stderr)
    run = run_study(spec, args.method, args.seed, args.budget, fast=args.fast, data_home=args.data_home)
    best = int(np.argmax(run["valid"]))
    row = run["rows"][best]
    print(f"best architecture (trial {best + 1} of {args.budget}, {run['wall']:.1f} s):")
    print(f"  {bench.space.to_string(row)}")
    print(f"  row: {row.tolist()}")
    for metric in ("valid", "test", "params", "latency"):
        if metric in bench.metrics:
            print(f"  {metric}: {bench.query(row[None, :], metric)[0]:.4f}")
    print(f"  validation regret: {bench.regret(run['valid'][best]):.4f} (optimum {bench.optimum('valid'):.4f})")
    return 0


def _cmd_predictors(args: argparse.Namespace) -> int:
    """Kendall tau of predictors against training-set size, and a predicted-against-true scatter plot."""
    import torch

    from .metrics import kendall_tau, precision_at_k
    from .plotting import plot_kendall_tau, plot_predicted_vs_true
    from .predictors import ArchitectureRegressor

    torch.set_num_threads(1)
    bench = load_benchmark(args.benchmark, args.dataset, data_home=args.data_home)
    sizes = [int(s) for s in args.train_sizes.split(",")]
    models = [m for m in args.models.split(",") if m]
    if max(sizes) >= len(bench):
        raise ValueError(f"train sizes must be below the benchmark's {len(bench)} architectures; got {max(sizes)}")
    y_all = bench.metrics["valid"]
    rng = np.random.default_rng(args.seed)
    results, rows, last = {}, [], None
    progress = _Progress(len(models) * len(sizes) * args.splits, "predictors")
    for m in models:
        taus = np.zeros((len(sizes), args.splits))
        for i, n in enumerate(sizes):
            for k in range(args.splits):
                perm = rng.permutation(len(bench))
                tr, te = perm[:n], perm[n:]
                reg = ArchitectureRegressor(bench.space, model=m, random_state=int(k))
                reg.fit(bench.X[tr], y_all[tr])
                pred = reg.predict(bench.X[te])
                taus[i, k] = kendall_tau(y_all[te], pred)
                progress.step(f"{m} n={n}")
                last = (m, n, y_all[te], pred)
        results[m] = (taus.mean(axis=1), taus.std(axis=1))
        rows.append([m] + [f"{a:.3f} ± {b:.3f}" for a, b in zip(*results[m])])
        rows[-1].append(f"{precision_at_k(last[2], last[3], 10):.2f}")
    table = _table(["model"] + [f"n={n}" for n in sizes] + [f"p@10 (n={sizes[-1]})"], rows)
    print(table)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    plot_kendall_tau(sizes, results, title=f"{bench.name} {bench.dataset}").savefig(out / "kendall_tau.png", dpi=120)
    m, n, y_true, pred = last
    plot_predicted_vs_true(y_true, pred, title=f"{m}, {n} training architectures").savefig(
        out / "predicted_vs_true.png", dpi=120)
    (out / "predictors.md").write_text(table + "\n")
    print(f"\nwrote {out / 'predictors.md'}, {out / 'kendall_tau.png'} and {out / 'predicted_vs_true.png'}")
    return 0


# -------------------------------------------------------------------- parser
def _parser() -> argparse.ArgumentParser:
    from .compare import METHODS

    parser = argparse.ArgumentParser(prog="sknas", description="Predictor-based neural architecture search.")
    parser.add_argument("--version", action="version", version=f"sknas {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--data-home", default=None, help="folder of benchmark tables (default: $SKNAS_DATA)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("benchmarks", help="list the benchmarks and whether their data is present")
    p.set_defaults(func=_cmd_benchmarks)

    def bench_args(p, default="nasbench201"):
        p.add_argument("benchmark", nargs="?", default=default, help=f"benchmark name (default: {default})")
        p.add_argument("--dataset", default=None, help="dataset of the benchmark (default: its first)")

    p = sub.add_parser("compare", help="compare search methods on a benchmark (the main job)",
                       description="Compare search methods on a tabular benchmark. Without options: NAS-Bench-201 "
                       "CIFAR-10, every method, 100 trials, 10 seeds (a few minutes on a laptop).")
    bench_args(p)
    p.add_argument("--methods", default=DEFAULT_METHODS, help=f"comma-separated, from: {', '.join(METHODS)}")
    p.add_argument("--budget", type=int, default=100, help="trials per study")
    p.add_argument("--seeds", type=int, default=10, help="studies per method")
    p.add_argument("--jobs", type=int, default=2, help="studies run in parallel")
    p.add_argument("--output", default="sknas-output", help="folder for trials.csv, summary.json and plots")
    p.add_argument("--fast", action="store_true", help="train predictors for fewer epochs (smoke runs)")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("search", help="one search run; prints the best architecture")
    bench_args(p)
    p.add_argument("--method", default="prednas", choices=list(METHODS))
    p.add_argument("--budget", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fast", action="store_true", help="train predictors for fewer epochs (smoke runs)")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("predictors", help="Kendall tau of predictors against training-set size")
    bench_args(p)
    p.add_argument("--train-sizes", default="78,156,469")
    p.add_argument("--models", default="auto,mlp,gcn,xgboost")
    p.add_argument("--splits", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", default="sknas-output")
    p.set_defaults(func=_cmd_predictors)

    p = sub.add_parser("demo", help="summarise a benchmark and run a random-search baseline on it")
    bench_args(p)
    p.add_argument("--budget", type=int, default=100, help="queries per random-search run")
    p.add_argument("--repeats", type=int, default=30, help="random-search runs")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 runtime failure, 2 bad usage, 130 interrupted)."""
    parser = _parser()
    args = parser.parse_args(argv)
    for name in ("budget", "seeds", "jobs", "splits", "repeats"):
        if getattr(args, name, 1) < 1:
            parser.error(f"--{name} must be a positive integer")
    from .compare import METHODS
    from .datasets import BENCHMARKS

    if hasattr(args, "benchmark"):
        if args.benchmark not in BENCHMARKS:
            parser.error(f"unknown benchmark {args.benchmark!r}; choose from {', '.join(BENCHMARKS)}")
        if args.dataset is not None and args.dataset not in BENCHMARKS[args.benchmark]:
            parser.error(f"{args.benchmark} has no dataset {args.dataset!r}; choose from "
                         f"{', '.join(BENCHMARKS[args.benchmark])}")
    unknown = [m for m in getattr(args, "methods", "").split(",") if m and m not in METHODS]
    if unknown:
        parser.error(f"unknown methods {unknown}; choose from {', '.join(METHODS)}")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, RuntimeError, ImportError) as exc:
        if args.debug:
            raise
        print(f"sknas: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
