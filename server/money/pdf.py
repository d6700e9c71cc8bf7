"""A PDF base for reports, statements and certificates: fpdf2 with a Unicode TTF font (umlauts, ß, ş, …).

fpdf2's built-in fonts are Latin-1 only, so a TrueType font from the system is embedded: DejaVu Sans
(Debian `fonts-dejavu-core`) or Noto Sans (`fonts-noto-core`), whichever is found first. Arabic-script
text (Arabic, Farsi, Pashto) comes from Noto Sans Arabic as a fallback font, and `Document(shaping=True)`
shapes it with HarfBuzz (`uharfbuzz`): joined letters, right to left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
)
ARABIC_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf"),
)
FAMILY = "body"
ARABIC = "arabic"
# fpdf2 subsets the font with fontTools, which logs every step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@cache
def font_files() -> tuple[str, str]:
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    raise RuntimeError("No Unicode TTF font found: install fonts-dejavu-core (apt-get install fonts-dejavu-core)")


@cache
def arabic_font_files() -> tuple[str, str] | None:
    for regular, bold in ARABIC_FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


def can_shape() -> bool:
    """Whether right-to-left text can be set correctly: HarfBuzz installed and an Arabic-script font found."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return arabic_font_files() is not None


class Document(FPDF):
    """A4 portrait, the body font registered, a footer with the page number.

    `shaping=True` (for a document with right-to-left text): HarfBuzz text shaping and the Arabic-script
    font as a fallback for the letters the body font lacks.
    """

    def __init__(self, title: str, footer: str = "", shaping: bool = False) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        regular, bold = font_files()
        self.add_font(FAMILY, "", regular)
        self.add_font(FAMILY, "B", bold)
        if shaping and can_shape():
            arabic = arabic_font_files()
            assert arabic is not None
            self.add_font(ARABIC, "", arabic[0])
            self.add_font(ARABIC, "B", arabic[1])
            self.set_fallback_fonts([ARABIC], exact_match=False)
            self.set_text_shaping(True)
        self.set_title(title)
        self.set_creator("Lotsenbuch")
        self.set_auto_page_break(auto=True, margin=18)
        self.footer_text = footer
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, size=8)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text}   {self.page_no()}/{{nb}}".strip(), align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 15) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FAMILY, size=10)

    def paragraph(self, text: str, size: int = 10, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=10)

    def in_languages(self, langs: Sequence[str], render: Callable[[], str], size: int, bold: bool = False) -> None:
        """One statement in each language (German first; the guide's language after it, smaller and grey;
        right-aligned in a right-to-left language). `render` is called under each language's locale."""
        from flask_babel import force_locale

        from server.i18n import text_direction

        for index, code in enumerate(langs):
            with force_locale(code):
                text = render()
            if index and text_direction(code) == "rtl":
                self.set_font(FAMILY, "", size - 2)
                self.multi_cell(0, (size - 2) * 0.5, text, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:
                self.paragraph(text, size=size if not index else size - 2, bold=bold and not index)
            if index == 0 and len(langs) > 1:
                self.set_text_color(90)
        self.set_text_color(0)
        self.ln(2)

    def data_table(self, columns: list[str], rows: list[list[str]], numeric_from: int = 1) -> None:
        """A table with a bold header; columns from `numeric_from` on are right-aligned."""
        align = tuple("LEFT" if i < numeric_from else "RIGHT" for i in range(len(columns)))
        widths = (3,) + (2,) * (len(columns) - 1) if len(columns) > 1 else (1,)
        with self.table(col_widths=widths, text_align=align, line_height=5.5, first_row_as_headings=True,
                        headings_style=_headings_style()) as table:
            for row in [columns, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(str(value))
        self.ln(3)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def _headings_style():  # type: ignore[no-untyped-def]
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="BOLD", fill_color=(232, 236, 241))
