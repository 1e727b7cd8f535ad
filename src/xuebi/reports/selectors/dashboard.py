"""Reads: dashboard."""
