"""Hostile and broken input: the corpus (cases.py), the runner (runner.py) and the table (table.py)."""
