"""Models of the privacy area."""
