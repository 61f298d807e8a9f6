"""``manage.py kpis --from YYYY-MM-DD --to YYYY-MM-DD [--unit CODE] [--json]`` (interfaces §5)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fengqiao.analytics import kpis
from fengqiao.analytics.periods import find_unit, parse_period
from fengqiao.core.errors import DomainError


class Command(BaseCommand):
    help = "Print the KPIs of the cases received in a period in a unit's subtree (everything without --unit)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="First receiving day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", required=True, help="Last receiving day, YYYY-MM-DD.")
        parser.add_argument("--unit", help="Code of the unit whose subtree is counted.")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, date_from, date_to, unit, as_json: bool, **options):
        try:
            start, end = parse_period(date_from, date_to)
            target = find_unit(unit) if unit else None
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        report = kpis.report(target, date_from=start, date_to=end)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{report.unit.name if report.unit else _('All units')}  {start} – {end}")
        self.stdout.write(f"{_('Received')}: {report.received}   {_('Closed')}: {report.closed}")
        for key, rate in report.rates.items():
            label = str(kpis.RATE_LABELS[key])
            self.stdout.write(f"{label:<12} {rate.percent:>8}  ({rate.numerator}/{rate.denominator})")
