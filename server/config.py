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


def _default_vapid_private_key() -> str:
    """Like the secret key: made once into instance/, so push subscriptions survive restarts."""
    path = INSTANCE_DIR / "vapid_private_key"
    if not path.exists():
        from server.push.keys import new_private_key

        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(new_private_key())
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
            "The address guides reach the server at, used in enrolment links, certificates and the public form's status links; set it in "
            "production. Unset: the request's address if its host is in ALLOWED_HOSTS (else a 400), or "
            "http://127.0.0.1:5000 on the command line."),
    Setting("ALLOWED_HOSTS", str, lambda: "127.0.0.1,localhost,::1",
            "Only without PUBLIC_URL: the host names (comma-separated) whose requests may supply the address of "
            "enrolment and certificate links. Any other Host header gets a 400 instead of a link (server/public_url.py)."),
    Setting("DEFAULT_LOCALE", str, lambda: "de", "Language when neither the user's setting nor the browser decides."),
    Setting("SYNC_MAX_MUTATIONS", int, lambda: 500, "Most mutations one sync request may carry (more: 413)."),
    Setting("SYNC_MAX_BODY_BYTES", int, lambda: 2 * 1024 * 1024, "Largest sync request body in bytes (more: 413)."),
    Setting("BLOB_MAX_BYTES", int, lambda: 10 * 1024 * 1024, "Largest receipt upload in bytes (more: 413)."),
    Setting("LOGO_MAX_BYTES", int, lambda: 1024 * 1024,
            "Largest organization logo (PNG or JPEG, for funder reports) an admin may upload, in bytes."),
    Setting("ENROLMENT_CODE_DAYS", int, lambda: 7, "Days an enrolment code stays valid."),
    Setting("SESSION_COOKIE_SECURE", _bool, lambda: False, "Send the coordinator's session cookie over HTTPS only."),
    Setting("VAPID_PRIVATE_KEY", str, _default_vapid_private_key,
            "Signs Web Push requests (VAPID, RFC 8292): the P-256 private key, base64url of its 32 bytes. "
            "Default: generated once and kept in instance/vapid_private_key. Set the same value on every "
            "host when running several (phones subscribed with its public key)."),
    Setting("VAPID_SUBJECT", str, lambda: "",
            "Optional. Contact for the push services in VAPID claims (mailto: or https:). Default: PUBLIC_URL "
            "if it is https, else mailto:push@localhost."),
    Setting("LOG_LEVEL", str, lambda: "INFO", "Python logging level."),
    Setting("LOG_FORMAT", str, lambda: "text",
            "`text`, or `json`: one JSON object a line (time, level, logger, message, request id, method, path, "
            "status, duration). Tokens, enrolment codes, IBANs, notes and names are redacted either way."),
    Setting("METRICS_TOKEN", str, lambda: "",
            "Optional. Bearer token for Prometheus at GET /metrics; unset, /metrics answers 404. With several "
            "gunicorn workers also set PROMETHEUS_MULTIPROC_DIR (see Production)."),
    Setting("TRUSTED_PROXIES", int, lambda: 0,
            "Number of reverse proxies / load balancers in front of the app whose X-Forwarded-For, -Proto, -Host "
            "and -Port headers are trusted (Werkzeug's ProxyFix). 0: none, the client address is the peer's. Set "
            "it to the real number of hops: the throttling of sign-ins is keyed by the address it yields."),
    Setting("RATELIMIT_ENABLED", _bool, lambda: True,
            "Throttle enrolment and sign-in attempts. Turn off only for load tests on loopback."),
    Setting("PUBLIC_REQUEST_LIMIT_PER_ADDRESS", str, lambda: "5 per hour; 20 per day",
            "Most submissions of the public request form from one network address (Flask-Limiter syntax)."),
    Setting("PUBLIC_REQUEST_LIMIT_PER_ORGANIZATION", str, lambda: "60 per day",
            "Most submissions of one organization's public request form, from everyone together."),
    Setting("PUBLIC_REQUEST_MAX_BYTES", int, lambda: 32768, "Largest public request form body in bytes (more: 413)."),
    # Email (server/outbox/): without MAIL_SERVER and MAIL_BACKEND, email is off and the desk says so.
    Setting("MAIL_BACKEND", str, lambda: "",
            "How mail leaves: `smtp` (MAIL_SERVER), `file` (one .eml per mail into MAIL_FILE_PATH; `make run` "
            "uses it when no SMTP server is set) or `off`. Default: `smtp` when MAIL_SERVER is set, else `off`."),
    Setting("MAIL_SERVER", str, lambda: "", "SMTP server's host name. Setting it turns email on."),
    Setting("MAIL_PORT", int, lambda: 587, "SMTP server's port (587 with STARTTLS, 465 with SSL, 25 plain)."),
    Setting("MAIL_USE_TLS", _bool, lambda: False, "Use STARTTLS after connecting (port 587)."),
    Setting("MAIL_USE_SSL", _bool, lambda: False, "Connect with TLS from the start (port 465)."),
    Setting("MAIL_USERNAME", str, lambda: "", "Optional. User name for the SMTP server."),
    Setting("MAIL_PASSWORD", str, lambda: "", "Optional. Password for the SMTP server."),
    Setting("MAIL_DEFAULT_SENDER", str, lambda: "Lotsenbuch <lotsenbuch@localhost>",
            "The sender address of every mail; its domain also names the mails' Message-IDs."),
    Setting("MAIL_FILE_PATH", str, lambda: str(INSTANCE_DIR / "mail"), "Folder for mails when MAIL_BACKEND=file."),
    Setting("MAIL_TIMEOUT", int, lambda: 20, "Seconds to wait for the SMTP server before trying again later."),
    Setting("OUTBOX_MAX_ATTEMPTS", int, lambda: 15,
            "Attempts per message while the server is unreachable or answers 4xx (backoff from 30 s, doubling "
            "to at most an hour between attempts), before the message is given up."),
    Setting("OUTBOX_PERMANENT_ATTEMPTS", int, lambda: 3,
            "Attempts per message the server refuses permanently (5xx) before it is given up."),
    Setting("OUTBOX_BATCH", int, lambda: 200, "Messages one sender leases and sends at a time."),
    Setting("MAIL_CONNECTIONS", int, lambda: 4,
            "SMTP connections a sender opens at once for a batch of mails (each sends its share in turn)."),
    Setting("OUTBOX_LEASE_SECONDS", int, lambda: 300,
            "How long a sender holds a leased batch; a sender that died releases it after this time."),
    Setting("OUTBOX_POLL_SECONDS", float, lambda: 5.0, "How often `send-mail` looks for due messages."),
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
        "MAIL_FILE_PATH": "`instance/mail`",
        "VAPID_PRIVATE_KEY": "generated into `instance/vapid_private_key`",
    }
    for s in SETTINGS:
        default = defaults.get(s.name) or f"`{s.default()}`" if s.name not in defaults else defaults[s.name]
        if default == "``":
            default = "unset"
        rows.append(f"| `{s.name}` | {default} | {s.doc} |")
    return "\n".join(rows)
