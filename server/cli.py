"""The command line (README "Command line"): `flask --app server <command>`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from server.accounts import operations as ops
from server.audit.log import record_event
from server.extensions import db


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)


def public_url() -> str:
    from server.public_url import public_base_url

    return public_base_url()


def register_cli(app: Flask) -> None:
    from server.backup.cli import register_backup_cli
    from server.outbox.cli import register_outbox_cli

    register_outbox_cli(app)
    register_backup_cli(app)

    @app.cli.command("create-org")
    @click.option("--slug", required=True, help="Short name in addresses, e.g. vhs-hannover.")
    @click.option("--name", required=True, help="Full name, e.g. 'VHS Hannover – Integrationslotsen'.")
    def create_org(slug: str, name: str) -> None:
        """Create an organization (Träger)."""
        try:
            org = ops.create_organization(slug, name)
            record_event("organization.created", org.id, object_type="organization", object_id=org.id,
                         details={"via": "cli"})
            db.session.commit()
        except ops.AccountError as exc:
            _fail(str(exc))
        click.echo(_("Created organization %(slug)s.", slug=org.slug))

    @app.cli.command("create-user")
    @click.option("--org", "org_slug", required=True, help="Slug of the organization.")
    @click.option("--email", required=True)
    @click.option("--role", required=True, help="guide, coordinator or admin.")
    @click.option("--name", required=True)
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    def create_user(org_slug: str, email: str, role: str, name: str, password_stdin: bool) -> None:
        """Create a user; coordinators and admins get a password (prompted, or read from stdin)."""
        password = None
        try:
            org = ops.get_organization(org_slug)
            if role in ("coordinator", "admin"):
                if password_stdin:
                    password = sys.stdin.readline().rstrip("\r\n")
                else:
                    password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
            user = ops.create_user(org, email, role, name, password)
            record_event("user.created", org.id, object_type="user", object_id=user.id,
                         details={"role": role, "via": "cli"})
            db.session.commit()
        except ops.AccountError as exc:
            _fail(str(exc))
        click.echo(_("Created %(role)s %(email)s in %(org)s.", role=role, email=user.email, org=org.slug))

    @app.cli.command("enrolment-code")
    @click.option("--email", required=True, help="The guide's email.")
    def enrolment_code(email: str) -> None:
        """Issue a one-time enrolment code for a guide's phone; the code is the last line printed."""
        try:
            user = ops.get_user_by_email(email)
            code = ops.issue_enrolment_code(user)
            membership = ops.guide_membership(user)
            record_event("device.enrolment_code_issued", membership.organization_id, object_type="user",
                         object_id=user.id, details={"via": "cli"})
            db.session.commit()
        except ops.AccountError as exc:
            _fail(str(exc))
        days = current_app.config["ENROLMENT_CODE_DAYS"]
        click.echo(ngettext("Enrolment link for %(email)s (valid %(count)s day, once):",
                            "Enrolment link for %(email)s (valid %(count)s days, once):", days,
                            email=user.email, count=days))
        click.echo(ops.enrolment_link(code, public_url()))
        click.echo(ops.format_code(code))

    @app.cli.command("revoke-devices")
    @click.option("--email", required=True, help="The guide's email.")
    def revoke_devices(email: str) -> None:
        """Revoke every device of a guide (a lost or passed-on phone)."""
        try:
            user = ops.get_user_by_email(email)
            count = ops.revoke_devices(user)
            membership = ops.guide_membership(user)
            record_event("device.revoked_all", membership.organization_id, object_type="user", object_id=user.id,
                         details={"count": count, "via": "cli"})
            db.session.commit()
        except ops.AccountError as exc:
            _fail(str(exc))
        click.echo(ngettext("Revoked %(count)s device of %(email)s.", "Revoked %(count)s devices of %(email)s.", count,
                            count=count, email=user.email))

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Fill an empty database with the demo; a second run adds nothing."""
        from server.demo.seed import seed_demo_data

        summary = seed_demo_data()
        if summary is None:
            click.echo(_("The demo is already there; nothing added."))
        else:
            click.echo(_("Demo added: %(summary)s", summary=summary))

    @app.cli.command("demo-info")
    def demo_info() -> None:
        """Print the demo logins and a fresh enrolment link for a demo guide (used by `make run`)."""
        from server.demo.seed import demo_info_lines

        for line in demo_info_lines(public_url()):
            click.echo(line)
        db.session.commit()

    @app.cli.command("config-doc")
    def config_doc() -> None:
        """Print the configuration table (Markdown) for the README."""
        from server.config import settings_markdown

        click.echo(settings_markdown())

    @app.cli.command("send-reminders")
    def send_reminders_command() -> None:
        """Push today's reminders (claim, hours, plenum) to guides; idempotent, for cron."""
        from server.reminders.operations import send_reminders
        from sync import clock

        run = send_reminders(db.session, clock.today())
        db.session.commit()
        click.echo(ngettext("%(num)s reminder sent.", "%(num)s reminders sent.", run.total)
                   + "".join(f" {kind}: {count}" for kind, count in sorted(run.sent.items())))

    @app.cli.command("refresh-directory")
    def refresh_directory_command() -> None:
        """Recount the published directory entries from live data (nightly, for cron; idempotent)."""
        from server.public.directory import refresh_directory

        refreshed, changed = refresh_directory(db.session)
        db.session.commit()
        click.echo(_("Refreshed %(refreshed)s directory entries; the numbers of %(changed)s changed.",
                     refreshed=refreshed, changed=changed))

    @app.cli.command("apply-retention")
    @click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
    def apply_retention_command(dry_run: bool) -> None:
        """Anonymise closed records older than each organization's retention period (for cron)."""
        from server.privacy.retention import apply_retention

        results = apply_retention(db.session)
        for slug, counts in results.items():
            # Each count with its own plural form; the line joins them (translators may reorder).
            click.echo(_("%(org)s: %(assignments)s, %(clients)s, %(notes)s, %(conflicts)s", org=slug,
                         assignments=ngettext("%(num)s assignment", "%(num)s assignments", counts.assignments),
                         clients=ngettext("%(num)s client", "%(num)s clients", counts.clients),
                         notes=ngettext("%(num)s activity note", "%(num)s activity notes", counts.activity_notes),
                         conflicts=ngettext("%(num)s conflict", "%(num)s conflicts", counts.conflicts)))
        if dry_run:
            db.session.rollback()
            click.echo(_("Dry run: nothing was changed."))
            return
        from sqlalchemy import select

        from server.organizations.models import Organization

        ids = dict(db.session.execute(select(Organization.slug, Organization.id)).all())
        for slug, counts in results.items():
            if counts.total:
                record_event("privacy.retention_applied", ids.get(slug), details={**counts.as_dict(), "via": "cli"})
        db.session.commit()
        total = sum(c.total for c in results.values())
        click.echo(ngettext("Anonymised %(count)s record.", "Anonymised %(count)s records.", total, count=total))
