"""Shift scheduling and named rostering, and the end-to-end plan."""
