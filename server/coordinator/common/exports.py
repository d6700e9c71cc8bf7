"""Every list page's download: the rows the page shows (its filters applied), as CSV or XLSX.

CSV follows the conventions of the file's language: where the decimal sign is a comma (German), the
separator is ";" (what German Excel expects), otherwise ","; always UTF-8 with a byte order mark so that
Excel reads umlauts right. XLSX cells hold real numbers and dates, so the finance office can sum and filter.
Cells that a spreadsheet would run as a formula are defused (CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, stream_with_context
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from server.coordinator.common.files import download

BERLIN = ZoneInfo("Europe/Berlin")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
Cell = str | int | Decimal | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | int | euro | hours | date | datetime
    width: int = 18


def _decimal_comma() -> bool:
    locale = get_locale()
    return locale is not None and locale.number_symbols.get("latn", {}).get("decimal", ".") == ","


def _csv_text(value: Cell, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (value.astimezone(BERLIN) if value.tzinfo else value).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = f"{value:.2f}" if column.kind == "euro" else f"{value:.1f}" if column.kind == "hours" else str(value)
        return text.replace(".", ",") if _decimal_comma() else text
    return safe(str(value))


def safe(value: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The table as CSV text, a line at a time (long lists are streamed); the first line starts with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if _decimal_comma() else ",", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([safe(c.title) for c in columns])
    yield "\ufeff" + flush()
    for row in rows:
        writer.writerow([_csv_text(v, c) for v, c in zip(row, columns, strict=True)])
        yield flush()


NUMBER_FORMATS = {"euro": '#,##0.00 "€"', "hours": "0.0", "int": "0", "date": "DD.MM.YYYY",
                  "datetime": "DD.MM.YYYY HH:MM"}


def xlsx_bytes(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One sheet with a bold header, frozen, as an Excel table (filter buttons); numbers and dates typed."""
    book = Workbook()
    sheet = book.active
    sheet.title = (title.replace("/", "-").replace(":", " ")[:31]) or "Export"
    sheet.append([c.title for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values: list[Any] = []
        for value in row:
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.astimezone(BERLIN).replace(tzinfo=None)  # Excel has no time zones
            values.append(safe(value) if isinstance(value, str) else value)
        sheet.append(values)
        for index, column in enumerate(columns, start=1):
            if column.kind in NUMBER_FORMATS:
                sheet.cell(sheet.max_row, index).number_format = NUMBER_FORMATS[column.kind]
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        table = Table(displayName="Export", ref=f"A1:{get_column_letter(len(columns))}{sheet.max_row}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(file_format: str, name: str, title: str, columns: Sequence[Column],
                    rows: Iterable[Sequence[Cell]]) -> Response:
    """The download in `file_format` ("csv" or "xlsx"; the caller has checked it) named `name`.csv/.xlsx."""
    if file_format == "xlsx":
        return download(xlsx_bytes(title, columns, rows), XLSX_TYPE, f"{name}.xlsx")
    return download(stream_with_context(csv_lines(columns, rows)), "text/csv; charset=utf-8", f"{name}.csv")


def hours(minutes: int | None) -> Decimal | None:
    return None if minutes is None else (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


