"""Reads of the credit engine. Selectors never import services."""
