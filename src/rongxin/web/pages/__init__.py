"""Pages of the web shell itself (not of a domain app)."""
