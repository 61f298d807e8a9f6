"""The clerk takes a suggestion with one click in a real browser (Chromium via Playwright).
Elements are found by data-testid and data-case, never by visible text."""

import pytest
from playwright.sync_api import expect

from fengqiao.cases import actions
from fengqiao.cases.models import Status
from fengqiao.org.models import Department
from fengqiao.taxonomy.loader import install_taxonomy
from fengqiao.taxonomy.models import CaseType, Category, Subcategory
from fengqiao.triage.models import Decision, TriageSuggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def taxonomy(transactional_db):
    """The live server's tests flush the database, taxonomy included: install it again (see
    fengqiao/cases/tests/test_browser.py for why serialized_rollback does not do it)."""
    install_taxonomy(
        case_type_model=CaseType, category_model=Category, subcategory_model=Subcategory, department_model=Department
    )


def test_the_clerk_accepts_the_suggestion_from_the_workbench_row(open_as, people, tree, screenshot):
    case, _ = actions.do_create_case(
        actor=people["resident1"], reporter=people["resident1"], unit=tree["building1"], text="这条路的路灯晚上一直不亮"
    )
    clerk = open_as("clerk")
    row = clerk.locator(f'tr[data-case="{case.number}"]')
    expect(row.locator('[data-testid="triage-suggestion"]')).to_contain_text("07.01")
    screenshot(clerk, "triage-workbench")
    row.locator('[data-testid="accept-suggestion"]').click()
    expect(row).to_have_count(0)
    expect(clerk.locator(".messages li.error")).to_have_count(0)
    case.refresh_from_db()
    assert (case.status, case.subcategory.code, case.department.code) == (Status.DISPATCHED, "07.01", "D12")
    suggestion = TriageSuggestion.objects.get(case=case)
    assert (suggestion.decision, suggestion.decided_by) == (Decision.ACCEPTED, people["clerk"])
