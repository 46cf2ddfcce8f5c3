"""YAML reading through libyaml's C loader (``yaml.CSafeLoader``) when PyYAML was built with
it, several times faster than the pure-Python ``SafeLoader`` it falls back to; both build
the same plain Python objects and raise ``yaml.YAMLError`` on bad input."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["safe_load"]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Parse one YAML document (safe types only)."""
    return yaml.load(text, Loader=_LOADER)
