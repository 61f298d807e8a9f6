"""``manage.py import_cases FILE``: load the case ledger (台账) from a CSV or XLSX file."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from fengqiao.cases.importing import BATCH_SIZE, CaseImportError, import_cases


class Progress:
    """A progress line on stderr: rewritten in place on a terminal, a line every few seconds
    otherwise (a log file), silent when disabled (--verbosity 0)."""

    LOG_INTERVAL = 5.0

    def __init__(self, stream: OutputWrapper, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.started = time.monotonic()
        self.last = self.started  # a log gets its first line after LOG_INTERVAL: none for a small file
        self.rows = 0
        self.drawn = False

    def update(self, rows: int, expected: int | None) -> None:
        self.rows = rows
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty and now - self.last < self.LOG_INTERVAL:
            return
        self.last = now
        text = f"import_cases: {rows:,} rows"
        if expected:
            text += f" of ~{max(expected, rows):,} ({min(rows / expected, 1):.0%})"
        elapsed = now - self.started
        if elapsed > 0:
            text += f", {rows / elapsed:,.0f} rows/s"
        if self.tty:
            self.stream.write(f"\r{text}\033[K", ending="")
            self.drawn = True
        else:
            self.stream.write(text)

    def finish(self) -> None:
        if not self.enabled or not self.rows:
            return
        if self.drawn:
            self.stream.write("\r\033[K", ending="")
        elapsed = time.monotonic() - self.started
        rate = f" ({self.rows / elapsed:,.0f} rows/s)" if elapsed > 0 and self.rows else ""
        self.stream.write(f"import_cases: read {self.rows:,} rows in {elapsed:.1f} s{rate}")


class Command(BaseCommand):
    help = (
        "Create or update cases from a ledger (台账) file, CSV or XLSX, one case a row, with the columns "
        "number/编号, received_at/受理时间, channel/来源, case_type/类型, unit/所属单位, subcategory/分类, "
        "text/诉求内容, address/地址, department/承办单位, status/状态, deadline/办理时限, closed_at/办结时间, "
        "satisfaction/满意度, resolved/是否解决, mediation/调解结果 (and optionally merged_into/合并至). "
        "A number already in the database updates that case; a row that matches it changes nothing. "
        "Times without an offset are Asia/Shanghai; an empty deadline is computed from the taxonomy limit; "
        "an empty department of a case in handling comes from the routing table. replied_at is set to "
        "closed_at when known (else left empty), dispatched_at and signed_at are left empty. "
        "Each created or changed case gets one case.import event. A CSV that is not UTF-8 is read as "
        "GBK/GB18030 if it decodes as such. All or nothing: a file with any bad row imports nothing "
        "(every bad row is listed on stderr, exit status 1) unless --skip-invalid is given. "
        "See docs/import-cases.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV or XLSX file.")
        parser.add_argument(
            "--skip-invalid",
            metavar="OUTFILE",
            help="Import the good rows and write the bad ones, with an added error column, to OUTFILE "
            "(CSV, UTF-8 with a BOM, for Excel).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Rows written per bulk insert (default {BATCH_SIZE}).",
        )

    def handle(self, *args, file: str, skip_invalid: str | None, batch_size: int, **options):
        verbosity = options["verbosity"]
        progress = Progress(self.stderr, enabled=verbosity > 0)
        try:
            summary = import_cases(
                path=Path(file),
                skip_invalid=Path(skip_invalid) if skip_invalid else None,
                batch_size=batch_size,
                progress=progress.update,
            )
        except CaseImportError as exc:
            progress.finish()
            if exc.encoding == "gb18030" and verbosity > 0:
                self.stdout.write(f"{file} is not UTF-8: read as GBK/GB18030")
            for error in exc.errors:
                self.stderr.write(str(error))
            count = len(exc.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {file}; nothing was imported.", returncode=1
            ) from exc
        progress.finish()
        for error in summary.errors:
            self.stderr.write(str(error))
        if verbosity > 0:
            if summary.encoding == "gb18030":
                self.stdout.write(f"{file} is not UTF-8: read as GBK/GB18030")
            self.stdout.write(str(summary))
