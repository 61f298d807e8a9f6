"""Demo data for the dispute paths, built from the seed page: 海恒社区's 人民调解室, 南艳湖警务室
and 湖畔议事厅, 滨湖世纪's "红邻益站" studio with police officers and lawyers on weekends, two
mediations (one agreement, one in progress), a petition with a 包保 leader, and a whistle
with one department on time and one late.

Written through the real services and case actions as the demo personas. Idempotent: it does
nothing when the demo units are missing or its venues exist already.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fengqiao.cases.actions import do_arrive_summons, do_confirm_summons, do_create_case, perform_action
from fengqiao.cases.models import Whistle, WhistleSummons
from fengqiao.org.models import Unit, User
from fengqiao.taxonomy.models import CaseType, Subcategory

from . import services
from .models import Venue, VenueKind, VenueSession
from .services import PartyInput

HH = "HF-JK-HH"
BS = "HF-BH-BS"
MARKER = "海恒社区人民调解室"


def _local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def load_disputes_demo(*, now: dt.datetime | None = None) -> bool:
    """Create the dispute demo; False (and no change) when it exists or the demo is not loaded."""
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=[HH, BS])}
    people = {user.username: user for user in User.objects.filter(username__in=_USERNAMES)}
    if HH not in units or set(_USERNAMES) - set(people) or Venue.objects.filter(name=MARKER).exists():
        return False
    now = now or timezone.now()
    _venues(units, now=now)
    _mediations(units[HH], people)
    _petition(units[HH], people, today=timezone.localdate(now))
    _whistle(units[HH], people, now=now)
    return True


_USERNAMES = ("clerk", "mediator", "reviewer", "leader", "gridworker", "handler_d04", "handler_d06")


def _venues(units: dict[str, Unit], *, now: dt.datetime) -> None:
    hh = units[HH]
    rooms = [
        (hh, MARKER, VenueKind.MEDIATION_ROOM, "合肥经开区海恒社区党群服务中心一楼"),
        (hh, "南艳湖警务室", VenueKind.POLICE_ROOM, "南艳湖路与繁华大道交口"),
        (hh, "湖畔议事厅", VenueKind.COUNCIL_HALL, "海恒社区湖畔广场东侧"),
    ]
    if BS in units:
        rooms.append((units[BS], "“红邻益站”调解工作室", VenueKind.STUDIO, "滨湖世纪社区徽贵苑小区"))
    venues = {
        name: Venue.objects.create(unit=unit, name=name, kind=kind, address=address)
        for unit, name, kind, address in rooms
    }
    today = timezone.localdate(now)
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    sessions = []
    for week in range(4):
        sat, sun = saturday + dt.timedelta(weeks=week), saturday + dt.timedelta(weeks=week, days=1)
        sessions.append(
            VenueSession(
                venue=venues[MARKER],
                starts_at=_local(sat, 9),
                ends_at=_local(sat, 12),
                hosts="派出所民警 李警官；驻访律师 王律师；“和为贵”调解团",
                with_police=True,
                with_lawyer=True,
            )
        )
        sessions.append(
            VenueSession(
                venue=venues["南艳湖警务室"],
                starts_at=_local(sun, 14),
                ends_at=_local(sun, 17),
                hosts="南艳湖警务室民警；满天星义警",
                with_police=True,
            )
        )
        if "“红邻益站”调解工作室" in venues:
            for day in (sat, sun):
                sessions.append(
                    VenueSession(
                        venue=venues["“红邻益站”调解工作室"],
                        starts_at=_local(day, 9),
                        ends_at=_local(day, 11),
                        hosts="派出所民警、专职律师坐堂；红色小管家调解",
                        with_police=True,
                        with_lawyer=True,
                    )
                )
    VenueSession.objects.bulk_create(sessions)


def _dispute(unit: Unit, people, *, text: str, subcategory: str, hours_ago: int):
    case, _created = do_create_case(
        actor=people["clerk"],
        unit=unit,
        text=text,
        case_type=CaseType.objects.get(code="dispute"),
        subcategory=Subcategory.objects.get(code=subcategory),
        channel="visit",
        address="合肥市经开区海恒社区 海恒家园",
        contact_name="陈桂兰",
        phone="13855550201",
        received_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )
    return case


def _mediations(unit: Unit, people) -> None:
    mediator = people["mediator"]
    leak = _dispute(
        unit,
        people,
        text="楼上卫生间漏水渗到我家天花板，协商多次没结果，申请社区调解。",
        subcategory="14.01",
        hours_ago=72,
    )
    record = services.register_mediation(
        actor=mediator,
        case=leak,
        parties=[
            PartyInput("applicant", "陈桂兰", "13855550201", "340111195803150021", "海恒家园3栋502"),
            PartyInput("respondent", "刘志远", "13855550202", "340111198507220035", "海恒家园3栋602"),
        ],
        mediators=[mediator],
    )
    for party in record.parties.all():
        services.record_consent(actor=mediator, record=record, party_id=party.pk, agrees=True)
    services.add_session(
        actor=mediator,
        record=record,
        place=MARKER,
        notes="双方到场。物业上门查看，确认602卫生间防水层破损。律师讲解相邻关系规定。",
    )
    services.record_agreement(
        actor=mediator,
        record=record,
        facts="602室卫生间防水层破损，导致502室天花板渗水、墙皮脱落。",
        disputed_points="维修责任及502室损失赔偿数额。",
        terms="刘志远负责修复602室防水层并承担502室天花板修复费用1800元。",
        performance_method="刘志远自行联系施工，完工后由社区调解员与物业共同验收；费用当面付清。",
        performance_due=timezone.localdate() + dt.timedelta(days=14),
        signed_party_ids=list(record.parties.values_list("pk", flat=True)),
    )
    noise = _dispute(
        unit, people, text="楼下商铺晚上十点后还放音乐，邻居多次投诉，双方矛盾激化。", subcategory="14.02", hours_ago=30
    )
    record = services.register_mediation(
        actor=mediator,
        case=noise,
        parties=[
            PartyInput("applicant", "赵美华", "13855550203", "", "海恒家园5栋201"),
            PartyInput("respondent", "孙记便利店 孙强", "13855550204", "", "海恒家园5栋底商"),
        ],
        mediators=[mediator],
        is_public=True,
    )
    for party in record.parties.all():
        services.record_consent(actor=mediator, record=record, party_id=party.pk, agrees=True)
    services.add_session(
        actor=mediator, record=record, place="湖畔议事厅", notes="第一次调解：双方陈述，约定下周实地测音。"
    )


def _petition(unit: Unit, people, *, today: dt.date) -> None:
    petition = services.register_petition(
        actor=people["clerk"],
        unit=unit,
        petitioner_name="周德明",
        petitioner_count=6,
        phone="13855550301",
        id_number="340111196204110057",
        subject="回迁安置房产证多年未办理",
        text="海恒家园回迁户六户，安置房交付八年仍未办理不动产权证，多次反映未解决。",
        received_on=today - dt.timedelta(days=20),
    )
    services.decide_acceptance(
        actor=people["clerk"],
        petition=petition,
        accepted=True,
        notice="您反映的回迁安置房办证问题已受理，将在60日内办理并书面答复。",
        on=today - dt.timedelta(days=12),
    )
    services.assign_leader(actor=people["reviewer"], petition=petition, leader=people["leader"], is_hard=True)
    services.add_progress(
        actor=people["leader"], petition=petition, note="包保领导约谈开发商与不动产登记中心，梳理欠缴税费清单。"
    )


def _whistle(unit: Unit, people, *, now: dt.datetime) -> None:
    """One late and one on-time department: D06 (police) on site after 12 minutes, D04
    (城管) after 41. Arrivals go through the real actions; their times are then set back to
    when the story says they happened."""
    case, _created = do_create_case(
        actor=people["gridworker"],
        unit=unit,
        text="南艳湖路口施工围挡倒塌占用非机动车道，有行人受伤风险。",
        case_type=CaseType.objects.get(code="report"),
        subcategory=Subcategory.objects.get(code="02.02"),
        urgent=True,
        channel="grid",
        address="南艳湖路与繁华大道交口",
    )
    perform_action(
        actor=people["gridworker"],
        case_id=case.pk,
        action="whistle",
        data={"departments": ["D04", "D06"], "place": "南艳湖路与繁华大道交口", "note": "围挡倒塌，需现场处置"},
    )
    whistle = Whistle.objects.get(case=case)
    blown_at = now - dt.timedelta(minutes=55)
    Whistle.objects.filter(pk=whistle.pk).update(blown_at=blown_at)
    for code, username, minutes, note in (
        ("D06", "handler_d06", 12, "民警到场疏导交通，设置警戒。"),
        ("D04", "handler_d04", 41, "城管队员到场，责令施工方重新固定围挡。"),
    ):
        summons = WhistleSummons.objects.get(whistle=whistle, department__code=code)
        do_confirm_summons(summons.pk, actor=people[username])
        do_arrive_summons(summons.pk, actor=people[username], note=note)
        WhistleSummons.objects.filter(pk=summons.pk).update(
            confirmed_at=blown_at + dt.timedelta(minutes=3), arrived_at=blown_at + dt.timedelta(minutes=minutes)
        )
