"""Alembic migration scripts of NQPF's database (see :mod:`nqpf.db.migrate`)."""
