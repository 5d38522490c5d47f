"""The ``sknas`` command line.

Every check that can be made before the first study is made while parsing: a bad option is a usage
error (exit 2) naming the option, printed with its subcommand's usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import __version__

__all__ = ["main"]

#: units of the metrics printed by ``sknas study``
_UNITS = {"valid": "%", "test": "%", "train": "%", "params": "M parameters", "flops": "M FLOPs", "latency": "s"}


class _Progress:
    """A one-line progress bar on stderr with an ETA (on a terminal, redrawn in place; else plain lines, at most
    one a second besides the last)."""

    def __init__(self, total: int | None, label: str, unit: str = ""):
        self.total, self.done, self.label, self.unit, self.t0 = total, 0, label, unit, time.perf_counter()
        self.tty, self.printed, self.start = sys.stderr.isatty(), 0.0, None

    def step(self, note: str = "") -> None:
        self.update(self.done + 1, note)

    def update(self, done: int, note: str = "") -> None:
        """Show ``done`` of the total; the ETA extrapolates the rate since the first update."""
        now = time.perf_counter()
        self.done = done
        if self.start is None:  # the rate counts from the first update (not the work a resumed run found done)
            self.start = (now, done)
        final = self.total is not None and done >= self.total
        if not self.tty and not final and now - self.printed < 1.0:
            return
        self.printed = now
        t_start, d_start = self.start
        eta = ""
        if self.total is not None and done > d_start and not final:
            eta = f", ETA {_duration((self.total - done) * (now - t_start) / (done - d_start))}"
        if self.total is None:
            bar = f"{done}{self.unit}"
        else:
            fill = int(30 * min(done / self.total, 1.0))
            bar = f"[{'#' * fill}{'.' * (30 - fill)}] {done}/{self.total}{self.unit}"
        line = f"{self.label} {bar} {_duration(now - self.t0)}{eta} {note}".rstrip()
        if self.tty:
            print("\r" + line[:120].ljust(120), end="\n" if final else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


class _TrialCounter:
    """Counts the completed trials of a comparison's studies in their storage, every ``every`` seconds in a thread,
    and shows them with ``progress.update``: trial-level progress although the studies run in other processes."""

    def __init__(self, url, names, budget: int | None, progress: _Progress, every: float = 1.0):
        import threading

        self.url, self.names, self.budget, self.progress, self.every = url, names, budget, progress, every
        self.studies = 0  # finished studies, set by the caller
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def count(self, storage) -> int:
        from optuna.trial import TrialState

        done = 0
        for name in self.names:
            try:
                study_id = storage.get_study_id_from_name(name)
            except KeyError:  # not started yet
                continue
            n = len(storage.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,)))
            done += n if self.budget is None else min(n, self.budget)  # a longer stored study counts its prefix
        return done

    def _run(self) -> None:
        from .compare import open_storage

        storage = open_storage(self.url)
        while True:
            stopping = self.stop.is_set()  # then a last count, so that the last line shows the end
            try:
                done = self.count(storage)
            except Exception:  # noqa: BLE001 - a display only: a failed read (a busy database) skips one count;
                done = self.progress.done  # the studies report their own errors
            if done != self.progress.done or stopping:
                self.progress.update(done, f"({self.studies}/{len(self.names)} studies done)")
            if stopping:
                return
            self.stop.wait(self.every if done else min(self.every, 0.2))  # the first trial shown at once


def _table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


# ------------------------------------------------------------ argument types
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _int_list(text: str) -> list[int]:
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected comma-separated positive integers, got nothing")
    return [_positive_int(p.strip()) for p in parts]


def _number_list(text: str) -> list[float]:
    """Comma-separated positive numbers (ints where they are whole), sorted."""
    try:
        values = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive numbers, got {text!r}") from None
    if not values or not all(0 < v < float("inf") for v in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated positive numbers, got {text!r}")
    return sorted(int(v) if v.is_integer() else v for v in values)


def _choices_list(accepted):
    """A parser of comma-separated names from ``accepted`` (a sequence, or a function returning one: read when
    the option is given, so that building the parser imports nothing heavy)."""

    def parse(text: str) -> list[str]:
        nonlocal accepted
        accepted = list(accepted() if callable(accepted) else accepted)
        names = [p.strip() for p in text.split(",") if p.strip()]
        if not names:
            raise argparse.ArgumentTypeError(f"expected comma-separated names from: {', '.join(accepted)}")
        unknown = [n for n in names if n not in accepted]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {unknown}; choose from: {', '.join(accepted)}")
        return list(dict.fromkeys(names))

    return parse


def _spec_list(text: str) -> list[str]:
    """``benchmark:dataset`` names, comma-separated (``--prior``)."""
    from .datasets import BENCHMARKS

    specs = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in specs if t.partition(":")[0] not in BENCHMARKS]
    if bad or not specs:
        raise argparse.ArgumentTypeError(f"{', '.join(bad) or 'nothing'}: give benchmark:dataset names of "
                                         f"{', '.join(BENCHMARKS)}, comma-separated")
    return specs


def _folder(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not an existing folder")
    return path


def _writable_folder(text: str) -> Path:
    """The output folder, created if needed; a folder that cannot be written is a usage error now, not later."""
    path = Path(text).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".sknas-write-test-{time.time_ns()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot write to {text!r}: {exc.strerror or exc}") from None
    return path


def _output(args) -> Path:
    """``--output``, else ``sknas-output`` created now: the default folder appears only once a command writes."""
    if args.output is None:
        args.output = _writable_folder("sknas-output")
    return args.output


# ---------------------------------------------------------------- subcommands
def _load(args):
    from .datasets import load_benchmark

    return load_benchmark(args.benchmark, args.dataset, data_home=args.data_home)


def _source_label(bench) -> str:
    from .datasets import PACKAGE_DATA

    source = Path(bench.source) if bench.source else None
    if source is not None and source.parent == PACKAGE_DATA:
        return f"the table shipped with sknas ({source.name})"
    return str(bench.source) or "unknown source"


def _cmd_benchmarks(args: argparse.Namespace) -> int:
    from .datasets import benchmark_status

    rows = benchmark_status(args.data_home)
    width = max(len(f"{b} {d}") for b, d, _, _ in rows)
    print(f"{'benchmark dataset':<{width}}  status")
    for bench, dataset, status, hint in rows:
        print(f"{bench + ' ' + dataset:<{width}}  {status}{'  (' + hint + ')' if hint else ''}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    """Summarise a benchmark and run a random-search baseline on it."""
    from .compare import standard_error
    from .search import initial_design

    t0 = time.perf_counter()
    bench = _load(args)
    space = bench.space
    print(f"{bench.name} / {bench.dataset}: {len(bench)} architectures, {space.n_decisions} decisions, "
          f"{len(space.unique(bench.X))} distinct up to equivalence (from {_source_label(bench)}, "
          f"{time.perf_counter() - t0:.2f} s)")
    print(f"metrics: {', '.join(bench.metric_names[:8])}{' ...' if len(bench.metric_names) > 8 else ''}")
    valid = bench.metrics["valid"]
    print("\ntop 5 by validation accuracy (%):")
    for i in np.argsort(-valid)[:5]:
        test = f"  test {bench.metrics['test'][i]:.3f}" if "test" in bench.metrics else ""
        print(f"  valid {valid[i]:.3f}{test}  {space.to_string(bench.X[i])}")
    rng = np.random.default_rng(args.seed)
    regrets = [float(bench.regret(bench.query(initial_design(bench.search_space, args.budget, rng)).max()))
               for _ in range(args.repeats)]
    se = standard_error(np.asarray(regrets))
    print(f"\nrandom search, {args.budget} queries, {args.repeats} runs: mean validation regret "
          f"{np.mean(regrets):.3f} points" + (f" (± {se:.3f} s.e.)" if se is not None else ""))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    """:func:`_run_compare` while holding the comparison's lock (:func:`_compare_lock`)."""
    with _compare_lock(args):
        return _run_compare(args)


