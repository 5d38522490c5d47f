"""PredictorSearchCV against RandomizedSearchCV and Optuna's TPE at equal numbers of trained networks, on real data.

Two tasks: NB201 cell networks (C=4, N=1) on scikit-learn's digits (8x8 images), and MLPSpace networks on
scikit-learn's breast-cancer table. Every method cross-validates networks with the same folds (3-fold
stratified) and the same training recipe:

- ``predictor``: ``PredictorSearchCV`` with its defaults (10 random architectures, then rounds of 3 proposed by
  the default predictor);
- ``random``: scikit-learn's ``RandomizedSearchCV`` over the same architectures (one row of each equivalence
  class of the space, drawn without replacement);
- ``tpe``: an Optuna study with ``TPESampler`` (the settings ``sknas compare`` pins), the architecture suggested
  with ``space.suggest``, the same cross-validation as objective.

One search per method and seed runs to the largest budget; at each budget the best cross-validated network
among the first ``budget`` is refitted on the training split and scored on the held-out test split (30% of
the data, the same for every method). Reported: mean ± s.e. over seeds of that best CV accuracy and test
accuracy, and the CPU seconds per search. ``--noise`` adds how noisy one cross-validation is: the standard
deviation of one architecture's CV accuracy across network seeds, beside the spread between architectures.

    python benchmarks/search_cv.py                                     # 30 seeds, budgets 10, 20, 40
    python benchmarks/search_cv.py --tasks cancer-mlp --seeds 1 --budgets 5 --smoke
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _common import RESULTS, markdown_table, mean_se, one_thread, parallel_map, write_results

METHODS = ("predictor", "random", "tpe")


def _task(name: str, smoke: bool):
    """(space, estimator, arch_param, (X_train, X_test, y_train, y_test)) of a task."""
    import torch
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from skorch import NeuralNetClassifier

    from sknas.networks import MLPNetwork, NB201Network
    from sknas.spaces import MLPSpace, NASBench201Space

    if name == "digits-nb201":
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
        space = NASBench201Space()
        # SGD with momentum for 10 epochs: with plain SGD for 6 epochs (the earlier recipe) one cell's CV accuracy
        # varied across network seeds as much as between cells (see --noise)
        net = NeuralNetClassifier(NB201Network, module__arch=(0,) * 6, module__C=4, module__N=1,
                                  module__in_channels=1, module__seed=0, max_epochs=2 if smoke else 10, lr=0.05,
                                  optimizer=torch.optim.SGD, optimizer__momentum=0.9, batch_size=64,
                                  train_split=None, verbose=0)
        arch_param = "module__arch"
    elif name == "cancer-mlp":
        X, y = load_breast_cancer(return_X_y=True)
        X = X.astype(np.float32)
        space = MLPSpace(max_depth=3, widths=(4, 16, 64), activations=("relu", "tanh", "sigmoid"))
        net = make_pipeline(StandardScaler(), NeuralNetClassifier(
            MLPNetwork, module__arch=(0,) * space.n_decisions, module__n_features=X.shape[1], module__n_outputs=2,
            module__space=space, module__seed=0, max_epochs=2 if smoke else 15, lr=0.02, batch_size=64,
            train_split=None, verbose=0))
        arch_param = "neuralnetclassifier__module__arch"
    else:
        raise ValueError(f"unknown task {name!r}; accepted: digits-nb201, cancer-mlp")
    X_tr, X_te, y_tr, y_te = train_test_split(X, y.astype(np.int64), test_size=0.3, random_state=0, stratify=y)
    return space, net, arch_param, (X_tr, X_te, y_tr, y_te)


def _arch(row) -> tuple[int, ...]:
    return tuple(int(c) for c in row)


def _search(method: str, space, net, arch_param: str, X, y, budget: int, seed: int, smoke: bool):
    """The architectures one search cross-validates, in order, and their mean CV accuracies."""
    if method == "predictor":
        from sknas.search import PredictorSearchCV, default_predictor

        predictor = default_predictor(space).set_params(model__max_epochs=10) if smoke else None
        search = PredictorSearchCV(net, space, arch_param=arch_param, predictor=predictor, budget=budget, cv=3,
                                   refit=False, random_state=seed).fit(X, y)
        return [_arch(r) for r in search.cv_results_["arch_row"]], list(search.cv_results_["mean_test_score"])
    if method == "random":
        from sklearn.model_selection import RandomizedSearchCV

        every = space.enumerate()
        rows = [_arch(r) for r in every[space.unique(every)]]
        search = RandomizedSearchCV(net, {arch_param: rows}, n_iter=budget, cv=3, refit=False,
                                    random_state=seed).fit(X, y)
        return list(search.cv_results_[f"param_{arch_param}"]), list(search.cv_results_["mean_test_score"])
    if method == "tpe":
        import optuna
        from sklearn.base import clone
        from sklearn.model_selection import cross_val_score

        def objective(trial):
            row = _arch(space.suggest(trial))
            trial.set_user_attr("arch", row)
            return float(cross_val_score(clone(net).set_params(**{arch_param: row}), X, y, cv=3).mean())

        from sknas.compare import make_sampler

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(direction="maximize", sampler=make_sampler("tpe", space, seed))
        study.optimize(objective, n_trials=budget)
        return [tuple(t.user_attrs["arch"]) for t in study.trials], [t.value for t in study.trials]
    raise ValueError(f"unknown method {method!r}; accepted: {list(METHODS)}")


def run_one(task: str, method: str, seed: int, budgets: tuple[int, ...], smoke: bool) -> dict:
    """One search to the largest budget; per budget, the best CV accuracy so far and its network's test accuracy."""
    one_thread()
    import torch
    from sklearn.base import clone

    torch.manual_seed(seed)  # for anything drawing from torch's global generator (weights come from module__seed)
    space, net, arch_param, (X_tr, X_te, y_tr, y_te) = _task(task, smoke)
    cpu, wall = time.process_time(), time.perf_counter()
    archs, scores = _search(method, space, net, arch_param, X_tr, y_tr, max(budgets), seed, smoke)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    scores = np.asarray(scores, dtype=np.float64)
    out, tested = {"cv": [], "test": [], "cpu_s": cpu, "wall_s": wall,
                   "archs": [",".join(str(c) for c in a) for a in archs], "scores": scores.tolist()}, {}
    for b in budgets:
        best = int(np.nanargmax(scores[:b]))  # the first of equal scores, as BaseSearchCV's best_index_
        if archs[best] not in tested:
            tested[archs[best]] = float(clone(net).set_params(**{arch_param: archs[best]}).fit(X_tr, y_tr)
                                        .score(X_te, y_te))
        out["cv"].append(float(scores[best]))
        out["test"].append(tested[archs[best]])
    return out


