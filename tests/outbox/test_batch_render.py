"""A batch of mails renders each distinct shape once and fills in the rest (server/outbox/batch_render.py):
every mail must be exactly what rendering it alone gives, in every language, with names and links that
need escaping, and whatever the shape (flags, counts, the digest's lists fall back to rendering alone)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.i18n import available_locales
from server.outbox.batch_render import MailShapes
from server.outbox.render import render_mail


@dataclass
class Person:
    name: str
    email: str


PEOPLE = [Person("Ayşe Demir", "ayse@example.org"), Person('O\'Brien & <Söhne> "Zwei"', "ob@example.org"),
          Person("محمد کریمی", "mk@example.org"), Person("%(name)s {{ x }}", "odd@example.org"),
          Person("  Viel   Raum  ", "space@example.org")]

CONTEXTS = {
    "staff_invitation": lambda p: {"link": f"https://l.example/p/{p.email}?a=1&b=<2>", "org_name": "VHS & Co <Hannover>",
                                   "inviter_name": p.name[::-1], "hours": 72, "login_url": "https://l.example/login"},
    "password_reset": lambda p: {"link": f"https://l.example/r/{p.email}", "by_admin": p.email < "m", "minutes": 60},
    "enrolment_link": lambda p: {"link": f"https://l.example/enroll#code={p.email}", "code": "ABCD-EFGH",
                                 "enroll_url": "https://l.example/enroll", "org_name": "AWO", "days": 1},
    "professional_help": lambda p: {"guide_name": p.name, "activity_date": "4. Dez. 2026",
                                    "link": "https://l.example/a/1", "org_name": "VHS"},
    "daily_digest": lambda p: {"org_name": "VHS", "day": "4. Dezember 2026", "items": [
        {"label": "Abrechnungen", "count": 3, "link": "https://l.example/claims"}], "link": "https://l.example/"},
}


@pytest.mark.parametrize("kind", sorted(CONTEXTS))
def test_every_mail_of_a_batch_is_what_rendering_it_alone_gives(app, kind):
    with app.test_request_context():
        for locale in available_locales():
            shapes = MailShapes(kind)
            for person in PEOPLE * 2:  # the second round comes from the shapes the first round made
                context = CONTEXTS[kind](person)
                assert shapes.render(locale, person, context) == render_mail(kind, locale, recipient=person,
                                                                             **context), (kind, locale, person)


def test_a_batch_renders_each_shape_once(app, monkeypatch):
    from server.outbox import batch_render

    calls: list[str] = []
    original = batch_render.render_mail

    def counting(kind, locale, **context):
        calls.append(locale)
        return original(kind, locale, **context)

    monkeypatch.setattr(batch_render, "render_mail", counting)
    with app.test_request_context():
        shapes = MailShapes("enrolment_link")
        for i in range(200):
            person = Person(f"Lotsin {i}", f"g{i}@example.org")
            shapes.render("de" if i % 2 else "tr", person, CONTEXTS["enrolment_link"](person))
    # Per language: the first mail alone (a lone mail is not worth a shape), the second one and its shape.
    assert sorted(calls) == ["de"] * 3 + ["tr"] * 3