@contextlib.contextmanager
def _compare_lock(args):
    """Hold the output folder (and a journal --storage) for this run: exclusively, or shared with --worker.

    Two runs without --worker on one comparison fail each other's running trials as left behind by a dead
    process (the second ended with "Cannot tell a FAIL trial."); so a second run is refused, naming the first
    and --worker. The lock is ``flock``'s (released by the system when the process dies, kill -9 included);
    without ``fcntl`` (Windows) nothing is locked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    out = _output(args)
    paths = [out / ".sknas-compare.lock"]
    if args.storage is not None and "://" not in str(args.storage):
        paths.append(Path(str(args.storage) + ".sknas-lock"))
    mode = fcntl.LOCK_SH if args.worker else fcntl.LOCK_EX
    note = f"pid {os.getpid()}, {'--worker, ' if args.worker else ''}started {time.strftime('%Y-%m-%d %H:%M:%S')}"
    with contextlib.ExitStack() as stack:
        for path in paths:
            f = stack.enter_context(open(path, "a+"))
            try:
                fcntl.flock(f, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                f.seek(0)
                other = f.read().strip() or "unknown"
                raise RuntimeError(
                    f"{path.parent if path.parent == out else args.storage} is in use by another sknas compare "
                    f"({other}); wait for it to end or use another --output"
                    + (" and --storage" if len(paths) > 1 else "")
                    + ", or start every process with --worker to share the comparison") from None
            f.seek(0)
            f.truncate()
            f.write(note + "\n")
            f.flush()
        yield


def _run_compare(args: argparse.Namespace) -> int:
    """Compare search methods on one benchmark: progress, a table, and CSV / JSON / PNG in the output folder."""
    from .compare import compare, reports_short, study_name, study_prior

    t0 = time.perf_counter()
    bench = _load(args)
    spec = f"{bench.name}:{bench.dataset}"
    out = _output(args)
    budgets, unit = _compare_budgets(args, bench)
    _check_output_folder(args, spec, budgets if unit else None)
    storage = _storage(args, bench)
    print(f"comparing {', '.join(args.methods)} on {spec} ({_source_label(bench)}): "
          + (f"training time up to {budgets[-1]}x the median ({unit:.0f} s)" if unit else f"{args.budget} trials")
          + f"{', one seed observed per trial' if args.noisy else ''}, {args.seeds} seeds, {args.jobs} jobs"
          + (f", objectives {' and '.join(args.objectives)}" if len(args.objectives) > 1 else "")
          + (f", within {', '.join(args.constraint)}" if args.constraint else "")
          + f"; studies kept in {storage}", file=sys.stderr, flush=True)
    _write_compare(args, bench, [], status="running")  # no earlier run's results may look current
    names = [study_name(spec, m, seed, args.constraint, args.objectives, args.noisy, args.fast,
                        reports_short(bench, m), study_prior(m, args.prior))
             for seed in range(args.seeds) for m in args.methods]
    progress = _Progress(None if unit else len(names) * args.budget, f"{len(args.methods)} methods x {args.seeds} "
                         "seeds:", unit=" trials")  # methods interleaved (see compare): early lines are representative
    counter = _TrialCounter(storage, names, None if unit else args.budget, progress)
    runs: list[dict] = []

    def finished(run):
        runs.append(run)
        counter.studies += 1
        _write_compare(args, bench, runs, status="running", plot=False)

    try:
        with counter:
            runs = compare([spec], args.methods, budget=None if unit else args.budget, seeds=args.seeds,
                           n_jobs=args.jobs, fast=args.fast, data_home=args.data_home, on_result=finished,
                           storage=storage, worker=args.worker, constraints=args.constraint,
                           objectives=args.objectives, noisy=args.noisy,
                           cost_budget=budgets[-1] * unit if unit else None,
                           recommend_at=[b * (unit or 1) for b in budgets] if args.noisy else (),
                           prior=args.prior)
    except KeyboardInterrupt:
        print(f"\ninterrupted: writing the {len(runs)} studies finished so far; run the same command again to "
              "resume", file=sys.stderr)
        table = _write_compare(args, bench, runs, status="interrupted")
        print(table)
        return 130
    table = _write_compare(args, bench, runs, status="complete")
    print(table)
    print(f"\nwrote {out / 'trials.csv'}, summary.json, summary.md and the "
          f"{'fronts' if len(args.objectives) > 1 else 'regret'} plot "
          f"({time.perf_counter() - t0:.0f} s)")
    return 0


#: the options that define a comparison: summary.json's key -> the option that sets it
_DEFINING = {"benchmark": "benchmark / --dataset", "methods_requested": "--methods", "budget": "--budget",
             "seeds": "--seeds", "constraints": "--constraint", "objectives": "--objectives", "noisy": "--noisy",
             "cost_budgets": "--budget-cost", "fast": "--fast"}


def _defining(args, spec: str, cost_budgets) -> dict:
    """The values of :data:`_DEFINING` of this run, as summary.json holds them."""
    return json.loads(json.dumps({
        "benchmark": spec, "methods_requested": args.methods, "budget": args.budget, "seeds": args.seeds,
        "constraints": args.constraint, "objectives": list(args.objectives), "noisy": args.noisy,
        "cost_budgets": cost_budgets, "fast": args.fast}))


def _check_output_folder(args, spec: str, cost_budgets) -> None:
    """A usage error when --output holds the results of a comparison with other options: a run never replaces
    them silently. The same options resume (or rewrite) the folder's comparison."""
    path = args.output / "summary.json"
    if not path.is_file():
        return
    try:
        stored = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        stored = None
    if not isinstance(stored, dict) or "benchmark" not in stored:
        args.parser.error(f"argument --output: {path} is not a summary of sknas compare; give another --output folder")
    stored.setdefault("objectives", ["valid"])  # summaries written before the key was added
    now = _defining(args, spec, cost_budgets)
    differ = [k for k in _DEFINING if k in stored and stored[k] != now[k]]
    if differ:
        args.parser.error(f"argument --output: {args.output} holds a comparison made with other options ("
                          + "; ".join(f"{_DEFINING[k]}: {stored[k]} there, {now[k]} now" for k in differ)
                          + "); give another --output folder, or the same options to resume it, or delete its "
                          "summary.json to replace its results")


