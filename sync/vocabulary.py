"""The closed vocabularies shared by the wire contract, the database constraints and the PWA.

Every enum a client may send or receive is listed here once; `tests/test_contract.py` checks that the
PWA's generated wire types list exactly the same values.
"""

from __future__ import annotations

ROLES = ("admin", "coordinator", "guide")

ACTIVITY_KINDS = ("accompaniment", "meeting", "phone", "preparation", "travel", "plenum", "training", "other")
ACTIVITY_STATES = ("logged", "approved")

EXPENSE_CATEGORIES = ("mileage", "public_transport", "phone", "material", "other")
EXPENSE_STATES = ("open", "submitted", "approved", "rejected", "paid")
# A guide may no longer change an expense in these states (hard requirement 5).
EXPENSE_LOCKED_STATES = ("submitted", "approved", "paid")

CLAIM_STATES = ("submitted", "decided", "paid")
ASSIGNMENT_STATES = ("draft", "offered", "active", "ended", "cancelled")
OFFER_STATES = ("offered", "accepted", "declined", "taken", "withdrawn")
ASSIGNMENT_RESPONSES = ("accepted", "declined")
REQUEST_STATES = ("open", "matched", "closed", "cancelled")
PAYOUT_STATES = ("draft", "exported", "paid", "cancelled")

SPECIALISATIONS = ("sport", "parents", "university", "vocational_training", "tolerance", "environment")
QUALIFICATION_KINDS = ("basic", "specialisation", "sustainability")
# A course registration: asked for in the app (requested), accepted, turned down, withdrawn.
COURSE_REGISTRATION_STATES = ("requested", "registered", "declined", "cancelled")
# Reminders `flask send-reminders` pushes; a guide can switch each off (profile `muted_reminders`).
REMINDER_KINDS = ("claim", "hours", "plenum")
# What a push notification is about: its payload names only this and a record id (PROTOCOL.md, "Push").
PUSH_CATEGORIES = ("offer", "offer_withdrawn", "expense_decided", "claim_approved", "claim_paid", "message",
                   "reminder_claim", "reminder_hours", "reminder_plenum")
LANGUAGE_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")

# The 13 Stadtbezirke of the Landeshauptstadt Hannover (codes; the names are proper names).
DISTRICTS: dict[str, str] = {
    "mitte": "Mitte",
    "vahrenwald-list": "Vahrenwald-List",
    "bothfeld-vahrenheide": "Bothfeld-Vahrenheide",
    "buchholz-kleefeld": "Buchholz-Kleefeld",
    "misburg-anderten": "Misburg-Anderten",
    "kirchrode-bemerode-wuelferode": "Kirchrode-Bemerode-Wülferode",
    "suedstadt-bult": "Südstadt-Bult",
    "doehren-wuelfel": "Döhren-Wülfel",
    "ricklingen": "Ricklingen",
    "linden-limmer": "Linden-Limmer",
    "ahlem-badenstedt-davenstedt": "Ahlem-Badenstedt-Davenstedt",
    "herrenhausen-stoecken": "Herrenhausen-Stöcken",
    "nord": "Nord",
}


def sql_in(column: str, values: tuple[str, ...] | list[str]) -> str:
    """A CHECK constraint body limiting `column` to `values` (values are our own constants)."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"
