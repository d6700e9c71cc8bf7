"""`sync.merge` on its own: no database, no clock — the merge rules and their properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.merge import Author, Change, LostValue, Resolution, merge_delete, merge_edit, merge_edit_of_deleted

PHONE = Author(role="guide", device_id="phone", user_id=7)
TABLET = Author(role="guide", device_id="tablet", user_id=7)
COORD = Author(role="coordinator", user_id=1)
COORD_2 = Author(role="coordinator", user_id=2)
SYSTEM = Author(role="system")

CURRENT = {"minutes": 90, "note": "Jobcenter", "kind": "meeting"}


def change(version: int, author: Author, *fields: str) -> Change:
    return Change(version, frozenset(fields), author)


# --------------------------------------------------------------------------------------- examples

def test_edit_without_rival_is_applied():
    history = [change(1, PHONE, "minutes", "note", "kind")]
    resolution = merge_edit(CURRENT, history, 1, {"minutes": 120}, TABLET)
    assert resolution == Resolution(status="applied", apply={"minutes": 120})


def test_soft_conflict_different_fields_merge():
    history = [change(1, PHONE, "minutes", "note", "kind"), change(2, PHONE, "note")]
    resolution = merge_edit(CURRENT, history, 1, {"minutes": 120}, TABLET)
    assert resolution.status == "merged"
    assert resolution.apply == {"minutes": 120}
    assert resolution.conflicts == []


def test_hard_conflict_between_devices_later_arrival_wins():
    history = [change(1, PHONE, "minutes"), change(2, PHONE, "minutes")]  # phone set 90 at version 2
    resolution = merge_edit(CURRENT, history, 1, {"minutes": 45}, TABLET)
    assert resolution.status == "conflict"
    assert resolution.apply == {"minutes": 45}
    assert resolution.conflicts == [LostValue("minutes", 45, 90, PHONE)]


def test_coordinator_beats_guide_whichever_arrives_later():
    history = [change(1, PHONE, "minutes"), change(2, COORD, "minutes")]
    resolution = merge_edit(CURRENT, history, 1, {"minutes": 45}, PHONE)
    assert resolution.status == "conflict"
    assert resolution.apply == {}
    assert resolution.conflicts == [LostValue("minutes", 90, 45, PHONE)]


def test_coordinator_arriving_later_overrides_guide_and_keeps_the_guides_value():
    history = [change(1, PHONE, "minutes"), change(2, PHONE, "minutes")]
    resolution = merge_edit(CURRENT, history, 1, {"minutes": 60}, COORD)
    assert resolution.apply == {"minutes": 60}
    assert resolution.conflicts == [LostValue("minutes", 60, 90, PHONE)]


def test_two_coordinators_later_arrival_wins():
    history = [change(1, PHONE, "note"), change(2, COORD, "note")]
    resolution = merge_edit(CURRENT, history, 1, {"note": "neu"}, COORD_2)
    assert resolution.apply == {"note": "neu"}
    assert resolution.conflicts == [LostValue("note", "neu", "Jobcenter", COORD)]


def test_a_device_never_conflicts_with_itself():
    history = [change(1, PHONE, "minutes"), change(2, PHONE, "minutes"), change(3, PHONE, "note")]
    resolution = merge_edit(CURRENT, history, 1, {"minutes": 10, "note": "x"}, PHONE)
    assert resolution == Resolution(status="applied", apply={"minutes": 10, "note": "x"})


def test_same_value_on_both_sides_is_no_conflict():
    history = [change(1, PHONE, "minutes"), change(2, TABLET, "minutes")]
    resolution = merge_edit(CURRENT, history, 1, {"minutes": 90}, PHONE)
    assert resolution.apply == {} and resolution.conflicts == []
    assert resolution.status == "merged"


def test_history_before_the_base_is_not_a_rival():
    history = [change(1, PHONE, "minutes"), change(2, COORD, "minutes")]
    resolution = merge_edit(CURRENT, history, 2, {"minutes": 45}, TABLET)
    assert resolution == Resolution(status="applied", apply={"minutes": 45})


def test_history_order_does_not_matter():
    history = [change(3, COORD, "note"), change(1, PHONE, "minutes"), change(2, TABLET, "minutes")]
    forward = merge_edit(CURRENT, history, 1, {"minutes": 5, "note": "a"}, PHONE)
    backward = merge_edit(CURRENT, list(reversed(history)), 1, {"minutes": 5, "note": "a"}, PHONE)
    assert forward == backward
    assert forward.apply == {"minutes": 5}
    assert forward.conflicts == [LostValue("minutes", 5, 90, TABLET), LostValue("note", "Jobcenter", "a", PHONE)]


def test_delete_without_rival_is_applied():
    history = [change(1, PHONE, "minutes"), change(2, PHONE, "note")]
    assert merge_delete(history, 1, PHONE) == Resolution(status="applied", apply={"deleted": True})


def test_delete_against_someone_elses_edit_keeps_the_record():
    history = [change(1, PHONE, "minutes"), change(2, TABLET, "note")]
    resolution = merge_delete(history, 1, PHONE)
    assert resolution.status == "conflict"
    assert resolution.apply == {}
    assert resolution.conflicts == [LostValue("deleted", False, True, PHONE)]


def test_delete_against_coordinator_edit_keeps_the_record():
    resolution = merge_delete([change(1, PHONE, "minutes"), change(2, COORD, "minutes")], 1, PHONE)
    assert resolution.status == "conflict" and "deleted" not in resolution.apply


def test_edit_of_record_deleted_by_another_device_restores_it_with_conflict():
    resolution = merge_edit_of_deleted(PHONE, {"minutes": 30}, TABLET)
    assert resolution.status == "conflict"
    assert resolution.apply == {"deleted": False, "minutes": 30}
    assert resolution.conflicts == [LostValue("deleted", False, True, PHONE)]


def test_edit_of_record_deleted_by_the_same_device_restores_it_silently():
    resolution = merge_edit_of_deleted(PHONE, {"minutes": 30}, PHONE)
    assert resolution == Resolution(status="applied", apply={"deleted": False, "minutes": 30})


def test_staff_roles():
    assert COORD.is_staff and SYSTEM.is_staff and Author(role="admin").is_staff
    assert not PHONE.is_staff


# --------------------------------------------------------------------------------------- properties

FIELDS = ("minutes", "note", "kind", "district")
AUTHORS = (PHONE, TABLET, COORD, COORD_2, SYSTEM, Author(role="guide", device_id="other", user_id=8))

values = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["a", "b", ""]), st.booleans())
field_maps = st.dictionaries(st.sampled_from(FIELDS), values)
authors = st.sampled_from(AUTHORS)


@st.composite
def histories(draw: Any) -> list[Change]:
    count = draw(st.integers(0, 6))
    return [
        Change(version, frozenset(draw(st.sets(st.sampled_from(FIELDS + ("deleted",)), min_size=1))), draw(authors))
        for version in range(1, count + 1)
    ]


def rivals_of(history: list[Change], base: int, author: Author, name: str) -> list[Author]:
    """Writers other than `author` that changed `name` after `base`, oldest first (as the merge sees them)."""
    def same(a: Author, b: Author) -> bool:
        if a.device_id is not None or b.device_id is not None:
            return a.device_id == b.device_id
        return (a.role, a.user_id) == (b.role, b.user_id)

    return [c.author for c in sorted(history, key=lambda c: c.version)
            if c.version > base and name in c.fields and not same(c.author, author)]


@settings(max_examples=400, deadline=None)
@given(current=field_maps, history=histories(), base=st.integers(0, 7), incoming=field_maps, author=authors)
def test_merge_edit_is_total_deterministic_and_loses_nothing_silently(current, history, base, incoming, author):
    resolution = merge_edit(current, history, base, incoming, author)
    again = merge_edit(dict(current), list(reversed(history)), base, dict(incoming), author)
    assert resolution == again  # deterministic, independent of the history's order
    assert resolution.status in ("applied", "merged", "conflict")
    assert set(resolution.apply) <= set(incoming)
    assert (resolution.status == "conflict") == bool(resolution.conflicts)

    lost_fields = [c.field for c in resolution.conflicts]
    assert len(lost_fields) == len(set(lost_fields))  # at most one conflict per field
    for name, value in incoming.items():
        server_value = current.get(name)
        applied = name in resolution.apply
        lost_here = [c for c in resolution.conflicts if c.field == name]
        if applied:
            assert resolution.apply[name] == value
        if server_value == value:
            # Nothing to do and nothing to lose.
            assert not applied and not lost_here
            continue
        # Every incoming value that differs from the server's is either written or kept as a loser …
        assert applied or any(c.lost_value == value and c.lost_by == author for c in lost_here)
        # … and never both dropped and unrecorded: when it replaces a value someone else wrote since the
        # base, that value is kept as a conflict naming its writer.
        rivals = rivals_of(history, base, author, name)
        if applied and rivals:
            assert lost_here == [LostValue(name, value, server_value, rivals[-1])]
        if applied and not rivals:
            assert not lost_here
        if not applied:
            # Only a guide loses, and only against staff.
            assert not author.is_staff and any(r.is_staff for r in rivals)
            assert lost_here[0].kept_value == server_value


@settings(max_examples=200, deadline=None)
@given(history=histories(), base=st.integers(0, 7), author=authors)
def test_merge_delete_either_deletes_or_records_the_lost_delete(history, base, author):
    resolution = merge_delete(history, base, author)
    assert resolution == merge_delete(list(reversed(history)), base, author)
    if resolution.status == "applied":
        assert resolution.apply == {"deleted": True} and not resolution.conflicts
    else:
        assert resolution.apply == {}
        assert resolution.conflicts == [LostValue("deleted", False, True, author)]


@settings(max_examples=200, deadline=None)
@given(deleted_by=authors, incoming=field_maps, author=authors)
def test_merge_edit_of_deleted_always_restores_and_applies_everything(deleted_by, incoming, author):
    resolution = merge_edit_of_deleted(deleted_by, incoming, author)
    assert resolution.apply == {"deleted": False, **incoming}
    assert resolution.status == ("conflict" if resolution.conflicts else "applied")
    assert all(c.field == "deleted" and c.lost_by == deleted_by for c in resolution.conflicts)
