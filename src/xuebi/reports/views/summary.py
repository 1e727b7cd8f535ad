"""Pages: summary."""
