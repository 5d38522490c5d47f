"""Short trainings: what a value after a short training says about the value after the full one.

One home for the map from a lower fidelity to the full one, shared by :class:`~sknas.pruners.PredictorPruner`
(stop a trial whose predicted final value cannot beat the incumbent) and the samplers (learn from pruned
trials, whose final value is predicted the same way).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MIN_REFERENCE", "predict_final", "chance_to_beat", "stop_early", "fill_stopped"]

#: evaluations with both a short and a full value needed before the map is fitted
MIN_REFERENCE = 3


def predict_final(short_ref, final_ref, short) -> tuple[np.ndarray, np.ndarray]:
    """The final value, with its predictive standard deviation, of evaluations known only at a short training.

    A Bayesian linear regression (scikit-learn's ``BayesianRidge``) of the final value on the short one,
    fitted on the reference evaluations that hold both: its standard deviation covers the spread of final
    values at a given short one (seed noise included), not only the uncertainty of the line.

    Parameters
    ----------
    short_ref, final_ref : array-like of shape (n_ref,)
        Short and final values of the reference evaluations (finite; at least :data:`MIN_REFERENCE`).
    short : array-like of shape (n,)
        Short values of the evaluations to predict.

    Returns
    -------
    mean, std : ndarray of shape (n,)
    """
    from sklearn.linear_model import BayesianRidge

    short_ref, final_ref = (np.asarray(a, dtype=np.float64).ravel() for a in (short_ref, final_ref))
    short = np.asarray(short, dtype=np.float64).ravel()
    if len(short_ref) != len(final_ref) or len(short_ref) < MIN_REFERENCE:
        raise ValueError(f"short_ref, final_ref: need {MIN_REFERENCE} or more pairs of equal length; got "
                         f"{len(short_ref)} and {len(final_ref)}")
    if not (np.isfinite(short_ref).all() and np.isfinite(final_ref).all() and np.isfinite(short).all()):
        raise ValueError("short_ref, final_ref, short: values must be finite")
    centre, scale = short_ref.mean(), short_ref.std() or 1.0
    model = BayesianRidge().fit(((short_ref - centre) / scale)[:, None], final_ref)
    mean, std = model.predict(((short - centre) / scale)[:, None], return_std=True)
    return mean, std


def fill_stopped(short, final, stopped) -> np.ndarray:
    """``final`` with the final value of each evaluation stopped at its short training predicted from its short
    value (:func:`predict_final`, fitted on the evaluations not stopped that hold both).

    A stopped evaluation keeps its value (NaN) when its short value is not finite, or while fewer than
    :data:`MIN_REFERENCE` evaluations hold both values.

    Parameters
    ----------
    short, final : array-like of shape (n,)
        Short and final values (NaN where unknown).
    stopped : array-like of bool, shape (n,)

    Returns
    -------
    final : ndarray of shape (n,)
    """
    short, final = (np.asarray(a, dtype=np.float64).ravel() for a in (short, final))
    stopped = np.asarray(stopped, dtype=bool).ravel()
    out = final.copy()
    ref = ~stopped & np.isfinite(short) & np.isfinite(final)
    todo = stopped & np.isfinite(short)
    if ref.sum() >= MIN_REFERENCE and todo.any():
        out[todo] = predict_final(short[ref], final[ref], short[todo])[0]
    return out


def chance_to_beat(short_ref, final_ref, short, best: float) -> np.ndarray:
    """The probability that the final value of each evaluation known at a short training exceeds ``best``.

    From the normal predictive distribution of :func:`predict_final` (values as maximisation).

    Parameters
    ----------
    short_ref, final_ref, short
        As in :func:`predict_final`.
    best : float
        The value to beat, e.g. the best final value so far.

    Returns
    -------
    p : ndarray of shape (n,)
    """
    from scipy.special import ndtr

    mean, std = predict_final(short_ref, final_ref, short)
    return ndtr((mean - float(best)) / np.maximum(std, 1e-12))


def stop_early(short, short_ref, final_ref, seen=(), *, threshold: float = 0.1, reduction_factor: int = 3,
               best: float | None = None) -> np.ndarray:
    """Which evaluations known at a short training are not worth the full one (values as maximisation).

    Those whose short value is not among the best ``1 / reduction_factor`` of the short values ``seen`` so
    far with their own (successive halving's rule) and, once :data:`MIN_REFERENCE` or more reference
    evaluations hold a short and a final value, whose chance to beat ``best`` (:func:`chance_to_beat`) is
    also below ``threshold``. Both must agree: the rank alone ignores what the full trainings say, and the
    chance alone, measured against the best of noisy final values (a lucky draw), stops nearly everything.

    Parameters
    ----------
    short : array-like of shape (n,)
        Short values of the evaluations to judge (a NaN one stops).
    short_ref, final_ref : array-like of shape (n_ref,)
        Short and final values of the fully evaluated architectures.
    seen : array-like, default=()
        Short values of the other evaluations at the same step, stopped or not (the reference's included).
    threshold : float, default=0.1
    reduction_factor : int, default=3
    best : float, default=None
        The final value to beat; default the best of ``final_ref``.

    Returns
    -------
    stop : ndarray of bool, shape (n,)
    """
    short = np.asarray(short, dtype=np.float64).ravel()
    ok = np.isfinite(short)
    stop = ~ok
    seen = np.asarray(seen, dtype=np.float64).ravel()
    seen = seen[np.isfinite(seen)]
    for i in np.flatnonzero(ok):
        at_step = np.sort(np.r_[seen, short[i]])[::-1]
        stop[i] = short[i] < at_step[max(1, len(at_step) // reduction_factor) - 1]
    judge = stop & ok
    if len(short_ref) >= MIN_REFERENCE and judge.any():
        best = float(np.max(final_ref)) if best is None else best
        stop[judge] = chance_to_beat(short_ref, final_ref, short[judge], best) < threshold
    return stop
