"""Seeded initial weights for the torch networks of sknas, without touching torch's global generator."""

from __future__ import annotations

import math

import torch
from torch import nn

from ..utils import check_int

__all__ = ["seed_parameters"]


def seed_parameters(module: nn.Module, seed) -> None:
    """Re-draw the initial weights of ``module`` from ``seed``, with a private generator.

    Linear and convolution layers get PyTorch's default initialisation (Kaiming-uniform weights,
    uniform biases) drawn from a ``torch.Generator`` seeded with ``seed``; normalisation layers
    are reset to ones and zeros. Torch's global generator is never touched, so networks built at
    the same time in several threads (joblib / Dask thread workers) still get exactly their seed's
    weights.
    """
    seed = check_int(seed, "seed", low=None, allow_none=True)
    if seed is None:
        return
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.Linear, nn.modules.conv._ConvNd)):
                nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=gen)
                if m.bias is not None:
                    fan_in = m.weight[0].numel()
                    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                    nn.init.uniform_(m.bias, -bound, bound, generator=gen)
            elif m is not module and not list(m.children()) and hasattr(m, "reset_parameters"):
                m.reset_parameters()  # normalisation layers: deterministic ones / zeros
