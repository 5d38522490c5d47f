"""
An Optuna sampler against TPE and random search
===============================================

:class:`~sknas.samplers.PredictorSampler` (the sknas default) is an ordinary Optuna sampler: the objective
calls ``space.suggest(trial)`` and returns the architecture's accuracy. Here the accuracy is the one
NAS-Bench-201 measured for the cell on CIFAR-10 (its validation accuracy, mean over training seeds; the
table ships with sknas), so a trial takes no training and the comparison runs several seeds in seconds:
the sampler, Optuna's TPE and random search, 40 trials each, the same three seeds.

With a real training in the objective the code is the same (a network trained on real data:
:ref:`sphx_glr_auto_examples_plot_search_cv_digits.py`); parameters of the trial outside the architecture,
such as a learning rate, go to the sampler's ``independent_sampler`` (:ref:`samplers`).
"""

import matplotlib.pyplot as plt
import numpy as np
import optuna

from sknas.datasets import load_nasbench201
from sknas.samplers import PredictorSampler

optuna.logging.set_verbosity(optuna.logging.WARNING)
bench = load_nasbench201("cifar10-valid")
space = bench.space


def objective(trial):
    row = space.suggest(trial)                      # the cell: one categorical per edge
    return float(bench.query(row[None, :])[0])      # its validation accuracy (%), as measured by NAS-Bench-201


samplers = {
    "PredictorSampler": lambda seed: PredictorSampler(space, seed=seed),
    "TPE": lambda seed: optuna.samplers.TPESampler(multivariate=True, seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}
n_trials, seeds = 40, range(3)
regret = {}
for name, make in samplers.items():
    runs = []
    for seed in seeds:
        study = optuna.create_study(direction="maximize", sampler=make(seed))
        study.optimize(objective, n_trials=n_trials)
        runs.append(bench.regret(np.maximum.accumulate([t.value for t in study.trials])))
    regret[name] = np.array(runs)
    print(f"{name:>16}: regret after 10 / 20 / 40 trials, mean over {len(seeds)} seeds: "
          + " / ".join(f"{regret[name][:, n - 1].mean():.2f}" for n in (10, 20, 40)))

# %%
# The regret of the best cell found so far (the table's optimum minus its validation accuracy), mean and
# range over the seeds. The sampler's first 10 trials are random cells; its proposals follow, three a
# round.
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
x = np.arange(1, n_trials + 1)
for name, R in regret.items():
    ax.plot(x, R.mean(axis=0), label=name)
    ax.fill_between(x, R.min(axis=0), R.max(axis=0), alpha=0.2)
ax.set(xlabel="trials", ylabel="validation regret (% points)", yscale="symlog")
ax.legend()
plt.show()

# %%
# Three seeds illustrate; they prove nothing. The comparison at 30 seeds, with standard errors, is on the
# :ref:`results` page (``benchmarks/compare_samplers.py``).