def noise(task: str, n_archs: int, n_seeds: int, smoke: bool) -> dict:
    """CV accuracy of ``n_archs`` random architectures under ``n_seeds`` network seeds: the standard deviation
    within an architecture (the noise of one cross-validation) and between the architectures' means."""
    one_thread()
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    space, net, arch_param, (X_tr, _, y_tr, _) = _task(task, smoke)
    seed_param = arch_param.replace("arch", "seed")
    rows = space.sample(n_archs, np.random.default_rng(12345))
    cv = np.array([[cross_val_score(clone(net).set_params(**{arch_param: _arch(r), seed_param: s}), X_tr, y_tr,
                                    cv=3).mean() for s in range(n_seeds)] for r in rows])
    return {"archs": [",".join(str(c) for c in r) for r in rows], "cv": cv.tolist(),
            "within_sd": float(cv.std(axis=1, ddof=1).mean()), "between_sd": float(cv.mean(axis=1).std(ddof=1))}


def _summary(tasks, methods, budgets, results) -> str:
    rows = []
    for task in tasks:
        for method in methods:
            per_seed = results.get(task, {}).get(method, [])
            if not per_seed:
                continue
            cpu = np.mean([r["cpu_s"] for r in per_seed])
            for i, b in enumerate(budgets):
                (cm, cs), (tm, ts) = (mean_se([r[k][i] for r in per_seed]) for k in ("cv", "test"))
                rows.append([task, method, len(per_seed), b, f"{cm:.4f} ± {cs:.4f}", f"{tm:.4f} ± {ts:.4f}",
                             f"{cpu:.0f}"])
    table = markdown_table(["task", "search", "seeds", "networks cross-validated", "best CV accuracy (mean ± s.e.)",
                            "test accuracy of the best by CV (mean ± s.e.)", "CPU s per search (largest budget)"], rows)
    agreement = [_agreement(task, results[task], budgets) for task in tasks if task in results]
    return table + ("\n\nHow far the CV accuracy of the networks returned tells their test accuracy (the distinct "
                    "networks each search returns at its budgets; Kendall's tau of CV against test accuracy): "
                    + "; ".join(a for a in agreement if a) if any(agreement) else "")


