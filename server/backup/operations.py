"""What `flask --app server backup` and `restore` do, step by step.

A backup is a folder: `database.dump` (pg_dump's custom format) or `database.sqlite`, `blobs/` (the folder
store's files, copied after the dump, so every receipt the dump lists has its file), `receipts.sha256`
(the SHA-256 of every stored receipt's bytes, `<digest>  <organization>/<sha256>`) and `backup.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.engine import URL, make_url

from server.blobs.models import Blob
from server.blobs.store import blob_store
from server.extensions import db
from sync import clock
from sync.tables import SyncCounter, new_epoch

MANIFEST = "receipts.sha256"


class BackupError(RuntimeError):
    pass


@dataclass
class Verification:
    verified: int = 0
    problems: list[str] = field(default_factory=list)


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq address for pg_dump/pg_restore, the password in the environment (not on the command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]}: {done.stderr.strip()[-500:]}")


def stored_receipts() -> Iterator[tuple[int, str, bytes | None]]:
    store = blob_store()
    for organization_id, sha256 in db.session.execute(select(Blob.organization_id, Blob.sha256)
                                                      .order_by(Blob.organization_id, Blob.sha256)):
        yield organization_id, sha256, store.read(organization_id, sha256)


def backup(target: Path) -> int:
    """Write a backup into `target` (new or empty); returns the number of receipts in its manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    url = _url()
    db.session.remove()
    if url.get_backend_name() == "postgresql":
        address, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file",
              str(target / "database.dump"), address], env)
    else:
        source = sqlite3.connect(str(url.database))
        with sqlite3.connect(str(target / "database.sqlite")) as copy:
            source.backup(copy)
        source.close()
    folder = Path(current_app.config["BLOB_DIR"])
    if current_app.config["BLOB_STORE"] != "database" and folder.exists():
        shutil.copytree(folder, target / "blobs")
    lines = [f"{hashlib.sha256(data).hexdigest()}  {org}/{sha}" for org, sha, data in stored_receipts() if data is not None]
    (target / MANIFEST).write_text("".join(line + "\n" for line in lines))
    revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    (target / "backup.json").write_text(json.dumps({
        "created_at": clock.utcnow().isoformat(), "database": url.get_backend_name(),
        "blob_store": current_app.config["BLOB_STORE"], "revision": revision, "receipts": len(lines)}, indent=2))
    db.session.remove()
    return len(lines)


def restore(source: Path) -> Verification:
    """Put a backup back (the app must not be serving meanwhile), draw a new feed epoch, verify receipts."""
    for name in (MANIFEST, "backup.json"):
        if not (source / name).exists():
            raise BackupError(f"{source / name} is missing: not a backup")
    url = _url()
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "postgresql":
        if not (source / "database.dump").exists():
            raise BackupError(f"{source / 'database.dump'} is missing")
        address, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--dbname", address, str(source / "database.dump")], env)
    else:
        with sqlite3.connect(str(source / "database.sqlite")) as copy, sqlite3.connect(str(url.database)) as live:
            copy.backup(live)
    if current_app.config["BLOB_STORE"] != "database" and (source / "blobs").exists():
        folder = Path(current_app.config["BLOB_DIR"])
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(source / "blobs", folder)
    # Cursors handed out since the backup name positions of a history this database no longer has.
    db.session.execute(update(SyncCounter).values(epoch=new_epoch()))
    db.session.commit()
    return verify(source / MANIFEST)


def verify(manifest: Path) -> Verification:
    """Every receipt the database lists has its bytes, and they are the bytes the manifest recorded."""
    expected: dict[str, str] = {}
    for line in manifest.read_text().splitlines():
        digest, _sep, key = line.partition("  ")
        expected[key] = digest
    outcome = Verification()
    for org, sha, data in stored_receipts():
        key = f"{org}/{sha}"
        if data is None:
            outcome.problems.append(f"{key}: missing")
        elif key in expected and hashlib.sha256(data).hexdigest() != expected[key]:
            outcome.problems.append(f"{key}: checksum differs")
        else:
            outcome.verified += 1
    present = {f"{org}/{sha}" for org, sha in db.session.execute(select(Blob.organization_id, Blob.sha256))}
    outcome.problems += [f"{key}: in the backup, not in the database" for key in sorted(set(expected) - present)]
    db.session.remove()
    return outcome
