"""Alembic migrations of the forumcrawl schema, run by storage.migrate (no alembic.ini needed)."""
