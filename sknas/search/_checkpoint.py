"""What a checkpoint records of the search that wrote it, and the refusal of another search's checkpoint."""

from __future__ import annotations

import warnings

from ..utils import is_int, short_repr

__all__ = ["search_provenance", "check_provenance"]


def search_provenance(space, objective: str, metric, random_state, priors=()) -> dict:
    """What makes a search: the space (with its constraints), the objective, the metric(s), the seed (when an
    integer), the prior (a fingerprint of its ``(X, y)`` pairs, see :func:`~sknas.predictors.check_prior`;
    None without one) and the sknas version. Every front end's checkpoint records it."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    import numpy as np

    seed = int(random_state) if is_int(random_state) else None
    try:
        sknas = version("sknas")
    except PackageNotFoundError:
        sknas = "unknown"
    prior = None
    if priors:
        digest = hashlib.sha256()
        for X, y in priors:
            digest.update(np.ascontiguousarray(X, dtype=np.int64).tobytes() + b"|")
            digest.update(np.ascontiguousarray(y, dtype=np.float64).tobytes() + b"|")
        prior = digest.hexdigest()[:16]
    return {"space": short_repr(space, 200), "objective": objective,
            "metric": metric if isinstance(metric, str) or metric is None else [str(m) for m in metric],
            "random_state": seed, "prior": prior, "sknas": sknas}


def check_provenance(saved, provenance: dict, path) -> None:
    """Refuse a checkpoint written by another search (space, objective, metric, seed or prior) with ``ValueError``;
    warn of another sknas version, or of a checkpoint that records no search (``saved`` None: written before
    checkpoints recorded theirs)."""
    if saved is None:
        warnings.warn(f"checkpoint {str(path)!r} does not record the search that wrote it; continuing on trust",
                      UserWarning, stacklevel=4)
        return
    if not isinstance(saved, dict):
        raise ValueError(f"checkpoint {str(path)!r} is damaged (its search is not a record); remove it or pass "
                         "another path")
    for field in ("space", "objective", "metric", "random_state", "prior"):
        old, new = saved.get(field), provenance[field]
        if field == "random_state" and (old is None or new is None):
            continue  # an unseeded search cannot be told apart
        if old != new:
            raise ValueError(f"checkpoint {str(path)!r} was written by another search ({field} {short_repr(old)}; "
                             f"this call: {short_repr(new)}); remove it or pass another path")
    if saved.get("sknas") != provenance["sknas"]:
        warnings.warn(f"checkpoint {str(path)!r} was written by sknas {short_repr(saved.get('sknas'))}; this is "
                      f"{provenance['sknas']}: the continued rounds may differ from an uninterrupted run",
                      UserWarning, stacklevel=4)
