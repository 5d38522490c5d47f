"""Small shared helpers: random states and argument checks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["check_random_state", "check_choice", "rng_from", "torch_threads"]


def check_choice(name: str, value, accepted: Iterable) -> None:
    """Raise a ``ValueError`` naming ``name`` when ``value`` is not one of ``accepted``."""
    accepted = list(accepted)
    if value not in accepted:
        raise ValueError(f"{name}={value!r} is not supported; accepted values: {accepted}")


def rng_from(random_state) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a seed, ``RandomState`` or ``Generator``."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int, a numpy RandomState or Generator; got {type(random_state).__name__}"
    )


@contextlib.contextmanager
def torch_threads(n):
    """Temporarily limit torch's intra-op threads (small models run fastest on one); ``None`` leaves them."""
    if n is None:
        yield
        return
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)
