"""``manage.py early_warnings --month YYYY-MM [--json]`` (interfaces §6): detect, store, print."""

import json

from django.core.management.base import BaseCommand, CommandError

from fengqiao.analytics import early_warning
from fengqiao.analytics.periods import parse_month
from fengqiao.core.errors import DomainError


class Command(BaseCommand):
    help = "Compute and store the early warnings of a month, and print them."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month, YYYY-MM.")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print a JSON list.")

    def handle(self, *args, month: str, as_json: bool, **options):
        try:
            first = parse_month(month)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        findings = early_warning.detect(first)
        early_warning.store(first, findings)
        items = [finding.as_dict() for finding in findings]
        if as_json:
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=2))
            return
        for item in items:
            self.stdout.write(f"[{item['level']}] {item['reason']}")
        self.stdout.write(f"{len(items)}")
