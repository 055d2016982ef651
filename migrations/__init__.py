"""Numbered SQL migrations and the runner that applies them on SQLite and PostgreSQL."""
