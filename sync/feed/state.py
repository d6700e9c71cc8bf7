"""What the feed's session hooks carry through one transaction, in one object on the session.

The hooks (`sync/feed/hooks.py`) and publishing (`sync/feed/publish.py`) share it; code that undoes part
of a transaction (a rolled-back SAVEPOINT in `sync/push/orm_writer.py`) saves and restores its `marks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from sync.merge import Author

SYSTEM = Author(role="system")
_KEY = "sync_feed"


@dataclass
class FeedState:
    author: Author = SYSTEM  # who the history entries of this session's changes name
    # (type, id) -> organization of each record to publish at commit
    marks: dict[tuple[str, str], int] = field(default_factory=dict)
    # records created since the last flush: their history follows once their ids exist
    created: list[Any] = field(default_factory=list)
    # (type, id) -> (version, audiences) of records written in bulk, not loaded (`mark_written`)
    known: dict[tuple[str, str], tuple[int, set[str]]] = field(default_factory=dict)

    def take_marks(self) -> dict[tuple[str, str], int]:
        """The marks to publish now; publishing them twice would number them twice."""
        marks, self.marks = self.marks, {}
        return marks

    def end_transaction(self) -> None:
        """Committed or rolled back: nothing is left to publish (the author stays with the session)."""
        self.marks, self.created, self.known = {}, [], {}


def state_of(session: Session) -> FeedState:
    state = session.info.get(_KEY)
    if state is None:
        state = session.info[_KEY] = FeedState()
    return state
