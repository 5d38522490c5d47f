"""HyperNetwork (ADWPNAS) scoring of macro CNNs on scikit-learn's digits, against training from scratch.

One HyperNetwork is trained on a train split of digits (8x8 images, 10 classes). Then:

* ranking: ``--n-archs`` random architectures are scored with predicted weights on a validation split and
  trained from scratch (``--train-epochs``, Adam); Kendall tau between the two (trained accuracy on the test
  split, and on the validation split);
* cost: seconds to score one architecture (HyperNetwork pass + validation forward) vs to train it;
* search: the HyperNetwork scores ``--n-candidates`` random architectures and the top one is trained from
  scratch; random search gets the same wall time (HyperNetwork training + scoring) to train architectures
  from scratch and keeps the best on validation. Random search is replayed from the trained pool above:
  architectures are taken in a random order while their recorded training times fit in the budget (repeated
  ``--random-repeats`` times), so both sides use the same measured costs.

    python benchmarks/hypernetwork.py              # full run (about 6 minutes on 1 busy core)
    python benchmarks/hypernetwork.py --smoke      # seconds
"""

from __future__ import annotations

import argparse
import time

import numpy as np

try:
    from _common import RESULTS, markdown_table, mean_se, one_thread, write_results
except ImportError:  # imported as benchmarks.hypernetwork
    from ._common import RESULTS, markdown_table, mean_se, one_thread, write_results


