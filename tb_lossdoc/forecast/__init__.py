"""Forecasting: what more training would buy, fitted from the tail of a loss curve."""
