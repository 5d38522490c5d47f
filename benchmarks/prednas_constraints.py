"""Gradient ascent (PredNAS) under cost bounds: how many of its projected rows are feasible before the filter,
and the regret of what it proposes, with the previous linear penalty against the relaxed cost models.

One round = the default predictor (sknas.search.default_predictor) fitted on ``--n-train`` random NAS-Bench-201
architectures with their validation accuracy; then each arm proposes a batch under one bound, given to the
proposer as ``constraints=``:

* ``params <= 0.4`` (millions, the analytic count: 61% of the table meets it);
* ``latency_pixel3 <=`` its 25th percentile over the table (a measured column).

Arms: ``linear`` is the penalty before (a least-squares linear model of the cost on 512 random rows, the best
evaluated rows as starts, the old code kept below); ``relaxed, penalty only`` is ``GradientAscentProposer(
keep_feasible=False)``: the cost models of ``sknas.proposers.relaxed_cost`` and feasible starts; ``relaxed`` is
the default, which also undoes the steps whose projection the models put outside the bounds. Measured: the share
of the projected rows (every row of every trajectory, ``_candidates``) that meet the bound before any filter; the
regret, on the table's true validation accuracy, of the best of the batch and of its first row against the best
feasible architecture of the table; seconds per proposal. Also the latency model's error over the whole table.

    python benchmarks/prednas_constraints.py                 # 30 seeds, three datasets
    python benchmarks/prednas_constraints.py --seeds 2 --smoke --datasets cifar10-valid
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import fit_on_sample, markdown_table, mean_se, one_thread, write_results

from sknas.encodings import n_features_onehot, onehot, onehot_slices, project, relax
from sknas.proposers import GradientAscentProposer

ARMS = ("linear", "relaxed, penalty only", "relaxed")


class LinearPenaltyProposer(GradientAscentProposer):
    """The constraint penalty of sknas before the relaxed cost models (commit 6175ac4), kept to compare."""

    def _candidates(self, predictor, space, n, X, y, rng, constraints):
        import torch

        relaxed = predictor.predict_relaxed
        starts = self._best_rows(space, X, y, predictor, int(self.n_starts))
        X0 = np.concatenate([starts, space.sample(int(self.n_random_starts), rng)])
        slices = onehot_slices(space)
        lin = [self._linear_cost(space, c, rng) for c in constraints]
        logits = torch.tensor(relax(space, X0) * float(self.init_scale), dtype=torch.float32, requires_grad=True)
        opt = torch.optim.Adam([logits], lr=float(self.step_size))
        found = []
        for step in range(int(self.n_steps) + 1):
            P = torch.cat([torch.softmax(logits[:, s] / float(self.temperature), dim=1) for s in slices], dim=1)
            if step % int(self.project_every) == 0 or step == self.n_steps:
                found.append(project(space, P.detach().numpy()))
            if step == self.n_steps:
                break
            objective = relaxed(P).reshape(-1)
            for (w, b, scale), c in zip(lin, constraints):
                cost = P @ w + b
                excess = (torch.relu((cost - c.max_value) / scale) if c.max_value is not None else 0.0) + (
                    torch.relu((c.min_value - cost) / scale) if c.min_value is not None else 0.0)
                objective = objective - float(self.penalty) * excess
            opt.zero_grad()
            (-objective.sum()).backward()
            opt.step()
        return np.concatenate(found)

    @staticmethod
    def _linear_cost(space, constraint, rng):
        import torch

        X = space.sample(min(512, max(64, 4 * n_features_onehot(space))), rng)
        H = onehot(space, X).astype(np.float64)
        cost = constraint.values(space, X)
        A = np.hstack([H, np.ones((len(H), 1))])
        coef, *_ = np.linalg.lstsq(A, cost, rcond=None)
        bound = constraint.max_value if constraint.max_value is not None else constraint.min_value
        scale = max(abs(float(bound)), float(np.std(cost)), 1e-12)
        return (torch.tensor(coef[:-1], dtype=torch.float32), float(coef[-1]), scale)


def constraints_of(bench):
    from sknas.spaces import Constraint

    latency = bench.cost("latency_pixel3")
    return {"params <= 0.4": Constraint("params", max_value=0.4),
            "latency_pixel3 <= 25th percentile": Constraint(latency, max_value=float(
                np.quantile(latency(bench.X), 0.25)))}


def arm(name: str, constraint, smoke: bool):
    kw = dict(n_steps=6) if smoke else {}
    if name == "linear":
        return LinearPenaltyProposer(constraints=[constraint], **kw)
    return GradientAscentProposer(keep_feasible=name == "relaxed", constraints=[constraint], **kw)


def one_round(dataset: str, seed: int, n_train: int, batch: int, smoke: bool) -> dict:
    from sknas.datasets import load_nasbench201
    from sknas.spaces import ConstrainedSpace

    bench = load_nasbench201(dataset)
    space = bench.space
    X, y, model = fit_on_sample(bench, seed, n_train, smoke)
    out = {}
    for label, c in constraints_of(bench).items():
        best = bench.optimum("valid", ConstrainedSpace(space, [c]))
        out[label] = {}
        for name in ARMS:
            proposer, seen = arm(name, c, smoke), []
            inner = proposer._candidates
            proposer._candidates = lambda *a, f=inner: seen.append(f(*a)) or seen[-1]  # noqa: B023
            t0 = time.process_time()
            P = proposer.propose(model, batch, X, y, random_state=seed)
            t = time.process_time() - t0
            true = bench.query(P)
            out[label][name] = {"feasible": float(c.feasible(space, seen[0]).mean()), "n_projected": len(seen[0]),
                                "regret": best - float(true.max()), "regret_first": best - float(true[0]),
                                "cpu_s": t}
    return out


def latency_model_error(dataset: str, seed: int) -> dict:
    """Error of the relaxed latency model (and of the linear one) over every row of the table."""
    from scipy.stats import kendalltau

    from sknas.datasets import load_nasbench201
    from sknas.proposers import relaxed_cost

    bench = load_nasbench201(dataset)
    c = constraints_of(bench)["latency_pixel3 <= 25th percentile"]
    truth = c.values(bench.space, bench.X)
    H = onehot(bench.space, bench.X).astype(np.float64)
    model = relaxed_cost(bench.space, c, random_state=seed)
    w, b, _ = LinearPenaltyProposer._linear_cost(bench.space, c, np.random.default_rng(seed))
    preds = {"relaxed": model.predict(H), "linear": H @ w.numpy().astype(np.float64) + b}
    return {k: {"mae": float(np.abs(p - truth).mean()), "tau": float(kendalltau(p, truth)[0]),
                "same_side": float(np.mean((p <= c.max_value) == (truth <= c.max_value)))}
            for k, p in preds.items()} | {"held_out_mae": model.error}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--datasets", default="cifar10-valid,cifar100,ImageNet16-120")
    p.add_argument("--n-train", type=int, default=50)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--smoke", action="store_true", help="tiny predictor and few steps, for tests")
    p.add_argument("--output", default="prednas_constraints")
    p.add_argument("--results-dir", default=None)
    args = p.parse_args(argv)
    one_thread()
    results, rows, err_rows = {}, [], []
    for dataset in args.datasets.split(","):
        runs = [one_round(dataset, s, args.n_train, args.batch, args.smoke) for s in range(args.seeds)]
        errs = [latency_model_error(dataset, s) for s in range(min(args.seeds, 5))]
        results[dataset] = {"rounds": runs, "latency_model": errs}
        for label in runs[0]:
            for name in ARMS:
                cells = [f"{m:.3f} ± {se:.3f}" for m, se in
                         (mean_se([r[label][name][k] for r in runs]) for k in ("feasible", "regret", "regret_first"))]
                rows.append([dataset, label, name, *cells,
                             f"{np.mean([r[label][name]['n_projected'] for r in runs]):.0f}",
                             f"{np.mean([r[label][name]['cpu_s'] for r in runs]):.2f}"])
        for k in ("linear", "relaxed"):
            err_rows.append([dataset, k, *(f"{np.mean([e[k][m] for e in errs]):.3f}" for m in
                                           ("mae", "tau", "same_side"))])
        print(dataset, "done", flush=True)
    table = markdown_table(["dataset", "bound", "penalty", "feasible share of projected rows (mean ± s.e.)",
                            f"regret, best of {args.batch}", "regret, first proposal", "projected rows",
                            "CPU s per proposal"], rows)
    table2 = markdown_table(["dataset", "latency model", "mean absolute error (ms)", "Kendall tau",
                             "same side of the bound"], err_rows)
    md = (f"Command: `python benchmarks/prednas_constraints.py --seeds {args.seeds} --datasets {args.datasets}`"
          f"{' --smoke' if args.smoke else ''}; predictor: the search default fitted on {args.n_train} random "
          f"architectures; batches of {args.batch}; regret in points of validation accuracy on the table's true "
          f"values, against the best architecture that meets the bound.\n\n" + table +
          "\n\nThe pixel3 latency models over every row of the table (mean over the first "
          f"{min(args.seeds, 5)} seeds' fits; same side: the share of rows that the model and the table put on "
          "the same side of the bound):\n\n" + table2)
    kw = {} if args.results_dir is None else {"results_dir": args.results_dir}
    write_results(args.output, {"args": vars(args), "results": results}, md, **kw)
    print(md)


if __name__ == "__main__":
    main()
