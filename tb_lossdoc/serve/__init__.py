"""Serving: the Diagnosis tab's TensorBoard plugin and its loader."""
