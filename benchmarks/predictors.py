"""Benchmark of sknas architecture predictors on NAS-Bench-201 (CIFAR-10 valid).

For every training-set size, ``--splits`` random splits train each predictor
on that many random cells and test it on all other cells (Kendall's tau and
precision@10 of the test set's top-10, fit and predict time). A timing section
compares the default GCN fit through skorch with a minimal plain-torch loop on
the same module, epochs and batches, and times predicting all 15,625 cells.

Usage::

    python benchmarks/predictors.py            # full run
    python benchmarks/predictors.py --smoke    # seconds

Results: a markdown table on stdout and ``benchmarks/results/predictors_nb201.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from _common import PREDICTOR_CONFIGS, RESULTS, score_predictor, summarise_splits, write_results

SIZES = (78, 156, 469, 781, 1563)

#: published Kendall taus at the training sizes of :data:`SIZES` (name -> values), with their sources below
TARGETS = {
    "Neural Predictor GCN (TNASP's run, PINAT Table 1)": (0.343, 0.413, 0.584, 0.634, 0.646),
    "PINAT (PINAT Table 1)": (0.549, 0.631, 0.706, 0.761, 0.784),
    "goal for the sknas default": (0.56, 0.64, 0.72, 0.78, 0.82),
}
#: where the published rows come from (the Neural Predictor paper itself reports NAS-Bench-101 and ImageNet only)
SOURCES = (
    "Published rows: Table 1 (NAS-Bench-201, splits S'1..S'5 = 78, 156, 469, 781, 1563 training cells, Kendall "
    "tau on all cells) of PINAT (Lu et al., AAAI 2023; the table is reproduced in github.com/ShunLu91/PINAT, "
    "assets/pinat_table1.jpg); its NP row is marked 'reported by TNASP' (Lu et al., NeurIPS 2021), a "
    "re-implementation of the Neural Predictor, whose paper (Wen et al., ECCV 2020) reports NAS-Bench-101 and "
    "ImageNet only. Their protocol is close to ours, not the same: their own splits, tested on all cells. The goal "
    "row is this project's target, not a published number."
)


def _load():
    from sknas.datasets import load_nasbench201

    bench = load_nasbench201("cifar10-valid")
    return bench, bench.query(bench.X, "valid")


def plain_torch_fit(reg, X, y):
    """Train the module of the fitted torch regressor ``reg`` afresh (same epochs, batches, optimizer, schedule) in
    plain torch; ``reg`` is not changed."""
    import torch

    from sknas.encodings import GraphEncoder
    from sknas.predictors import RankingLoss

    backend = reg.backend_  # the model's backend, configured by reg's parameters
    feats = backend.encode(GraphEncoder(reg.space).fit(X), X)
    yz = ((y - y.mean()) / y.std()).astype(np.float32)
    module_cls, kwargs = backend.module(feats)
    epochs, bs = backend.n_epochs(len(y)), backend.params["batch_size"]
    A, F, Y = torch.as_tensor(feats["A"]), torch.as_tensor(feats["F"]), torch.as_tensor(yz).reshape(-1, 1)
    old = torch.get_num_threads()
    torch.set_num_threads(reg.n_threads or old)
    try:
        torch.manual_seed(0)
        module = module_cls(**kwargs)
        opt = torch.optim.AdamW(module.parameters(), lr=backend.params["lr"],
                                weight_decay=backend.params["weight_decay"], foreach=True)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
        crit = RankingLoss(backend.loss)
        n_batches = int(np.ceil(len(Y) / bs))
        module.train()
        for _ in range(epochs):
            for part in torch.tensor_split(torch.randperm(len(Y)), n_batches):
                opt.zero_grad()
                loss = crit(module(A=A[part], F=F[part]), Y[part])
                loss.backward()
                opt.step()
            sched.step()
    finally:
        torch.set_num_threads(old)
    return module, epochs, bs


def timing(bench, y, repeats: int, n_train: int = 469):
    """Default GCN via sknas (skorch) vs a plain torch loop; prediction time for all cells."""
    from sknas import ArchitectureRegressor

    idx = np.random.default_rng(0).permutation(len(y))[:n_train]
    X, yt = bench.X[idx], y[idx]
    sk, plain = [], []
    for r in range(repeats):
        reg = ArchitectureRegressor(bench.space, model="gcn", random_state=r)
        t0 = time.perf_counter()
        reg.fit(X, yt)
        sk.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _, epochs, bs = plain_torch_fit(reg, X, yt)
        plain.append(time.perf_counter() - t0)
    out = {"n_train": n_train, "gcn_epochs": epochs, "gcn_batch_size": bs,
           "gcn_fit_sknas_s": float(np.median(sk)), "gcn_fit_plain_torch_s": float(np.median(plain)),
           "ratio_sknas_over_plain": float(np.median(sk) / np.median(plain))}
    default = ArchitectureRegressor(bench.space, random_state=0).fit(X, yt)
    for label, fitted in (("gcn", reg), ("default", default)):
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fitted.predict(bench.X)
            ts.append(time.perf_counter() - t0)
        out[f"predict_all_{len(bench.X)}_{label}_s"] = float(np.median(ts))
    from sknas.search import default_predictor

    for label, make in (("default", lambda r: ArchitectureRegressor(bench.space, random_state=r)),
                        ("search_default", lambda r: default_predictor(bench.space, random_state=r))):
        ts = []
        for r in range(repeats):
            t0 = time.perf_counter()
            make(r).fit(X, yt)
            ts.append(time.perf_counter() - t0)
        out[f"{label}_fit_s"] = float(np.median(ts))
    return out


def markdown(results, sizes, timing_out=None) -> str:
    head = "| predictor | " + " | ".join(f"n={n}" for n in sizes) + " |"
    lines = ["Kendall tau on all other cells (mean ± std over splits); precision@10 in brackets", "",
             head, "|" + "---|" * (len(sizes) + 1)]
    for name, per in results.items():
        cells = []
        for n in sizes:
            s = per.get(str(n))
            cells.append("" if s is None else f"{s['tau'][0]:.3f} ± {s['tau'][1]:.3f} ({s['p@10'][0]:.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, vals in TARGETS.items():
        lines.append(f"| *{name}* | " + " | ".join(f"{v:.3f}" for v, n in zip(vals, SIZES) if n in sizes) + " |")
    lines += ["", SOURCES]
    lines += ["", "Fit / predict time (s, mean over splits)", "", head, "|" + "---|" * (len(sizes) + 1)]
    for name, per in results.items():
        cells = []
        for n in sizes:
            s = per.get(str(n))
            cells.append("" if s is None else f"{s['fit_s'][0]:.2f} / {s['predict_s'][0]:.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if timing_out:
        lines += ["", "Timing (median): " + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                                      for k, v in timing_out.items())]
    return "\n".join(lines)


def _header(payload) -> str:
    """The commands that wrote the table: the first run, then each row rerun with ``--resume``."""
    text = f"Command: `{payload['command']}`"
    rerun: dict = {}
    for name, command in payload.get("rerun", {}).items():
        rerun.setdefault(command, []).append(name)
    text += "".join(f"; rows {', '.join(names)} rerun with `{command}`" for command, names in rerun.items())
    return text + (f" ({payload['note']})" if payload.get("note") else "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--splits", type=int, default=10, help="random splits per size (default 10)")
    parser.add_argument("--configs", nargs="+", default=list(PREDICTOR_CONFIGS), choices=list(PREDICTOR_CONFIGS))
    parser.add_argument("--timing-repeats", type=int, default=3)
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--timing-only", action="store_true",
                        help="only the timing section, written to predictors_timing.json / .md next to --out")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny run (2 configs unless --configs, 1 size, 1 split, few epochs)")
    parser.add_argument("--out", type=Path, default=RESULTS / "predictors_nb201.json")
    parser.add_argument("--report-only", action="store_true",
                        help="only print the table of an existing --out file (and write it next to it as .md)")
    parser.add_argument("--resume", action="store_true",
                        help="rerun only --configs and keep the other rows of an existing --out file (same sizes "
                             "and splits, so the same training cells)")
    args = parser.parse_args(argv)
    if args.report_only:
        payload = json.loads(args.out.read_text())
        text = markdown(payload["results"], payload["sizes"], payload.get("timing"))
        args.out.with_suffix(".md").write_text(f"{_header(payload)}\n\n{text}\n")
        print(text)
        return payload
    configs = dict(PREDICTOR_CONFIGS)
    if args.smoke:
        args.sizes, args.splits, args.no_timing = [78], 1, True
        args.configs = ["mlp-onehot", "xgboost"] if args.configs == list(PREDICTOR_CONFIGS) else args.configs
        configs["mlp-onehot"] = dict(configs["mlp-onehot"], model__max_epochs=5)
        configs["xgboost"] = dict(configs["xgboost"], model__n_estimators=20)
    bench, y = _load()
    if args.timing_only:
        out = args.out.with_name("predictors_timing.json")
        timing_out = timing(bench, y, args.timing_repeats)
        command = " ".join([os.path.basename(sys.argv[0])] + (argv if argv is not None else sys.argv[1:]))
        text = "\n".join(f"| {k} | {v:.3g} |" if isinstance(v, float) else f"| {k} | {v} |"
                         for k, v in timing_out.items())
        write_results(out.stem, {"command": command, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                                 "timing": timing_out},
                      f"Command: `python benchmarks/{command}` (seconds are medians of {args.timing_repeats} runs)"
                      f"\n\n| quantity | value |\n|---|---|\n{text}", results_dir=out.parent)
        print(text)
        return timing_out
    command = " ".join(["python benchmarks/predictors.py"] + (argv if argv is not None else sys.argv[1:]))
    payload = {"benchmark": "NAS-Bench-201 cifar10-valid, target: valid accuracy (200 epochs, seed mean)",
               "protocol": "train on n random cells, test on all other cells; split seed = random_state",
               "sizes": args.sizes, "splits": args.splits, "configs": {k: configs[k] for k in args.configs},
               "command": command, "machine": f"{platform.machine()}, {os.cpu_count()} cores", "results": {}}
    if args.resume:
        old = json.loads(args.out.read_text())
        if (old["sizes"], old["splits"]) != (args.sizes, args.splits):
            raise ValueError(f"--resume needs the sizes and splits of {args.out} ({old['sizes']}, {old['splits']}); "
                             f"got {args.sizes}, {args.splits}")
        rerun = {**old.get("rerun", {}), **{name: command for name in args.configs}}
        payload = {**old, "configs": {**old["configs"], **payload["configs"]}, "rerun": rerun}
        payload["results"] = {k: v for k, v in old["results"].items() if k not in args.configs}
    results = payload["results"]
    for name in args.configs:
        results[name] = {}
        for n in args.sizes:
            rows = [score_predictor(bench, y, configs[name], n, s) for s in range(args.splits)]
            results[name][str(n)] = summarise_splits(rows)
            s = results[name][str(n)]
            print(f"{name:28s} n={n:5d} tau={s['tau'][0]:.3f}±{s['tau'][1]:.3f} p@10={s['p@10'][0]:.2f} "
                  f"fit={s['fit_s'][0]:.2f}s predict={s['predict_s'][0]:.3f}s", flush=True)
            write_results(args.out.stem, payload, results_dir=args.out.parent)
    if not args.no_timing:
        payload["timing"] = timing(bench, y, args.timing_repeats)
    text = markdown(results, args.sizes, payload.get("timing"))
    write_results(args.out.stem, payload, f"{_header(payload)}\n\n{text}", results_dir=args.out.parent)
    print(text)
    return payload


if __name__ == "__main__":
    main()
