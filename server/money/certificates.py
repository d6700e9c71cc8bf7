"""Volunteer certificates (Ehrenamtsnachweis): a signed PDF for a guide over a period, and its public check.

What a certificate states is frozen in its `Certificate` row when issued (name, organization, signer,
hours by kind, qualifications), so the PDF can be produced again and the public verification page
(`/verify/<token>`, linked from the QR code) confirms exactly that — and nothing more: no contact
data, no clients, no notes, no money.

The text is German plus the guide's own language when a catalog for it exists under `locales/` and
has the certificate's texts translated. Right-to-left scripts need text shaping (the optional
`uharfbuzz` wheel for fpdf2); without it such a certificate is issued in German only.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
from collections.abc import Callable
from typing import Any

import segno
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from server.accounts.models import Membership, User
from server.activities.models import Activity
from server.audit.log import record_event
from server.extensions import db
from server.guides.models import GuideProfile
from server.i18n import available_locales, text_direction
from server.money.errors import MoneyError
from server.money.models import Certificate
from server.money.pdf import FAMILY, Document, can_shape
from server.money.reports import KIND_LABELS
from server.organizations.models import Organization
from server.public_url import public_base_url
from sync.clock import utcnow
from sync.merge import Author
from sync.vocabulary import ACTIVITY_KINDS

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe makes
QUALIFICATION_LABELS = {"basic": _l("Basic qualification"), "specialisation": _l("Specialisation"),
                        "sustainability": _l("Sustainability module")}


def _title() -> str:
    return _("Certificate of volunteer work")


def certificate_languages(guide: User, profile: GuideProfile | None) -> list[str]:
    """["de"] plus the guide's own language where a catalog translates the certificate."""
    candidates = [guide.locale or ""] + [lang.language for lang in (profile.languages if profile else [])]
    with force_locale("en"):
        english = _title()
    for code in candidates:
        if not code or code == "de" or code not in available_locales():
            continue
        if text_direction(code) == "rtl" and not can_shape():
            continue
        if code != "en":
            with force_locale(code):
                if _title() == english:
                    continue  # the catalog exists but nobody has translated the certificate yet
        return ["de", code]
    return ["de"]


def issue_certificate(author: Author, organization_id: int, guide_id: int, period_from: dt.date,
                      period_to: dt.date, signer_name: str = "") -> Certificate:
    """Freeze what the certificate states, with a random token for its QR code; audited."""
    if period_from > period_to:
        raise MoneyError("invalid", {"period_to": ["before_start"]})
    member = db.session.scalar(select(Membership).where(
        Membership.user_id == guide_id, Membership.organization_id == organization_id, Membership.role == "guide"))
    org = db.session.get(Organization, organization_id)
    if member is None or org is None:
        raise MoneyError("not_found")
    guide = db.session.get(User, guide_id)
    assert guide is not None
    signer = signer_name.strip() or (db.session.get(User, author.user_id).name if author.user_id else "")
    if not signer:
        raise MoneyError("invalid", {"signer_name": ["required"]})
    rows = db.session.execute(
        select(Activity.kind, func.sum(Activity.minutes)).where(
            Activity.organization_id == organization_id, Activity.guide_id == guide_id,
            Activity.state == "approved", Activity.deleted_at.is_(None),
            Activity.date >= period_from, Activity.date <= period_to).group_by(Activity.kind)).all()
    by_kind = {kind: int(minutes) for kind, minutes in rows if minutes}
    if not by_kind:
        raise MoneyError("no_activities")
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide_id))
    qualifications = [{"kind": q.kind, "title": q.title, "completed_on": q.completed_on.isoformat()}
                      for q in (profile.qualifications if profile else []) if q.completed_on <= period_to]
    cert = Certificate(
        organization_id=organization_id, guide_id=guide_id, token=secrets.token_urlsafe(32),
        period_from=period_from, period_to=period_to, guide_name=guide.name, organization_name=org.name,
        signer_name=signer, minutes=sum(by_kind.values()), minutes_by_kind=by_kind, qualifications=qualifications,
        languages=certificate_languages(guide, profile), issued_by_id=author.user_id)
    db.session.add(cert)
    db.session.flush()
    record_event("certificate.issued", organization_id, actor_user_id=author.user_id, object_type="certificate",
                 object_id=cert.id, details={"guide_id": guide_id, "from": period_from.isoformat(),
                                             "to": period_to.isoformat(), "minutes": cert.minutes})
    return cert


def revoke_certificate(author: Author, organization_id: int, certificate_id: int) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None or cert.organization_id != organization_id:
        raise MoneyError("not_found")
    if cert.revoked_at is None:
        cert.revoked_at = utcnow()
        record_event("certificate.revoked", organization_id, actor_user_id=author.user_id,
                     object_type="certificate", object_id=cert.id)
    db.session.flush()
    return cert


def verification_url(token: str) -> str:
    return f"{public_base_url()}/verify/{token}"


