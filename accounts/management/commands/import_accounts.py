"""manage.py import_accounts FILE.csv: accounts from the city's previous permit system."""

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.importing import COLUMNS, ImportRejected, accounts_import, import_file_decode


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse needs a str, so translated when the parser is made
        return _(
            "Create or update public and contractor accounts from a CSV export of the city's "
            "previous permit system (eTRAKiT). Every row is checked first: with any error, "
            "nothing is saved."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "csv_path",
            metavar="FILE.csv",
            help=_("UTF-8 CSV with a header row; columns: %(columns)s")
            % {"columns": ", ".join(COLUMNS)},
        )

    def handle(self, *args, csv_path: str, **options) -> None:
        path = Path(csv_path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(_("There is no file at %(path)s.") % {"path": path}) from None
        except IsADirectoryError:
            raise CommandError(
                _("%(path)s is a folder; give the path of the CSV file.") % {"path": path}
            ) from None
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None

        try:
            text = import_file_decode(data=data, max_bytes=None)
            result = accounts_import(csv_file=io.StringIO(text, newline=""))
        except ImportRejected as rejection:
            for error in rejection.errors:
                self.stderr.write(error)
            count = len(rejection.errors)
            raise CommandError(
                ngettext(
                    "%(count)d problem in %(path)s; nothing was imported.",
                    "%(count)d problems in %(path)s; nothing was imported.",
                    count,
                )
                % {"count": count, "path": path}
            ) from None

        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(created)d, updated %(updated)d, unchanged %(unchanged)d.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
