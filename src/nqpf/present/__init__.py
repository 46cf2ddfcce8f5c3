"""Presentation (floor 3): render result objects as xlsx, offline HTML, tables."""
