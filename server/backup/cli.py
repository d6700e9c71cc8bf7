"""`flask --app server backup DIR`, `restore DIR --yes`, `verify-receipts DIR` (README "Backup and restore")."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask_babel import gettext as _
from flask_babel import ngettext

from server.backup import operations


def register_backup_cli(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("target", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(target: Path) -> None:
        """Back up the database and the receipts into a new folder, with a checksum of every receipt."""
        try:
            count = operations.backup(target)
        except operations.BackupError as exc:
            click.echo(_("Error: %(message)s", message=str(exc)), err=True)
            sys.exit(1)
        click.echo(ngettext("Backed up the database and %(num)s receipt into %(folder)s.",
                            "Backed up the database and %(num)s receipts into %(folder)s.", count, folder=str(target)))

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(file_okay=False, exists=True, path_type=Path))
    @click.option("--yes", is_flag=True, required=True, help="Replace the database and receipts with the backup's.")
    def restore_command(source: Path, yes: bool) -> None:
        """Replace the database and the receipts with a backup's (stop every host first); verify receipts."""
        try:
            _report(operations.restore(source))
        except operations.BackupError as exc:
            click.echo(_("Error: %(message)s", message=str(exc)), err=True)
            sys.exit(1)

    @app.cli.command("verify-receipts")
    @click.argument("source", type=click.Path(file_okay=False, exists=True, path_type=Path))
    def verify_command(source: Path) -> None:
        """Check every stored receipt against a backup's checksums."""
        _report(operations.verify(source / operations.MANIFEST))


def _report(outcome: operations.Verification) -> None:
    for problem in outcome.problems:
        click.echo(_("Error: %(message)s", message=problem), err=True)
    click.echo(ngettext("%(num)s receipt verified.", "%(num)s receipts verified.", outcome.verified))
    if outcome.problems:
        sys.exit(1)
