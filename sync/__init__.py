"""Lotsenbuch's sync engine: wire contract, merge rules and change feed, free of any web framework.

The server imports this package; this package never imports the server. Record tables are plain
SQLAlchemy models on the shared `Base` (`sync.db`), so the engine works on any SQLAlchemy session.
"""
