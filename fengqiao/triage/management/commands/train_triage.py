"""python manage.py train_triage: rebuild the triage model from the corpus and the clerks'
decisions (every case whose classification a person confirmed or corrected)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fengqiao.triage import store


class Command(BaseCommand):
    help = "Train the triage model from the corpus in the repository and the confirmed cases."

    def add_arguments(self, parser):
        parser.add_argument("--corpus-only", action="store_true", help="Leave out the cases in the database.")
        parser.add_argument("--corpus", help="Corpus directory (default: fengqiao/triage/data/corpus).")
        parser.add_argument("--output", help="Model file (default: var/triage-model.joblib).")

    def handle(self, *args, **options):
        try:
            model, path, note = store.retrain(
                corpus=Path(options["corpus"]) if options["corpus"] else None,
                output=Path(options["output"]) if options["output"] else None,
                include_cases=not options["corpus_only"],
            )
        except store.CorpusError as error:
            raise CommandError(str(error)) from None
        if note:
            self.stderr.write(note)
        self.stdout.write(f"Triage model written to {path}")
        self.stdout.write(json.dumps(model.info, ensure_ascii=False))
