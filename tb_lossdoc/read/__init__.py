"""Reading: TensorBoard data providers and log files into cleaned series and found curves."""