def _data(seed: int):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = y.astype(np.int64)
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, test_size=0.4, random_state=seed, stratify=y)
    X_va, X_te, y_va, y_te = train_test_split(X_rest, y_rest, test_size=0.5, random_state=seed, stratify=y_rest)
    return X_tr, y_tr, X_va, y_va, X_te, y_te


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-archs", type=int, default=40, help="random architectures trained from scratch")
    p.add_argument("--n-candidates", type=int, default=2000, help="architectures scored by the HyperNetwork search")
    p.add_argument("--hn-epochs", type=int, default=60, help="HyperNetwork training epochs")
    p.add_argument("--hidden-size", type=int, default=64)
    p.add_argument("--train-epochs", type=int, default=30, help="epochs of each from-scratch training")
    p.add_argument("--random-repeats", type=int, default=500, help="replays of random search")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    p.add_argument("--results-dir", default=str(RESULTS))
    args = p.parse_args(argv)
    if args.smoke:
        args.n_archs, args.n_candidates, args.hn_epochs = 4, 10, 1
        args.hidden_size, args.train_epochs, args.random_repeats = 8, 1, 20
    one_thread()

    from sknas.hypernet import HyperNetworkEvaluator, MacroCNNSpace, accuracy, train_from_scratch
    from sknas.metrics import kendall_tau, spearman

    X_tr, y_tr, X_va, y_va, X_te, y_te = _data(args.seed)
    if args.smoke:
        X_tr, y_tr = X_tr[:300], y_tr[:300]
    space = MacroCNNSpace(n_layers=2, widths=(4, 8)) if args.smoke else MacroCNNSpace()
    rng = np.random.default_rng(args.seed)

    ev = HyperNetworkEvaluator(space, hidden_size=args.hidden_size, max_epochs=args.hn_epochs,
                               random_state=args.seed)
    ev.fit(X_tr, y_tr)
    hn_fit = ev.fit_time_
    print(f"HyperNetwork trained in {hn_fit:.1f} s (final loss {ev.loss_curve_[-1]:.3f})")

    pool = space.sample(args.n_archs, rng)
    t0 = time.perf_counter()
    hn_val = ev.score_architectures(pool, X_va, y_va)
    score_time = (time.perf_counter() - t0) / len(pool)

    tr_val, tr_test, tr_time = [], [], []
    for i, row in enumerate(pool):
        net = train_from_scratch(row, X_tr, y_tr, epochs=args.train_epochs, random_state=args.seed, space=space)
        tr_val.append(accuracy(net, X_va, y_va))
        tr_test.append(accuracy(net, X_te, y_te))
        tr_time.append(net.fit_time_)
        print(f"  [{i + 1}/{len(pool)}] {space.to_string(row)}: HN {hn_val[i]:.3f}, trained test {tr_test[-1]:.3f}")
    tr_val, tr_test, tr_time = map(np.asarray, (tr_val, tr_test, tr_time))
    train_time = float(tr_time.mean())

    # --- search on HyperNetwork scores
    t0 = time.perf_counter()
    cands = space.sample(args.n_candidates, rng)
    cands = cands[space.unique(cands)]
    cand_scores = ev.score_architectures(cands, X_va, y_va)
    search_scoring = time.perf_counter() - t0
    best = cands[int(np.argmax(cand_scores))]
    budget = hn_fit + search_scoring
    best_net = train_from_scratch(best, X_tr, y_tr, epochs=args.train_epochs, random_state=args.seed, space=space)
    hn_pick = dict(arch=space.to_string(best), hn_val=float(cand_scores.max()),
                   trained_val=accuracy(best_net, X_va, y_va), trained_test=accuracy(best_net, X_te, y_te))

    # --- random search replayed from the trained pool with the same wall time
    picks, n_trained, capped = [], [], 0
    for _ in range(args.random_repeats):
        order = rng.permutation(len(pool))
        k = max(1, int(np.searchsorted(np.cumsum(tr_time[order]), budget, side="right")))
        capped += k >= len(pool)
        chosen = order[:k]
        picks.append(tr_test[chosen[int(np.argmax(tr_val[chosen]))]])
        n_trained.append(k)
    rs_mean, rs_se = mean_se(picks)

    payload = dict(
        config=vars(args), space=repr(space), n_train=len(X_tr), n_val=len(X_va), n_test=len(X_te),
        ranking=dict(n_archs=len(pool), kendall_tau_test=kendall_tau(tr_test, hn_val),
                     kendall_tau_val=kendall_tau(tr_val, hn_val), spearman_test=spearman(tr_test, hn_val),
                     hn_val=hn_val.tolist(), trained_val=tr_val.tolist(), trained_test=tr_test.tolist(),
                     archs=space.to_strings(pool)),
        cost=dict(hn_fit_s=hn_fit, score_one_s=score_time, train_one_s=train_time,
                  speedup=train_time / score_time),
        search=dict(wall_budget_s=budget, n_candidates=len(cands), hn_scoring_s=search_scoring, hn_pick=hn_pick,
                    random_test_mean=rs_mean, random_test_se=rs_se, random_n_trained_mean=float(np.mean(n_trained)),
                    random_capped_by_pool=capped / args.random_repeats,
                    pool_best_test=float(tr_test.max()), pool_mean_test=float(tr_test.mean()),
                    pool_test_of_best_val=float(tr_test[int(np.argmax(tr_val))])),
    )
    rank, cost, srch = payload["ranking"], payload["cost"], payload["search"]
    md = "\n\n".join([
        "# HyperNetwork (ADWPNAS) evaluation on digits",
        f"{space!r}; {len(X_tr)} train / {len(X_va)} val / {len(X_te)} test images; HyperNetwork "
        f"{args.hn_epochs} epochs, from-scratch training {args.train_epochs} epochs; seed {args.seed}.",
        markdown_table(["metric", "value"], [
            ["Kendall tau, HN val acc vs trained test acc", f"{rank['kendall_tau_test']:.3f} ({len(pool)} archs)"],
            ["Kendall tau, HN val acc vs trained val acc", f"{rank['kendall_tau_val']:.3f}"],
            ["Spearman, HN val acc vs trained test acc", f"{rank['spearman_test']:.3f}"],
            ["HyperNetwork training (s)", f"{hn_fit:.1f}"],
            ["score one architecture (s)", f"{score_time:.4f}"],
            ["train one architecture (s)", f"{train_time:.2f}"],
            ["speed-up (train / score)", f"{cost['speedup']:.0f}x"],
            ["search wall budget (HN fit + scoring) (s)", f"{budget:.1f}"],
            [f"HN search: test acc of top-1 of {len(cands)} scored", f"{hn_pick['trained_test']:.4f}"],
            ["random search, same wall time: test acc (mean ± s.e.)",
             f"{rs_mean:.4f} ± {rs_se:.4f} ({np.mean(n_trained):.1f} archs trained)"],
            [f"pool of {len(pool)}: best / mean test acc", f"{srch['pool_best_test']:.4f} / "
                                                          f"{srch['pool_mean_test']:.4f}"],
        ]),
        f"HN pick: `{hn_pick['arch']}`.",
    ])
    print(md)
    write_results("hypernetwork", payload, md, results_dir=args.results_dir)
    return payload


if __name__ == "__main__":
    main()
