"""Pages are Chinese first: an English browser still gets Chinese until the person switches."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_even_for_an_english_browser(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in page and 'lang="zh-hans"' in page


def test_the_language_switch_makes_pages_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page and "Log in" in page


def test_api_errors_follow_accept_language(client, people):
    client.force_login(people["clerk"])
    english = client.get("/api/v1/cases/", {"status": "nonsense"}, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/cases/", {"status": "nonsense"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 400
    assert english.json()["detail"].startswith("Unknown status")
    assert chinese.json()["detail"].startswith("未知状态")
