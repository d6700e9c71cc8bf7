"""Course workflows: sessions, trainers, registrations, attendance, and finishing a course.

Attendance rows exist for every session × accepted registration from the moment both exist, so a
trainer's phone has the whole sheet before the session (offline, record type `attendance`). Rows are
written through the ORM: the feed versions and publishes them whoever writes. The caller audits and
commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.courses.models import Course, CourseAttendance, CourseRegistration, CourseSession, CourseTrainer
from server.guides.models import GuideProfile
from server.guides.operations import add_qualification
from sync import feed
from sync.clock import today
from sync.coordinator import edit_record
from sync.merge import Author


class CourseError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def courses(session: Session, organization_id: int) -> list[tuple[Course, int]]:
    """The organization's courses, the next to start first (courses without sessions last), with how many
    are registered."""
    counts = (select(CourseRegistration.course_id, func.count().label("n"))
              .where(CourseRegistration.organization_id == organization_id,
                     CourseRegistration.state == "registered")
              .group_by(CourseRegistration.course_id).subquery())
    rows = session.execute(select(Course, func.coalesce(counts.c.n, 0))
                           .outerjoin(counts, counts.c.course_id == Course.id)
                           .where(Course.organization_id == organization_id))
    listed = [(course, int(n)) for course, n in rows]
    return sorted(listed, key=lambda r: (first_day(r[0]) or dt.date.max, r[0].id), reverse=False)


def first_day(course: Course) -> dt.date | None:
    return course.sessions[0].date if course.sessions else None


def last_day(course: Course) -> dt.date | None:
    return course.sessions[-1].date if course.sessions else None


def total_minutes(course: Course) -> int:
    return sum(s.minutes for s in course.sessions)


def upcoming(session: Session, organization_id: int) -> list[Course]:
    """Courses with a session still ahead (what the app lists for guides)."""
    now = today()
    return [c for c, _n in courses(session, organization_id) if c.sessions and c.sessions[-1].date >= now]


def create_course(session: Session, organization_id: int, values: dict[str, object]) -> Course:
    course = Course(organization_id=organization_id)
    update_course(course, values)
    session.add(course)
    session.flush()
    return course


def update_course(course: Course, values: dict[str, object]) -> list[str]:
    """Set the course's own fields; returns the names that changed."""
    if values.get("kind") != "specialisation":
        values = {**values, "specialisation": None}
    changed = [name for name, value in values.items() if getattr(course, name) != value]
    for name in changed:
        setattr(course, name, values[name])
    return changed


def registrations(session: Session, course: Course) -> list[CourseRegistration]:
    return list(session.scalars(select(CourseRegistration).where(
        CourseRegistration.organization_id == course.organization_id, CourseRegistration.course_id == course.id)
        .order_by(CourseRegistration.state != "requested", func.lower(CourseRegistration.name),
                  CourseRegistration.id)))


def registered_count(session: Session, course: Course) -> int:
    return int(session.scalar(select(func.count()).select_from(CourseRegistration).where(
        CourseRegistration.course_id == course.id, CourseRegistration.state == "registered")) or 0)


def _ensure_attendance(session: Session, course: Course, sessions: list[CourseSession],
                       regs: list[CourseRegistration]) -> None:
    existing = {(a, b) for a, b in session.execute(select(CourseAttendance.session_id, CourseAttendance.registration_id).where(
        CourseAttendance.course_id == course.id))}
    for s in sessions:
        for r in regs:
            if r.state == "registered" and (s.id, r.id) not in existing:
                session.add(CourseAttendance(organization_id=course.organization_id, course_id=course.id,
                                             session_id=s.id, registration_id=r.id))
    session.flush()


def _drop_open_attendance(session: Session, author: Author, reg: CourseRegistration) -> None:
    """A withdrawn participant leaves the trainers' sheets (tombstones); attendance taken stays."""
    feed.set_author(session, author)
    for row in session.scalars(select(CourseAttendance).where(
            CourseAttendance.registration_id == reg.id, CourseAttendance.deleted_at.is_(None))):
        if row.present is None:
            session.delete(row)
    session.flush()


