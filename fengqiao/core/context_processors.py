"""What every page's navigation needs: the user's roles, unread notifications, calendar warnings."""

import datetime as dt

from django.utils import timezone

from . import workcalendar


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from fengqiao.org.access import is_staff_member, role_names

    roles = role_names(user)
    staff = is_staff_member(user)
    calendar_years = []
    if staff:
        now = timezone.now()
        calendar_years = workcalendar.uncovered_years(now, now + dt.timedelta(days=60))
    return {
        "nav_roles": roles,
        "nav_is_staff": staff,
        "nav_unread": user.notifications.filter(read_at__isnull=True).count(),
        "nav_uncovered_years": calendar_years,
    }
