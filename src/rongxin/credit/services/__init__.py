"""Writes of the credit engine: transactions, audit rows, notices."""
