"""Import of an existing guide list from CSV or XLSX: parse, check every row, then create all or none.

Columns (the header row names them, German or English, in any order; only name and email are required):
`name`, `email`, `phone`, `languages` ("tr:native; ar:B2; ku:B1:Kurmancî" — code, level, optional
dialect), `districts` (codes or names of the Stadtbezirke, separated by ";" or ","), `specialisations`
(codes). A row with any error — a missing name, a bad or duplicate email (in the file or already
registered), an unknown language code or level, district or specialisation — is shown in the preview,
and the import is refused as a whole: **nothing is half-imported**. Fix the file and upload it again.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.accounts.operations import EMAIL_RE, create_user
from server.guides.models import GuideLanguage, GuideProfile
from server.organizations.models import Organization
from sync.vocabulary import DISTRICTS, LANGUAGE_LEVELS, SPECIALISATIONS

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
LANG_CODE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# ISO 639 codes Babel does not name but our guides speak (Dari, Kurmanji, Sorani).
EXTRA_LANGUAGES = {"prs", "kmr", "ckb"}

HEADERS = {
    "name": "name", "full name": "name", "vollständiger name": "name",
    "email": "email", "e-mail": "email", "mail": "email", "e-mail-adresse": "email",
    "phone": "phone", "telefon": "phone", "tel": "phone", "handy": "phone", "mobil": "phone",
    "languages": "languages", "sprachen": "languages", "sprache": "languages",
    "districts": "districts", "bezirke": "districts", "stadtbezirke": "districts", "stadtteile": "districts",
    "specialisations": "specialisations", "schwerpunkte": "specialisations", "spezialisierungen": "specialisations",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not a row's fault); the message is translated."""


@dataclass
class ImportRow:
    line: int
    name: str = ""
    email: str = ""
    phone: str = ""
    languages: list[dict[str, str]] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    specialisations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Entries of the districts column that name no Stadtbezirk (each is also one of `errors`).
    unknown_districts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "name": self.name, "email": self.email, "phone": self.phone,
                "languages": self.languages, "districts": self.districts, "specialisations": self.specialisations}


