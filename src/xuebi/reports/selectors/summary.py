"""Reads: summary."""
