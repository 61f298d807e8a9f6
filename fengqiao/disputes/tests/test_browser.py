"""The booking page on a phone (390×844) in Debian's Chromium: pick a free slot, book, see the
slot taken, cancel. Elements are found by attributes, not by (translated) text."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fengqiao.disputes.models import Booking, BookingStatus, Venue, VenueSession
from fengqiao.org.models import Department
from fengqiao.taxonomy.loader import install_taxonomy
from fengqiao.taxonomy.models import CaseType, Category, Subcategory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def taxonomy(transactional_db):
    """The flush after each live-server test empties what the migrations installed (see the
    cases app's browser tests)."""
    install_taxonomy(
        case_type_model=CaseType, category_model=Category, subcategory_model=Subcategory, department_model=Department
    )


def test_resident_books_and_cancels_on_a_phone(on_phone, people, tree):
    venue = Venue.objects.create(unit=tree["hh"], name="海恒社区人民调解室", address="党群服务中心一楼")
    today = timezone.localdate()
    day = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)  # next Saturday
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    session = VenueSession.objects.create(
        venue=venue,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        hosts="派出所民警、驻访律师",
        with_police=True,
        with_lawyer=True,
    )
    Booking.objects.create(session=session, slot_start=start, resident=people["resident2"], topic="已约")

    def book(page, screenshots):
        page.goto("/book/")
        card = page.locator(f'[data-session="{session.pk}"]')
        slots = card.locator("input[name=slot]")
        expect(slots).to_have_count(4)  # 09:00–11:00 in 30-minute slots
        expect(slots.nth(0)).to_be_disabled()  # resident2 has it
        slots.nth(1).check()
        card.locator("input[name=topic]").fill("楼上漏水，想请调解员和律师帮忙")
        width = page.evaluate("document.documentElement.scrollWidth")
        card.locator("[data-testid=book]").click()
        mine = page.locator("[data-testid=my-bookings] [data-status=booked]")
        expect(mine).to_have_count(1)
        expect(page.locator(f'[data-session="{session.pk}"] input[name=slot]').nth(1)).to_be_disabled()
        page.screenshot(path=str(screenshots / "disputes-booking-phone.png"), full_page=True)
        return width, int(mine.get_attribute("data-booking"))

    width, booking_id = on_phone("resident1", book)
    assert width <= 390  # nothing wider than the phone
    booking = Booking.objects.get(pk=booking_id)
    assert booking.resident == people["resident1"] and booking.status == BookingStatus.BOOKED
    assert booking.slot_start == start + dt.timedelta(minutes=30)

    def cancel(page, screenshots):
        page.goto("/book/")
        page.locator(f'[data-booking="{booking_id}"] [data-testid=cancel-booking]').click()
        expect(page.locator(f'[data-booking="{booking_id}"]')).to_have_attribute("data-status", "cancelled")

    on_phone("resident1", cancel)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
