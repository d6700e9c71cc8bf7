"""The participation certificate of a finished course, through the volunteer certificates' machinery
(server/money/certificates.py): the same frozen `Certificate` row, PDF with QR code and public check at
/verify/<token>; `course_title` marks it as a course's, `minutes` are the hours attended."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from server.accounts.models import User
from server.audit.log import record_event
from server.courses.models import Course, CourseRegistration
from server.extensions import db
from server.guides.models import GuideProfile
from server.money.certificates import certificate_languages
from server.money.models import Certificate
from server.organizations.models import Organization
from sync.merge import Author


def issue_course_certificate(author: Author, course: Course, reg: CourseRegistration, minutes: int,
                             signer_name: str = "") -> Certificate:
    assert reg.user_id is not None and reg.completed_on is not None and course.sessions
    guide = db.session.get(User, reg.user_id)
    org = db.session.get(Organization, course.organization_id)
    assert guide is not None and org is not None
    signer = signer_name.strip() or (db.session.get(User, author.user_id).name if author.user_id else "") \
        or org.name
    profile = db.session.scalar(select(GuideProfile).where(GuideProfile.user_id == guide.id))
    cert = Certificate(
        organization_id=course.organization_id, guide_id=guide.id, token=secrets.token_urlsafe(32),
        period_from=min(course.sessions[0].date, reg.completed_on), period_to=min(course.sessions[-1].date, reg.completed_on),
        guide_name=guide.name, organization_name=org.name, signer_name=signer, minutes=minutes,
        minutes_by_kind={}, course_title=course.title,
        qualifications=[{"kind": course.kind, "title": course.title,
                         "completed_on": reg.completed_on.isoformat()}],
        languages=certificate_languages(guide, profile), issued_by_id=author.user_id)
    db.session.add(cert)
    db.session.flush()
    record_event("certificate.issued", course.organization_id, actor_user_id=author.user_id,
                 object_type="certificate", object_id=cert.id,
                 details={"guide_id": guide.id, "course_id": course.id, "minutes": minutes})
    return cert
