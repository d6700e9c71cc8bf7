"""Where receipt bytes live: a folder (one host) or the database (several hosts share PostgreSQL).

Both keep the metadata row in `blobs`; only the bytes' home differs. Every blob belongs to one
organization (server/blobs/models.py), so both are addressed by (organization id, SHA-256). Writes are
idempotent: the key is the SHA-256 of what the phone uploaded, so a retried upload finds its blob there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from server.blobs.models import Blob
from server.extensions import db


class BlobStore(Protocol):
    def write(self, organization_id: int, sha256: str, data: bytes) -> None: ...
    def read(self, organization_id: int, sha256: str) -> bytes | None: ...


class FolderStore:
    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def _path(self, organization_id: int, sha256: str) -> Path:
        return self.folder / str(int(organization_id)) / sha256[:2] / sha256

    def _legacy_path(self, sha256: str) -> Path:
        """Where revisions before 0008 kept a blob (one owner per hash: the row says whose it is)."""
        return self.folder / sha256[:2] / sha256

    def write(self, organization_id: int, sha256: str, data: bytes) -> None:
        path = self._path(organization_id, sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename: a crash never leaves half a receipt under its name.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def read(self, organization_id: int, sha256: str) -> bytes | None:
        for path in (self._path(organization_id, sha256), self._legacy_path(sha256)):
            if path.exists() and _owned(organization_id, sha256):
                return path.read_bytes()
        return None


def _owned(organization_id: int, sha256: str) -> bool:
    return db.session.get(Blob, (organization_id, sha256)) is not None


class DatabaseStore:
    def write(self, organization_id: int, sha256: str, data: bytes) -> None:
        blob = db.session.get(Blob, (organization_id, sha256))
        if blob is not None and blob.data is None:
            blob.data = data

    def read(self, organization_id: int, sha256: str) -> bytes | None:
        return db.session.scalar(select(Blob.data).where(Blob.organization_id == organization_id,
                                                         Blob.sha256 == sha256))


def blob_store() -> BlobStore:
    if current_app.config["BLOB_STORE"] == "database":
        return DatabaseStore()
    return FolderStore(current_app.config["BLOB_DIR"])
