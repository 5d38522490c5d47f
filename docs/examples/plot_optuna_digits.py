"""
An Optuna sampler searching a real network on real data
=======================================================

:class:`~sknas.samplers.PredictorSampler` (the sknas default) chooses the cell of a small NAS-Bench-201
network; the objective trains it on scikit-learn's digits and returns its validation accuracy. The
learning rate is a second hyperparameter of the same trial: parameters outside the architecture go to
the sampler's independent sampler (here a seeded ``RandomSampler``, named so; without one the sampler
warns that it uses random sampling for them).
"""

import matplotlib.pyplot as plt
import numpy as np
import optuna
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier

from sknas.networks import NB201Network
from sknas.samplers import PredictorSampler
from sknas.spaces import NASBench201Space

torch.set_num_threads(1)  # small networks train fastest on one thread (and a busy machine stays usable)
optuna.logging.set_verbosity(optuna.logging.WARNING)
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
space = NASBench201Space()


def objective(trial):
    row = space.suggest(trial)                                   # the cell: one categorical per edge
    lr = trial.suggest_float("lr", 0.02, 0.2, log=True)          # an ordinary hyperparameter
    net = NeuralNetClassifier(NB201Network, module__arch=row, module__C=4, module__N=1, module__in_channels=1,
                              module__seed=0, max_epochs=5, lr=lr, batch_size=32, train_split=None, verbose=0)
    return net.fit(X_train, y_train).score(X_valid, y_valid)


sampler = PredictorSampler(space, n_initial=6, seed=0, independent_sampler=optuna.samplers.RandomSampler(seed=0))
study = optuna.create_study(direction="maximize", sampler=sampler)
study.optimize(objective, n_trials=18)
best = study.best_trial
print(f"best cell {space.to_string(space.params_to_row(best.params))}, lr {best.params['lr']:.3f}, "
      f"validation accuracy {best.value:.3f}")

# %%
# The trials: six random cells, then the sampler's proposals, three per round.
values = [t.value for t in study.trials]
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.plot(np.arange(1, len(values) + 1), values, "o", label="trial")
ax.plot(np.arange(1, len(values) + 1), np.maximum.accumulate(values), label="best so far")
ax.axvline(6.5, color="grey", linestyle="--", linewidth=1)
ax.set(xlabel="trial", ylabel="validation accuracy")
ax.legend()
plt.show()
