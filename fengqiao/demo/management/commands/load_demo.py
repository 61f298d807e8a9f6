"""``manage.py load_demo [--cases N] [--reset]``: build the demo city from the seed page."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from fengqiao.demo import builder
from fengqiao.disputes.demo import load_disputes_demo


class Command(BaseCommand):
    help = (
        "Build the demo city (合肥经开区 临湖/芙蓉/锦绣/海恒, 滨湖世纪, 嘉禾, 株洲): units, party "
        "organisations, one user per role (password fengqiao-demo), a year of cases and open "
        "work for the personas. Does nothing when the demo is already loaded, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases", type=int, default=2000, help="How many historical cases to generate (default 2000)."
        )
        parser.add_argument("--reset", action="store_true", help="Delete the demo's data first and build it again.")

    def handle(self, *args, cases: int, reset: bool, **options):
        if cases < 0:
            raise CommandError("--cases must not be negative.")
        try:
            summary = builder.load_demo(cases=cases, reset=reset)
        except builder.DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        except ProtectedError as exc:
            raise CommandError(f"Other data still refers to the demo, so it cannot be removed: {exc}") from exc
        load_disputes_demo()
        if summary is None:
            self.stdout.write(builder.ALREADY_LOADED)
            return
        self.stdout.write(
            f"Demo loaded: {summary.units} units, {summary.party_organisations} party organisations, "
            f"{summary.users} users, {summary.cases} cases ({summary.live_cases} open for the personas), "
            f"{summary.events} case events."
        )
        self._persona_table(summary.personas)

    def _persona_table(self, rows: list[builder.PersonaRow]) -> None:
        header = ("username", "role", "unit", "password")
        table = [header] + [(row.username, row.role, row.unit, row.password) for row in rows]
        widths = [max(_width(line[column]) for line in table) for column in range(len(header))]
        for index, line in enumerate(table):
            cells = [value + " " * (widths[column] - _width(value)) for column, value in enumerate(line)]
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)
