"""The knowledge base in the reader's language: ?lang=zh or Accept-Language, English by default, and a field
without Chinese falls back to English and is named in ``untranslated``."""

import pytest

from kb.models import Concept


@pytest.fixture
def api(client):
    return client


@pytest.mark.django_db
def test_english_is_the_default(api):
    body = api.get("/api/concepts/batch-normalization/").json()
    concept = Concept.objects.get(slug="batch-normalization")
    assert (body["language"], body["summary"], body["untranslated"]) == ("en", concept.summary, [])


@pytest.mark.django_db
@pytest.mark.parametrize("how", [{"path": "?lang=zh"}, {"headers": {"Accept-Language": "zh-Hans"}}])
def test_chinese_by_query_or_header(api, how):
    concept = Concept.objects.get(slug="batch-normalization")
    url = "/api/concepts/batch-normalization/" + how.get("path", "")
    body = api.get(url, headers=how.get("headers", {})).json()
    assert body["language"] == "zh"
    assert body["summary"] == concept.zh["summary"]
    assert body["body"] == concept.zh["body"]
    assert [f["caption"] for f in body["formulas"]] == concept.zh["formulas"]
    assert [f["latex"] for f in body["formulas"]] == [f["latex"] for f in concept.formulas]  # maths is shared
    assert body["untranslated"] == []
    listed = api.get(
        "/api/concepts/?area=normalization" + ("&lang=zh" if "path" in how else ""),
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in how.get("headers", {}).items()},
    ).json()
    assert {item["summary"] for item in listed["results"]} == set(
        Concept.objects.filter(area="normalization").values_list("zh__summary", flat=True)
    )


@pytest.mark.django_db
def test_missing_chinese_falls_back_to_english_and_says_so(api):
    concept = Concept.objects.get(slug="relu")
    Concept.objects.filter(pk=concept.pk).update(zh={"summary": concept.zh["summary"]})
    body = api.get("/api/concepts/relu/?lang=zh").json()
    assert body["summary"] == concept.zh["summary"]
    assert body["body"] == concept.body
    assert "body" in body["untranslated"]


@pytest.mark.django_db
def test_unknown_language_is_a_clear_400(api):
    response = api.get("/api/concepts/relu/?lang=klingon")
    assert response.status_code == 400
    assert response.json()["errors"]["lang"][0]["message"].startswith("lang must be one of en, zh")


@pytest.mark.django_db
def test_detail_has_the_pytorch_snippet_and_aliases_and_the_page_shows_the_snippet(api):
    concept = Concept.objects.get(slug="dropout")
    body = api.get("/api/concepts/dropout/").json()
    assert body["pytorch"] == concept.pytorch and body["pytorch"]["output"]
    assert body["aliases"] == concept.aliases
    page = api.get("/concepts/dropout/").content.decode()
    assert "In PyTorch" in page
    assert concept.pytorch["output"].splitlines()[0].replace("'", "&#x27;").replace('"', "&quot;") in page
