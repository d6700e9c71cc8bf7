"""Setting up an organization: its name and retention periods, and who works at its desk.

Creating an organization and its users lives in server/accounts/operations.py (shared with the CLI);
this module holds what the admin pages change afterwards. The caller audits and commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import Membership, User
from server.accounts.operations import STAFF_ROLES, AccountError
from server.organizations.models import Organization


def update_settings(org: Organization, name: str, retention_months: int,
                    booking_retention_years: int) -> dict[str, dict[str, object]]:
    """Change name and retention periods; returns {field: {"before": …, "after": …}} of what changed."""
    name = " ".join(name.split())
    if not name:
        raise AccountError(_("The name must not be empty."))
    changed: dict[str, dict[str, object]] = {}
    for field, value in (("name", name), ("retention_months", retention_months),
                         ("booking_retention_years", booking_retention_years)):
        if getattr(org, field) != value:
            changed[field] = {"before": getattr(org, field), "after": value}
            setattr(org, field, value)
    return changed


@dataclass
class OrganizationRow:
    organization: Organization
    guides: int
    staff: int


def organization_rows(session: Session) -> list[OrganizationRow]:
    """Every organization with how many guides and staff accounts it has, by name."""
    def count(roles: tuple[str, ...]) -> dict[int, int]:
        rows = session.execute(select(Membership.organization_id, func.count()).where(Membership.role.in_(roles))
                               .group_by(Membership.organization_id))
        return {int(org_id): int(n) for org_id, n in rows}

    guides, staff = count(("guide",)), count(STAFF_ROLES)
    orgs = session.scalars(select(Organization).order_by(func.lower(Organization.name), Organization.id))
    return [OrganizationRow(org, guides.get(org.id, 0), staff.get(org.id, 0)) for org in orgs]


def staff_members(session: Session, organization_id: int) -> list[tuple[User, str]]:
    """The organization's coordinators and admins (active ones first) with their role."""
    return [(user, role) for user, role in session.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, Membership.role.in_(STAFF_ROLES))
        .order_by(User.active.desc(), func.lower(User.name), User.id))]
