"""Models of the notes area."""
