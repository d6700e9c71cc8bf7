"""The demo's messages from the desk: per organization a coordinator's message to one guide and one to all
guides, some read and some not, so that the app's inbox and the desk's "read" counts show something."""

from __future__ import annotations

import random

from server.demo.context import DemoClock, DemoOrg, demo_uuid
from server.extensions import db
from server.messages.models import Message
from sync import feed
from sync.merge import Author

# (days ago, hour, guide key or None for all guides, text, guide keys who have read it)
VHS_MESSAGES = (
    (9, 10, None, "Das nächste Plenum ist am Donnerstag um 18 Uhr im Raum 3 der VHS. Thema: Elternabende "
                  "mehrsprachig gestalten.", ("ayse", "omar", "olga", "katarzyna")),
    (5, 14, "omar", "Danke für die Begleitung zur IHK! Die Rückmeldung des Betriebs war sehr gut.", ("omar",)),
    (1, 9, "ayse", "Bitte den Beleg der GVH-Tageskarte vom Dienstag noch in der App nachreichen.", ()),
)
AWO_MESSAGES = (
    (6, 11, "hasan", "Die Fortbildung „Ausbildung in Deutschland“ findet am Samstag statt.", ("hasan",)),
    (2, 16, None, "Ab Montag ist die Koordinierungsstelle dienstags bis 19 Uhr erreichbar.", ()),
)


def seed_messages(ctx: DemoOrg, rng: random.Random, clock: DemoClock,
                  messages: tuple[tuple[int, int, str | None, str, tuple[str, ...]], ...]) -> None:
    feed.set_author(db.session, Author(role="coordinator", user_id=ctx.approver.id))
    for days_ago, hour, to, text, read_by in messages:
        sent_at = clock.at(clock.day(-days_ago), hour)
        batch = demo_uuid(rng)
        for key, guide in ctx.guides.items():
            if to is not None and key != to:
                continue
            read_at = clock.at(clock.day(-days_ago), hour + 2) if key in read_by else None
            db.session.add(Message(id=demo_uuid(rng), organization_id=ctx.org.id, guide_id=guide.id,
                                   sender_id=ctx.approver.id, sender_name=ctx.approver.name, body=text,
                                   to_all=to is None, batch_id=batch, sent_at=sent_at, read_at=read_at,
                                   created_at=sent_at, updated_at=read_at or sent_at, version=1))
    db.session.flush()
