"""The push half of a round trip, one concept per module (docs/ARCHITECTURE.md §2):

* `sync/push/answers.py` — the device a batch comes from, and the answers a mutation can get;
* `sync/push/validate.py` — every check of a mutation, written once for both writers;
* `sync/push/batch.py` — one request's batch: stored results (replays), the records it touches;
* `sync/push/plan.py` — which writer takes the batch, and what the next attempt does if the database
  refused one;
* `sync/push/orm_writer.py`, `sync/push/bulk_writer.py` — the two writers of one interface
  (`Writer.write`); `tests/syncing/test_bulk_creates.py` holds them equal.

`sync/engine.py` runs the attempts (`round_trip`) and pulls after each push.
"""
