"""Latency of intake and of each workflow action, through the same entry points the API uses.

Builds its own unit, staff and a background of existing cases (so indexes matter), then takes
N cases through all six gates, timing each step. Prints median and 95th percentile in ms.

    python bench/workflow_actions.py --cases 300 --background 20000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import force_authenticate  # noqa: E402

from fengqiao.cases import actions  # noqa: E402
from fengqiao.cases.api.views import CaseListCreateApi  # noqa: E402
from fengqiao.cases.models import Case  # noqa: E402
from fengqiao.org.models import Department, Role, RoleAssignment, Unit, UnitLevel, User  # noqa: E402
from fengqiao.taxonomy.models import CaseType, Subcategory  # noqa: E402

STEPS = [
    ("clerk", "accept", {"subcategory": "01.02"}),
    ("clerk", "dispatch", {"department": "D02"}),
    ("handler", "sign", {}),
    ("handler", "submit_review", {"result": "已处理"}),
    ("reviewer", "reply", {"message": "已处理完毕"}),
    ("resident", "visit", {"satisfaction": "satisfied", "resolved": True}),
]


def _setup(background: int) -> dict:
    root, _ = Unit.objects.get_or_create(code="BENCH", defaults={"name": "基准测试市", "level": UnitLevel.CITY})
    community, _ = Unit.objects.get_or_create(
        code="BENCH-C", defaults={"name": "基准社区", "level": UnitLevel.COMMUNITY, "parent": root}
    )
    d02 = Department.objects.get(code="D02")
    people = {}
    for name, role in (("clerk", Role.CLERK), ("handler", Role.HANDLER), ("reviewer", Role.REVIEWER)):
        user, _ = User.objects.get_or_create(username=f"bench-{name}")
        RoleAssignment.objects.get_or_create(
            user=user, role=role, unit=community, department=d02 if role == Role.HANDLER else None
        )
        people[name] = user
    people["resident"], _ = User.objects.get_or_create(username="bench-resident", defaults={"home_unit": community})
    existing = Case.objects.filter(unit=community).count()
    if existing < background:
        complaint = CaseType.objects.get(code="complaint")
        sub = Subcategory.objects.get(code="01.02")
        now = timezone.now()
        batch = [
            Case(
                number=f"BG{existing + i:010d}",
                unit=community,
                case_type=complaint,
                subcategory=sub,
                text="历史工单",
                received_at=now,
                deadline=now,
            )
            for i in range(background - existing)
        ]
        Case.objects.bulk_create(batch, batch_size=2000)
    return {"people": people, "unit": community}


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"median {statistics.median(samples) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--background", type=int, default=20000, help="cases already in the table")
    args = parser.parse_args()
    settings.FENGQIAO_WEBHOOK_URLS = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    env = _setup(args.background)
    people = env["people"]
    timings: dict[str, list[float]] = {"create": []}
    for _ in range(args.cases):
        started = time.perf_counter()
        case, _created = actions.do_create_case(
            actor=people["resident"],
            reporter=people["resident"],
            unit=env["unit"],
            text="楼道灯坏了",
            phone="13800000000",
        )
        timings["create"].append(time.perf_counter() - started)
        for persona, action, data in STEPS:
            started = time.perf_counter()
            actions.perform_action(actor=people[persona], case_id=case.pk, action=action, data=data)
            timings.setdefault(action, []).append(time.perf_counter() - started)
    request_factory = RequestFactory()
    view = CaseListCreateApi.as_view()
    timings["list API (50 rows)"] = []
    for _ in range(50):
        request = request_factory.get("/api/v1/cases/", {"status": "closed"}, HTTP_HOST="127.0.0.1")
        force_authenticate(request, user=people["clerk"])
        started = time.perf_counter()
        response = view(request)
        response.render()
        timings["list API (50 rows)"].append(time.perf_counter() - started)
    print(
        f"database: {connection.vendor}; {args.cases} cases through six gates; "
        f"{Case.objects.count()} cases in the table"
    )
    for step, samples in timings.items():
        print(f"  {step:<20} {_ms(samples)}")


if __name__ == "__main__":
    main()