def _storage(args, bench):
    """The Optuna storage of the command: --storage, else a journal file in the output folder.

    ``--restart`` deletes this comparison's studies from it first (only those: a shared database keeps the rest).
    """
    url = args.storage if args.storage is not None else str(args.output / "studies.journal")
    if args.restart:
        import optuna

        from .compare import open_storage, reports_short, study_name, study_prior

        spec = f"{bench.name}:{bench.dataset}"
        storage = open_storage(url)
        names = {s.study_name for s in optuna.get_all_study_summaries(storage)}
        for m in args.methods:
            for seed in range(args.seeds):
                name = study_name(spec, m, seed, args.constraint, args.objectives, args.noisy, args.fast,
                                  reports_short(bench, m), study_prior(m, args.prior))
                if name in names:
                    optuna.delete_study(study_name=name, storage=storage)
    return url


def _write_compare(args, bench, runs, *, status: str, plot: bool = True) -> str:
    """Write trials.csv, summary.json, summary.md (and the plot) of the runs so far, each atomically."""
    from .compare import cost_grid, curve_to_dict, regret_curve, search_space, summarise, summary_rows
    from .utils import atomic_path

    spec, out = f"{bench.name}:{bench.dataset}", args.output
    if len(args.objectives) > 1:
        return _write_fronts(args, bench, runs, status=status, plot=plot)
    optimum = bench.optimum("valid", search_space(bench, args.constraint) if args.constraint else None)
    budgets, unit = _compare_budgets(args, bench)
    summary, curves, rows, missing = {}, {}, [], []
    for m in args.methods:
        mine = sorted((r for r in runs if r["method"] == m), key=lambda r: r["seed"])
        if len(mine) < args.seeds:
            missing.append(f"{m} ({len(mine)} of {args.seeds} seeds)")
        if mine:
            summary[m] = summarise(mine, budgets, optimum, unit)
            curves[m] = regret_curve(mine, optimum, cost_grid(budgets) if unit else None, unit or 1.0)
            rows += [[m, *row] for row in summary_rows(summary[m])]
    table = _table(["method", "training time (x median)" if unit else "trials", "valid regret, points (mean ± s.e.)",
                    "hit optimum", "median trials to optimum", "test acc. % of the returned",
                    f"wall s per {f'{budgets[-1]}x' if unit else f'{args.budget}-trial'} study"]
                   + (["trials in budget (mean)"] if unit else [])
                   + (["valid regret of the predictor's pick (mean ± s.e.)"] if args.noisy else []), rows)
    if missing and status != "running":
        table += "\n\nnot finished: " + ", ".join(missing)
    if runs:
        with atomic_path(out / "trials.csv") as tmp:
            _trials_frame(runs, bench).to_csv(tmp, index=False)
    else:
        (out / "trials.csv").unlink(missing_ok=True)
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps({
            "benchmark": spec, "data_source": str(bench.source), "sknas_version": __version__, "status": status,
            "optimum_valid": optimum, "constraints": args.constraint, "objectives": list(args.objectives),
            "budget": args.budget, "seeds": args.seeds, "fast": args.fast,
            "noisy": args.noisy, "cost_budgets": budgets if unit else None, "cost_unit_s": unit,
            "methods_requested": args.methods,
            "unfinished": missing, "methods": summary, "curves": {m: curve_to_dict(c) for m, c in curves.items()},
        }, indent=1) + "\n")
    within = f", within {', '.join(args.constraint)} (regret to the best such architecture)" if args.constraint else ""
    within += (", one training seed observed per trial (regret: of the seed mean of the architecture of best "
               "observation)" if args.noisy else "")
    within += f", budgets in multiples of the median training time ({unit:.0f} s)" if unit else ""
    with atomic_path(out / "summary.md") as tmp:
        tmp.write_text(f"{spec}{within}, data: {_source_label(bench)}, status: {status}\n\n{table}\n")
    def figure():
        from .plotting import plot_regret

        return plot_regret(curves, title=f"{bench.name} {bench.dataset}: validation regret, mean ± s.e. over "
                                         f"{args.seeds} seeds\ndata: {_source_label(bench)}",
                           **({"x": cost_grid(budgets), "xlabel": f"training time (x the median, {unit:.0f} s)"}
                              if unit else {}))

    _save_figure(out / f"regret_{spec.replace(':', '_')}.png", figure if plot and curves else None, runs)
    return table


