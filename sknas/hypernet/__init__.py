"""HyperNetwork-based architecture evaluation (ADWPNAS) on a macro CNN space.

One HyperNetwork, trained with a few random architectures per mini-batch, predicts the convolution
weights of any architecture of a :class:`~sknas.spaces.MacroCNNSpace` from its encoding; architectures
are then scored with those weights and no fine-tuning (:class:`HyperNetworkEvaluator`).
"""

from ._evaluator import HyperNetworkEvaluator
from ._network import MacroCNN, accuracy, check_images, train_from_scratch

__all__ = ["MacroCNN", "HyperNetworkEvaluator", "train_from_scratch", "accuracy", "check_images"]
