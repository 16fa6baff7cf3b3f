"""Small helpers shared across tapeflow (nested structures)."""
