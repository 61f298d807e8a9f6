"""The mediation path: registration, consent, sessions, agreement with one PDF per party,
performance follow-up; refusal and termination; who sees the parties' phones."""

import re

import pytest
from django.urls import reverse

from fengqiao.cases.models import Case, CaseEvent
from fengqiao.core.errors import Conflict, NotPermitted, ValidationFailed
from fengqiao.core.models import PersonalDataAccess
from fengqiao.disputes import pdf, services
from fengqiao.disputes.models import MediationRecord, MediationStatus, PerformanceStatus
from fengqiao.disputes.services import PartyInput

from .conftest import in_days

pytestmark = pytest.mark.django_db

APPLICANT_PHONE = "13855550201"
RESPONDENT_PHONE = "13855550202"


def register(dispute, people, **kwargs) -> MediationRecord:
    return services.register_mediation(
        actor=people["mediator"],
        case=dispute,
        parties=[
            PartyInput("applicant", "陈桂兰", APPLICANT_PHONE, "340111195803150021"),
            PartyInput("respondent", "刘志远", RESPONDENT_PHONE, "340111198507220035"),
        ],
        mediators=[people["mediator"]],
        **kwargs,
    )


def consent_all(record, people):
    for party in record.parties.all():
        services.record_consent(actor=people["mediator"], record=record, party_id=party.pk, agrees=True)
    record.refresh_from_db()


def pdf_text(data: bytes) -> str:
    """The text drawn in an uncompressed reportlab PDF with the CID font (UTF-16BE strings)."""
    assert data.startswith(b"%PDF")
    text = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", data, flags=re.S):
        unescaped = re.sub(rb"\\([0-7]{1,3}|.)", _unescape, raw, flags=re.S)
        text.append(unescaped.decode("utf-16-be") if len(unescaped) % 2 == 0 else unescaped.decode("latin-1"))
    return "\n".join(text)


