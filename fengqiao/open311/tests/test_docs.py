"""docs/open311.md lists the services as `manage.py open311_services` prints them."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "open311.md"


def test_the_documented_service_list_is_the_commands_output():
    out = StringIO()
    call_command("open311_services", stdout=out)
    documented = re.search(r"<!-- services:start -->\n(.*?)\n<!-- services:end -->", DOC.read_text("utf-8"), re.S)
    assert documented, "docs/open311.md lost its service table markers"
    assert documented.group(1).strip() == out.getvalue().strip(), "run manage.py open311_services and paste it"


def test_the_table_has_every_active_service_once():
    out = StringIO()
    call_command("open311_services", stdout=out)
    rows = [line for line in out.getvalue().splitlines() if re.match(r"^\| \d\d\.\d\d ", line)]
    assert len(rows) == 56
    assert "| 01.01 | 电梯故障与维保 | Lift breakdown and maintenance | D02 物业服务企业 | 24 clock hours |" in rows[0]
