"""Models of the mail area."""