def _agreement(task: str, per_method: dict, budgets) -> str:
    """Kendall's tau of the CV against the test accuracy of the networks returned in ``per_method`` (each search's
    distinct best-by-CV networks over the budgets)."""
    from sknas.metrics import kendall_tau

    pairs = []
    for runs in per_method.values():
        for r in runs:
            returned = {}
            for b, cv, test in zip(budgets, r["cv"], r["test"]):
                returned[int(np.nanargmax(np.asarray(r["scores"][:b], dtype=float)))] = (cv, test)
            pairs += returned.values()
    if len(pairs) < 3:
        return ""
    cv, test = np.array(pairs).T
    return f"{task}: {len(pairs)} networks, tau {kendall_tau(cv, test):.2f}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default="digits-nb201,cancer-mlp")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--budgets", default="10,20,40", help="networks cross-validated per search")
    p.add_argument("--noise", action="store_true", help="also measure the noise of one cross-validation")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--results-dir", default=str(RESULTS))
    p.add_argument("--output", default="search_cv", help="name of the result files under the results dir")
    p.add_argument("--resume", action="store_true", help="keep the seeds already in the file, run the others")
    p.add_argument("--report-only", action="store_true", help="with --resume: no further searches, only the tables "
                   "(and --noise)")
    args = p.parse_args(argv)
    budgets = tuple(sorted(int(b) for b in args.budgets.split(",")))
    tasks, methods = args.tasks.split(","), args.methods.split(",")
    path = Path(args.results_dir) / f"{args.output}.json"
    saved = json.loads(path.read_text()) if args.resume and path.is_file() else {}
    if saved and tuple(saved["args"]["budgets"]) != budgets:
        raise ValueError(f"--resume: {path} holds budgets {saved['args']['budgets']}, not {list(budgets)}")
    payload = {"args": {**vars(args), "budgets": list(budgets)}, "results": saved.get("results", {}),
               **({"noise": saved["noise"]} if "noise" in saved else {})}
    results = payload["results"]
    for task in tasks:  # seeds in chunks of --jobs, the file rewritten after each: a stopped run loses one chunk
        for method in methods:
            done = results.setdefault(task, {}).setdefault(method, [])
            for start in range(len(done), 0 if args.report_only else args.seeds, args.jobs):
                seeds = range(start, min(start + args.jobs, args.seeds))
                done += parallel_map(run_one, [(task, method, s, budgets, args.smoke) for s in seeds], args.jobs)
                write_results(args.output, payload, _summary(tasks, methods, budgets, results), args.results_dir)
            print(f"{task} {method}: {len(done)} seeds", flush=True)
    table = _summary(tasks, methods, budgets, results)
    if args.noise and "noise" not in payload:
        payload["noise"] = dict(zip(tasks, parallel_map(noise, [(t, 8, 3, args.smoke) for t in tasks], args.jobs)))
    if "noise" in payload:
        table += "\n\nNoise of one cross-validation (8 random architectures, 3 network seeds each): " + "; ".join(
            f"{t}: s.d. within an architecture {n['within_sd']:.4f}, between architectures {n['between_sd']:.4f}"
            for t, n in payload["noise"].items())
    print(table)
    write_results(args.output, payload, table, args.results_dir)
    return results


if __name__ == "__main__":
    main()
