"""One typed table of every setting, read from environment variables with safe defaults.

The README's configuration section is generated from the same table (`flask --app server config-doc`),
so it cannot drift from what the code reads.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INSTANCE_DIR = Path(os.environ.get("LOTSENBUCH_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: Callable[[], Any]
    doc: str


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'lotsenbuch.sqlite'}"


def _default_secret_key() -> str:
    """Generate once and keep under instance/, so sessions survive restarts without configuration."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", str, _default_database_url,
            "SQLAlchemy URL. Default: a SQLite file under instance/. Production: "
            "postgresql+psycopg://user@host/db (plain postgresql:// is accepted too)."),
    Setting("SECRET_KEY", str, _default_secret_key,
            "Signs sessions and CSRF tokens. Default: generated once and kept in instance/secret_key. "
            "Set the same value on every host when running several."),
    Setting("BLOB_STORE", str, lambda: "folder",
            "Where receipt files live: `folder` (one host) or `database` (several hosts share PostgreSQL)."),
    Setting("BLOB_DIR", str, lambda: str(INSTANCE_DIR / "blobs"), "Folder for receipts when BLOB_STORE=folder."),
    Setting("REDIS_URL", str, lambda: "",
            "Optional. Rate-limit counters live here when set (needed with several hosts); memory otherwise."),
    Setting("PUBLIC_URL", str, lambda: "",
            "The address guides reach the server at, used in enrolment links and certificates; set it in "
            "production. Unset: the request's address if its host is in ALLOWED_HOSTS (else a 400), or "
            "http://127.0.0.1:5000 on the command line."),
    Setting("ALLOWED_HOSTS", str, lambda: "127.0.0.1,localhost,::1",
            "Only without PUBLIC_URL: the host names (comma-separated) whose requests may supply the address of "
            "enrolment and certificate links. Any other Host header gets a 400 instead of a link (server/public_url.py)."),
    Setting("DEFAULT_LOCALE", str, lambda: "de", "Language when neither the user's setting nor the browser decides."),
    Setting("SYNC_MAX_MUTATIONS", int, lambda: 500, "Most mutations one sync request may carry (more: 413)."),
    Setting("SYNC_MAX_BODY_BYTES", int, lambda: 2 * 1024 * 1024, "Largest sync request body in bytes (more: 413)."),
    Setting("BLOB_MAX_BYTES", int, lambda: 10 * 1024 * 1024, "Largest receipt upload in bytes (more: 413)."),
    Setting("ENROLMENT_CODE_DAYS", int, lambda: 7, "Days an enrolment code stays valid."),
    Setting("SESSION_COOKIE_SECURE", _bool, lambda: False, "Send the coordinator's session cookie over HTTPS only."),
    Setting("LOG_LEVEL", str, lambda: "INFO", "Python logging level."),
    Setting("TRUSTED_PROXIES", int, lambda: 0,
            "Number of reverse proxies / load balancers in front of the app whose X-Forwarded-For, -Proto, -Host "
            "and -Port headers are trusted (Werkzeug's ProxyFix). 0: none, the client address is the peer's. Set "
            "it to the real number of hops: the throttling of sign-ins is keyed by the address it yields."),
    Setting("RATELIMIT_ENABLED", _bool, lambda: True,
            "Throttle enrolment and sign-in attempts. Turn off only for load tests on loopback."),
)


def load_config(override: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read every setting: override, then environment variable, then default."""
    override = override or {}
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in override:
            config[setting.name] = override[setting.name]
        elif os.environ.get(setting.name, "") != "":
            config[setting.name] = setting.parse(os.environ[setting.name])
        else:
            config[setting.name] = setting.default()
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["DATABASE_URL"])
    for key, value in override.items():
        config.setdefault(key, value)
    return config


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator chose."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def settings_markdown() -> str:
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    defaults = {
        "DATABASE_URL": "`instance/lotsenbuch.sqlite`",
        "SECRET_KEY": "generated into `instance/secret_key`",
        "BLOB_DIR": "`instance/blobs`",
    }
    for s in SETTINGS:
        default = defaults.get(s.name) or f"`{s.default()}`" if s.name not in defaults else defaults[s.name]
        if default == "``":
            default = "unset"
        rows.append(f"| `{s.name}` | {default} | {s.doc} |")
    return "\n".join(rows)
