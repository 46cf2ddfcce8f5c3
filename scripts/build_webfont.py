"""Make the dashboard's bundled CJK web font, ``src/nqpf/web/static/fonts/nqpf-sans-sc.woff2``.

A fresh Linux server has no CJK font, so a page that relied on the system would show every
Chinese character as a box. The dashboard therefore ships a subset of Noto Sans CJK SC
(SIL Open Font License 1.1, © Google / Adobe; licence text beside the font): every character
of GB 2312 (levels 1 and 2: 6,763 hanzi, plus its symbols), ASCII and Latin-1, the CJK
punctuation block, and every character that appears in NQPF's packaged tables (region,
county and enterprise names), YAML/CSV/JSON files and dashboard texts.

Needs Debian's ``fonts-noto-cjk`` and ``pip install fonttools brotli``; run from the
repository root: ``python scripts/build_webfont.py``.
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
#: Index of the Simplified Chinese face in Debian's collection (checked by name below).
FACE_NAME = "Noto Sans CJK SC"
OUT = ROOT / "src/nqpf/web/static/fonts/nqpf-sans-sc.woff2"


def gb2312_characters() -> set[str]:
    """Every character GB 2312 encodes (rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def project_characters() -> set[str]:
    """Characters in the package's texts (YAML, CSV, JSON, Python, the dashboard's files) and
    in every text cell of its packaged Parquet tables (region, county and enterprise names
    the pages show: a few are outside GB 2312, e.g. 埇桥区, 硚口区, 鄠邑区)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    chars: set[str] = set()
    src = ROOT / "src/nqpf"
    texts = [*(src.rglob(f"*.{ext}") for ext in ("yaml", "py", "csv", "json"))]
    for path in [*(p for group in texts for p in group), *(src / "web/static").glob("*.*")]:
        if path.suffix in {".woff2", ".png"}:
            continue
        chars |= set(path.read_text(encoding="utf-8"))
    for path in src.rglob("*.parquet"):
        table = pq.read_table(path)
        for column in table.itercolumns():
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                for value in column.unique().to_pylist():
                    chars |= set(value or "")
    return chars


def main() -> None:
    collection = TTCollection(str(SOURCE))
    face = next(f for f in collection.fonts if f["name"].getDebugName(1) == FACE_NAME)
    text = gb2312_characters() | project_characters()
    text |= {chr(c) for c in range(0x20, 0x100)} | {chr(c) for c in range(0x3000, 0x3040)}
    text |= {chr(c) for c in range(0xFF00, 0xFFF0)}
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(c for c in text if c.isprintable())))
    subsetter.subset(face)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    face.flavor = "woff2"
    face.save(str(OUT))
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
