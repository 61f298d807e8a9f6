"""A small triage model for the test suite, trained once per test session from a fixture
corpus (fengqiao/triage/tests/corpus/), so that tests never depend on the real corpus or on
a model file someone built."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from . import store

FIXTURE_CORPUS = Path(__file__).resolve().parent / "tests" / "corpus"


def install_fixture_model(directory: Path) -> Path:
    """Train on the fixture corpus, save under `directory` and make it the process's model."""
    path = directory / "triage-model.joblib"
    model = store.train(store.read_corpus(FIXTURE_CORPUS))
    store.save(model, path)
    settings.FENGQIAO_TRIAGE_MODEL = str(path)
    settings.FENGQIAO_TRIAGE_CORPUS = str(FIXTURE_CORPUS)
    store.set_model(model, path)
    return path
