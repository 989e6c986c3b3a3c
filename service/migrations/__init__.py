"""Alembic migrations of the platform's database; :mod:`service.core.migrate` runs them at start."""
