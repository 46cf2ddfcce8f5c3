"""The dashboard's static files, without a browser: every character they can show is in the
bundled web font, nothing is fetched from another host, and no script writes HTML from data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nqpf.web import STATIC

TEXT_FILES = sorted(p for p in STATIC.glob("*.*") if p.suffix in {".html", ".js", ".css", ".svg"})


def test_every_character_of_the_pages_is_in_the_bundled_font() -> None:
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(STATIC / "fonts" / "nqpf-sans-sc.woff2")).getBestCmap()
    for path in TEXT_FILES:
        missing = sorted(
            {c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7F}
            - {chr(code) for code in cmap}
        )
        assert missing == [], f"{path.name}: {missing} — run scripts/build_webfont.py"


def test_every_packaged_name_is_in_the_bundled_font() -> None:
    """Names the pages show from the packaged data — provinces, prefectures, counties (a few
    outside GB 2312: 埇桥区, 硚口区, 鄠邑区) and listed enterprises — draw with the font."""
    from fontTools.ttLib import TTFont

    from nqpf.regions import load_divisions
    from nqpf.services.market import firms_search

    cmap = {
        chr(code) for code in TTFont(str(STATIC / "fonts" / "nqpf-sans-sc.woff2")).getBestCmap()
    }
    assert {"埇", "硚", "鄠"} <= cmap
    firms = firms_search()
    for label, names in [
        ("divisions", load_divisions()["name"]),
        ("enterprises", firms["name"]),
        ("cities", firms["city"].dropna()),
    ]:
        missing = sorted(set("".join(names.astype(str))) - cmap - {" "})
        assert missing == [], f"{label}: {missing} — run scripts/build_webfont.py"


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: p.name)
def test_no_file_names_another_host(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # the SVG namespace is an identifier, not a request
    urls = [
        u for u in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", text) if "www.w3.org" not in u
    ]
    assert urls == []


def test_scripts_never_write_html() -> None:
    for path in STATIC.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        for sink in (".innerHTML", ".outerHTML", ".insertAdjacentHTML(", "document.write("):
            assert sink not in text, (path.name, sink)
