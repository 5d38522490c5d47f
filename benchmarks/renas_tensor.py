"""The ReNAS predictor on the published feature tensor against the compact one of earlier sknas versions.

``ArchitectureRegressor(space, model="renas")`` with its defaults, fed either the paper's tensor
(``encoding="renas"``: the op-type matrix and per-node FLOPs and parameters of every cell group, e.g.
19 x 7 x 7 for NAS-Bench-101) or the compact one (``encoding="renas-compact"``: adjacency, one-hot
type channels, network totals on every edge). Every split draws the training and test cells once;
both layouts are fitted (same seed) and scored on them, so the difference is paired. Reported:
Kendall's tau on the test cells (mean ± s.e. over splits) and the paired difference.

    python benchmarks/renas_tensor.py                       # 30 splits, NB201 cifar10-valid and the NB101 sample
    python benchmarks/renas_tensor.py --splits 3 --smoke    # seconds
"""

from __future__ import annotations

import argparse
import functools
import sys
import time

import numpy as np
from _common import markdown_table, mean_se, one_thread, parallel_map, write_results

#: layout name -> ArchitectureRegressor encoding
LAYOUTS = {"published": "renas", "compact": "renas-compact"}
#: benchmark -> (training sizes, test cells: a number, or None for all the others)
SETTINGS = {"nasbench201:cifar10-valid": ((100, 424), 5000), "nasbench101": ((100,), None)}


@functools.cache
def _load(name: str):
    from sknas.datasets import load_nasbench101_sample, load_nasbench201

    bench = load_nasbench101_sample() if name == "nasbench101" else load_nasbench201(name.split(":")[1])
    return bench, bench.query(bench.X, "valid")


def run_one(name: str, n_train: int, n_test: int | None, split: int, max_epochs: int | None):
    """Kendall's tau of both layouts on split ``split`` (its own training and test cells)."""
    from sknas import ArchitectureRegressor
    from sknas.metrics import kendall_tau

    one_thread()
    bench, y = _load(name)
    idx = np.random.default_rng(split).permutation(len(y))
    tr = idx[:n_train]
    te = idx[n_train:] if n_test is None else idx[n_train:n_train + n_test]
    out = {}
    for layout, encoding in LAYOUTS.items():
        reg = ArchitectureRegressor(bench.space, model="renas", encoding=encoding, model__max_epochs=max_epochs,
                                    n_threads=1, random_state=split)
        t0 = time.perf_counter()
        reg.fit(bench.X[tr], y[tr])
        out[layout] = kendall_tau(y[te], reg.predict(bench.X[te]))
        out[f"{layout}_s"] = time.perf_counter() - t0
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--benchmarks", default=",".join(SETTINGS))
    p.add_argument("--splits", type=int, default=30)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="tiny sizes and 2 epochs: checks that the script runs")
    p.add_argument("--results-dir", default=None, help="where the JSON and markdown go (default benchmarks/results)")
    args = p.parse_args(argv)
    results, rows = {}, []
    for name in args.benchmarks.split(","):
        sizes, n_test = SETTINGS[name]
        if args.smoke:
            sizes, n_test = (20,), 100
        results[name] = {}
        for n in sizes:
            tasks = [(name, n, n_test, s, 2 if args.smoke else None) for s in range(args.splits)]
            runs = parallel_map(run_one, tasks, args.jobs)
            res = {layout: mean_se([r[layout] for r in runs]) for layout in LAYOUTS}
            res["difference"] = mean_se([r["published"] - r["compact"] for r in runs])
            res["fit_s"] = {layout: float(np.mean([r[f"{layout}_s"] for r in runs])) for layout in LAYOUTS}
            res["taus"] = {layout: [r[layout] for r in runs] for layout in LAYOUTS}
            results[name][n] = res
            n_te = len(_load(name)[1]) - n if n_test is None else n_test
            rows.append([name, n, n_te] + [f"{res[k][0]:.3f} ± {res[k][1]:.3f}" for k in (*LAYOUTS, "difference")]
                        + [" / ".join(f"{res['fit_s'][k]:.1f}" for k in LAYOUTS)])
            print("| " + " | ".join(str(c) for c in rows[-1]) + " |", flush=True)
    command = "python benchmarks/renas_tensor.py " + " ".join(argv if argv is not None else sys.argv[1:])
    head = (f"Command: `{command.strip()}`; {args.splits} splits (seeds 0-{args.splits - 1}), the same training "
            "and test cells and model seed for both layouts; `ArchitectureRegressor(space, model=\"renas\")` with "
            "its defaults, one thread.\n\nKendall tau on the test cells (mean ± s.e. over splits); difference: "
            "published - compact, paired by split.\n\n")
    table = markdown_table(["benchmark", "n train", "n test", "published", "compact", "difference",
                            "fit s (published / compact)"], rows)
    write_results("renas_tensor", {"args": vars(args), "results": results}, head + table,
                  **({"results_dir": args.results_dir} if args.results_dir else {}))
    return results


if __name__ == "__main__":
    main()
