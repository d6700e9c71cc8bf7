"""A funder report as XLSX (one sheet per section), CSV (sections one after another) and PDF (tables)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.drawing.image import Image as XlsxImage
from openpyxl.styles import Font
from PIL import Image

from server.money.pdf import Document
from server.money.reports import Cell, Report, Section

EURO_FORMAT = '#,##0.00 "€"'


def _note() -> str:
    return _("Anonymised: no client is named; counts from 1 to 4 are shown as \"<5\" and the hours of such a "
             "row are left out (–); where such a row could be worked out from a total, another row is hidden "
             "too (*). Activities approved by the coordination office.")


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    cover = book.create_sheet(_("Report")[:31])
    for label, value in ((_("Organization"), report.organization),
                         (_("Funding reference"), report.funding_reference),
                         (_("Period"), report.period_label),
                         (_("From"), report.start), (_("Until (exclusive)"), report.end),
                         (_("Generated"), format_datetime(report.generated_at, "short"))):
        cover.append([label, value])
        cover.cell(cover.max_row, 1).font = bold
        if isinstance(value, dt.date):
            cover.cell(cover.max_row, 2).number_format = "DD.MM.YYYY"
    cover.append([])
    cover.append([_note()])
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 40
    logo = report.logo()
    if logo is not None:
        picture = XlsxImage(io.BytesIO(logo[1]))
        picture.width, picture.height = _fit(picture.width, picture.height, 180, 80)
        cover.add_image(picture, "D1")
    for section in report.sections:
        sheet = book.create_sheet(section.title[:31])
        sheet.append(section.columns)
        for cell in sheet[1]:
            cell.font = bold
        for row in section.rows:
            sheet.append(list(row))
            for index in section.money_columns:
                sheet.cell(sheet.max_row, index + 1).number_format = EURO_FORMAT
        sheet.column_dimensions["A"].width = 52
        for letter in "BCD":
            sheet.column_dimensions[letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_csv(report: Report) -> bytes:
    """UTF-8 with BOM and ";" (what German Excel opens correctly); numbers with a "." decimal point."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([report.title, report.organization, report.start.isoformat(), report.end.isoformat()])
    if report.funding_reference:
        writer.writerow([_("Funding reference"), report.funding_reference])
    for section in report.sections:
        writer.writerow([])
        writer.writerow([section.title])
        writer.writerow(section.columns)
        for row in section.rows:
            writer.writerow([str(v) for v in row])
    writer.writerow([])
    writer.writerow([_note()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _shown(value: Cell, money: bool) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value, "#,##0.00" if money else "#,##0.0") + (" €" if money else "")
    if isinstance(value, int):
        return format_decimal(value, "#,##0")
    return str(value)


def report_pdf(report: Report) -> bytes:
    pdf = Document(report.title, footer=f"{report.organization} · {report.period_label}")
    pdf.alias_nb_pages()
    pdf.add_page()
    logo = report.logo()
    if logo is not None:
        # Top right, at most 45 × 20 mm; the heading starts below it.
        with Image.open(io.BytesIO(logo[1])) as image:
            width, height = _fit(image.width, image.height, 45, 20)
        pdf.image(io.BytesIO(logo[1]), x=pdf.w - pdf.r_margin - width, y=pdf.t_margin, w=width, h=height)
        pdf.set_y(pdf.t_margin + height + 4)
    pdf.heading(report.title)
    pdf.paragraph(report.organization, size=12, bold=True)
    if report.funding_reference:
        pdf.paragraph(_("Funding reference: %(reference)s", reference=report.funding_reference), size=10)
    pdf.paragraph(_("Generated %(when)s", when=format_datetime(report.generated_at, "short")), size=9)
    pdf.ln(3)
    for section in report.sections:
        _section(pdf, section)
    pdf.paragraph(_note(), size=8)
    return pdf.output_bytes()


def _section(pdf: Document, section: Section) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.paragraph(section.title, size=12, bold=True)
    pdf.ln(1)
    rows = [[_shown(v, i in section.money_columns) for i, v in enumerate(row)] for row in section.rows]
    if not rows:
        pdf.paragraph(_("No activities in this period."), size=9)
        pdf.ln(3)
        return
    pdf.data_table(section.columns, rows)


def _fit(width: float, height: float, max_width: float, max_height: float) -> tuple[float, float]:
    """The size of a width × height picture scaled to fit the box, its proportions kept."""
    scale = min(max_width / width, max_height / height)
    return width * scale, height * scale