def verification(token: str) -> dict[str, Any] | None:
    """What the public verification page may show: the certificate's own statements, nothing more."""
    if not TOKEN_PATTERN.fullmatch(token or ""):  # e.g. a NUL byte, which PostgreSQL refuses outright
        return None
    cert = db.session.scalar(select(Certificate).where(Certificate.token == token))
    if cert is None:
        return None
    if cert.revoked_at is not None:
        # A revoked certificate confirms nothing: no name, no facts (an erased guide's are revoked too,
        # server/privacy/erasure.py), only who revoked it.
        return {"valid": False, "organization_name": cert.organization_name}
    return {
        "valid": cert.revoked_at is None,
        "guide_name": cert.guide_name,
        "organization_name": cert.organization_name,
        "signer_name": cert.signer_name,
        "period_from": cert.period_from,
        "period_to": cert.period_to,
        "issued_on": cert.issued_at.date(),
        "minutes": cert.minutes,
        "minutes_by_kind": dict(cert.minutes_by_kind),
        "qualifications": [dict(q) for q in cert.qualifications],
        # A course's participation certificate names its course (server/courses/certificates.py).
        **({"course_title": cert.course_title} if cert.course_title else {}),
    }


def _hours(minutes: int) -> str:
    return format_decimal(round(minutes / 60, 1), "#,##0.0")


def certificate_pdf(cert: Certificate) -> bytes:
    """German first; each statement followed by the guide's language, smaller, when there is one."""
    with force_locale("de"):  # numbers and dates as in Germany, whatever the coordinator's language
        return _certificate_pdf(cert)


def _certificate_pdf(cert: Certificate) -> bytes:
    langs = list(cert.languages) or ["de"]
    pdf = Document("Ehrenamtsnachweis", footer=cert.organization_name,
                   shaping=any(text_direction(code) == "rtl" for code in langs))
    pdf.alias_nb_pages()
    pdf.add_page()

    def both(render: Callable[[], str], size: int, bold: bool = False) -> None:
        pdf.in_languages(langs, render, size, bold)

    if cert.course_title:  # a course's participation certificate (server/courses/certificates.py)
        _course_statements(cert, both)
    else:
        _work_statements(cert, pdf, langs, both)
    if cert.qualifications:
        both(lambda: _("Qualifications"), 12, bold=True)
        for q in cert.qualifications:
            kind = " / ".join(_label(code, lambda k=q["kind"]: str(QUALIFICATION_LABELS.get(k, k)))
                              for code in langs)
            with force_locale("de"):
                day = format_date(dt.date.fromisoformat(q["completed_on"]), "medium")
            pdf.paragraph(f"• {kind}: {q['title']} ({day})".replace(":  (", " ("), size=10)
        pdf.ln(2)
    pdf.ln(6)
    with force_locale("de"):
        issued = format_date(cert.issued_at.date(), "long")
    pdf.paragraph(f"Hannover, {issued}", size=10)
    pdf.ln(10)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + 70, pdf.get_y())
    pdf.ln(1)
    pdf.paragraph(cert.signer_name, size=10, bold=True)
    both(lambda: _("For the coordination office"), 9)
    pdf.paragraph(cert.organization_name, size=10)
    _qr(pdf, verification_url(cert.token), langs)
    return pdf.output_bytes()


def _work_statements(cert: Certificate, pdf: Document, langs: list[str],
                     both: Callable[[Callable[[], str], int, bool], None]) -> None:
    both(_title, 18, True)
    both(lambda: _("%(guide)s has worked as a volunteer integration guide with %(organization)s from %(start)s "
                   "to %(end)s.", guide=cert.guide_name, organization=cert.organization_name,
                   start=format_date(cert.period_from, "medium"), end=format_date(cert.period_to, "medium")), 11, False)
    both(lambda: _("Hours in total: %(hours)s", hours=_hours(cert.minutes)), 11, True)
    pdf.ln(1)
    header = " / ".join(_label(code, lambda: _("Kind of work")) for code in langs)
    hours_header = " / ".join(_label(code, lambda: _("Hours")) for code in langs)
    rows = [[" / ".join(_label(code, lambda k=kind: str(KIND_LABELS[k])) for code in langs),
             _hours(cert.minutes_by_kind[kind])]
            for kind in ACTIVITY_KINDS if cert.minutes_by_kind.get(kind)]
    pdf.data_table([header, hours_header], rows)


def _course_statements(cert: Certificate, both: Callable[[Callable[[], str], int, bool], None]) -> None:
    both(lambda: _("Certificate of participation"), 18, True)
    both(lambda: _("%(guide)s took part in the course “%(course)s” of %(organization)s from %(start)s to "
                   "%(end)s.", guide=cert.guide_name, course=cert.course_title or "",
                   organization=cert.organization_name, start=format_date(cert.period_from, "medium"),
                   end=format_date(cert.period_to, "medium")), 11, False)
    both(lambda: _("Hours attended: %(hours)s", hours=_hours(cert.minutes)), 11, True)


def _label(code: str, render: Callable[[], str]) -> str:
    with force_locale(code):
        return render()


def _qr(pdf: Document, url: str, langs: list[str]) -> None:
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=6, border=2)
    image.seek(0)
    size = 32
    y = max(pdf.get_y() + 4, pdf.h - pdf.b_margin - size - 4)
    if y + size > pdf.h - pdf.b_margin:
        pdf.add_page()
        y = pdf.get_y()
    pdf.image(image, x=pdf.w - pdf.r_margin - size, y=y, w=size, h=size)
    pdf.set_xy(pdf.l_margin, y + 6)
    pdf.set_font(FAMILY, "", 8)
    label = " / ".join(_label(code, lambda: _("Check this certificate at")) for code in langs)
    pdf.multi_cell(pdf.w - pdf.l_margin - pdf.r_margin - size - 6, 4, f"{label}:\n{url}")
