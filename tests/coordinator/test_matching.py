"""Matching: the ranking is pure (plain data in, ranked proposals out) and every rank is explained."""

from __future__ import annotations

import datetime as dt

from server.assignments.matching import Candidate, Needs, Reason, Skill, describe, load_candidates, rank
from server.extensions import db
from server.guides.models import GuideLanguage, GuideProfile
from sync import clock

NEEDS = Needs(language="ar", dialect="Levantinisch", field="parents", district="linden-limmer")


def guide(guide_id: int, name: str, *skills: Skill, **kw) -> Candidate:
    return Candidate(guide_id=guide_id, name=name, languages=tuple(skills), **kw)


def order(proposals) -> list[str]:
    return [p.candidate.name for p in proposals]


def codes(proposal) -> dict[str, bool | None]:
    return {r.code: r.ok for r in proposal.reasons}


def test_language_first_then_dialect_and_level():
    ranked = rank([
        guide(1, "Anna", Skill("ru", "native"), districts=frozenset({"linden-limmer"}),
              specialisations=frozenset({"parents"})),
        guide(2, "Bilal", Skill("ar", "B1")),
        guide(3, "Chadi", Skill("ar", "C2", "Levantinisch")),
        guide(4, "Dina", Skill("ar", "native", "Ägyptisch")),
    ], NEEDS)
    # Speaking the language outweighs everything else; the right dialect beats a higher level.
    assert order(ranked) == ["Chadi", "Dina", "Bilal", "Anna"]
    assert codes(ranked[-1])["no_language"] is False
    assert codes(ranked[1])["dialect"] is False


def test_language_code_variants_count_as_the_language():
    ranked = rank([guide(1, "Anna", Skill("ar-LB", "C1"))], Needs(language="ar"))
    assert codes(ranked[0])["language"] is True


def test_specialisation_and_district_break_ties():
    base = {"languages": (Skill("ar", "C2", "Levantinisch"),)}
    ranked = rank([
        Candidate(1, "Anna", **base),
        Candidate(2, "Bert", districts=frozenset({"linden-limmer"}), **base),
        Candidate(3, "Cora", specialisations=frozenset({"parents"}), **base),
        Candidate(4, "Dora", specialisations=frozenset({"parents"}), districts=frozenset({"linden-limmer"}), **base),
    ], NEEDS)
    assert order(ranked) == ["Dora", "Cora", "Bert", "Anna"]
    assert codes(ranked[0]) | {} == {"language": True, "field": True, "district": True, "load": None}


def test_load_against_the_monthly_limit():
    skill = (Skill("ar", "C2", "Levantinisch"),)
    ranked = rank([
        Candidate(1, "Full", languages=skill, monthly_hour_limit=10, minutes_this_month=10 * 60),
        Candidate(2, "Busy", languages=skill, monthly_hour_limit=20, minutes_this_month=15 * 60),
        Candidate(3, "Free", languages=skill, monthly_hour_limit=20, minutes_this_month=2 * 60),
        Candidate(4, "Nolimit", languages=skill, minutes_this_month=30 * 60),
    ], NEEDS)
    assert order(ranked) == ["Free", "Busy", "Nolimit", "Full"]
    assert codes(ranked[-1])["load"] is False
    assert ranked[0].reasons[-1] == Reason("load", True, {"hours": 2.0, "limit": 20, "state": "ok"})


def test_continuity_counts_only_for_a_known_client():
    skill = (Skill("ar", "C2", "Levantinisch"),)
    people = [Candidate(1, "Anna", languages=skill, specialisations=frozenset({"parents"})),
              Candidate(2, "Bert", languages=skill, times_with_client=2)]
    assert order(rank(people, NEEDS)) == ["Anna", "Bert"]
    with_client = rank(people, Needs(**{**NEEDS.__dict__, "client_id": "c-1"}))
    assert order(with_client) == ["Bert", "Anna"]
    assert codes(with_client[0])["continuity"] is True


def test_overlapping_assignments_lower_the_rank_and_equal_scores_prefer_less_load():
    skill = (Skill("ar", "C2", "Levantinisch"),)
    ranked = rank([
        Candidate(1, "Anna", languages=skill, overlapping_assignments=2),
        Candidate(2, "Bert", languages=skill, minutes_this_month=600),
        Candidate(3, "Cleo", languages=skill, minutes_this_month=60),
    ], NEEDS)
    assert order(ranked) == ["Cleo", "Bert", "Anna"]
    assert codes(ranked[-1])["overlap"] is None


def test_incomplete_request_ranks_without_failing():
    ranked = rank([Candidate(1, "Anna"), Candidate(2, "Bert", minutes_this_month=60)], Needs())
    assert order(ranked) == ["Anna", "Bert"]
    assert codes(ranked[0]) == {"load": None}


def test_explanations_in_words(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        ranked = rank([Candidate(1, "Chadi", languages=(Skill("ar", "C2", "Levantine"),), monthly_hour_limit=20,
                                 minutes_this_month=12 * 60, districts=frozenset({"linden-limmer"}),
                                 availability="Mo–Mi nachmittags")],
                      Needs(language="ar", dialect="Levantine", district="linden-limmer"))
        words = [describe(r) for r in ranked[0].reasons]
    assert words == ["speaks Arabic (Levantine, C2)", "district Linden-Limmer", "12 of 20 h this month",
                     "available: Mo–Mi nachmittags"]


def test_loader_reads_profile_load_overlaps_and_history(world, make_user, add_activity):
    from server.assignments.models import Assignment, Client

    org = world.org_a
    samir = make_user(org, "guide", "samir@example.org", "Samir Haddad")
    profile = db.session.query(GuideProfile).filter_by(user_id=samir.id).one()
    profile.languages = [GuideLanguage(language="ar", level="native", dialect="Levantinisch", position=0)]
    profile.districts, profile.monthly_hour_limit = ["nord"], 20
    client = Client(organization_id=org.id, code="K-1")
    db.session.add(client)
    db.session.flush()
    today = clock.today()
    db.session.add(Assignment(organization_id=org.id, title="Before", starts_on=today - dt.timedelta(days=90),
                              ends_on=today - dt.timedelta(days=30), state="ended", guide_id=samir.id,
                              client_id=client.id))
    db.session.add(Assignment(organization_id=org.id, title="Now", starts_on=today - dt.timedelta(days=3),
                              ends_on=today + dt.timedelta(days=30), state="active", guide_id=samir.id))
    db.session.commit()
    add_activity(samir, org, today, minutes=90)
    add_activity(samir, org, today - dt.timedelta(days=40), minutes=600)  # an earlier month: not this month's load
    world.guide_b  # noqa: B018 - another organization's guide never appears
    found = {c.name: c for c in load_candidates(db.session, org.id, starts_on=today, ends_on=today, client_id=client.id)}
    assert set(found) == {"Ayşe Guide-A", "Samir Haddad"}
    samir_c = found["Samir Haddad"]
    assert samir_c.languages == (Skill("ar", "native", "Levantinisch"),)
    assert samir_c.minutes_this_month == (90 if (today - dt.timedelta(days=40)).month != today.month else 690)
    assert (samir_c.overlapping_assignments, samir_c.times_with_client, samir_c.monthly_hour_limit) == (1, 1, 20)
    assert found["Ayşe Guide-A"].times_with_client == 0
