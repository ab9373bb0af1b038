"""Models of the diversity area."""
