"""Importers and validation for users' own data (NBS exports, long and wide tables)."""

from nqpf.ingest.readers import read_long, read_nbs, read_table, read_wide

__all__ = ["read_long", "read_nbs", "read_table", "read_wide"]