def _save_figure(png: Path, figure, runs) -> None:
    """Write ``figure()`` to ``png`` atomically (when given); before any run, remove an earlier run's plot."""
    from .utils import atomic_path

    if figure is not None:
        with atomic_path(png) as tmp:
            figure().savefig(tmp, dpi=120, format="png")
    elif not runs:
        png.unlink(missing_ok=True)


def _budgets(budget: int) -> list[int]:
    return sorted({b for b in (10, 25, 50, 100, 200, 500) if b < budget} | {budget})


def _compare_budgets(args, bench) -> tuple[list, float | None]:
    """The budgets the compare table reports and their unit: trials (unit None), or with --cost multiples of
    the median training time (the unit, in seconds)."""
    from .compare import median_cost

    return (args.budget_cost, median_cost(bench)) if args.cost else (_budgets(args.budget), None)


def _front_plot(bench, objectives, front, fronts: dict, title: str):
    from .plotting import plot_fronts

    return plot_fronts(front, fronts, labels=objectives, maximize=[bench.maximize[m] for m in objectives],
                       title=title)


def _write_fronts(args, bench, runs, *, status: str, plot: bool = True) -> str:
    """:func:`_write_compare` for two objectives: hypervolume regret per budget and the fronts found."""
    from .compare import median_front, search_space, summarise_fronts, true_front
    from .utils import atomic_path

    spec, out, objectives = f"{bench.name}:{bench.dataset}", args.output, args.objectives
    front, reference = true_front(bench, objectives,
                                  search_space(bench, args.constraint) if args.constraint else None)
    summary, rows, missing, fronts = {}, [], [], {}
    for m in args.methods:
        mine = sorted((r for r in runs if r["method"] == m), key=lambda r: r["seed"])
        if len(mine) < args.seeds:
            missing.append(f"{m} ({len(mine)} of {args.seeds} seeds)")
        if mine:
            summary[m] = summarise_fronts(mine, _budgets(args.budget), front, reference)
            for b, st in summary[m].items():
                se = st["regret_se"]
                rows.append([m, b, f"{st['regret_mean']:.2f} " + (f"± {se:.2f}" if se is not None else "(1 run)"),
                             f"{st['wall_s']:.1f}"])
            median, points = median_front(mine, front, reference)
            fronts[f"{m} (seed {median['seed']})"] = points
    table = _table(["method", "trials", "hypervolume regret, % of the true front's (mean ± s.e.)",
                    f"wall s per {args.budget}-trial study"], rows)
    if missing and status != "running":
        table += "\n\nnot finished: " + ", ".join(missing)
    if runs:
        frame = _trials_frame(runs, bench)
        for j, m in enumerate(objectives):
            frame[m] = np.concatenate([r["points"][:, j] * (1.0 if bench.maximize[m] else -1.0) for r in runs])
        with atomic_path(out / "trials.csv") as tmp:
            frame.to_csv(tmp, index=False)
    else:
        (out / "trials.csv").unlink(missing_ok=True)
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps({
            "benchmark": spec, "data_source": str(bench.source), "sknas_version": __version__, "status": status,
            "objectives": list(objectives), "true_front_size": len(front), "constraints": args.constraint,
            "budget": args.budget, "seeds": args.seeds, "fast": args.fast, "methods_requested": args.methods,
            "unfinished": missing,
            "methods": summary}, indent=1) + "\n")
    with atomic_path(out / "summary.md") as tmp:
        tmp.write_text(f"{spec}, objectives {' and '.join(objectives)}, data: {_source_label(bench)}, "
                       f"status: {status}\n\n{table}\n")
    _save_figure(out / f"fronts_{spec.replace(':', '_')}.png",
                 (lambda: _front_plot(bench, objectives, front, fronts, f"{bench.name} {bench.dataset}: front of "
                                      f"the median run, {args.budget} trials")) if plot and fronts else None, runs)
    return table


