"""The concept search page says which words a partial match matched, as the API's ``matched`` does."""

import pytest


@pytest.mark.django_db
def test_partial_match_shows_the_words_it_matched(client):
    page = client.get("/concepts/", {"q": "adam zzzunknownword"}).content.decode()
    assert 'href="/concepts/adam/"' in page
    assert 'class="concept-item__matched">Matched: adam</p>' in page
    full = client.get("/concepts/", {"q": "adam"}).content.decode()
    assert "Matched: adam" in full
