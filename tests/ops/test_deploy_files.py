"""The production example in deploy/ (README "Production on PostgreSQL") is well-formed: every systemd unit
parses, runs a command the app has, and every timer names a service that exists; the Caddyfile's blocks
balance and it proxies to app hosts with a health check."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("lotsenbuch*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def cli_commands() -> set[str]:
    from server import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "VAPID_PRIVATE_KEY": "hbE5OX724cirXjjqHqS6iUPuvHRnTaLDdxCfBbUSP2s"})
    return set(app.cli.list_commands(None)) | {"db"}  # type: ignore[arg-type]


def test_there_are_units_for_app_mail_and_every_scheduled_job() -> None:
    names = {p.name for p in UNITS}
    assert {"lotsenbuch.service", "lotsenbuch-mail.service", "lotsenbuch-reminders.timer", "lotsenbuch-digest.timer",
            "lotsenbuch-backup.timer"} <= names


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_parses_and_runs_a_real_command(path: Path) -> None:
    parsed = unit(path)
    assert parsed.has_section("Unit") and parsed["Unit"].get("Description")
    if path.suffix == ".timer":
        assert parsed["Timer"].get("OnCalendar")
        assert (path.parent / path.name.replace(".timer", ".service")).exists()
        return
    service = parsed["Service"]
    assert service["EnvironmentFile"] == "/etc/lotsenbuch/lotsenbuch.env"
    commands = cli_commands()
    for key in ("ExecStartPre", "ExecStart"):
        if key not in service:
            continue
        words = shlex.split(service[key].replace("%%", "%"))
        if words[0] == "/bin/sh":
            words = shlex.split(words[2].removeprefix("exec "))
        program = Path(words[0]).name
        assert program in {"flask", "gunicorn"}, words
        if program == "flask":
            assert words[1:3] == ["--app", "server"] and words[3] in commands, words
        else:
            assert words[words.index("-c") + 1] == "server/gunicorn.conf.py"
            assert (ROOT / "server/gunicorn.conf.py").exists() and words[-1] == "server:create_app()"


def test_environment_file_names_only_real_settings() -> None:
    from server.config import SETTINGS

    known = {s.name for s in SETTINGS} | {"PROMETHEUS_MULTIPROC_DIR"}
    for line in (DEPLOY / "systemd" / "lotsenbuch.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert line.split("=", 1)[0] in known, line


def test_caddyfile_is_balanced_and_proxies_with_health_checks() -> None:
    text = "\n".join(line.split("#", 1)[0] for line in (DEPLOY / "Caddyfile").read_text().splitlines())
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    site = re.search(r"^(\S+\.\S+)\s*\{", text, re.M)
    assert site is not None and not site.group(1).startswith("http://")  # a domain: Caddy serves it with TLS
    proxy = re.search(r"reverse_proxy ([^{]+)\{([^}]*)\}", text)
    assert proxy is not None
    assert all(re.fullmatch(r"[\w.-]+:\d+", upstream) for upstream in proxy.group(1).split())
    assert "health_uri /healthz" in proxy.group(2)