def _unescape(match) -> bytes:
    token = match.group(1)
    if token.isdigit():
        return bytes([int(token, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(token, token)


def test_registration_to_agreement_pdf_and_follow_up(client, dispute, people):
    record = register(dispute, people)
    assert record.status == MediationStatus.CONSENT
    consent_all(record, people)
    assert record.status == MediationStatus.MEDIATING
    services.add_session(actor=people["mediator"], record=record, notes="双方到场，查看漏水点。", place="调解室")
    parties = list(record.parties.all())
    with pytest.raises(ValidationFailed):  # one party has not signed
        services.record_agreement(
            actor=people["mediator"],
            record=record,
            facts="602防水层破损",
            disputed_points="维修责任",
            terms="刘志远赔偿1800元",
            performance_method="当面付清",
            performance_due=in_days(14),
            signed_party_ids=[parties[0].pk],
        )
    services.record_agreement(
        actor=people["mediator"],
        record=record,
        facts="602防水层破损",
        disputed_points="维修责任",
        terms="刘志远赔偿1800元",
        performance_method="当面付清",
        performance_due=in_days(14),
        signed_party_ids=[party.pk for party in parties],
    )
    record.refresh_from_db()
    assert record.status == MediationStatus.AGREEMENT
    assert record.court_confirmation_until == in_days(30)
    case = Case.objects.get(pk=dispute.pk)
    assert case.mediation_result == "success"
    event = CaseEvent.objects.get(case=case, action="case.mediation_result")
    assert event.changes == {"mediation_result": ["", "success"]} and event.actor == people["mediator"]

    # One copy per party, through the page, each naming its own party.
    client.force_login(people["mediator"])
    for party in parties:
        response = client.get(reverse("mediation-agreement-pdf", args=[record.pk, party.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = pdf_text(pdf.agreement_pdf(record, party, compress=False))
        assert f"{party.get_role_display()} {party.name}" in text
        assert "刘志远赔偿1800元" in text and APPLICANT_PHONE in text
        # The court-confirmation reminder (the PDF may wrap the line inside the date).
        assert in_days(30).strftime("%Y年%m月%d日") in text.replace("\n", "")

    detail = client.get(reverse("mediation-detail", args=[record.pk])).content.decode()
    assert 'data-testid="court-reminder"' in detail and detail.count('data-testid="agreement-pdf"') == 2
    services.record_performance(actor=people["mediator"], record=record, performed=True, note="已付清")
    record.refresh_from_db()
    assert record.performance_status == PerformanceStatus.PERFORMED and record.performance_checked_at
    page = client.get(reverse("mediation-ledger"))
    assert page.context["stats"].success_percent == "100.00%"


def test_a_refusal_ends_it_without_mediation(dispute, people):
    record = register(dispute, people)
    applicant = record.parties.get(role="applicant")
    respondent = record.parties.get(role="respondent")
    services.record_consent(actor=people["mediator"], record=record, party_id=applicant.pk, agrees=True)
    services.record_consent(actor=people["mediator"], record=record, party_id=respondent.pk, agrees=False)
    record.refresh_from_db()
    assert record.status == MediationStatus.REFUSED and record.ended_at
    with pytest.raises(Conflict):
        services.add_session(actor=people["mediator"], record=record, notes="…")
    # No mediation took place: the KPI's denominator does not count it.
    assert Case.objects.get(pk=dispute.pk).mediation_result == ""


def test_termination_tells_the_other_routes_and_counts_as_failure(client, dispute, people):
    record = register(dispute, people)
    consent_all(record, people)
    with pytest.raises(ValidationFailed):
        services.terminate_mediation(actor=people["mediator"], record=record, reason="分歧太大", other_routes=" ")
    services.terminate_mediation(
        actor=people["mediator"], record=record, reason="赔偿数额分歧太大", other_routes="可向人民法院起诉"
    )
    record.refresh_from_db()
    assert record.status == MediationStatus.TERMINATED and record.other_routes == "可向人民法院起诉"
    assert Case.objects.get(pk=dispute.pk).mediation_result == "failure"
    client.force_login(people["mediator"])
    assert client.get(reverse("mediation-ledger")).context["stats"].success_percent == "0.00%"


def test_only_dispute_cases_and_committee_mediators(dispute, people, tree):
    with pytest.raises(ValidationFailed):  # the clerk is no mediator
        services.register_mediation(
            actor=people["mediator"],
            case=dispute,
            parties=[PartyInput("applicant", "甲"), PartyInput("respondent", "乙")],
            mediators=[people["clerk"]],
        )
    with pytest.raises(NotPermitted):
        register(dispute, {**people, "mediator": people["reviewer"]})
    record = register(dispute, people)
    with pytest.raises(NotPermitted):  # a reviewer does not mediate
        services.record_consent(
            actor=people["reviewer"], record=record, party_id=record.parties.first().pk, agrees=True
        )


def test_mediator_sees_phones_reviewer_of_same_unit_masked_other_unit_nothing(client, dispute, people):
    record = register(dispute, people)
    url = reverse("mediation-detail", args=[record.pk])

    client.force_login(people["mediator"])
    page = client.get(url).content.decode()
    assert APPLICANT_PHONE in page and RESPONDENT_PHONE in page
    assert PersonalDataAccess.objects.filter(user=people["mediator"], subject__contains=dispute.number).exists()

    client.force_login(people["reviewer"])  # same unit, but reviewing needs no phone numbers
    page = client.get(url).content.decode()
    assert APPLICANT_PHONE not in page and "138****0201" in page
    assert (
        client.get(reverse("mediation-agreement-pdf", args=[record.pk, record.parties.first().pk])).status_code == 404
    )

    client.force_login(people["other_reviewer"])  # 临湖社区
    response = client.get(url)
    assert response.status_code == 404 and APPLICANT_PHONE.encode() not in response.content
    api = client.get("/api/v1/mediations/").json()
    assert api["registered"] == 0 and api["results"] == []


def test_pages_walk_the_path(client, dispute, people):
    client.force_login(people["mediator"])
    response = client.post(
        reverse("mediation-register", args=[dispute.pk]),
        {
            "applicant_name": "陈桂兰",
            "applicant_phone": APPLICANT_PHONE,
            "respondent_name": "刘志远",
            "mediators": [people["mediator"].pk],
            "is_public": "true",
        },
    )
    record = MediationRecord.objects.get(case=dispute)
    assert response.status_code == 302 and record.is_public
    for party in record.parties.all():
        client.post(reverse("mediation-act", args=[record.pk, "consent"]), {"party": party.pk, "agrees": "true"})
    client.post(reverse("mediation-act", args=[record.pk, "session"]), {"notes": "第一次调解"})
    response = client.post(
        reverse("mediation-act", args=[record.pk, "agreement"]),
        {
            "facts": "事实",
            "disputed_points": "争议",
            "terms": "条款",
            "performance_due": "not a date",
            "signed": [p.pk for p in record.parties.all()],
        },
        follow=True,
    )
    assert response.status_code == 200 and "YYYY-MM-DD" in response.content.decode()
    record.refresh_from_db()
    assert record.status == MediationStatus.MEDIATING and record.sessions.count() == 1
