"""The browser fixture itself: a local page loads, and a remote script is caught as external."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import OfflinePage


def test_offline_page_records_external_requests(
    tmp_path: Path, open_offline: Callable[[Path], OfflinePage]
) -> None:
    page_file = tmp_path / "page.html"
    page_file.write_text(
        '<html><body><h1 id="t">区域</h1>'
        '<script src="https://cdn.example.invalid/lib.js"></script></body></html>',
        encoding="utf-8",
    )
    opened = open_offline(page_file)
    assert opened.page.inner_text("#t") == "区域"
    assert opened.external_requests == ["https://cdn.example.invalid/lib.js"]
