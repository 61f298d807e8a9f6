"""python manage.py train_triage: rebuild the triage model from the corpus and the clerks'
decisions (every case whose classification a person confirmed or corrected)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fengqiao.triage import store


class Command(BaseCommand):
    help = "Train the triage model from the corpus in the repository and the confirmed cases."

    def add_arguments(self, parser):
        parser.add_argument("--corpus-only", action="store_true", help="Leave out the cases in the database.")
        parser.add_argument("--corpus", help="Corpus directory (default: fengqiao/triage/data/corpus).")
        parser.add_argument("--output", help="Model file (default: var/triage-model.joblib).")

    def handle(self, *args, **options):
        try:
            examples = store.read_corpus(Path(options["corpus"]) if options["corpus"] else None)
        except store.CorpusError as error:
            raise CommandError(str(error)) from None
        if not options["corpus_only"]:
            from fengqiao.triage.services import training_examples_from_cases

            try:
                examples += training_examples_from_cases()
            except DatabaseError as error:
                # A database not migrated yet (a fresh checkout): the corpus alone will do.
                self.stderr.write(f"Cases left out (database not ready: {error}).")
        model = store.train(examples)
        path = store.save(model, Path(options["output"]) if options["output"] else None)
        store.set_model(model, path)
        self.stdout.write(f"Triage model written to {path}")
        self.stdout.write(json.dumps(model.info, ensure_ascii=False))
