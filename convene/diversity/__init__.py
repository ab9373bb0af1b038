"""Diversity balance of a guest list: dashboards, targets, series trends and overrides."""
