"""Search under a constraint known only after a trial has run (Optuna's ``trial.set_constraint``).

Each study maximises NAS-Bench-201 validation accuracy subject to a device latency at most the median
of the table's (so half of the space is feasible); the samplers see the latency only as the
constraint value the objective sets on each trial (``trial.set_constraint``), as when it is measured on
the device after training. The sknas samplers (the default ``PredictorSampler`` and regularized
evolution) learn feasibility from those values, as Optuna's ``GPSampler`` and ``TPESampler`` do; random
search ignores them. Reported per budget: the regret of the best feasible architecture found against the best
feasible one in the table (mean ± s.e.; a run that found none counts the worst feasible accuracy), the
share of runs that found one, and the share of trials spent on infeasible architectures.

    python benchmarks/unknown_constraints.py                                   # 30 seeds, three datasets
    python benchmarks/unknown_constraints.py --datasets cifar10-valid --seeds 3 --budget 20   # a quick look
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from _common import mean_se, one_thread, parallel_map, write_results


def run_one(dataset: str, device: str, method: str, seed: int, budget: int) -> dict:
    import optuna

    from sknas.compare import make_sampler
    from sknas.datasets import load_nasbench201

    one_thread()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    bench = load_nasbench201(dataset)
    latency = bench.cost(device)
    bound = float(np.median(latency(bench.X)))

    def objective(trial):
        row = bench.space.suggest(trial)
        trial.set_constraint("latency", float(latency(row[None, :])[0]) - bound)  # measured after "training"
        return float(bench.query([row])[0])

    study = optuna.create_study(direction="maximize", sampler=make_sampler(method, bench.space, seed))
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=budget)
    wall = time.perf_counter() - t0
    rows = np.array([bench.space.params_to_row(t.params) for t in study.trials])
    return {"valid": bench.query(rows).tolist(), "feasible": (latency(rows) <= bound).tolist(), "wall_s": wall}


def summarise(runs: list[dict], budgets, best: float, worst: float) -> dict:
    out = {}
    for b in budgets:
        regrets, found, infeasible = [], [], []
        for r in runs:
            v, ok = np.asarray(r["valid"][:b]), np.asarray(r["feasible"][:b])
            found.append(ok.any())
            regrets.append(best - (v[ok].max() if ok.any() else worst))
            infeasible.append(1 - ok.mean())
        out[b] = {"regret": mean_se(regrets), "found": float(np.mean(found)), "infeasible": mean_se(infeasible)}
    out["wall_s"] = float(np.mean([r["wall_s"] for r in runs]))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", default="cifar10-valid,cifar100,ImageNet16-120")
    p.add_argument("--device", default="latency_pixel3", help="the NB201 latency column constrained")
    p.add_argument("--methods", default="sknas,rea,gp,tpe,random", help="comma-separated, from sknas.compare.METHODS")
    p.add_argument("--budget", type=int, default=100)
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--results-dir", default=None, help="where the JSON and markdown go (default benchmarks/results)")
    args = p.parse_args(argv)
    from sknas.datasets import load_nasbench201

    budgets = [b for b in (25, 50, 100) if b < args.budget] + [args.budget]
    methods, results, lines = args.methods.split(","), {}, []
    for dataset in args.datasets.split(","):
        bench = load_nasbench201(dataset)
        lat = bench.cost(args.device)(bench.X)
        ok = lat <= np.median(lat)
        valid = bench.query(bench.X)
        best, worst = float(valid[ok].max()), float(valid[ok].min())
        tasks = [(dataset, args.device, m, s, args.budget) for m in methods for s in range(args.seeds)]
        runs = parallel_map(run_one, tasks, args.jobs)
        results[dataset] = {m: summarise(runs[i * args.seeds:(i + 1) * args.seeds], budgets, best, worst)
                            for i, m in enumerate(methods)}
        for m, r in results[dataset].items():
            cells = [f"{r[b]['regret'][0]:.3f} ± {r[b]['regret'][1]:.3f} ({r[b]['found']:.0%}; "
                     f"{r[b]['infeasible'][0]:.0%})" for b in budgets]
            lines.append(f"| {dataset} | {m} | " + " | ".join(cells) + f" | {r['wall_s']:.1f} |")
            print(lines[-1], flush=True)
    command = "python benchmarks/unknown_constraints.py " + " ".join(argv if argv is not None else sys.argv[1:])
    head = (f"Command: `{command.strip()}`; {args.device} <= its median over the table, known to the samplers only "
            f"as each finished trial's constraint value; {args.seeds} seeds (0-{args.seeds - 1}).\n\n"
            "Each cell: validation regret of the best feasible architecture found (mean ± s.e.) (share of runs "
            "that found a feasible one; share of trials spent on infeasible ones).\n\n"
            "| dataset | sampler | " + " | ".join(f"@{b}" for b in budgets) + f" | wall s per {args.budget}-trial "
            "study |\n|" + "---|" * (len(budgets) + 3))
    write_results("unknown_constraints", {"args": vars(args), "budgets": budgets, "results": results},
                  head + "\n" + "\n".join(lines), **({"results_dir": args.results_dir} if args.results_dir else {}))
    return results


if __name__ == "__main__":
    main()
