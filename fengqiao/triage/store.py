"""Where the trained model lives, how it is read, and the one copy each process keeps.

The model is a joblib file under the project's `var/` directory (not committed: it is built
by `python manage.py train_triage`, which `make setup` runs). A process loads it once, on
first use, and reloads it when the file changes (a retrain while the server runs). When there
is no file yet, the first use trains a model from the corpus in the repository and saves it.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path

import joblib
from django.conf import settings

from .model import Example, TriageModel

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "corpus"
REQUIRED_FIELDS = ("text", "subcategory", "case_type", "urgent")

_lock = threading.Lock()
_cached: tuple[Path, float, TriageModel] | None = None
last_load_seconds: float | None = None


class CorpusError(ValueError):
    """A bad line in the training corpus: the file and line are in the message."""


def model_path() -> Path:
    configured = getattr(settings, "FENGQIAO_TRIAGE_MODEL", None)
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "triage-model.joblib"


def corpus_dir() -> Path:
    configured = getattr(settings, "FENGQIAO_TRIAGE_CORPUS", None)
    return Path(configured) if configured else CORPUS_DIR


def read_corpus(directory: Path | None = None) -> list[Example]:
    """Every `*.jsonl` file of the corpus directory, in name order. Raises CorpusError naming
    the file and line of the first bad line."""
    directory = directory or corpus_dir()
    from .model import Taxonomy

    taxonomy = Taxonomy()
    examples = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{where}: not JSON ({error.msg})") from None
            if not isinstance(record, dict) or any(key not in record for key in REQUIRED_FIELDS):
                raise CorpusError(f"{where}: needs the fields {', '.join(REQUIRED_FIELDS)}")
            if record["subcategory"] not in taxonomy.department:
                raise CorpusError(f"{where}: unknown subcategory {record['subcategory']!r}")
            if record["case_type"] not in taxonomy.case_types:
                raise CorpusError(f"{where}: unknown case type {record['case_type']!r}")
            if not isinstance(record["urgent"], bool) or not str(record["text"]).strip():
                raise CorpusError(f"{where}: urgent must be true or false and text must not be empty")
            examples.append(
                Example(
                    text=str(record["text"]),
                    subcategory=record["subcategory"],
                    case_type=record["case_type"],
                    urgent=record["urgent"],
                    source="corpus",
                )
            )
    if not examples:
        raise CorpusError(f"no training lines in {directory}/*.jsonl")
    return examples


def train(examples: list[Example]) -> TriageModel:
    return TriageModel().fit(examples)


def retrain(
    *, corpus: Path | None = None, output: Path | None = None, include_cases: bool = True
) -> tuple[TriageModel, Path, str]:
    """Train from the corpus (and the cases people classified), save, and make it this
    process's model; other processes reload it when they see the file change. Returns the
    model, its path and a note ("" or why the cases were left out)."""
    examples = read_corpus(corpus)
    note = ""
    if include_cases:
        from django.db import DatabaseError

        from .services import training_examples_from_cases

        try:
            examples += training_examples_from_cases()
        except DatabaseError as error:
            # A database not migrated yet (a fresh checkout): the corpus alone will do.
            note = f"Cases left out (database not ready: {error})."
    model = train(examples)
    path = save(model, output)
    set_model(model, path)
    return model, path, note


def save(model: TriageModel, path: Path | None = None) -> Path:
    """Write atomically (a temporary file renamed over the old one), so that a process that
    reloads meanwhile never reads half a file."""
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".triage-", suffix=".tmp")
    os.close(handle)
    try:
        joblib.dump(model, temporary, compress=3)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the app server may run as another user
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def load(path: Path) -> TriageModel:
    global last_load_seconds
    started = time.perf_counter()
    model = joblib.load(path)
    from .features import warm_up

    warm_up()
    last_load_seconds = time.perf_counter() - started
    return model


def get_model() -> TriageModel:
    """The process's model: loaded once, reloaded when the file is replaced, trained from
    the corpus and saved when there is no file yet. Thread-safe."""
    global _cached
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        mtime = -1.0
    cached = _cached
    if cached is not None and cached[0] == path and cached[1] == mtime:
        return cached[2]
    with _lock:
        cached = _cached
        if cached is not None and cached[0] == path and cached[1] == mtime:
            return cached[2]
        if mtime < 0:
            model = train(read_corpus())
            save(model, path)
            mtime = path.stat().st_mtime
        else:
            model = load(path)
        _cached = (path, mtime, model)
        return model


def set_model(model: TriageModel | None, path: Path | None = None) -> None:
    """Install a model as the process's copy (tests, and train_triage after saving)."""
    global _cached
    if model is None:
        _cached = None
        return
    path = path or model_path()
    mtime = path.stat().st_mtime if path.exists() else -1.0
    _cached = (path, mtime, model)
