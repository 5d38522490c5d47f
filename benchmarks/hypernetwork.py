"""HyperNetwork (ADWPNAS) scoring of macro CNNs on scikit-learn's digits, against training from scratch.

One HyperNetwork is trained on a train split of digits (8x8 images, 10 classes). Then:

* ground truth: ``--n-archs`` random architectures are trained from scratch ``--seeds`` times each
  (``--train-epochs``, Adam, seeds ``seed, seed + 1, ...``); an architecture's trained accuracy is the mean over
  the seeds. Kendall tau between trained seed A and trained seed B is the *noise ceiling*: how well one
  training ranks the architectures like another training of the same architectures;
* ranking: the same architectures are scored with predicted weights on the validation split; Kendall tau with
  the (seed-averaged) trained accuracy on the test split and on the validation split, with one training (seed
  A, to compare with the noise ceiling), and the tau of a free baseline (parameter count);
* legacy protocol (``--legacy-archs``, 0 to skip): the noise ceiling of the earlier protocol (widths 8/16/32,
  30 epochs, one seed), where most architectures reached 0.97-0.99 and a second training ranked them only
  loosely alike, plus the tau a perfect evaluator could expect against one such training (Gaussian noise model,
  see ``_ideal_tau``);
* cost: seconds to score one architecture (HyperNetwork pass + validation forward) vs to train it once;
* search: the HyperNetwork scores ``--n-candidates`` random architectures and the top one is trained from
  scratch (``--seeds`` times); random search gets the same wall time (HyperNetwork training + scoring) to train
  architectures once each and keeps the best on validation. Random search is replayed from the trained pool
  above: architectures are taken in a random order while their recorded seed-A training times fit in the budget
  (repeated ``--random-repeats`` times), so both sides use the same measured costs. Both sides are judged by
  the seed-averaged test accuracy of the architecture they pick. A second HN search trains its ``--hn-top-k``
  best candidates once each and keeps the best on validation; random search is replayed with that larger wall
  time too;
* replicates (``--replicate-splits``): the ranking part (HyperNetwork, pool, trainings) is repeated on other
  data splits, since one tau over 40 architectures carries a standard error of about 0.1.

Why this protocol (see ``benchmarks/results/hypernetwork.md``): with widths 8-32 and 30 epochs most
architectures reached 0.97-0.99 test accuracy on 360 test images, and two trainings of the same 30 architectures
agreed with Kendall tau between 0.18 and 0.47 on test accuracy in three measurements (different pools and seed
pairs; the legacy row re-measures one), so against that single-training ground truth tau 0.5 was at best
marginally reachable. The space now also holds narrow widths (2, 4) that really limit accuracy, from-scratch
training is 20 epochs, and the ground truth averages 3 seeds. The protocol was chosen on a development split
(``_data(1)``) and the validation images only; the reported numbers use split ``--seed`` (0) once.

    python benchmarks/hypernetwork.py              # full run (about 14 minutes on 1 busy core)
    python benchmarks/hypernetwork.py --smoke      # seconds
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import RESULTS, markdown_table, mean_se, one_thread, write_results

from sknas.spaces import cost as space_cost


def _data(seed: int):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = y.astype(np.int64)
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, test_size=0.4, random_state=seed, stratify=y)
    X_va, X_te, y_va, y_te = train_test_split(X_rest, y_rest, test_size=0.5, random_state=seed, stratify=y_rest)
    return X_tr, y_tr, X_va, y_va, X_te, y_te


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(",") if v.strip())


def _ideal_tau(tau_ab: float, n_seeds: int = 1) -> float:
    """Expected Kendall tau of a perfect evaluator against the mean of ``n_seeds`` trainings.

    Model: a training's accuracy is the architecture's true quality plus independent noise, all jointly
    Gaussian. Then Pearson's r between two trainings is ``sin(pi tau_ab / 2)`` (Greiner's relation), the
    correlation of the truth with the mean of ``n`` trainings is ``sqrt(n r / (1 + (n - 1) r))``
    (Spearman-Brown), and that correlation maps back to tau with ``2 / pi * arcsin``. ``nan`` when
    ``tau_ab <= 0`` (no signal to scale).
    """
    if not np.isfinite(tau_ab) or tau_ab <= 0:
        return float("nan")
    r = np.sin(np.pi * tau_ab / 2)
    return float(2 / np.pi * np.arcsin(np.sqrt(n_seeds * r / (1 + (n_seeds - 1) * r))))


def _train_seeds(space, rows, data, epochs: int, seeds, log=None):
    """``(val, test, seconds)`` arrays of shape ``(len(seeds), len(rows))``: each row trained once per seed."""
    from sknas.hypernet import accuracy, train_from_scratch

    X_tr, y_tr, X_va, y_va, X_te, y_te = data
    val, test, secs = (np.empty((len(seeds), len(rows))) for _ in range(3))
    for i, row in enumerate(rows):
        for j, s in enumerate(seeds):
            net = train_from_scratch(row, X_tr, y_tr, epochs=epochs, random_state=s, space=space)
            val[j, i], test[j, i], secs[j, i] = accuracy(net, X_va, y_va), accuracy(net, X_te, y_te), net.fit_time_
        if log is not None:
            log(i, row, test[:, i])
    return val, test, secs


def _ranking(space, args, split: int, rng):
    """Fit the HyperNetwork on split ``split``, score ``--n-archs`` random architectures, train them per seed."""
    from sknas.hypernet import HyperNetworkEvaluator
    from sknas.metrics import kendall_tau, spearman

    X_tr, y_tr, X_va, y_va, X_te, y_te = _data(split)
    if args.smoke:
        X_tr, y_tr = X_tr[:300], y_tr[:300]
    data = (X_tr, y_tr, X_va, y_va, X_te, y_te)
    seeds = [split + j for j in range(args.seeds)]
    ev = HyperNetworkEvaluator(space, hidden_size=args.hidden_size, max_epochs=args.hn_epochs,
                               archs_per_step=args.archs_per_step, random_state=split)
    ev.fit(X_tr, y_tr)
    print(f"split {split}: HyperNetwork trained in {ev.fit_time_:.1f} s (final loss {ev.loss_curve_[-1]:.3f})")

    pool = space.sample(args.n_archs, rng)
    t0 = time.perf_counter()
    hn_val = ev.score_architectures(pool, X_va, y_va)
    score_time = (time.perf_counter() - t0) / len(pool)

    def log(i, row, test):
        print(f"  [{i + 1}/{len(pool)}] {space.to_string(row)}: HN {hn_val[i]:.3f}, trained test {np.round(test, 3)}")

    va_s, te_s, time_s = _train_seeds(space, pool, data, args.train_epochs, seeds, log)
    tr_val, tr_test = va_s.mean(0), te_s.mean(0)
    params = space_cost(space, pool, "params")
    ranking = dict(
        split=split, n_archs=len(pool), n_seeds=len(seeds),
        kendall_tau_test=kendall_tau(tr_test, hn_val), kendall_tau_val=kendall_tau(tr_val, hn_val),
        spearman_test=spearman(tr_test, hn_val), kendall_tau_test_seed_a=kendall_tau(te_s[0], hn_val),
        noise_ceiling_test=kendall_tau(te_s[0], te_s[1]), noise_ceiling_val=kendall_tau(va_s[0], va_s[1]),
        seed_a_vs_mean_of_others_test=kendall_tau(te_s[0], te_s[1:].mean(0)),
        ideal_tau_one_training=_ideal_tau(kendall_tau(te_s[0], te_s[1])),
        ideal_tau_mean_of_seeds=_ideal_tau(kendall_tau(te_s[0], te_s[1]), len(seeds)),
        params_tau_test=kendall_tau(tr_test, params), hn_vs_params_tau=kendall_tau(params, hn_val),
        hn_val=hn_val.tolist(), trained_val=va_s.tolist(), trained_test=te_s.tolist(), params=params.tolist(),
        archs=space.to_strings(pool))
    return data, ev, pool, hn_val, score_time, va_s, te_s, time_s, ranking


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-archs", type=int, default=40, help="random architectures trained from scratch")
    p.add_argument("--seeds", type=int, default=3, help="from-scratch trainings per architecture (>= 2)")
    p.add_argument("--n-candidates", type=int, default=2000, help="architectures scored by the HyperNetwork search")
    p.add_argument("--n-layers", type=int, default=4)
    p.add_argument("--kernel-sizes", type=_ints, default=(1, 3, 5))
    p.add_argument("--widths", type=_ints, default=(2, 4, 8, 16))
    p.add_argument("--hn-epochs", type=int, default=60, help="HyperNetwork training epochs")
    p.add_argument("--archs-per-step", type=int, default=4, help="architectures per HyperNetwork mini-batch")
    p.add_argument("--hidden-size", type=int, default=64)
    p.add_argument("--train-epochs", type=int, default=20, help="epochs of each from-scratch training")
    p.add_argument("--legacy-archs", type=int, default=30,
                   help="architectures of the earlier protocol trained twice for its noise ceiling (0: skip)")
    p.add_argument("--hn-top-k", type=int, default=5,
                   help="HN-best candidates trained once each by the pre-screening search")
    p.add_argument("--replicate-splits", type=_ints, default=(2,),
                   help="other data splits on which the ranking is repeated (comma list; '' for none)")
    p.add_argument("--random-repeats", type=int, default=500, help="replays of random search")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, for tests")
    p.add_argument("--results-dir", default=str(RESULTS))
    args = p.parse_args(argv)
    if args.smoke:
        args.n_archs, args.n_candidates, args.hn_epochs, args.seeds, args.legacy_archs = 4, 10, 1, 2, 3
        args.hidden_size, args.train_epochs, args.random_repeats, args.archs_per_step = 8, 1, 20, 2
        args.n_layers, args.widths, args.hn_top_k, args.replicate_splits = 2, (2, 4), 2, (1,)
    if args.seeds < 2:
        raise ValueError(f"--seeds must be >= 2 (the noise ceiling needs two trainings); got {args.seeds}")
    one_thread()

    from sknas.metrics import kendall_tau
    from sknas.spaces import MacroCNNSpace

    space = MacroCNNSpace(n_layers=args.n_layers, kernel_sizes=args.kernel_sizes, widths=args.widths)
    rng = np.random.default_rng(args.seed)
    seeds = [args.seed + j for j in range(args.seeds)]
    data, ev, pool, hn_val, score_time, va_s, te_s, time_s, ranking = _ranking(space, args, args.seed, rng)
    X_tr, y_tr, X_va, y_va, X_te, y_te = data
    hn_fit = ev.fit_time_
    tr_val, tr_test = va_s.mean(0), te_s.mean(0)
    train_time = float(time_s.mean())

    # --- search on HyperNetwork scores
    t0 = time.perf_counter()
    cands = space.sample(args.n_candidates, rng)
    cands = cands[space.unique(cands)]
    cand_scores = ev.score_architectures(cands, X_va, y_va)
    search_scoring = time.perf_counter() - t0
    best = cands[int(np.argmax(cand_scores))]
    budget = hn_fit + search_scoring
    b_va, b_te, _ = _train_seeds(space, best[None, :], data, args.train_epochs, seeds)
    hn_pick = dict(arch=space.to_string(best), hn_val=float(cand_scores.max()),
                   params=float(space_cost(space, best, "params")[0]),
                   trained_val=float(b_va.mean()), trained_test=float(b_te.mean()))

    # --- HN pre-screening: the top-k by HN score are trained once each and the best on validation is kept
    top = np.argsort(-cand_scores, kind="stable")[:args.hn_top_k]
    k_va, k_te, k_secs = _train_seeds(space, cands[top], data, args.train_epochs, seeds[:1])
    j = int(np.argmax(k_va[0]))
    _, r_te, _ = _train_seeds(space, cands[top[j]][None, :], data, args.train_epochs, seeds[1:])
    budget_k = budget + float(k_secs.sum())
    hn_topk = dict(k=len(top), arch=space.to_string(cands[top[j]]), wall_budget_s=budget_k,
                   trained_test=float(np.mean(np.concatenate([k_te[:, j], r_te[:, 0]]))))

    # --- random search replayed from the trained pool with the same wall time (one training per architecture)
    def replay(wall):
        picks, n_trained, capped = [], [], 0
        for _ in range(args.random_repeats):
            order = rng.permutation(len(pool))
            k = max(1, int(np.searchsorted(np.cumsum(time_s[0][order]), wall, side="right")))
            capped += k >= len(pool)
            chosen = order[:k]
            picks.append(tr_test[chosen[int(np.argmax(va_s[0][chosen]))]])
            n_trained.append(k)
        mean, se = mean_se(picks)
        return dict(test_mean=mean, test_se=se, n_trained_mean=float(np.mean(n_trained)),
                    capped_by_pool=capped / args.random_repeats)

    rs, rs_k = replay(budget), replay(budget_k)
    rs_mean, rs_se, n_trained = rs["test_mean"], rs["test_se"], rs["n_trained_mean"]

    # --- replicates of the ranking on other splits (HyperNetwork, pool and trainings all redrawn)
    replicates = []
    for split in args.replicate_splits:
        replicates.append(_ranking(space, args, split, np.random.default_rng(split))[-1])

    # --- noise ceiling of the earlier protocol (saturated space, 30 epochs)
    legacy = None
    if args.legacy_archs > 0:
        old_widths = (4, 8) if args.smoke else (8, 16, 32)
        old = MacroCNNSpace(n_layers=args.n_layers, kernel_sizes=(1, 3, 5), widths=old_widths)
        old_epochs = 1 if args.smoke else 30
        old_rows = old.sample(args.legacy_archs, rng)
        print(f"legacy protocol: {old!r}, {old_epochs} epochs, {len(old_rows)} architectures x 2 seeds")
        o_va, o_te, _ = _train_seeds(old, old_rows, data, old_epochs, seeds[:2])
        legacy = dict(space=repr(old), epochs=old_epochs, n_archs=len(old_rows),
                      ideal_tau_one_training=_ideal_tau(kendall_tau(o_te[0], o_te[1])),
                      noise_ceiling_test=kendall_tau(o_te[0], o_te[1]), noise_ceiling_val=kendall_tau(o_va[0], o_va[1]),
                      test_min=float(o_te.min()), test_max=float(o_te.max()),
                      test_p10_p90=np.percentile(o_te.mean(0), [10, 90]).tolist(), trained_val=o_va.tolist(),
                      trained_test=o_te.tolist(), archs=old.to_strings(old_rows))

    payload = dict(
        config=vars(args), space=repr(space), n_train=len(X_tr), n_val=len(X_va), n_test=len(X_te),
        ranking=ranking,
        cost=dict(hn_fit_s=hn_fit, score_one_s=score_time, train_one_s=train_time,
                  speedup=train_time / score_time),
        search=dict(wall_budget_s=budget, n_candidates=len(cands), hn_scoring_s=search_scoring, hn_pick=hn_pick,
                    random_test_mean=rs_mean, random_test_se=rs_se, random_n_trained_mean=n_trained,
                    random_capped_by_pool=rs["capped_by_pool"], hn_topk=hn_topk, random_same_wall_as_topk=rs_k,
                    pool_best_test=float(tr_test.max()), pool_mean_test=float(tr_test.mean()),
                    pool_test_of_best_val=float(tr_test[int(np.argmax(tr_val))])),
        legacy=legacy,
        replicates=replicates,
    )
    rank, cost, srch = payload["ranking"], payload["cost"], payload["search"]
    rows = [
        [f"Kendall tau, HN val acc vs trained test acc (mean of {len(seeds)} seeds)",
         f"{rank['kendall_tau_test']:.3f} ({len(pool)} archs)"],
        ["Kendall tau, HN val acc vs trained val acc (mean of seeds)", f"{rank['kendall_tau_val']:.3f}"],
        ["Spearman, HN val acc vs trained test acc (mean of seeds)", f"{rank['spearman_test']:.3f}"],
        ["Kendall tau, HN val acc vs trained test acc (seed A only)", f"{rank['kendall_tau_test_seed_a']:.3f}"],
        ["Kendall tau, trained seed A vs seed B (noise ceiling), test acc", f"{rank['noise_ceiling_test']:.3f}"],
        ["Kendall tau, trained seed A vs seed B (noise ceiling), val acc", f"{rank['noise_ceiling_val']:.3f}"],
        ["Kendall tau, trained seed A vs mean of the other seeds, test acc",
         f"{rank['seed_a_vs_mean_of_others_test']:.3f}"],
        [f"ideal evaluator's expected tau vs one training / vs the mean of {len(seeds)} (Gaussian noise model "
         "from the seed A vs B tau)",
         f"{rank['ideal_tau_one_training']:.3f} / {rank['ideal_tau_mean_of_seeds']:.3f}"],
        ["baseline: Kendall tau, parameter count vs trained test acc", f"{rank['params_tau_test']:.3f}"],
        ["Kendall tau, HN val acc vs parameter count", f"{rank['hn_vs_params_tau']:.3f}"],
    ]
    if legacy is not None:
        rows.append([f"legacy protocol ({legacy['space']}, {legacy['epochs']} epochs): Kendall tau, trained seed A "
                     f"vs seed B (noise ceiling), test / val acc",
                     f"{legacy['noise_ceiling_test']:.3f} / {legacy['noise_ceiling_val']:.3f} "
                     f"({legacy['n_archs']} archs, test acc {legacy['test_min']:.3f}-{legacy['test_max']:.3f}); "
                     f"ideal evaluator vs one training {legacy['ideal_tau_one_training']:.3f}"])
    for rep in replicates:
        rows.append([f"replicate, split seed {rep['split']}: Kendall tau HN vs trained test acc (mean of seeds) / "
                     "trained seed A vs seed B / parameter count vs trained",
                     f"{rep['kendall_tau_test']:.3f} / {rep['noise_ceiling_test']:.3f} / "
                     f"{rep['params_tau_test']:.3f} ({rep['n_archs']} archs)"])
    rows += [
        ["HyperNetwork training (s)", f"{hn_fit:.1f}"],
        ["score one architecture (s)", f"{score_time:.4f}"],
        ["train one architecture once (s)", f"{train_time:.2f}"],
        ["speed-up (train once / score)", f"{cost['speedup']:.0f}x"],
        ["search wall budget (HN fit + scoring) (s)", f"{budget:.1f}"],
        [f"HN search: test acc of top-1 of {len(cands)} scored (mean of seeds)", f"{hn_pick['trained_test']:.4f}"],
        ["random search, same wall time: test acc (mean ± s.e.)",
         f"{rs_mean:.4f} ± {rs_se:.4f} ({n_trained:.1f} archs trained; pool of {len(pool)} exhausted in "
         f"{100 * rs['capped_by_pool']:.0f}% of replays)"],
        [f"HN top-{hn_topk['k']} trained once, best on val: test acc (mean of seeds); wall budget (s)",
         f"{hn_topk['trained_test']:.4f}; {budget_k:.1f}"],
        ["random search, same wall time as HN top-k: test acc (mean ± s.e.)",
         f"{rs_k['test_mean']:.4f} ± {rs_k['test_se']:.4f} ({rs_k['n_trained_mean']:.1f} archs trained; pool "
         f"exhausted in {100 * rs_k['capped_by_pool']:.0f}% of replays)"],
        [f"pool of {len(pool)}: best / mean test acc", f"{srch['pool_best_test']:.4f} / {srch['pool_mean_test']:.4f}"],
        ["trained test acc range in the pool (mean of seeds)", f"{tr_test.min():.3f}-{tr_test.max():.3f}"],
    ]
    md = "\n\n".join([
        "# HyperNetwork (ADWPNAS) evaluation on digits",
        f"{space!r}; {len(X_tr)} train / {len(X_va)} val / {len(X_te)} test images; HyperNetwork "
        f"{args.hn_epochs} epochs x {args.archs_per_step} architectures per mini-batch (hidden {args.hidden_size}); "
        f"from-scratch training {args.train_epochs} epochs x {len(seeds)} seeds; split seed {args.seed}.",
        markdown_table(["metric", "value"], rows),
        f"HN pick: `{hn_pick['arch']}` ({hn_pick['params'] * 1e6:.0f} parameters).",
        "## Protocol and why",
        ("The first protocol (widths 8/16/32, 30 epochs, one training per architecture) is re-measured in the "
         "legacy row" + (
             f": 80% of its architectures reached between {legacy['test_p10_p90'][0]:.3f} and "
             f"{legacy['test_p10_p90'][1]:.3f} test accuracy (seed mean) on {len(X_te)} test images, and two "
             f"trainings of the same {legacy['n_archs']} architectures agreed with Kendall tau "
             f"{legacy['noise_ceiling_test']:.3f} (test) / {legacy['noise_ceiling_val']:.3f} (val)"
             "; under a Gaussian noise model a perfect evaluator would reach only about "
             f"{legacy['ideal_tau_one_training']:.3f} against one such training, so the 0.5 goal was "
             + ("undefined (the trainings did not agree at all)" if not np.isfinite(legacy['ideal_tau_one_training'])
                else "out of reach" if legacy['ideal_tau_one_training'] < 0.5 else "reachable with little margin")
             + f" (this estimate is itself noisy: {legacy['n_archs']} architectures, one pair of trainings)."
             if legacy else " (skipped in this run).")
         + " This run uses widths 2/4/8/16 (narrow layers really limit accuracy, so architectures differ by more "
         "than the noise), 20 epochs per from-scratch training (the speed-up is measured against that shorter "
         "training) and the mean of several trainings as the ground truth. The HyperNetwork draws several "
         "architectures per mini-batch and decays its learning rate with a cosine (see `HyperNetworkEvaluator`). "
         "Protocol and HyperNetwork settings were chosen on split seed 1 with validation accuracy only; split seed "
         f"{args.seed} (and the replicates) were run once."),
        "## Reading",
        f"* Goal tau >= 0.5: {'met' if rank['kendall_tau_test'] >= 0.5 else 'missed'} on split {args.seed} "
        f"({rank['kendall_tau_test']:.3f})"
        + "".join(f"; {'met' if r['kendall_tau_test'] >= 0.5 else 'missed'} on split {r['split']} "
                  f"({r['kendall_tau_test']:.3f})" for r in replicates) + ". "
        f"Against one training (seed A) the HyperNetwork reaches {rank['kendall_tau_test_seed_a']:.3f}, while a "
        f"second training of the same architectures reaches {rank['noise_ceiling_test']:.3f} (the noise ceiling "
        "of a single-training ground truth). A perfect evaluator would be expected to reach about "
        f"{rank['ideal_tau_mean_of_seeds']:.3f} against the mean of {len(seeds)} trainings (Gaussian noise model), "
        "so the HyperNetwork " + ("still leaves room" if rank['kendall_tau_test'] < rank['ideal_tau_mean_of_seeds']
                                  else "is at that ceiling" if np.isfinite(rank['ideal_tau_mean_of_seeds'])
                                  else "cannot be compared with it") + ".",
        f"* The parameter count alone ranks the pool with tau {rank['params_tau_test']:.3f}"
        + "".join(f" ({r['params_tau_test']:.3f} on split {r['split']})" for r in replicates)
        + f", {'above' if rank['params_tau_test'] > rank['kendall_tau_test'] else 'below'} the HyperNetwork "
        f"({rank['kendall_tau_test']:.3f}); the HyperNetwork's scores agree with the parameter count at tau "
        f"{rank['hn_vs_params_tau']:.3f}. In this space the narrow layers dominate the differences, and the "
        "HyperNetwork " + ("does not beat" if rank['params_tau_test'] > rank['kendall_tau_test'] else "beats")
        + " that free baseline.",
        f"* Search: HN top-1 {hn_pick['trained_test']:.4f} vs random {rs_mean:.4f} ± {rs_se:.4f} at equal wall time; "
        f"HN top-{hn_topk['k']} (trained once each, best on val) {hn_topk['trained_test']:.4f} vs random "
        f"{rs_k['test_mean']:.4f} ± {rs_k['test_se']:.4f} at its wall time. The HN side is one search outcome "
        "(one HyperNetwork, one pick) with no error bar; the random side's ± is the standard error of a mean "
        "over replays, not the spread of one random search.",
    ])
    print(md)
    write_results("hypernetwork", payload, md, results_dir=args.results_dir)
    return payload


if __name__ == "__main__":
    main()