def _trials_frame(runs, bench):
    import pandas as pd

    from .compare import returned

    frames = []
    for r in runs:  # best_so_far: the seed mean of the architecture the run returns after the trial
        frames.append(pd.DataFrame({
            "benchmark": r["spec"], "method": r["method"], "seed": r["seed"],
            "trial": np.arange(1, len(r["valid"]) + 1),
            "arch": bench.space.to_strings(r["rows"]), "valid": r["valid"], "test": r["test"],
            "regret": bench.regret(r["valid"]), "best_so_far": r["valid"][returned(r)],
            **({"observed": r["observed"]} if r.get("noisy") else {}),
            **({"pruned": ~r["full"], "short": r["short"]} if "full" in r else {}),
            **({"cost_s": r["cost"], "cumulative_cost_s": np.cumsum(r["cost"])} if "cost" in r else {}),
        }))
    return pd.concat(frames, ignore_index=True)


def _cmd_search(args: argparse.Namespace) -> int:
    """One Optuna study of a method; prints the best architecture in its native form with its metrics."""
    from .compare import returned, run_study

    bench = _load(args)
    spec = f"{bench.name}:{bench.dataset}"
    print(f"{args.method} on {spec}: {args.budget} trials, seed {args.seed}"
          + (f"; study kept in {args.storage}" if args.storage else ""), file=sys.stderr)
    progress = _Progress(args.budget, f"{args.method} seed {args.seed}:", unit=" trials")
    run = run_study(spec, args.method, args.seed, args.budget, fast=args.fast, data_home=args.data_home,
                    storage=args.storage, constraints=args.constraint, objectives=args.objectives,
                    on_trial=progress.update, prior=args.prior)
    if len(args.objectives) > 1:
        return _search_front(args, bench, run)
    best = int(returned(run)[-1])
    row = run["rows"][best]
    pruned = f", {int((~run['full']).sum())} stopped after the short training" if "full" in run else ""
    print(f"best architecture (trial {best + 1} of {args.budget}{pruned}, {run['wall']:.1f} s):")
    print(f"  {bench.space.to_string(row)}")
    print(f"  row: {row.tolist()}")
    for metric in ("valid", "test", "params", "flops", "latency"):
        if metric in bench.metrics:
            print(f"  {metric}: {bench.query(row[None, :], metric)[0]:.4f} {_UNITS[metric]}")
    from .compare import search_space

    space = search_space(bench, args.constraint) if args.constraint else None
    print(f"  validation regret: {bench.regret(run['valid'][best], space=space):.4f} points "
          f"(optimum {bench.optimum('valid', space):.4f} %{' within the constraints' if space else ''})")
    return 0


