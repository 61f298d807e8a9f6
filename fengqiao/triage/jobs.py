"""Nightly retraining, run by `manage.py scheduler` (see FENGQIAO_SCHEDULE): the model learns
from the day's confirmed and corrected classifications."""

from __future__ import annotations

import datetime as dt

from . import store


def retrain(now: dt.datetime) -> str:
    model, path, note = store.retrain()
    return f"{model.info['examples']} examples, model {model.info['version']} → {path}" + (f" ({note})" if note else "")