def add_session(session: Session, author: Author, course: Course, date: dt.date, starts_at: str, minutes: int,
                topic: str) -> CourseSession:
    feed.set_author(session, author)
    row = CourseSession(organization_id=course.organization_id, course_id=course.id, date=date,
                        starts_at=starts_at.strip(), minutes=minutes, topic=topic.strip())
    course.sessions.append(row)
    session.flush()
    _ensure_attendance(session, course, [row], registrations(session, course))
    return row


def update_session(session: Session, course: Course, row: CourseSession, date: dt.date, starts_at: str,
                   minutes: int, topic: str) -> None:
    row.date, row.starts_at, row.minutes, row.topic = date, starts_at.strip(), minutes, topic.strip()
    session.flush()
    _republish(session, course, session_id=row.id)  # the trainers' sheets show the new date and length


def delete_session(session: Session, author: Author, course: Course, row: CourseSession) -> None:
    feed.set_author(session, author)
    for att in session.scalars(select(CourseAttendance).where(CourseAttendance.session_id == row.id)):
        session.delete(att)  # a tombstone each on the trainers' phones
    session.flush()
    course.sessions.remove(row)
    session.delete(row)
    session.flush()


def _republish(session: Session, course: Course, session_id: int | None = None) -> None:
    query = select(CourseAttendance.id).where(CourseAttendance.course_id == course.id,
                                              CourseAttendance.deleted_at.is_(None))
    if session_id is not None:
        query = query.where(CourseAttendance.session_id == session_id)
    for record_id in session.scalars(query):
        feed.mark(session, "attendance", str(record_id), course.organization_id)


def trainer_ids(course: Course) -> set[int]:
    return {t.user_id for t in course.trainers}


def set_trainers(session: Session, course: Course, user_ids: set[int]) -> bool:
    """Make the course's trainers exactly `user_ids` (members of the organization); the attendance sheets
    reach the new trainers' phones and leave the former ones'."""
    if user_ids == trainer_ids(course):
        return False
    for trainer in list(course.trainers):
        if trainer.user_id not in user_ids:
            course.trainers.remove(trainer)
    for user_id in sorted(user_ids - trainer_ids(course)):
        course.trainers.append(CourseTrainer(organization_id=course.organization_id, user_id=user_id))
    session.flush()
    _republish(session, course)
    return True


def _check_places(session: Session, course: Course) -> None:
    if registered_count(session, course) >= course.places:
        raise CourseError("full")


def register_guide(session: Session, course: Course, guide: User, state: str = "registered") -> CourseRegistration:
    reg = session.scalar(select(CourseRegistration).where(CourseRegistration.course_id == course.id,
                                                          CourseRegistration.user_id == guide.id))
    if reg is not None and reg.state in ("registered", "requested"):
        raise CourseError("already")
    if state == "registered":
        _check_places(session, course)
    if reg is None:
        reg = CourseRegistration(organization_id=course.organization_id, course_id=course.id, user_id=guide.id)
        session.add(reg)
    reg.name, reg.email, reg.state = guide.name, guide.email, state
    session.flush()
    _ensure_attendance(session, course, list(course.sessions), [reg])
    return reg


def register_person(session: Session, course: Course, name: str, email: str) -> CourseRegistration:
    """Someone who wants to become a guide: name and email only."""
    email = email.strip().lower()
    taken = session.scalar(select(CourseRegistration.id).where(
        CourseRegistration.course_id == course.id, func.lower(CourseRegistration.email) == email,
        CourseRegistration.state.in_(("registered", "requested"))))
    if taken is not None:
        raise CourseError("already")
    _check_places(session, course)
    reg = CourseRegistration(organization_id=course.organization_id, course_id=course.id, name=name.strip(),
                             email=email, state="registered")
    session.add(reg)
    session.flush()
    _ensure_attendance(session, course, list(course.sessions), [reg])
    return reg


