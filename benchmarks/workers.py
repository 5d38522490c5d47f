"""Many workers on one study: how often do concurrent processes evaluate the same architecture?

``--workers`` processes share one Optuna study per sampler (a journal file, SQLite or a real PostgreSQL
server), each running ``--trials`` trials on NAS-Bench-201 cifar10-valid with the same sampler arguments
and seed, as the docs tell users to. Every study is created once before the workers start (Optuna's
schema creation is not safe against concurrent first use). Reported per sampler and storage: trials,
how many evaluated an architecture (up to equivalence) that another trial of the study had already
evaluated, whether every trial completed, and whether the study's best equals the best of its trials.

    python benchmarks/workers.py                                    # journal and SQLite, 5 repetitions
    python benchmarks/workers.py --postgres postgresql://user@host:port/db --storages journal,sqlite,postgres
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _common import markdown_table, write_results

#: one worker process: runs its share of every sampler's study, one study after the other
WORKER = textwrap.dedent("""
    import sys, optuna, torch
    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    from sknas.compare import make_sampler, open_storage
    from sknas.datasets import load_nasbench201

    url, n_trials, seed, *pairs = sys.argv[1:]  # pairs: study name, its method, ...
    bench = load_nasbench201("cifar10-valid")
    space = bench.space
    storage = open_storage(url)
    for name, method in zip(pairs[::2], pairs[1::2]):
        study = optuna.load_study(study_name=name, storage=storage, sampler=make_sampler(method, space, int(seed)))
        study.optimize(lambda t: float(bench.query(space.suggest(t)[None])[0]), n_trials=int(n_trials))
    """)

#: sampler (its study and its row in the table) -> its method in sknas.compare.METHODS: small settings, seconds a study
SAMPLERS = {"sknas": "sknas-small", "prednas": "prednas-small", "neural-predictor": "neural-predictor-small",
            "rea": "rea-small"}


def run_workers(url: str, n_workers: int, n_trials: int, samplers=SAMPLERS, seed: int = 0, timeout: float = 900):
    """Create one study per sampler in ``url``, run ``n_workers`` processes on them; per sampler the counts.

    ``samplers`` maps each study's name to its method in :data:`sknas.compare.METHODS`.
    """
    import numpy as np
    import optuna

    from sknas.compare import open_storage
    from sknas.datasets import load_nasbench201
    from sknas.samplers import ROW_ATTR

    storage = open_storage(url)
    for name in samplers:
        optuna.create_study(study_name=name, storage=storage, direction="maximize")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "worker.py"
        script.write_text(WORKER)
        pairs = [text for name, method in samplers.items() for text in (name, method)]
        procs = [subprocess.Popen([sys.executable, str(script), url, str(n_trials), str(seed), *pairs],
                                  stderr=subprocess.PIPE, text=True) for _ in range(n_workers)]
        errors = [p.communicate(timeout=timeout)[1] for p in procs]
    failed = [e for p, e in zip(procs, errors) if p.returncode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} worker(s) failed:\n{failed[0][-2000:]}")
    space = load_nasbench201("cifar10-valid").space
    out = {}
    for name in samplers:
        study = optuna.load_study(study_name=name, storage=storage)
        trials = study.get_trials()
        rows = np.array([space.params_to_row(t.params) for t in trials])
        keys = space.row_keys(rows)
        values = [t.value for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
        out[name] = {"trials": len(trials), "duplicates": len(keys) - len(set(keys)),
                     "all_complete": all(t.state == optuna.trial.TrialState.COMPLETE for t in trials),
                     "best_consistent": bool(values) and study.best_value == max(values),
                     "claims_recorded": all(ROW_ATTR in t.system_attrs or t.system_attrs.get("fixed_params")
                                            for t in trials)}
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--storages", default="journal,sqlite", help="from: journal, sqlite, postgres")
    p.add_argument("--postgres", default=None, help="URL of a PostgreSQL database for --storages postgres")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--trials", type=int, default=10, help="trials per worker and sampler")
    p.add_argument("--repeats", type=int, default=5, help="repetitions (seeds 0, 1, ...)")
    p.add_argument("--output", default="workers")
    args = p.parse_args(argv)
    results, rows = {}, []
    for kind in args.storages.split(","):
        for rep in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                if kind == "journal":
                    url = str(Path(tmp) / "study.journal")
                elif kind == "sqlite":
                    url = f"sqlite:///{tmp}/study.db"
                elif kind == "postgres" and args.postgres:
                    url = args.postgres
                    _drop_studies(url)
                else:
                    p.error(f"unknown storage {kind!r} (or --postgres missing)")
                t0 = time.perf_counter()
                res = run_workers(url, args.workers, args.trials, seed=rep)
                print(f"{kind} rep {rep}: {time.perf_counter() - t0:.0f} s {res}", flush=True)
                for name, r in res.items():
                    results.setdefault(kind, {}).setdefault(name, []).append(r)
    for kind, per in results.items():
        for name, reps in per.items():
            dup = [r["duplicates"] for r in reps]
            rows.append([kind, name, len(reps), reps[0]["trials"], f"{sum(dup)} ({', '.join(map(str, dup))})",
                         all(r["all_complete"] for r in reps), all(r["best_consistent"] for r in reps),
                         all(r["claims_recorded"] for r in reps)])
    table = markdown_table(["storage", "sampler", "repetitions", "trials per study", "duplicates in all (per rep.)",
                            "all complete", "best consistent", "claims recorded"], rows)
    header = (f"Command: `workers.py --storages {args.storages} --workers {args.workers} --trials {args.trials} "
              f"--repeats {args.repeats}`\n\n")
    write_results(args.output, {"args": vars(args), "results": results}, header + table)
    print(table)


def _drop_studies(url: str) -> None:
    """Delete the studies of an earlier repetition from a persistent database."""
    import optuna

    from sknas.compare import open_storage

    storage = open_storage(url)
    for s in optuna.get_all_study_summaries(storage):
        optuna.delete_study(study_name=s.study_name, storage=storage)


if __name__ == "__main__":
    main()
