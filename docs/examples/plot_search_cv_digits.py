"""
PredictorSearchCV: the cell of a network for digits
===================================================

Every candidate is a skorch ``NeuralNetClassifier`` whose module is an
:class:`~sknas.networks.NB201Network` with the candidate cell (``module__arch``), cross-validated on
scikit-learn's 8x8 digits. :class:`~sknas.search.PredictorSearchCV` is a scikit-learn
``BaseSearchCV``: random cells first, then rounds in which its predictor proposes the next ones.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier

from sknas.networks import NB201Network
from sknas.search import PredictorSearchCV
from sknas.spaces import NASBench201Space

torch.set_num_threads(1)  # small networks train fastest on one thread (and a busy machine stays usable)
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)   # images: (n, channels, height, width)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)

space = NASBench201Space()
net = NeuralNetClassifier(
    NB201Network,
    module__arch=(0,) * space.n_decisions,  # replaced by each candidate
    module__C=4, module__N=1, module__in_channels=1,
    module__seed=0,                          # the same initial weights in every process
    max_epochs=5, lr=0.1, batch_size=32, train_split=None, verbose=0,
)
search = PredictorSearchCV(net, space, arch_param="module__arch", n_initial=6, budget=12, cv=2, n_jobs=2,
                           random_state=0)
search.fit(X_train, y_train)

print(f"best cell: {space.to_string(search.best_params_['module__arch'])}")
print(f"cross-validated accuracy {search.best_score_:.3f}, test accuracy {search.score(X_test, y_test):.3f}")

# %%
# The search, round by round: round 0 holds the random cells, the others the predictor's proposals.
res = search.cv_results_
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.scatter(res["round"], res["mean_test_score"])
ax.set(xlabel="round", ylabel="mean CV accuracy")
plt.show()

# %%
# Further cells worth training, none evaluated yet:
for row in search.propose(3):
    print("next:", space.to_string(row))
