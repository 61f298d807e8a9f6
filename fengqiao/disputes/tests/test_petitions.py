"""Petitions: acceptance within 15 days, handling within 60, one extension by the unit's
head, review and second review within 30 days each, 包保 leaders and the monthly list."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from fengqiao.core.errors import Conflict, NotPermitted, ValidationFailed
from fengqiao.disputes import selectors, services
from fengqiao.disputes.models import PetitionStatus

pytestmark = pytest.mark.django_db
D = dt.date


def register(people, tree, *, received_on):
    with mock.patch("django.utils.timezone.localdate", return_value=received_on):
        return services.register_petition(
            actor=people["clerk"],
            unit=tree["hh"],
            petitioner_name="周德明",
            phone="13855550301",
            id_number="340111196204110057",
            subject="回迁房办证",
            text="安置房八年未办证",
            received_on=received_on,
        )


def test_deadlines_across_golden_week_with_one_extension(people, tree):
    petition = register(people, tree, received_on=D(2026, 9, 16))
    assert petition.accept_due == D(2026, 10, 8)  # 09-16 + 15 = 10-01, a holiday
    assert petition.number.startswith("XF20260916")
    assert selectors.petition_flags(petition, today=D(2026, 10, 8)).accept_late is False
    assert selectors.petition_flags(petition, today=D(2026, 10, 9)).accept_late is True

    services.decide_acceptance(
        actor=people["clerk"], petition=petition, accepted=True, notice="已受理", on=D(2026, 9, 20)
    )
    assert petition.status == PetitionStatus.HANDLING
    assert petition.handling_due == D(2026, 11, 19)  # 09-20 + 60 = 11-19 (Thursday)

    with pytest.raises(NotPermitted):  # only the head of the unit approves an extension
        services.extend_handling(actor=people["reviewer"], petition=petition, days=30, reason="需多部门会商")
    with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 11, 10)):
        with pytest.raises(ValidationFailed):
            services.extend_handling(actor=people["leader"], petition=petition, days=31, reason="需多部门会商")
        services.extend_handling(actor=people["leader"], petition=petition, days=30, reason="需多部门会商")
        assert petition.handling_due == D(2026, 12, 21)  # 09-20 + 90 = 12-19 (Saturday) → Monday 12-21
        with pytest.raises(Conflict):
            services.extend_handling(actor=people["leader"], petition=petition, days=5, reason="再延一次")
    assert petition.extension_approved_by == people["leader"]


def test_review_and_second_review_windows(people, tree):
    petition = register(people, tree, received_on=D(2026, 8, 1))
    services.decide_acceptance(
        actor=people["clerk"], petition=petition, accepted=True, notice="已受理", on=D(2026, 8, 3)
    )
    services.answer_petition(actor=people["clerk"], petition=petition, answer="已协调办理", on=D(2026, 9, 1))
    assert petition.review_request_due == D(2026, 10, 8)
    with pytest.raises(ValidationFailed):
        services.request_review(actor=people["clerk"], petition=petition, on=D(2026, 10, 9))
    services.request_review(actor=people["clerk"], petition=petition, on=D(2026, 10, 8))
    assert petition.status == PetitionStatus.REVIEW and petition.review_due == D(2026, 11, 9)  # 11-07 Saturday
    services.answer_review(actor=people["reviewer"], petition=petition, answer="维持", on=D(2026, 11, 2))
    assert petition.status == PetitionStatus.REVIEWED and petition.second_review_request_due == D(2026, 12, 2)
    services.request_review(actor=people["clerk"], petition=petition, on=D(2026, 11, 20))
    assert petition.status == PetitionStatus.SECOND_REVIEW
    services.answer_review(actor=people["reviewer"], petition=petition, answer="复核维持", on=D(2026, 12, 1))
    assert petition.status == PetitionStatus.CLOSED and petition.closed_on == D(2026, 12, 1)
    kinds = list(petition.progress.values_list("kind", flat=True))
    assert kinds == [
        "register",
        "accept",
        "answer",
        "review_request",
        "review_answer",
        "second_review_request",
        "review_answer",
    ]


def test_not_accepted_needs_a_written_notice(people, tree):
    petition = register(people, tree, received_on=D(2026, 3, 2))
    with pytest.raises(ValidationFailed):
        services.decide_acceptance(actor=people["clerk"], petition=petition, accepted=False, notice=" ")
    services.decide_acceptance(
        actor=people["clerk"], petition=petition, accepted=False, notice="不属于信访受理范围", on=D(2026, 3, 5)
    )
    assert petition.status == PetitionStatus.NOT_ACCEPTED and petition.handling_due is None


def test_leader_responsibility_and_the_monthly_list(client, people, tree):
    petition = register(people, tree, received_on=D(2026, 10, 20))
    with pytest.raises(ValidationFailed):  # a clerk is not a leader
        services.assign_leader(actor=people["reviewer"], petition=petition, leader=people["clerk"])
    services.assign_leader(actor=people["reviewer"], petition=petition, leader=people["leader"])
    services.add_progress(actor=people["leader"], petition=petition, note="约谈开发商")
    rows = selectors.hard_cases_for_month(viewer=people["leader"], month=D.today().replace(day=1))
    assert [(p.pk, [n.note for n in notes][-1]) for p, notes in rows] == [(petition.pk, "约谈开发商")]
    assert selectors.hard_cases_for_month(viewer=people["other_reviewer"], month=D.today().replace(day=1)) == []

    client.force_login(people["leader"])
    page = client.get(reverse("petition-hard-cases")).content.decode()
    assert petition.number in page and "约谈开发商" in page
    client.force_login(people["other_reviewer"])
    assert client.get(reverse("petition-detail", args=[petition.pk])).status_code == 404
    assert client.get("/api/v1/petitions/").json() == []


def test_petition_pages_mask_for_nobody_outside_and_log_reads(client, people, tree):
    petition = register(people, tree, received_on=D(2026, 10, 20))
    client.force_login(people["clerk"])
    page = client.get(reverse("petition-detail", args=[petition.pk])).content.decode()
    assert "13855550301" in page
    response = client.post(
        reverse("petition-act", args=[petition.pk, "decide"]),
        {"accepted": "true", "notice": "已受理", "on": "2026-10-22"},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.HANDLING
    notice = client.get(reverse("petition-notice-pdf", args=[petition.pk]))
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
