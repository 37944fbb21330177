"""Unknown addresses and server errors: a page for people, the JSON error format under /api/."""

import errno

import pytest
from django.db import OperationalError

from common.errors import RETRY_AFTER_SECONDS


@pytest.mark.django_db
def test_unknown_page_is_an_html_404_and_unknown_api_path_stays_json(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert b"<html" in page.content
    api = client.get("/api/no-such-endpoint/")
    assert api.status_code == 404
    assert api.json() == {"status": 404, "code": "not_found", "detail": "No API endpoint at /api/no-such-endpoint/."}


def _failing(exc):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.django_db
def test_a_database_outage_is_a_503_page_that_says_when_to_reload_and_stays_json_under_the_api(client, monkeypatch):
    monkeypatch.setattr("kb.selectors.concept_queryset", _failing(OperationalError("unable to open database file")))
    client.raise_request_exception = False  # as in production: Django's handler500 answers
    page = client.get("/concepts/")
    assert (page.status_code, page["Retry-After"]) == (503, str(RETRY_AFTER_SECONDS))
    assert page["Content-Type"].startswith("text/html")
    assert "Back in a moment" in page.text and f"in {RETRY_AFTER_SECONDS} seconds" in page.text
    chinese = client.get("/concepts/", headers={"accept-language": "zh-hans"})
    assert chinese.status_code == 503 and "稍后即可恢复" in chinese.text and 'lang="zh-hans"' in chinese.text
    api = client.get("/api/concepts/")
    assert (api.status_code, api.json()["code"], api["Retry-After"]) == (503, "database_unavailable", "5")


@pytest.mark.django_db
def test_a_bug_is_a_500_page_for_people_and_the_json_format_under_the_api(client, monkeypatch):
    monkeypatch.setattr("kb.selectors.concept_queryset", _failing(ValueError("a bug")))
    client.raise_request_exception = False
    page = client.get("/concepts/")
    assert page.status_code == 500 and "Retry-After" not in page
    assert "Something went wrong" in page.text and "a bug" not in page.text
    api = client.get("/api/concepts/")
    assert (api.status_code, api.json()["code"]) == (500, "server_error")


@pytest.mark.django_db
def test_a_full_disk_is_a_507_page(client, monkeypatch):
    monkeypatch.setattr("kb.selectors.concept_queryset", _failing(OSError(errno.ENOSPC, "No space left on device")))
    client.raise_request_exception = False
    page = client.get("/concepts/")
    assert page.status_code == 507 and "disk is full" in page.text and "reading still works" in page.text
