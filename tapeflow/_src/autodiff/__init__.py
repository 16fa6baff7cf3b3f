"""Reverse- and forward-mode automatic differentiation: tapes, gradients, custom gradients."""
