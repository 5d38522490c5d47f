"""``PredictorSearchCV``: predictor-based architecture search by cross-validation on the user's data."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils.validation import check_is_fitted

from ..predictors import check_prior
from ..spaces import ConstrainedSpace, Space
from ..utils import Instance, Int, Options, Range, atomic_path, check_int, clip_range, renamed, validate_params
from ._checkpoint import check_provenance, search_provenance
from ._defaults import ROUND_SIZE, default_predictor, default_proposer
from ._round import fit_and_propose, initial_design, search_seed

__all__ = ["PredictorSearchCV"]


class PredictorSearchCV(BaseSearchCV):
    """Search the architecture of an estimator by cross-validation, guided by a predictor.

    A ``BaseSearchCV`` (like ``GridSearchCV``) whose candidates are
    architectures of ``space``: ``n_initial`` random ones first, then rounds
    in which a predictor is fitted on the architectures evaluated so far
    (their mean cross-validated score) and a proposer suggests the next
    ``round_size``. Each round is one call of ``evaluate_candidates``, so the
    candidates of a round run in parallel through joblib (``n_jobs``; a Dask
    cluster serves as backend with ``joblib.parallel_backend("dask")``).
    The rounds are those of :func:`~sknas.search.run_search` (the same
    initial design, seeding rule and defaults).

    Parameters
    ----------
    estimator : estimator
        The model to tune, e.g. a skorch net whose module takes the
        architecture as ``module__<name>``.
    space : Space
        The architecture space.
    arch_param : str
        Parameter of ``estimator`` receiving the architecture, e.g.
        ``"module__arch"`` or ``"hidden_layer_sizes"``.
    arch_format : {"row", "string"} or callable, default="row"
        The form the estimator receives (and ``best_params_`` / ``cv_results_``
        show): the tuple of choice indices, the space's string form
        (``space.to_string``, e.g. an NB201 cell string), or any function of a
        row, e.g. ``lambda row: tuple(w for w, _ in space.layers(row))`` for a
        scikit-learn ``MLPClassifier``'s ``hidden_layer_sizes``.
    predictor : estimator, default=None
        Performance predictor on rows of ``space`` (cloned each round).
        Default: :func:`~sknas.search.default_predictor`.
    proposer : BaseProposer, default=None
        Default: :func:`~sknas.search.default_proposer`.
    n_initial : int, default=10
        Random architectures evaluated first.
    budget : int, default=24
        Total number of architectures evaluated.
    round_size : int, default=3
        Architectures proposed per round (:data:`~sknas.search.ROUND_SIZE`); a
        round's candidates are cross-validated in parallel.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        scorers, ``refit`` names the one the predictor learns. ``verbose=1``
        also prints a line per round: the architectures evaluated, the best
        mean score so far, the seconds since ``fit`` started and an estimate
        of the time left.
    random_state : int, RandomState or None, default=None
    constraints : Constraint, list of Constraint or dict, default=None
        Bounds on costs of the architectures (see
        :class:`~sknas.spaces.Constraint`): no candidate that breaks one is
        cross-validated, the initial random ones included.
    checkpoint : path-like, default=None
        A JSON file to which every finished round is written (atomically, the
        scores and times of each fold, as ``cv_results_`` is built from them).
        If it exists when :meth:`fit` starts, its rounds are restored instead
        of cross-validated again and the search continues from them: after an
        interrupt, a crash or with a larger ``budget``, the evaluations made are
        kept, and with an integer ``random_state`` the continued search is the
        one an uninterrupted run makes. The file must come from the same
        estimator, data, space and ``cv``: it records the space searched
        (with its constraints), the estimator's class and ``arch_param``, the
        scoring, an integer ``random_state``, the prior (a fingerprint of
        its data) and the sknas version, and a
        checkpoint of another search (or with another number of folds)
        raises ``ValueError``; the data are not checked. A search always
        evaluates at least one round: rounds that would reach ``budget`` are
        not restored but run again.
    prior : (X, y), TabularBenchmark or list of those, default=None
        What other tasks measured on rows of ``space`` (:func:`~sknas.predictors.check_prior`): the search
        then starts from the prior's best rows instead of ``n_initial`` random ones, and every round
        combines the priors with the predictor by how well each ranks the evaluations so far
        (:class:`~sknas.predictors.RankWeightedPrior`); see the guide on priors.
    score_range : (float, float), default=None
        The closed interval the refit score lies in, e.g. ``(0, 1)`` for
        accuracy: ``cv_results_["predicted_score"]`` is clipped to it (a
        predictor extrapolates beyond any score a model can reach; proposals
        are still ranked on the raw predictions). None: not clipped. Ignored
        with a ``prior`` (``predicted_score`` is then a combined score of
        ranks).
    n_iter : int, default="deprecated"
        Deprecated alias of ``budget``.
    batch_size : int, default="deprecated"
        Deprecated alias of ``round_size``.

    Attributes
    ----------
    cv_results_ : dict
        As in ``GridSearchCV``, plus ``round`` (0 = initial random) and
        ``predicted_score`` (the predictor's value when proposed, clipped to
        ``score_range``; NaN in round 0), ``arch_row`` (the row of choice indices) per candidate, and
        ``param_<arch_param>`` holding the architecture in ``arch_format``. When a
        round raises (``error_score="raise"``, an interrupt), :meth:`fit`
        re-raises and ``cv_results_`` holds every round finished before it.
    best_params_, best_score_, best_estimator_, best_index_
        As in ``GridSearchCV``.
    space_ : Space
        The space searched.
    seed_ : int
        The search's seed (see :func:`~sknas.search.round_seed`); :meth:`propose`
        continues with it.
    """

    _search_constraints = {"space": Instance(Space), "arch_param": Instance(str),
                           "arch_format": [Options(("row", "string")), Instance(Callable)], "n_initial": Int(1),
                           "budget": Int(1), "round_size": Int(1),
                           "checkpoint": Instance((str, os.PathLike), none=True), "score_range": Range(none=True)}

    def __init__(self, estimator, space, *, arch_param, arch_format="row", predictor=None, proposer=None,
                 n_initial=10, budget=24, round_size=ROUND_SIZE, scoring=None, n_jobs=None, refit=True, cv=None,
                 verbose=0, pre_dispatch="2*n_jobs", random_state=None, error_score=np.nan, return_train_score=False,
                 constraints=None, checkpoint=None, n_iter="deprecated", batch_size="deprecated", prior=None,
                 score_range=None):
        super().__init__(estimator=estimator, scoring=scoring, n_jobs=n_jobs, refit=refit, cv=cv, verbose=verbose,
                         pre_dispatch=pre_dispatch, error_score=error_score, return_train_score=return_train_score)
        self.space = space
        self.arch_param = arch_param
        self.arch_format = arch_format
        self.predictor = predictor
        self.proposer = proposer
        self.n_initial = n_initial
        self.budget = budget
        self.round_size = round_size
        self.random_state = random_state
        self.constraints = constraints
        self.checkpoint = checkpoint
        self.n_iter = n_iter
        self.batch_size = batch_size
        self.prior = prior
        self.score_range = score_range

    def _budget_and_round_size(self) -> tuple[int, int]:
        """``budget`` and ``round_size``, or their deprecated aliases ``n_iter`` and ``batch_size`` when given."""
        budget = renamed("n_iter", self.n_iter, "budget", self.budget, stacklevel=5)
        round_size = renamed("batch_size", self.batch_size, "round_size", self.round_size, stacklevel=5)
        return check_int(budget, "n_iter"), check_int(round_size, "batch_size")

    def _check_search_params(self) -> dict:
        """The search's own parameters, checked (``{name: value}``)."""
        checked = validate_params(self, self._search_constraints)
        if self.arch_param not in self.estimator.get_params():
            raise ValueError(f"arch_param={self.arch_param!r} is not a parameter of the estimator "
                             f"{type(self.estimator).__name__}")
        return checked

    def _score_key(self) -> str:
        return f"mean_test_{self.refit}" if isinstance(self.refit, str) else "mean_test_score"

    def _history(self, results):
        """(rows, mean scores) of every candidate evaluated so far (NaN where every fit failed)."""
        rows = np.array(list(results["arch_row"]), dtype=np.int64)
        key = self._score_key()
        if key not in results:
            raise ValueError("with several scorers, set refit to the name of the one the predictor should learn")
        return rows.reshape(len(rows), self.space.n_decisions), np.asarray(results[key], dtype=np.float64)

    def _candidates(self, rows):
        """The parameters of each candidate in ``arch_format``; cv_results_["arch_row"] keeps the rows."""
        fmt = self.arch_format
        convert = (lambda r: tuple(int(c) for c in r)) if fmt == "row" else self.space.to_string if fmt == "string" \
            else fmt
        return [{self.arch_param: convert(r)} for r in rows]

    def _search_space(self) -> Space:
        return self.space if self.constraints is None else ConstrainedSpace(self.space, self.constraints)

    def _run_search(self, evaluate_candidates):
        score_range = self._check_search_params()["score_range"]
        budget, round_size = self._budget_and_round_size()
        self.seed_, rng = search_seed(self.random_state)
        self._priors = check_prior(self.prior, self.space)
        first = (self._fit_and_propose(None, min(round_size, budget))[1] if self._priors
                 else initial_design(self._search_space(), min(self.n_initial, budget), rng))
        self._restored = self._read_checkpoint(budget)
        t_start = time.perf_counter()
        if self._restored["arch_row"]:
            results = self._format_results([], self.n_splits_, [], {})  # the restored rounds alone
            round_ = max(self._restored["round"])
        else:
            results = evaluate_candidates(self._candidates(first), more_results={
                "round": [0] * len(first), "predicted_score": [np.nan] * len(first), "arch_row": self._rows(first)})
            round_ = 0
        t0 = time.perf_counter()
        self._report(results, round_, budget, t_start, t0)
        while len(results["params"]) < budget:
            round_ += 1
            k = min(round_size, budget - len(results["params"]))
            model, X_new = self._fit_and_propose(results, k)
            if len(X_new) == 0:
                break
            try:
                results = evaluate_candidates(self._candidates(X_new), more_results={
                    "round": [round_] * len(X_new), "predicted_score":
                    [np.nan] * len(X_new) if model is None else
                    list(clip_range(model.predict(X_new), None if self._priors else score_range)),
                    "arch_row": self._rows(X_new)})
            except BaseException:  # e.g. error_score="raise", or Ctrl-C: keep every round finished so far
                self.cv_results_ = results
                raise
            self._report(results, round_, budget, t_start, t0)

    def _report(self, results, round_: int, budget: int, t_start: float, t0: float) -> None:
        """With ``verbose``, one line per round (on stdout, as scikit-learn's searches print): the architectures
        evaluated, the best mean score so far, the seconds since :meth:`fit` started and, after the first
        round, the time the remaining rounds would take at the rate of the rounds since the initial design
        (``t0``)."""
        if not self.verbose:
            return
        done, scores = len(results["params"]), np.asarray(results.get(self._score_key(), []), dtype=np.float64)
        best = f"{np.nanmax(scores):.4f}" if np.isfinite(scores).any() else "none yet"
        now, left = time.perf_counter(), ""
        if round_ > 0 and done < budget:
            rounds_left = -(-(budget - done) // self._budget_and_round_size()[1])
            left = f", about {(now - t0) / round_ * rounds_left:.0f} s left"
        print(f"[PredictorSearchCV] round {round_}: {done}/{budget} architectures, best {self._score_key()} {best} "
              f"({now - t_start:.0f} s{left})", flush=True)

    _RESTORED_KEYS = ("round", "predicted_score", "arch_row")

    def _read_checkpoint(self, budget: int) -> dict:
        """The whole rounds of the checkpoint below ``budget``: their ``more_results`` and per-fold ``out``."""
        restored = {key: [] for key in (*self._RESTORED_KEYS, "out")}
        if self.checkpoint is None or not Path(self.checkpoint).is_file():
            return restored
        name = str(self.checkpoint)
        with open(self.checkpoint, encoding="utf-8") as f:
            saved = json.load(f)  # a file that is not JSON raises ValueError (json.JSONDecodeError)
        if not isinstance(saved, dict) or saved.get("n_splits") != self.n_splits_ or \
                saved.get("n_decisions") != self.space.n_decisions:
            raise ValueError(f"checkpoint {name!r} was not written by a search of this space with "
                             f"{self.n_splits_} folds; remove it or pass another path")
        check_provenance(saved.get("search"), self._provenance(), name)
        try:
            candidates = list(saved["candidates"])
            rows = np.array([c["arch_row"] for c in candidates], dtype=np.int64)
            rounds = [int(c["round"]) for c in candidates]
            if any(len(c["out"]) != self.n_splits_ for c in candidates):
                raise ValueError("a candidate without one result per fold")
            needed = {"fit_error", "test_scores", "n_test_samples", "fit_time", "score_time"} | (
                {"train_scores"} if self.return_train_score else set())
            lacking = next((needed - set(o) for c in candidates for o in c["out"] if needed - set(o)), None)
            if lacking:
                raise ValueError(f"a fold result without {sorted(lacking)}")
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"checkpoint {name!r} is damaged ({exc}); remove it or pass another path") from None
        rows = self.space.check_rows(rows.reshape(len(candidates), self.space.n_decisions), name="checkpoint rows")
        keep = len(candidates)
        while keep and keep >= budget:  # at least one round is evaluated by fit
            keep = rounds.index(rounds[keep - 1])
        for c, row in zip(candidates[:keep], rows):
            restored["round"].append(int(c["round"]))
            restored["predicted_score"].append(np.nan if c["predicted_score"] is None else float(c["predicted_score"]))
            restored["arch_row"].append(tuple(int(v) for v in row))
            restored["out"].extend(c["out"])
        return restored

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        """Prepend the restored rounds to those evaluated by this fit, and write the checkpoint."""
        restored = getattr(self, "_restored", None) or {key: [] for key in (*self._RESTORED_KEYS, "out")}
        more = {key: restored[key] + list((more_results or {}).get(key, [])) for key in self._RESTORED_KEYS}
        out = restored["out"] + list(out)
        candidate_params = self._candidates(more["arch_row"])
        if self.checkpoint is not None and len(out) > len(restored["out"]):
            self._write_checkpoint(more, out, n_splits)
        return super()._format_results(candidate_params, n_splits, out, more)

    def _write_checkpoint(self, more, out, n_splits):
        def plain(v):
            if isinstance(v, dict):
                return {str(k): plain(x) for k, x in v.items()}
            return None if v is None else v if isinstance(v, str) else float(v)

        keys = ("fit_error", "test_scores", "train_scores", "n_test_samples", "fit_time", "score_time")
        candidates = [{"round": int(more["round"][i]),
                       "predicted_score": None if np.isnan(more["predicted_score"][i])
                       else float(more["predicted_score"][i]),
                       "arch_row": [int(v) for v in more["arch_row"][i]],
                       "out": [{k: plain(o[k]) for k in keys if k in o} for o in out[i * n_splits:(i + 1) * n_splits]]}
                      for i in range(len(more["arch_row"]))]
        with atomic_path(self.checkpoint) as tmp:
            tmp.write_text(json.dumps({"n_splits": n_splits, "n_decisions": self.space.n_decisions,
                                       "search": self._provenance(), "candidates": candidates}), encoding="utf-8")

    def _provenance(self) -> dict:
        """The search a checkpoint records: the space searched, the estimator and its architecture parameter,
        the scoring, the seed, the prior and the sknas version (see
        :func:`~sknas.search._checkpoint.search_provenance`)."""
        scoring = self.scoring
        if callable(scoring):
            scoring = getattr(scoring, "__qualname__", type(scoring).__name__)
        elif isinstance(scoring, (list, tuple, set, dict)):
            scoring = sorted(str(k) for k in scoring)
        return search_provenance(self._search_space(), f"{type(self.estimator).__name__}.{self.arch_param}",
                                 scoring, self.random_state, check_prior(self.prior, self.space))

    @staticmethod
    def _rows(X) -> list[tuple[int, ...]]:
        return [tuple(int(c) for c in r) for r in X]

    def _fit_and_propose(self, results, n, seed=None):
        """A round on the candidates of ``results`` (None: none yet, the first round of a search with a prior)."""
        X, y = (np.empty((0, self.space.n_decisions), dtype=np.int64), np.empty(0)) if results is None \
            else self._history(results)
        ok = np.isfinite(y)
        priors = getattr(self, "_priors", None) or check_prior(self.prior, self.space)
        if ok.sum() < 2 and not priors:
            raise ValueError("fewer than two candidates scored finitely: the predictor cannot be fitted "
                             "(see error_score and the warnings of the failed fits)")
        predictor = default_predictor(self.space) if self.predictor is None else self.predictor
        proposer = default_proposer() if self.proposer is None else self.proposer
        seed = self.seed_ if seed is None else seed
        return fit_and_propose(predictor, proposer, X[ok], y[ok], n, seed=seed, exclude=X[~ok],
                               space=self._search_space(), prior=priors)

    def fit(self, X, y=None, **params):
        """Run the search (see :class:`~sklearn.model_selection.GridSearchCV.fit`)."""
        try:
            super().fit(X, y, **params)
        finally:
            self._restored = None
        self.space_ = self.space
        return self

    def propose(self, n: int, random_state=None) -> np.ndarray:
        """Suggest ``n`` further architectures (rows), best first, none evaluated yet.

        The predictor is fitted on every architecture evaluated by :meth:`fit`. With
        ``random_state=None`` the proposals are those the search's next round would
        have made (it continues with :attr:`seed_`); otherwise ``random_state`` seeds them.
        """
        check_is_fitted(self, "cv_results_")
        seed = None if random_state is None else search_seed(random_state)[0]
        return self._fit_and_propose(self.cv_results_, n, seed)[1]
