"""The change feed: every change to a synced record, whatever code made it, reaches the devices.

Split by concept (docs/ARCHITECTURE.md §2):
* `sync/feed/hooks.py` — the write side: session hooks that version each change, write its history and
  mark it for publishing (`set_author`, `mark`; `created_in_bulk` for records written without the ORM);
* `sync/feed/publish.py` — numbering the marks from the organization's counter at commit (gap-free:
  `sync/tables.py`);
* `sync/feed/queries.py` — every statement whose SQL differs per database, the pull's page among them;
* `sync/feed/state.py` — what the hooks carry through a transaction, one object on the session.
"""

from sync.feed.hooks import created_in_bulk, history_value, mark, mark_written, set_author
from sync.feed.publish import publish
from sync.feed.queries import each_of, load_many, one_of
from sync.feed.state import SYSTEM, FeedState, state_of

__all__ = ["SYSTEM", "FeedState", "created_in_bulk", "each_of", "history_value", "load_many", "mark", "mark_written", "one_of",
           "publish", "set_author", "state_of"]
