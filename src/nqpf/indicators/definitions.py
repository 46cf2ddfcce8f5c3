"""The packaged definitions the analyses read like constants, and a user's framework file:
the one place (floor 0) where they are opened, so that core modules do no file I/O.

* frameworks: ``frameworks/<name>.yaml`` beside this module, or a user's YAML file (read
  within the limits of :func:`nqpf.indicators.schema.read_framework_yaml`);
* the industry typing (``industry_typing.yaml``: type, GB/T 4754 section, emerging
  categories, future directions, key fields, tradable, policy levers), or a user's file of
  the same layout;
* the emerging and future industry fields that policy documents name
  (``policy_fields.yaml``).

Each function returns the parsed document; the analysis that uses it checks its content.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from nqpf._yaml import safe_load
from nqpf.errors import InputError

__all__ = ["framework_document", "industry_typing_document", "policy_fields_document"]


def _packaged(name: str) -> str:
    return resources.files("nqpf.indicators").joinpath(name).read_text("utf-8")


def framework_document(name: str | Path, packaged: Collection[str]) -> tuple[Any, str]:
    """``(document, source)`` of a packaged framework (one of ``packaged``) or a YAML file.

    An unknown name that is no file either is an :class:`InputError` suggesting the closest
    packaged names.
    """
    text = str(name)
    if text in packaged:
        return safe_load(_packaged(f"frameworks/{text}.yaml")), text
    from nqpf.indicators.schema import read_framework_yaml

    path = Path(text)
    if not path.is_file():
        close = difflib.get_close_matches(text, list(packaged), n=2)
        hint = f"did you mean {', '.join(close)}?" if close else ""
        raise InputError(
            f"unknown framework {text!r}: neither a packaged framework nor a YAML file",
            hint=hint or f"use one of {', '.join(packaged)} or the path of a YAML file",
        )
    return read_framework_yaml(path), path.name


def industry_typing_document(path: str | Path | None = None) -> tuple[Any, str]:
    """``(document, file name)`` of the packaged industry typing, or of a user's file."""
    if path is None:
        return safe_load(_packaged("industry_typing.yaml")), "industry_typing.yaml"
    name = Path(path).name
    try:
        return safe_load(Path(path).read_text(encoding="utf-8")), name
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the typing file: {exc}", file=name) from None


@cache
def policy_fields_document() -> dict[str, Any]:
    """The packaged policy fields (``fields:`` id → zh, en, type, category or direction,
    aliases, listed-company industries)."""
    doc: dict[str, Any] = safe_load(_packaged("policy_fields.yaml"))
    return doc
