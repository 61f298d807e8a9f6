"""Residents book a slot of a weekend session; the database refuses a double booking."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from fengqiao.core.errors import Conflict, NotPermitted, ValidationFailed
from fengqiao.disputes import selectors, services
from fengqiao.disputes.models import Booking, BookingStatus, Venue, VenueSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(tree):
    venue = Venue.objects.create(unit=tree["hh"], name="海恒社区人民调解室", kind="mediation_room")
    day = timezone.localdate() + dt.timedelta(days=3)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    return VenueSession.objects.create(
        venue=venue, starts_at=start, ends_at=start + dt.timedelta(hours=1), hosts="民警、律师", with_police=True
    )


def test_book_double_booking_and_cancel(session, people):
    first, second = session.slot_starts()
    assert second - first == dt.timedelta(minutes=30)
    booking = services.book_slot(resident=people["resident1"], session=session, slot_start=first, topic="漏水纠纷")
    with pytest.raises(Conflict):
        services.book_slot(resident=people["resident2"], session=session, slot_start=first, topic="噪音")
    with pytest.raises(IntegrityError), transaction.atomic():  # the constraint itself, not only the service
        Booking.objects.create(session=session, slot_start=first, resident=people["resident2"], topic="x")
    with pytest.raises(ValidationFailed):
        services.book_slot(
            resident=people["resident2"], session=session, slot_start=first + dt.timedelta(minutes=7), topic="噪音"
        )
    views = selectors.upcoming_sessions(viewer=people["resident2"])
    assert [slot.free for slot in views[0].slots] == [False, True]
    with pytest.raises(NotPermitted):
        services.cancel_booking(actor=people["resident2"], booking=booking)
    services.cancel_booking(actor=people["resident1"], booking=booking)
    assert booking.status == BookingStatus.CANCELLED
    services.book_slot(resident=people["resident2"], session=session, slot_start=first, topic="噪音")  # free again


def test_residents_see_only_the_venues_above_their_home(session, people, tree):
    Venue.objects.create(unit=tree["lh"], name="临湖调解室")
    assert list(selectors.bookable_venues(viewer=people["resident1"]).values_list("name", flat=True)) == [
        "海恒社区人民调解室"
    ]


def test_booking_api_and_page(client, session, people):
    client.force_login(people["resident1"])
    sessions = client.get("/api/v1/venues/sessions/").json()
    slot = sessions[0]["slots"][1]["start"]
    response = client.post(
        "/api/v1/bookings/", {"session": session.pk, "slot": slot, "topic": "邻里噪音"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["status"] == "booked"
    client.force_login(people["resident2"])
    again = client.post(
        "/api/v1/bookings/", {"session": session.pk, "slot": slot, "topic": "邻里噪音"}, content_type="application/json"
    )
    assert again.status_code == 409
    page = client.get(reverse("booking")).content.decode()
    assert "海恒社区人民调解室" in page and "disabled" in page
