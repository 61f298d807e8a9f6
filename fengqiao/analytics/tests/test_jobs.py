"""The scheduler runs the nightly warnings and the rollup upkeep."""

import datetime as dt
import zoneinfo

import pytest
from django.core.management import CommandError, call_command

from fengqiao.analytics import jobs
from fengqiao.analytics.models import DailyRollup, WarningRun
from fengqiao.core.management.commands.scheduler import next_run

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_next_run_is_the_next_local_time_of_day():
    evening = dt.datetime(2026, 11, 27, 22, 0, tzinfo=SHANGHAI)
    assert next_run("02:30", evening) == dt.datetime(2026, 11, 28, 2, 30, tzinfo=SHANGHAI)
    night = dt.datetime(2026, 11, 28, 1, 0, tzinfo=SHANGHAI)
    assert next_run("02:30", night) == dt.datetime(2026, 11, 28, 2, 30, tzinfo=SHANGHAI)
    assert next_run("02:30", dt.datetime(2026, 11, 28, 2, 30, tzinfo=SHANGHAI)).day == 29


def test_the_nightly_warnings_cover_this_month_and_the_last(db):
    result = jobs.nightly_warnings(dt.datetime(2026, 11, 3, 2, 30, tzinfo=SHANGHAI))
    assert result == "2026-10: 0, 2026-11: 0"
    assert set(WarningRun.objects.values_list("month", flat=True)) == {dt.date(2026, 10, 1), dt.date(2026, 11, 1)}


def test_pruning_removes_rows_left_empty(db):
    DailyRollup.objects.create(
        unit_id=1,
        day=dt.date(2026, 1, 1),
        subcategory_id=0,
        category_id=0,
        case_type_id=1,
        status_class="open",
        overdue_day=dt.date(9999, 12, 31),
    )
    assert jobs.prune_rollups(dt.datetime(2026, 1, 2, tzinfo=SHANGHAI)) == "1 empty rollup rows removed"
    assert not DailyRollup.objects.exists()


def test_the_command_runs_one_job_by_name(db, capsys):
    call_command("scheduler", "--run", "prune_rollups")
    assert "prune_rollups: 0 empty rollup rows removed" in capsys.readouterr().out
    with pytest.raises(CommandError, match="early_warnings"):
        call_command("scheduler", "--run", "nope")


def test_the_triage_model_is_retrained_by_the_scheduler(db, tmp_path, settings, capsys):
    from fengqiao.triage import store

    previous = store.get_model()
    settings.FENGQIAO_TRIAGE_MODEL = str(tmp_path / "model.joblib")
    try:
        call_command("scheduler", "--run", "train_triage")
        assert "examples, model" in capsys.readouterr().out
        assert (tmp_path / "model.joblib").exists()
    finally:
        store.set_model(previous, None)
