"""The migrations and the models agree, and the migration chain runs down and up again.

A model change without its migration shows here as a non-empty autogenerate diff, on either backend
(SQLite reflects types differently from PostgreSQL, so both are compared).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from server.extensions import db


def pending_diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_match_migrations(app):
    diff = pending_diff()
    assert diff == [], "models and migrations differ; run `flask --app server db migrate`:\n" + "\n".join(
        map(str, diff))


@pytest.fixture
def fresh_app(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database of its own (not the shared, already migrated test database)."""
    from server import create_app

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        admin, name = None, None
    else:
        base = make_url(request.getfixturevalue("postgres_url"))  # skips when PostgreSQL is not there
        name = f"{base.database}_migrations"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True,
                              "BLOB_DIR": str(tmp_path / "blobs")})
    with application.app_context():
        try:
            yield application
        finally:
            db.session.remove()
            db.engine.dispose()
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def _tables() -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    from flask_migrate import downgrade, upgrade

    model_tables = {t.name for t in db.metadata.sorted_tables}
    upgrade()
    assert _tables() == model_tables
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert _tables() == model_tables
    assert pending_diff() == []
    # The append-only trigger came back with the schema.
    with db.engine.connect() as conn:
        conn.execute(text("INSERT INTO audit_events (at, action, object_type, object_id, details) "
                          "VALUES (CURRENT_TIMESTAMP, 'x', '', '', '{}')"))
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM audit_events"))
