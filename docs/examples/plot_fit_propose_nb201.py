"""
Fit / propose on NAS-Bench-201
==============================

The fit / propose loop (:func:`~sknas.search.run_search`) with its defaults, then with a predictor and
proposer of your own, against random search at the same budget, on the NAS-Bench-201 table that ships
with sknas. Regret is the distance of the best validation accuracy found to the table's optimum.
"""

import matplotlib.pyplot as plt
import numpy as np

from sknas import ArchitectureRegressor, run_search
from sknas.datasets import load_nasbench201
from sknas.proposers import EvolutionProposer
from sknas.search import initial_design

budget = 60
bench = load_nasbench201("cifar10-valid")
space = bench.space
print(f"{bench.name} {bench.dataset}: {len(bench)} cells, optimum {bench.optimum('valid'):.3f}")

# %%
# The defaults: the sknas GCN predictor and the top of the whole space, three architectures a round.
history = run_search(bench, budget=budget, random_state=0)
print(history[["round", "arch", "value", "predicted", "best"]].tail(4).to_string(index=False))

# %%
# Your own predictor and proposer: an ensemble of MLPs on the path encoding, predictor-guided evolution
# with independent Thompson sampling (BANANAS' recipe).
predictor = ArchitectureRegressor(space, model="mlp", encoding="path", n_ensemble=3, model__max_epochs=60, random_state=0)
proposer = EvolutionProposer(n_parents=5, acquisition="its")
history2 = run_search(bench, budget=budget, predictor=predictor, proposer=proposer, random_state=0)

# %%
# Random search: distinct random cells.
random_values = bench.query(initial_design(space, budget, random_state=0))

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for label, values in (("sknas defaults", history["value"]), ("MLP ensemble + evolution", history2["value"]),
                      ("random", random_values)):
    ax.plot(np.arange(1, budget + 1), bench.regret(np.maximum.accumulate(values)), label=label)
ax.set(xlabel="architectures evaluated", ylabel="validation regret (% points)", yscale="symlog")
ax.legend()
plt.show()