def read_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """The file's rows as {column: text}, keyed by our column names; unknown columns are dropped."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB."))
    if filename.lower().endswith(".xlsx"):
        raw_rows = _xlsx_rows(data)
    elif filename.lower().endswith(".csv"):
        raw_rows = _csv_rows(data)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    if not raw_rows:
        raise ImportFileError(_("The file is empty."))
    header = [HEADERS.get(str(h or "").strip().lower()) for h in raw_rows[0]]
    if "name" not in header or "email" not in header:
        raise ImportFileError(_("The first row must name the columns; “name” and “email” are required."))
    rows = []
    for values in raw_rows[1:]:
        row = {key: str(values[i] if i < len(values) and values[i] is not None else "").strip()
               for i, key in enumerate(header) if key}
        rows.append(row)
    while rows and not any(rows[-1].values()):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)s rows.", max=MAX_ROWS))
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFileError(_("The file is not readable text."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file, not our bug
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    workbook.close()
    return rows


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def known_language(code: str) -> bool:
    base = code.split("-")[0]
    return base in EXTRA_LANGUAGES or base in Locale("en").languages


def check_rows(session: Session, table: list[dict[str, str]]) -> list[ImportRow]:
    """Every row with its errors (translated); line numbers count the header as line 1."""
    district_by_name = {name.lower(): code for code, name in DISTRICTS.items()}
    seen: dict[str, int] = {}
    emails = [(r.get("email") or "").strip().lower() for r in table]
    taken = set(session.scalars(select(func.lower(User.email)).where(func.lower(User.email).in_(
        [e for e in emails if e])))) if any(emails) else set()
    rows = []
    for index, values in enumerate(table, start=2):
        row = ImportRow(line=index, name=values.get("name", "")[:200], email=values.get("email", "").lower()[:254],
                        phone=values.get("phone", "")[:40])
        if not row.name:
            row.errors.append(_("The name is missing."))
        if not EMAIL_RE.match(row.email):
            row.errors.append(_("“%(email)s” is not a valid email address.", email=row.email))
        elif row.email in seen:
            row.errors.append(_("The email %(email)s appears twice in the file (line %(line)s).", email=row.email,
                                line=seen[row.email]))
        elif row.email in taken:
            row.errors.append(_("A user with the email %(email)s exists already.", email=row.email))
        seen.setdefault(row.email, index)
        for entry in _split(values.get("languages", "")):
            parts = [p.strip() for p in entry.split(":")]
            code, level = parts[0].lower(), parts[1] if len(parts) > 1 else ""
            level = "native" if level.lower() in ("native", "muttersprache") else level.upper()
            if not LANG_CODE_RE.match(code) or not known_language(code):
                row.errors.append(_("Unknown language code “%(code)s”.", code=parts[0]))
            elif level not in LANGUAGE_LEVELS:
                row.errors.append(_("Language %(code)s needs a level (A1–C2 or native), e.g. %(code)s:B2.",
                                    code=code))
            elif any(lang["language"] == code for lang in row.languages):
                row.errors.append(_("Language %(code)s appears twice.", code=code))
            else:
                row.languages.append({"language": code, "level": level,
                                      "dialect": ":".join(parts[2:]).strip()[:60]})
        for entry in _split(values.get("districts", "")):
            code = entry.lower() if entry.lower() in DISTRICTS else district_by_name.get(entry.lower())
            if code is None:
                row.errors.append(_("Unknown district “%(district)s”.", district=entry))
                row.unknown_districts.append(entry)
            elif code not in row.districts:
                row.districts.append(code)
        for entry in _split(values.get("specialisations", "")):
            if entry.lower() not in SPECIALISATIONS:
                row.errors.append(_("Unknown specialisation “%(code)s”.", code=entry))
            elif entry.lower() not in row.specialisations:
                row.specialisations.append(entry.lower())
        rows.append(row)
    return rows


def rows_from_json(items: list[dict[str, Any]]) -> list[ImportRow]:
    return [ImportRow(line=int(i["line"]), name=str(i["name"]), email=str(i["email"]), phone=str(i["phone"]),
                      languages=list(i["languages"]), districts=list(i["districts"]),
                      specialisations=list(i["specialisations"])) for i in items]


def recheck(session: Session, rows: list[ImportRow]) -> list[ImportRow]:
    """Check previewed rows again at confirmation (an email may have been registered meanwhile)."""
    table = [{"name": r.name, "email": r.email, "phone": r.phone,
              "languages": "; ".join(":".join(filter(None, (x["language"], x["level"], x["dialect"])))
                                     for x in r.languages),
              "districts": "; ".join(r.districts), "specialisations": "; ".join(r.specialisations)} for r in rows]
    checked = check_rows(session, table)
    for original, again in zip(rows, checked, strict=True):
        again.line = original.line
    return checked


def import_guides(session: Session, organization: Organization, rows: list[ImportRow]) -> list[User]:
    """Create every row's guide and profile in the caller's transaction; refuses if any row has an error."""
    if not rows or any(row.errors for row in rows):
        raise ValueError("rows with errors")
    users = []
    for row in rows:
        user = create_user(organization, row.email, "guide", row.name)
        profile = session.scalar(select(GuideProfile).where(GuideProfile.user_id == user.id))
        assert profile is not None
        profile.phone = row.phone or None
        profile.districts, profile.specialisations = list(row.districts), list(row.specialisations)
        profile.languages = [GuideLanguage(language=lang["language"], level=lang["level"],
                                           dialect=lang["dialect"], position=i)
                             for i, lang in enumerate(row.languages)]
        users.append(user)
    session.flush()
    return users