def _search_front(args, bench, run) -> int:
    """The end of ``sknas study`` on two objectives: the Pareto front found, its regret, front.csv and front.png."""
    import pandas as pd

    from .compare import search_space, true_front
    from .metrics import hypervolume_regret, pareto_front
    from .utils import atomic_path

    objectives, P = args.objectives, run["points"]
    out = _output(args)
    on_front = np.flatnonzero(pareto_front(P))
    on_front = on_front[np.argsort(-P[on_front, 0])]
    _, first = np.unique(bench.space.row_keys(run["rows"][on_front]), return_index=True)
    on_front = on_front[np.sort(first)]  # one entry per architecture
    frame = pd.DataFrame({"trial": on_front + 1, "arch": bench.space.to_strings(run["rows"][on_front]),
                          **{m: bench.query(run["rows"][on_front], m) for m in objectives}})
    print(f"Pareto front found ({len(frame)} architectures of {args.budget} trials, {run['wall']:.1f} s):")
    print(frame.to_string(index=False))
    front, reference = true_front(bench, objectives,
                                  search_space(bench, args.constraint) if args.constraint else None)
    print(f"hypervolume regret: {hypervolume_regret(P, front, reference):.2f} % of the true front's "
          f"({len(front)} points in the table)")
    with atomic_path(out / "front.csv") as tmp:
        frame.to_csv(tmp, index=False)
    _save_figure(out / "front.png", lambda: _front_plot(
        bench, objectives, front, {f"{args.method} (seed {args.seed})": P[on_front]},
        f"{bench.name} {bench.dataset}: front found in {args.budget} trials"), [run])
    print(f"wrote {out / 'front.csv'} and front.png", file=sys.stderr)
    return 0


def _cmd_predictors(args: argparse.Namespace) -> int:
    """Kendall tau of predictors against training-set size, and predicted-against-true scatter plots."""
    from .metrics import kendall_tau, precision_at_k
    from .plotting import plot_kendall_tau, plot_predicted_vs_true
    from .predictors import ArchitectureRegressor
    from .utils import n_outside, torch_threads

    bench = _load(args)
    sizes = args.train_sizes
    if max(sizes) >= len(bench):
        args.parser.error(f"argument --train-sizes: must be below the benchmark's {len(bench)} architectures; "
                          f"got {max(sizes)}")
    y_all = bench.metrics["valid"]
    rng = np.random.default_rng(args.seed)
    results, rows, scatter = {}, [], {}
    progress = _Progress(len(args.models) * len(sizes) * args.splits, "predictors")
    with torch_threads(1):
        for m in args.models:
            taus = np.zeros((len(sizes), args.splits))
            for i, n in enumerate(sizes):
                for k in range(args.splits):
                    perm = rng.permutation(len(bench))
                    tr, te = perm[:n], perm[n:]
                    reg = ArchitectureRegressor(bench.space, model=m, random_state=int(k))
                    pred = reg.fit(bench.X[tr], y_all[tr]).predict(bench.X[te])
                    taus[i, k] = kendall_tau(y_all[te], pred)
                    progress.step(f"{m} n={n}")
            scatter[m] = (y_all[te], pred)
            results[m] = (taus.mean(axis=1), taus.std(axis=1))
            rows.append([m] + [f"{a:.3f} ± {b:.3f}" for a, b in zip(*results[m])]
                        + [f"{precision_at_k(y_all[te], pred, 10):.2f}"])
    table = _table(["model"] + [f"n={n}" for n in sizes] + [f"p@10 (n={sizes[-1]}, last split)"], rows)
    print(table)
    out = _output(args)
    plot_kendall_tau(sizes, results, title=f"{bench.name} {bench.dataset}: Kendall tau, mean ± std over "
                     f"{args.splits} splits").savefig(out / "kendall_tau.png", dpi=120)
    bounds = bench.bounds.get("valid")
    for m, (y_true, pred) in scatter.items():
        plot_predicted_vs_true(y_true, pred, title=f"{m}: {sizes[-1]} training architectures, last split",
                               xlabel="true validation accuracy (%)",
                               ylabel="predicted validation accuracy (%)", value_range=bounds).savefig(
            out / f"predicted_vs_true_{m}.png", dpi=120)
        outside = n_outside(pred, bounds)
        if outside:
            print(f"{m}: {outside} of {len(pred)} predictions lie beyond [{bounds[0]:g}, "
                  f"{bounds[1]:g}] %; predicted_vs_true_{m}.png draws them at its ends")
    (out / "predictors.md").write_text(table + "\n")
    print(f"\nwrote {out / 'predictors.md'}, kendall_tau.png and predicted_vs_true_<model>.png")
    return 0


