"""Themes that tag next steps and briefs."""
