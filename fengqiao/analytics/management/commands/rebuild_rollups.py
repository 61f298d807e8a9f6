"""``manage.py rebuild_rollups [--from D --to D] [--check]``: recount the rollups from the cases."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fengqiao.analytics import rollups
from fengqiao.analytics.periods import parse_period
from fengqiao.core.errors import DomainError


class Command(BaseCommand):
    help = "Rebuild the rollups from the case table (whole months), or check them against a fresh count."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", help="First receiving day, YYYY-MM-DD (default: all).")
        parser.add_argument("--to", dest="date_to", help="Last receiving day, YYYY-MM-DD.")
        parser.add_argument(
            "--check", action="store_true", help="Change nothing: report where the rollups differ from a recount."
        )

    def handle(self, *args, date_from, date_to, check: bool, **options):
        first = last = None
        if date_from or date_to:
            try:
                first, last = parse_period(date_from, date_to)
            except DomainError as exc:
                raise CommandError(str(exc.message)) from None
        started = time.perf_counter()
        if check:
            self._check()
            return
        counted = rollups.rebuild(first_day=first, last_day=last)
        self.stdout.write(f"Rollups rebuilt from {counted} cases in {time.perf_counter() - started:.1f} s.")

    def _check(self) -> None:
        stored = rollups.snapshot()
        with transaction.atomic():
            rollups.rebuild()
            fresh = rollups.snapshot()
            transaction.set_rollback(True)
        differences = [
            (table, key, stored[table].get(key), fresh[table].get(key))
            for table in stored
            for key in set(stored[table]) | set(fresh[table])
            if stored[table].get(key) != fresh[table].get(key)
        ]
        if differences:
            for table, key, mine, theirs in differences[:20]:
                self.stderr.write(f"{table} {key}: stored {mine}, recounted {theirs}")
            raise CommandError(f"{len(differences)} rollup rows differ from a recount; run rebuild_rollups.")
        counts = ", ".join(f"{len(rows)} {table}" for table, rows in stored.items())
        self.stdout.write(f"The rollups agree with the cases ({counts} rows).")
