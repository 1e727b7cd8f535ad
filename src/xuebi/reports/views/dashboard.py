"""Pages: dashboard."""