def decide(session: Session, author: Author, course: Course, reg: CourseRegistration, state: str) -> None:
    """Accept a request (registered), turn it down (declined) or withdraw a registration (cancelled)."""
    feed.set_author(session, author)
    if state == "registered":
        if reg.state == "registered":
            return
        _check_places(session, course)
        reg.state = "registered"
        session.flush()
        _ensure_attendance(session, course, list(course.sessions), [reg])
    else:
        if reg.completed_on is not None:
            raise CourseError("completed")
        reg.state = state
        session.flush()
        _drop_open_attendance(session, author, reg)


def sheet(session: Session, row: CourseSession) -> list[tuple[CourseRegistration, CourseAttendance]]:
    """One session's attendance sheet: the participants, by name."""
    return [(reg, att) for reg, att in session.execute(
        select(CourseRegistration, CourseAttendance)
        .join(CourseAttendance, CourseAttendance.registration_id == CourseRegistration.id)
        .where(CourseAttendance.session_id == row.id, CourseAttendance.deleted_at.is_(None))
        .order_by(func.lower(CourseRegistration.name), CourseRegistration.id))]


def set_attendance(session: Session, author: Author, row: CourseSession, present_ids: set[str]) -> int:
    """Taken on the desk: ticked registrations were there, the others were not. Returns rows changed."""
    feed.set_author(session, author)
    changed = 0
    for reg, att in sheet(session, row):
        value = reg.id in present_ids
        if att.present is not value:
            att.present = value
            changed += 1
    session.flush()
    return changed


def attended_minutes(session: Session, course: Course) -> dict[str, int]:
    """Minutes attended per registration."""
    rows = session.execute(
        select(CourseAttendance.registration_id, func.sum(CourseSession.minutes))
        .join(CourseSession, CourseSession.id == CourseAttendance.session_id)
        .where(CourseAttendance.course_id == course.id, CourseAttendance.present.is_(True),
               CourseAttendance.deleted_at.is_(None))
        .group_by(CourseAttendance.registration_id))
    return {str(reg_id): int(minutes or 0) for reg_id, minutes in rows}


@dataclass
class Outcome:
    finished: list[CourseRegistration]
    short: list[CourseRegistration]


def finish_course(session: Session, author: Author, course: Course, signer_name: str = "") -> Outcome:
    """Everyone registered with enough hours attended finishes: a guide gets the qualification (and the
    course's specialisation, which matching reads) dated the course's last day, and a participation
    certificate. Running it again changes nothing for those who finished already."""
    from server.courses.certificates import issue_course_certificate

    if not course.sessions:
        raise CourseError("no_sessions")
    minutes = attended_minutes(session, course)
    done_on = min(last_day(course) or today(), today())
    outcome = Outcome([], [])
    for reg in registrations(session, course):
        if reg.state != "registered" or reg.completed_on is not None:
            continue
        attended = minutes.get(reg.id, 0)
        if attended < max(course.required_minutes, 1):
            outcome.short.append(reg)
            continue
        reg.completed_on = done_on
        if reg.user_id is not None:
            _qualify(session, author, course, reg.user_id, done_on)
            cert = issue_course_certificate(author, course, reg, attended, signer_name)
            reg.certificate_id = cert.id
        outcome.finished.append(reg)
    session.flush()
    return outcome


def _qualify(session: Session, author: Author, course: Course, user_id: int, done_on: dt.date) -> None:
    from server.organizations.models import Organization

    profile = session.scalar(select(GuideProfile).where(GuideProfile.user_id == user_id,
                                                        GuideProfile.organization_id == course.organization_id))
    if profile is None:
        return
    org = session.get(Organization, course.organization_id)
    add_qualification(session, author, profile, course.kind, course.title, done_on, org.name if org else "")
    if course.specialisation and course.specialisation not in (profile.specialisations or []):
        edit_record(session, author, course.organization_id, "profile", profile.id,
                    {"specialisations": [*(profile.specialisations or []), course.specialisation]})


def organization_members(session: Session, organization_id: int, roles: tuple[str, ...]) -> list[User]:
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role.in_(roles), User.active.is_(True))
        .order_by(func.lower(User.name), User.id)))
