"""LossDoc: diagnose training and validation loss curves in TensorBoard logs."""

__version__ = "0.1.0"
