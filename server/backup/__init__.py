"""Backup and restore (README "Backup and restore"): the database (pg_dump, or SQLite's backup API), the
receipt files of the folder store, and a checksum manifest of every receipt; a restore draws a new feed
epoch so that phones holding cursors from after the backup replay what they sent (sync/PROTOCOL.md §10)."""
