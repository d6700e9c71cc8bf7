"""Test fixtures: an app on SQLite and on PostgreSQL, a client, and factories for people and records.

Every database test runs twice, once per backend (`app` is parametrized). PostgreSQL comes from
TEST_DATABASE_URL (default: the local server); each xdist worker gets a database of its own, migrated
once, and every test starts from empty tables. Under CI=true a missing PostgreSQL fails the run
instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _memoise_url_builders() -> None:
    """Every test makes an app (create_app), and Werkzeug compiles two URL builders per route with `ast`
    and `compile()`: about half of an app's start-up. The compiled builder is plain code that reads the
    rule's converters through its bound `self` when called, so one compiled function per rule text and
    shape serves every app of the run. Test-only: a server process makes its app once."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict[tuple[Any, ...], Any] = {}

    def memoised(self: Rule, append_unknown: bool = True) -> Any:
        key = (self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = memoised  # type: ignore[method-assign]


_memoise_url_builders()


def skip_or_fail(reason: str) -> None:
    """Skip locally; under CI=true a test that cannot run is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: PostgreSQL and browser tests must run)")
    pytest.skip(reason)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from server import create_app

    app = create_app(_config(url, instance))
    with app.app_context():
        upgrade()
        from server.extensions import db

        db.engine.dispose()


def _config(url: str, instance: Path) -> dict[str, Any]:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "VAPID_PRIVATE_KEY": "hbE5OX724cirXjjqHqS6iUPuvHRnTaLDdxCfBbUSP2s",  # a test key (server/push/keys.py)
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "BLOB_DIR": str(instance / "blobs"),
        "RATELIMIT_ENABLED": True,
        "PASSWORD_HASH_PROFILE": "fast",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
    }


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test (faster than migrating each time)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated PostgreSQL database of this worker's own."""
    base = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
                    if PG_URL.startswith("postgresql://") else PG_URL)
    # Worker and process in the name: two test runs on one machine never drop each other's database.
    name = f"lotsenbuch_test_{_worker()}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no PostgreSQL here"
        admin.dispose()
        skip_or_fail(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")
    url = base.set(database=name).render_as_string(hide_password=False)
    _migrate(url, tmp_path_factory.mktemp("pg-instance"))
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(app: Flask) -> None:
    """Empty every table for the next test, and restart the sequences.

    DELETE with triggers off (`session_replication_role = replica`: no foreign-key checks, no
    append-only trigger) takes about 40 ms; TRUNCATE of the 40 tables took 0.8 s on a busy machine,
    because it swaps every table's files: on ~1,300 PostgreSQL tests that was the largest single cost
    of the suite. Without the superuser right that the setting needs, TRUNCATE it is.
    """
    from sqlalchemy.exc import DBAPIError

    from server.extensions import db

    names = [f'"{t.name}"' for t in db.metadata.sorted_tables]
    try:
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            sequences = conn.execute(text("SELECT schemaname || '.' || sequencename FROM pg_sequences"))
            statements = [f"DELETE FROM {name}" for name in names]  # noqa: S608 - names from our metadata
            statements += [f"SELECT setval('{sequence}', 1, false)" for sequence in sequences.scalars()]
            conn.exec_driver_sql("; ".join(statements))
    except DBAPIError:
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    from server import create_app
    from server.extensions import db

    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    config = _config(url, tmp_path)
    if "smtp_server" in request.fixturenames:
        config.update(request.getfixturevalue("smtp_server").config())
    application = create_app(config)
    with application.app_context():
        try:
            yield application
        finally:
            db.session.remove()
            if backend == "postgres":
                _truncate_all(application)
            db.engine.dispose()


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server on loopback (tests/smtp_server.py); the `app` fixture sends to it when a test
    asks for both (email is off otherwise, as on an installation without MAIL_SERVER)."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# ---------------------------------------------------------------- factories

@pytest.fixture
def make_org(app: Flask) -> Callable[..., Any]:
    from server.accounts.operations import create_organization
    from server.extensions import db

    counter = {"n": 0}

    def make(slug: str | None = None, name: str | None = None) -> Any:
        counter["n"] += 1
        org = create_organization(slug or f"org-{counter['n']}", name or f"Organisation {counter['n']}")
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    from server.accounts.operations import create_user
    from server.extensions import db

    counter = {"n": 0}

    def make(org: Any, role: str = "guide", email: str | None = None, name: str | None = None,
             password: str | None = None) -> Any:
        counter["n"] += 1
        if role != "guide" and password is None:
            password = "correct horse battery"
        user = create_user(org, email or f"{role}{counter['n']}@example.org", role,
                           name or f"{role.title()} {counter['n']}", password)
        db.session.commit()
        return user

    return make


# ---------------------------------------------------------------- the clock

# A whole run at another moment: `LOTSENBUCH_TEST_NOW=2027-12-31T23:30:00+01:00 make test` (the Makefile's
# `test-dates` target does this for the date-sensitive tests). The clock starts there and ticks on.
SUITE_NOW = os.environ.get("LOTSENBUCH_TEST_NOW", "").strip()


def pytest_configure(config: pytest.Config) -> None:
    """Start the whole run's clock before collection, so module-level dates see it too."""
    if SUITE_NOW:
        import datetime as dt

        import time_machine

        time_machine.travel(dt.datetime.fromisoformat(SUITE_NOW), tick=True).start()


@pytest.fixture
def clock() -> Iterator[Callable[[str], Any]]:
    """Set the one clock (sync/clock.py) for one test: `clock("2028-02-29T23:30+01:00")` moves every
    reading of the system time there (ticking on); a second call moves it again."""
    import datetime as dt

    import time_machine

    travellers: list[Any] = []

    def set_to(moment: str) -> Any:
        while travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(dt.datetime.fromisoformat(moment), tick=True)
        traveller.start()
        travellers.append(traveller)
        return traveller

    yield set_to
    while travellers:
        travellers.pop().stop()
