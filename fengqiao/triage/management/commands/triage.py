"""python manage.py triage --input IN.jsonl --output OUT.jsonl (interfaces.md §3)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fengqiao.triage import batch, store


def existing_open_cases(appeals: list[batch.Appeal]) -> list[batch.Appeal]:
    """Open cases in the database received within the duplicate window before the batch
    (id = case number), oldest first. None when the database is not there."""
    from django.utils import timezone

    from fengqiao.cases.models import Case, Status
    from fengqiao.triage.duplicates import WINDOW

    times = [appeal.received_at for appeal in appeals if appeal.received_at is not None]
    start = (min(times) if times else timezone.now()) - WINDOW
    end = max(times) if times else timezone.now()
    try:
        rows = list(
            Case.objects.filter(received_at__gte=start, received_at__lte=end)
            .exclude(status__in=[Status.MERGED, Status.CLOSED])
            .order_by("received_at")
            .values_list("number", "text", "address", "received_at")[:50_000]
        )
    except DatabaseError:
        return []
    return [batch.Appeal(id=number, text=text, address=address, received_at=at) for number, text, address, at in rows]


class Command(BaseCommand):
    help = "Suggest subcategory, department, case type, urgency and duplicates for a JSON-lines file of appeals."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="JSON lines: id, text, address?, received_at?")
        parser.add_argument("--output", required=True, help="JSON lines, one per input line, same order")
        parser.add_argument("--no-database", action="store_true", help="Do not look for duplicates among open cases.")

    def handle(self, *args, **options):
        source = Path(options["input"])
        try:
            with source.open(encoding="utf-8-sig") as handle:
                appeals = batch.read_appeals(handle)
        except OSError as error:
            raise CommandError(f"{source}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{source}: not UTF-8 text") from None
        except batch.BadInput as error:
            raise CommandError(str(error)) from None
        existing = [] if options["no_database"] else existing_open_cases(appeals)
        results = batch.triage_appeals(appeals, model=store.get_model(), existing=existing)
        target = Path(options["output"])
        # Written to a temporary file and renamed: nothing half-written on failure.
        handle_fd, temporary = tempfile.mkstemp(dir=target.parent or Path("."), prefix=".triage-", suffix=".jsonl")
        try:
            with os.fdopen(handle_fd, "w", encoding="utf-8") as out:
                for result in results:
                    out.write(json.dumps(result, ensure_ascii=False) + "\n")
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        self.stderr.write(f"{len(results)} appeals triaged → {target}")
