"""A long study of the default sampler: does its memory stay flat, and how does its time per trial grow?

One Optuna study (in memory) of the default :class:`~sknas.samplers.PredictorSampler` on NAS-Bench-201
cifar10-valid, the objective a table lookup (so every second and byte measured is the sampler's). At each
checkpoint the process's resident memory (``/proc/self/statm``, now, not the peak), the seconds per trial
since the last checkpoint and the sizes of the sampler's own caches are recorded; the result files are
rewritten at every checkpoint, so a run stopped early still reports how far it got.

``--trim`` also asks the C allocator to give freed memory back (glibc ``malloc_trim``) at each checkpoint and
records the RSS after it: what the process still holds, against what the allocator keeps for reuse.
``--max-epochs`` trains the default predictor for fewer epochs (a quicker diagnostic).

    nice -n 10 python benchmarks/long_study.py --trials 2000
    nice -n 10 python benchmarks/long_study.py --trials 800 --max-epochs 5 --trim --output long_study_trim
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import time

from _common import markdown_table, one_thread, write_results

CHECKPOINTS = (10, 100, 250, 500, 750, 1000, 1500, 2000)


def rss_mb() -> float:
    """The resident set size of this process now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def run(n_trials: int, seed: int, checkpoints, report, trim: bool = False, max_epochs: int | None = None
        ) -> list[dict]:
    """Run the study, calling ``report(rows)`` at every checkpoint; the rows measured."""
    import optuna

    from sknas.datasets import load_nasbench201
    from sknas.samplers import PredictorSampler
    from sknas.search import default_predictor

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    bench = load_nasbench201("cifar10-valid")
    space = bench.space
    predictor = None if max_epochs is None else default_predictor(space).set_params(model__max_epochs=max_epochs)
    sampler = PredictorSampler(space, predictor=predictor, seed=seed)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    marks = sorted({c for c in checkpoints if c <= n_trials} | {n_trials})
    rows: list[dict] = []
    last = {"n": 0, "wall": time.perf_counter(), "cpu": time.process_time()}

    def checkpoint(study, trial):
        n = trial.number + 1
        if n not in marks:
            return
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        rows.append({"trials": n, "rss_mb": round(rss_mb(), 1),
                     "wall_s_per_trial": round((wall - last["wall"]) / (n - last["n"]), 3),
                     "cpu_s_per_trial": round((cpu - last["cpu"]) / (n - last["n"]), 3),
                     "sampler_rows_cached": len(sampler._rows), "sampler_rounds_cached": len(sampler._cache),
                     "best": round(study.best_value, 3)})
        if trim:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            rows[-1]["rss_after_trim_mb"] = round(rss_mb(), 1)
        last.update(n=n, wall=wall, cpu=cpu)
        print(rows[-1], flush=True)
        report(rows)

    study.optimize(lambda t: float(bench.query(space.suggest(t)[None])[0]), n_trials=n_trials,
                   callbacks=[checkpoint], gc_after_trial=False)
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", default="long_study")
    p.add_argument("--trim", action="store_true", help="also record the RSS after glibc's malloc_trim(0)")
    p.add_argument("--max-epochs", type=int, default=None, help="epochs of the default predictor (default: its own)")
    args = p.parse_args(argv)
    one_thread()
    t0 = time.perf_counter()

    def report(rows):
        done = rows[-1]["trials"]
        flags = (" --trim" if args.trim else "") + (f" --max-epochs {args.max_epochs}" if args.max_epochs else "")
        header = (f"Command: `long_study.py --trials {args.trials} --seed {args.seed}{flags}` (one study, one seed; "
                  f"{done} of {args.trials} trials reached, {time.perf_counter() - t0:.0f} s wall so far)\n\n"
                  "Default PredictorSampler on NAS-Bench-201 cifar10-valid, objective = table lookup, in-memory "
                  "storage. RSS = resident memory now (not the peak); seconds per trial are averaged since the "
                  "previous checkpoint.\n\n")
        table = markdown_table(["trials", "RSS (MB)"] + (["RSS after malloc_trim (MB)"] if args.trim else [])
                               + ["wall s/trial", "CPU s/trial", "sampler row cache", "sampler round cache", "best"],
                               [[r["trials"], r["rss_mb"]] + ([r["rss_after_trim_mb"]] if args.trim else [])
                                + [r["wall_s_per_trial"], r["cpu_s_per_trial"], r["sampler_rows_cached"],
                                   r["sampler_rounds_cached"], r["best"]] for r in rows])
        write_results(args.output, {"args": vars(args), "complete": done == args.trials, "rows": rows},
                      header + table)

    run(args.trials, args.seed, CHECKPOINTS, report, trim=args.trim, max_epochs=args.max_epochs)


if __name__ == "__main__":
    main()
