"""Core types: dtypes, TensorShape, Tensor, Variable, conversion, errors and global context."""
