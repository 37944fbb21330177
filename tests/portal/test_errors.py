"""Unknown addresses: a page for people, the JSON error format under /api/."""

import pytest


@pytest.mark.django_db
def test_unknown_page_is_an_html_404_and_unknown_api_path_stays_json(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert b"<html" in page.content
    api = client.get("/api/no-such-endpoint/")
    assert api.status_code == 404
    assert api.json() == {"status": 404, "code": "not_found", "detail": "No API endpoint at /api/no-such-endpoint/."}