# -------------------------------------------------------------------- parser
class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Defaults in the help, except where there is none to show (``None``, ``False``)."""

    def _format_action(self, action):
        if callable(action.help):  # a help text that needs a heavy import, made only when shown
            action.help = action.help()
        return super()._format_action(action)

    def _get_help_string(self, action):
        if action.default in (None, False) or "default:" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _parser() -> argparse.ArgumentParser:
    from .compare import METHODS  # light: neither imports torch nor scikit-learn (tests/test_cli.py checks)
    from .datasets import BENCHMARKS

    def models():
        from .predictors import MODELS

        return MODELS

    fmt = _Help
    parser = argparse.ArgumentParser(prog="sknas", description="Predictor-based neural architecture search.",
                                     formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"sknas {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--data-home", type=_folder, default=None,
                        help="folder whose benchmark tables take precedence over those shipped with sknas "
                             "(default: $SKNAS_DATA, else ~/sknas_data, where present)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    default_methods = ",".join(m for m, spec in METHODS.items() if spec.default)

    def command(name, func, help_text, description=None, aliases=()):
        p = sub.add_parser(name, help=help_text, description=description or help_text, formatter_class=fmt,
                           aliases=list(aliases))
        p.set_defaults(func=func, parser=p)
        return p

    def bench_args(p):
        p.add_argument("benchmark", nargs="?", default="nasbench201", choices=list(BENCHMARKS),
                       help="benchmark name")
        p.add_argument("--dataset", default=None,
                       help="dataset of the benchmark (default: its first; e.g. nasbench201: "
                            f"{', '.join(BENCHMARKS['nasbench201'].datasets)})")

    def constraint_arg(p):
        p.add_argument("--constraint", action="append", default=[], metavar="COST<=VALUE",
                       help="a bound no evaluated architecture may break, e.g. params<=0.4 or latency_pixel3<=6 "
                            "(params, flops, or any metric of the benchmark; <= or >=; repeat for several)")

    def objectives_arg(p):
        p.add_argument("--objectives", default="valid", metavar="METRIC[,COST]",
                       help="what the studies optimise: one metric, or an accuracy and a cost for a Pareto front, "
                            "e.g. valid,latency:pixel3 or valid,params (any metric of the benchmark; kind:device "
                            "is short for kind_device; accuracies are maximised, costs minimised)")

    def prior_arg(p):
        p.add_argument("--prior", type=_spec_list, default=[], metavar="BENCHMARK:DATASET[,...]",
                       help="tables of the same space measured on other tasks, e.g. nasbench201:cifar10-valid,"
                            "nasbench201:cifar100 for a search on ImageNet16-120: the methods sknas-prior, "
                            "sknas-prior-shuffled and enqueue-tpe start from them (see the guide on priors)")

    command("benchmarks", _cmd_benchmarks, "list the benchmarks and where their data comes from")

    p = command("compare", _cmd_compare, "compare search methods on a benchmark (the main job)",
                "Compare search methods on a tabular benchmark: every method runs as an Optuna study maximising "
                "validation accuracy, over several seeds. Prints a table and writes trials.csv, summary.json, "
                "summary.md and a regret plot to --output. Methods: "
                + "; ".join(f"{m}: {spec.description}" for m, spec in METHODS.items()))
    bench_args(p)
    p.add_argument("--methods", type=_choices_list(list(METHODS)), default=None,
                   help=f"comma-separated, from: {', '.join(METHODS)} (default: {default_methods}; with two "
                        "objectives those of them that take several; with --prior also those that use it, but the "
                        "shuffled one)")
    p.add_argument("--budget", type=_positive_int, default=None,
                   help="trials per study, not with --cost (default: 100)")
    p.add_argument("--seeds", type=_positive_int, default=5,
                   help="studies per method (seeds 0, 1, ...); 30 for claims (benchmarks/compare_samplers.py)")
    p.add_argument("--jobs", type=_positive_int, default=2, help="studies run in parallel (processes)")
    p.add_argument("--noisy", action="store_true",
                   help="each trial observes ONE training seed's validation accuracy of its cell (drawn per seed and "
                        "trial number), as a user's training does; the regret is that of the seed mean of the "
                        "architecture of best observation, and a column adds that of the default predictor's pick")
    p.add_argument("--cost", action="store_true",
                   help="budgets in training time (the table's train_time): the studies run until the largest of "
                        "--budget-cost is spent, and the plot shows regret against training time")
    p.add_argument("--budget-cost", type=_number_list, default="10,25,50", metavar="MULTIPLES",
                   help="with --cost: the budgets reported, as multiples of the median training time of the table's "
                        "cells")
    p.add_argument("--output", type=_writable_folder, default=None,
                   help="folder for trials.csv, summary.json, summary.md and the plot (default: sknas-output)")
    p.add_argument("--fast", action="store_true", help="train predictors for 10 epochs only (smoke runs)")
    p.add_argument("--storage", default=None,
                   help="Optuna storage of the studies: an RDB URL (sqlite:///f.db, postgresql://...) or a journal "
                        "file; a second run resumes where the first stopped (default: studies.journal in --output)")
    p.add_argument("--restart", action="store_true", help="start afresh: delete this comparison's studies first")
    p.add_argument("--worker", action="store_true",
                   help="share the comparison with other processes started with the same --storage and options")
    constraint_arg(p)
    objectives_arg(p)
    prior_arg(p)

    p = command("study", _cmd_search, "one Optuna study of a method; prints the best architecture",
                "One Optuna study of a search method (the methods of sknas compare) on a tabular benchmark; prints "
                "the best architecture in its native form with its metrics ('sknas search' is its deprecated "
                "name).", aliases=["search"])
    bench_args(p)
    p.add_argument("--method", default=None, choices=list(METHODS),
                   help="search method (default: sknas, or sknas-prior with --prior)")
    p.add_argument("--budget", type=_positive_int, default=100, help="trials")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--fast", action="store_true", help="train predictors for 10 epochs only (smoke runs)")
    p.add_argument("--storage", default=None,
                   help="Optuna storage (RDB URL or journal file) to keep the study in and resume it from")
    p.add_argument("--output", type=_writable_folder, default=None,
                   help="folder for front.csv and front.png, with two objectives (default: sknas-output)")
    constraint_arg(p)
    objectives_arg(p)
    prior_arg(p)

    p = command("predictors", _cmd_predictors, "Kendall tau of predictors against training-set size")
    bench_args(p)
    p.add_argument("--train-sizes", type=_int_list, default="78,156,469",
                   help="comma-separated numbers of training architectures")
    p.add_argument("--models", type=_choices_list(models), default="auto,mlp,gcn,xgboost",
                   help=lambda: f"comma-separated predictor models, from: {', '.join(models())}")
    p.add_argument("--splits", type=_positive_int, default=3, help="random train/test splits per size")
    p.add_argument("--seed", type=int, default=0, help="random seed of the splits")
    p.add_argument("--output", type=_writable_folder, default=None,
                   help="folder for the table and plots (default: sknas-output)")

    p = command("demo", _cmd_demo, "summarise a benchmark and run a random-search baseline on it")
    bench_args(p)
    p.add_argument("--budget", type=_positive_int, default=100, help="queries per random-search run")
    p.add_argument("--repeats", type=_positive_int, default=30, help="random-search runs")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    return parser


def _check_compare_regime(args) -> None:
    """Usage errors of --budget, --noisy and --cost; --budget's default (100 trials) without --cost."""
    if args.cost and args.budget is not None:
        args.parser.error("argument --budget: not with --cost (the studies run until --budget-cost's largest budget "
                          "of training time is spent)")
    args.budget = 100 if args.budget is None and not args.cost else args.budget
    if args.noisy and tuple(args.objectives) != ("valid",):
        args.parser.error("argument --noisy: only with the objective valid")
    if args.cost and len(args.objectives) > 1:
        args.parser.error("argument --cost: one objective only")
    bench = _load(args)
    if args.noisy and "valid" not in bench.per_seed:
        args.parser.error(f"argument --noisy: {bench.name} {bench.dataset} has no per-seed validation values")
    if args.cost and "train_time" not in bench.metrics:
        args.parser.error(f"argument --cost: {bench.name} {bench.dataset} has no training time per architecture")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 runtime failure, 2 bad usage, 130 interrupted)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "search":
        print("sknas search is deprecated; use sknas study (the same command)", file=sys.stderr)
    if getattr(args, "benchmark", None) is not None and args.dataset is not None:
        from .datasets import BENCHMARKS

        datasets = BENCHMARKS[args.benchmark].datasets
        if args.dataset not in datasets:
            args.parser.error(f"argument --dataset: {args.benchmark} has no dataset {args.dataset!r}; choose from "
                              f"{', '.join(datasets)}")
    if getattr(args, "constraint", None):
        from .compare import search_space

        try:
            search_space(_load(args), args.constraint)
        except ValueError as exc:
            args.parser.error(f"argument --constraint: {exc}")
    if getattr(args, "objectives", None) is not None:
        from .compare import METHODS, parse_objectives

        try:
            args.objectives = parse_objectives(args.objectives, _load(args))
        except ValueError as exc:
            args.parser.error(f"argument --objectives: {exc}")
        if hasattr(args, "methods") and args.methods is None:
            args.methods = [m for m, spec in METHODS.items() if (spec.default or args.prior and spec.prior)
                            and "shuffled" not in m and (spec.multi_objective or len(args.objectives) == 1)]
        if hasattr(args, "method") and args.method is None:
            args.method = "sknas-prior" if args.prior else "sknas"
        chosen = args.methods if hasattr(args, "methods") else [args.method]
        needing = [m for m in chosen if METHODS[m].prior and not args.prior]
        if needing:
            args.parser.error(f"argument --prior: {', '.join(needing)} need(s) prior tables, e.g. "
                              "--prior nasbench201:cifar10-valid")
        chosen = args.methods if hasattr(args, "methods") else [args.method]
        single = [m for m in chosen if not METHODS[m].multi_objective]
        if len(args.objectives) > 1 and single:
            args.parser.error(f"argument --objectives: {', '.join(single)} optimise(s) one objective; drop "
                              f"{'it' if len(single) == 1 else 'them'} from the methods")
    if args.command == "compare":
        _check_compare_regime(args)
    if getattr(args, "storage", None) is not None:
        from .compare import open_storage

        try:
            open_storage(args.storage)
        except ValueError as exc:
            args.parser.error(f"argument --storage: {exc}")
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, RuntimeError, ImportError) as exc:
        if args.debug:
            raise
        print(f"sknas {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
