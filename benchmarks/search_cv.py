"""PredictorSearchCV against random search at the same number of trained networks, on real data.

Two tasks: NB201 cell networks (C=4, N=1) on scikit-learn's digits (8x8 images), and MLPSpace networks
on scikit-learn's breast-cancer table. Random search is the same PredictorSearchCV with every candidate
drawn at random (n_initial = budget), so the protocol (folds, epochs, distinct architectures) is shared.
Reported: mean ± s.e. over seeds of the best cross-validated accuracy and of the held-out test accuracy
of the refitted best network.

    python benchmarks/search_cv.py                 # 8 seeds per task and method
    python benchmarks/search_cv.py --seeds 1 --n-iter 6 --smoke
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import RESULTS, markdown_table, mean_se, one_thread, parallel_map, write_results


def _task(name: str, smoke: bool):
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from skorch import NeuralNetClassifier

    from sknas.networks import MLPNetwork, NB201Network
    from sknas.spaces import MLPSpace, NASBench201Space

    epochs = 2 if smoke else None
    if name == "digits-nb201":
        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
        space = NASBench201Space()
        net = NeuralNetClassifier(NB201Network, module__arch=(0,) * 6, module__C=4, module__N=1,
                                  module__in_channels=1, module__seed=0, max_epochs=epochs or 6, lr=0.05,
                                  batch_size=64, train_split=None, verbose=0)
        arch_param = "module__arch"
    else:
        X, y = load_breast_cancer(return_X_y=True)
        X = X.astype(np.float32)
        space = MLPSpace(max_depth=3, widths=(4, 16, 64), activations=("relu", "tanh", "sigmoid"))
        net = make_pipeline(StandardScaler(), NeuralNetClassifier(
            MLPNetwork, module__arch=(0,) * space.n_decisions, module__n_features=X.shape[1], module__n_outputs=2,
            module__space=space, module__seed=0, max_epochs=epochs or 15, lr=0.02, batch_size=64, train_split=None,
            verbose=0))
        arch_param = "neuralnetclassifier__module__arch"
    X_tr, X_te, y_tr, y_te = train_test_split(X, y.astype(np.int64), test_size=0.3, random_state=0, stratify=y)
    return space, net, arch_param, (X_tr, X_te, y_tr, y_te)


def run_one(task: str, method: str, seed: int, n_iter: int, smoke: bool):
    one_thread()
    from sknas.search import PredictorSearchCV, default_predictor

    space, net, arch_param, (X_tr, X_te, y_tr, y_te) = _task(task, smoke)
    n_initial = n_iter if method == "random" else max(4, n_iter // 3)
    predictor = default_predictor(space).set_params(model__max_epochs=20 if smoke else 60)
    search = PredictorSearchCV(net, space, arch_param=arch_param, predictor=predictor, n_initial=n_initial,
                               budget=n_iter, round_size=max(2, n_iter // 6), cv=3, random_state=seed)
    t0 = time.perf_counter()
    search.fit(X_tr, y_tr)
    return float(search.best_score_), float(search.score(X_te, y_te)), time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", default="digits-nb201,cancer-mlp")
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--n-iter", type=int, default=18, help="networks cross-validated per search")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--results-dir", default=str(RESULTS))
    p.add_argument("--output", default="search_cv", help="name of the result files under the results dir")
    args = p.parse_args(argv)
    results, rows = {}, []
    for task in args.tasks.split(","):
        results[task] = {}
        for method in ("predictor", "random"):
            runs = parallel_map(run_one, [(task, method, s, args.n_iter, args.smoke) for s in range(args.seeds)],
                                args.jobs)
            cv, test, wall = (np.array(v) for v in zip(*runs))
            results[task][method] = {"cv": cv.tolist(), "test": test.tolist(), "wall_s": wall.tolist()}
            (cm, cs), (tm, ts) = mean_se(cv), mean_se(test)
            rows.append([task, method, args.n_iter, f"{cm:.4f} ± {cs:.4f}", f"{tm:.4f} ± {ts:.4f}",
                         f"{wall.mean():.0f}"])
            print(f"{task} {method}: cv {cm:.4f}, test {tm:.4f}", flush=True)
    table = markdown_table(["task", "search", "networks cross-validated", "best CV accuracy (mean ± s.e.)",
                            "test accuracy of the refitted best", "wall s per search"], rows)
    print(table)
    write_results(args.output, {"args": vars(args), "results": results}, table, args.results_dir)


if __name__ == "__main__":
    main()
