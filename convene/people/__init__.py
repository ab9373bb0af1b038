"""The people directory and organizations."""
