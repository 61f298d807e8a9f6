"""Everything Fengqiao holds about a resident, for the resident (个人信息保护法 art. 45): the
account, the appeals with their history, the notifications, the mediation bookings, and which
members of staff were shown the resident's personal data, when and where."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fengqiao.core.models import PersonalDataAccess
from fengqiao.notifications.models import Notification
from fengqiao.org.models import User

from .models import Case
from .workflow import EVENT_LABELS


def _time(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def export_for(user: User) -> dict[str, Any]:
    from fengqiao.disputes.models import Booking  # the disputes app builds on the cases app

    cases = list(
        Case.objects.filter(reporter=user)
        .select_related("unit", "case_type", "subcategory")
        .prefetch_related("events")
        .order_by("received_at")
    )
    numbers = [f"case {case.number}" for case in cases]
    return {
        "exported_at": _time(timezone.now()),
        "account": {
            "username": user.username,
            "name": user.display_name,
            "phone": user.phone,
            "id_number": user.id_number,
            "email": user.email,
            "joined": _time(user.date_joined),
            "home_unit": user.home_unit.name if user.home_unit else None,
        },
        "appeals": [
            {
                "number": case.number,
                "received_at": _time(case.received_at),
                "channel": str(case.channel_label),
                "unit": case.unit.name,
                "address": case.address,
                "text": case.text,
                "contact_name": case.contact_name,
                "phone": case.phone,
                "type": case.case_type.name,
                "category": case.subcategory.name if case.subcategory else None,
                "status": case.get_status_display(),
                "deadline": _time(case.deadline),
                "reply": case.reply_message,
                "satisfaction": case.get_satisfaction_display() if case.satisfaction else None,
                "resolved": case.resolved,
                "history": [
                    {
                        "at": _time(event.created_at),
                        "step": str(EVENT_LABELS.get(event.action.removeprefix("case."), event.action)),
                        "note": event.reason,
                    }
                    for event in sorted(case.events.all(), key=lambda event: event.created_at)
                ],
            }
            for case in cases
        ],
        "notifications": [
            {"at": _time(note.created_at), "message": note.message, "read_at": _time(note.read_at)}
            for note in Notification.objects.filter(recipient=user).order_by("created_at")
        ],
        "mediation_bookings": [
            {
                "slot": _time(booking.slot_start),
                "where": str(booking.session.venue),
                "about": booking.topic,
                "phone": booking.phone,
                "status": booking.get_status_display(),
            }
            for booking in Booking.objects.filter(resident=user).select_related("session__venue").order_by("slot_start")
        ],
        "personal_data_shown_to_staff": [
            {
                "at": _time(access.accessed_at),
                "staff": access.user.display_name or access.user.username,
                "what": access.subject,
                "fields": access.fields,
                "where": access.purpose,
            }
            for access in PersonalDataAccess.objects.filter(subject__in=numbers)
            .select_related("user")
            .order_by("accessed_at")
        ],
    }
