"""`aftersales import_data customers|sites|equipment FILE [--dry-run] [--as USERNAME]`."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from aftersales.core.importing import importers, run_import


class Command(BaseCommand):
    help = ("Import customers, sites or equipment from a .csv or .xlsx file, all or nothing: "
            "if any row has an error, nothing is written and every error is listed.")

    def add_arguments(self, parser):
        parser.add_argument("kind", help="customers, sites or equipment")
        parser.add_argument("file", help="path to a .csv (UTF-8 or GB18030) or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                            help="import as this user (needs the add permission; recorded in the audit log)")

    def handle(self, *args, kind, file, dry_run=False, as_user=None, **options):
        kinds = importers()
        if kind not in kinds:
            raise CommandError(f"unknown kind {kind!r}; use one of: {', '.join(kinds)}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        actor = None
        if as_user:
            try:
                actor = get_user_model().objects.get(username=as_user, is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"no active user named {as_user!r}") from None
        try:
            report = run_import(actor=actor, importer_class=kinds[kind], name=path.name,
                                data=path.read_bytes(), dry_run=dry_run)
        except PermissionDenied:
            raise CommandError(f"{as_user} may not import {kind} (needs {kinds[kind].permission})") from None
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"nothing imported: {len(report.errors)} error(s) in {path.name}")
        if dry_run:
            self.stdout.write(f"dry run: {report.rows} {kind} would be imported; nothing written")
        else:
            self.stdout.write(f"imported {report.created} {kind}")
