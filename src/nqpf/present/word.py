"""Word documents as Chinese offices expect them: A4 portrait, 25 mm margins, 宋体 for Chinese
and Times New Roman for Latin text, body in 五号 (10.5 pt) — shared by every docx writer."""

from __future__ import annotations

from typing import Any

__all__ = ["a4_document", "set_fonts"]


def set_fonts(style: Any, *, latin: str = "Times New Roman", east_asia: str = "宋体") -> None:
    """Latin font and East-Asian font (w:eastAsia) of a paragraph style; theme fonts removed
    so that Word uses these."""
    from docx.oxml.ns import qn

    style.font.name = latin
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def a4_document(styles: tuple[str, ...] = ("Normal", "Title", "Heading 1", "Heading 2")) -> Any:
    """A new python-docx Document: A4 portrait, 25 mm margins, the fonts of ``styles`` set by
    :func:`set_fonts`, Normal at 五号 (10.5 pt)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(25))
    for name in styles:
        set_fonts(doc.styles[name])
    doc.styles["Normal"].font.size = Pt(10.5)
    return doc
