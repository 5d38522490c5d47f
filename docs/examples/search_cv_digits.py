"""PredictorSearchCV on scikit-learn's digits: search the cell of a small NAS-Bench-201 network.

Every candidate is a skorch ``NeuralNetClassifier`` whose module is an
:class:`~sknas.networks.NB201Network` with the candidate cell (``module__arch``),
cross-validated on 8x8 digit images. Takes a few minutes on a laptop CPU
(pass a smaller number of networks as argument for a quick run).

    python search_cv_digits.py [n_iter]
"""

import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier

from sknas.networks import NB201Network
from sknas.search import PredictorSearchCV
from sknas.spaces import NASBench201Space

n_iter = int(sys.argv[1]) if len(sys.argv) > 1 else 18

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)   # images: (n, channels, height, width)
y = y.astype(np.int64)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)

space = NASBench201Space()
net = NeuralNetClassifier(
    NB201Network,
    module__arch=(0,) * space.n_decisions,  # replaced by each candidate
    module__C=4, module__N=1, module__in_channels=1,
    module__seed=0,                          # same initial weights in every process
    max_epochs=6, lr=0.05, batch_size=64, train_split=None, verbose=0,
)

search = PredictorSearchCV(net, space, arch_param="module__arch", n_initial=max(2, n_iter // 3),
                           n_iter=n_iter, batch_size=max(1, n_iter // 6), cv=3, n_jobs=1, random_state=0)
search.fit(X_train, y_train)

best = search.best_params_["module__arch"]
print(f"best cell: {space.to_string(best)}")
print(f"cross-validated accuracy {search.best_score_:.4f}, test accuracy {search.score(X_test, y_test):.4f}")

# the search, round by round
res = search.cv_results_
for r in sorted(set(res["round"])):
    idx = [i for i, rr in enumerate(res["round"]) if rr == r]
    print(f"round {r}: {len(idx)} networks, best CV accuracy {max(res['mean_test_score'][i] for i in idx):.4f}")

# further architectures worth training, none evaluated yet
for row in search.propose(3, random_state=0):
    print("next:", space.to_string(row))
