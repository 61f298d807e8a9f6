"""``manage.py scheduler``: run the background jobs of FENGQIAO_SCHEDULE at their times.

``--run NAME`` runs one job now and exits (for cron or by hand); ``--list`` shows the jobs and
when each runs next. A job that fails is logged and tried again at its next time; the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("fengqiao.scheduler")


def next_run(at: str, after: dt.datetime) -> dt.datetime:
    """The next local time HH:MM strictly after `after`, or for "*/N" the next whole multiple of
    N minutes."""
    local = timezone.localtime(after)
    if at.startswith("*/"):
        step = int(at[2:])
        start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        elapsed = int((local - start_of_day).total_seconds() // 60)
        return start_of_day + dt.timedelta(minutes=(elapsed // step + 1) * step)
    hour, minute = (int(part) for part in at.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


class Command(BaseCommand):
    help = "Run the scheduled background jobs (nightly early warnings, rollup upkeep)."

    def add_arguments(self, parser):
        parser.add_argument("--run", metavar="NAME", help="Run this job once, now, and exit.")
        parser.add_argument("--list", dest="show_list", action="store_true", help="List the jobs and their next run.")

    def handle(self, *args, run: str | None, show_list: bool, **options):
        jobs = {name: (at, path) for name, at, path in settings.FENGQIAO_SCHEDULE}
        now = timezone.now()
        if show_list:
            for name, (at, path) in jobs.items():
                self.stdout.write(f"{name:<16} {at}  next {next_run(at, now):%Y-%m-%d %H:%M}  {path}")
            return
        if run:
            if run not in jobs:
                raise CommandError(f"No job named {run!r}; the jobs are: {', '.join(jobs)}")
            self.stdout.write(f"{run}: {self._run(run, jobs[run][1])}")
            return
        due = {name: next_run(at, now) for name, (at, _path) in jobs.items()}
        self.stdout.write(f"Scheduler started with {len(jobs)} jobs.")
        while True:
            name = min(due, key=lambda key: due[key])
            wait = (due[name] - timezone.now()).total_seconds()
            if wait > 0:
                time.sleep(min(wait, 60))
                continue
            try:
                self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M} {name}: {self._run(name, jobs[name][1])}")
            except Exception:
                logger.exception("scheduled job %s failed", name)
            due[name] = next_run(jobs[name][0], timezone.now())

    def _run(self, name: str, path: str) -> str:
        started = time.perf_counter()
        result = import_string(path)(timezone.now())
        return f"{result} ({time.perf_counter() - started:.1f} s)"
