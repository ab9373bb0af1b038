"""Briefs: reports written after a convening, participant review and the public archive."""
