"""Detecting: the engine, the curve profile and one detector per diagnosis code."""
