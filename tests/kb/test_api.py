"""The knowledge-base REST API over the real content."""

import re

import pytest
import yaml
from django.test import override_settings
from rest_framework.test import APIClient

from kb.models import Area, Concept

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def assert_error(response, status, code):
    body = response.json()
    assert response.status_code == status, body
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_list_is_paginated(api):
    first = api.get("/api/concepts/").json()
    assert first["count"] == Concept.objects.count() == 71  # the 68 of the syllabus and 3 beyond it
    assert len(first["results"]) == 20
    assert first["previous"] is None
    second = api.get(first["next"]).json()
    assert {c["slug"] for c in first["results"]}.isdisjoint({c["slug"] for c in second["results"]})
    item = first["results"][0]
    assert set(item) == {"slug", "title", "title_zh", "area", "summary", "version", "updated_at", "url", "language"} | {
        "untranslated"
    }
    assert item["url"].endswith(f"/api/concepts/{item['slug']}/")


def test_page_size_and_last_page(api):
    body = api.get("/api/concepts/", {"page_size": 100}).json()
    assert len(body["results"]) == body["count"]
    assert body["next"] is None


def test_filter_by_area(api):
    body = api.get("/api/concepts/", {"area": "optimizers", "page_size": 100}).json()
    slugs = {c["slug"] for c in body["results"]}
    assert body["count"] == Concept.objects.filter(area="optimizers").count()
    assert {"adam", "momentum", "rmsprop"} <= slugs
    assert {c["area"] for c in body["results"]} == {"optimizers"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Adam", "adam"),
        ("batch normalization", "batch-normalization"),
        ("批量归一化", "batch-normalization"),
        ("非极大值抑制", "non-max-suppression"),
        ("交并比", "intersection-over-union"),
    ],
)
def test_search_in_english_and_chinese_puts_title_match_first(api, query, expected):
    results = api.get("/api/concepts/", {"search": query}).json()["results"]
    assert results, f"no result for {query!r}"
    assert results[0]["slug"] == expected


def test_search_matches_body_text_and_requires_every_word_unless_none_matches_them_all(api):
    results = api.get("/api/concepts/", {"search": "bias correction", "page_size": 100}).json()["results"]
    assert "adam" in {c["slug"] for c in results}
    # issue 12: a word that matches nothing no longer empties the list; the partial matches say what matched
    results = api.get("/api/concepts/", {"search": "adam zzzunknownword"}).json()["results"]
    assert results[0]["slug"] == "adam"
    assert all(c["matched"] == ["adam"] for c in results)
    assert api.get("/api/concepts/", {"search": "zzzunknownword"}).json()["count"] == 0


def test_ordering(api):
    titles = [c["title"] for c in api.get("/api/concepts/", {"ordering": "-title", "page_size": 100}).json()["results"]]
    assert titles == sorted(titles, reverse=True)


def test_detail_has_whole_entry_with_links(api):
    body = api.get("/api/concepts/adam/").json()
    assert body["slug"] == "adam"
    assert body["title_zh"]
    assert body["body"]
    assert body["formulas"]
    assert all(f["mathml"].startswith("<math") and f["caption"] for f in body["formulas"])
    prerequisite_slugs = {p["slug"] for p in body["prerequisites"]}
    assert prerequisite_slugs == set(Concept.objects.get(slug="adam").prerequisites.values_list("slug", flat=True))
    assert all(set(p) == {"slug", "title", "title_zh", "area"} for p in body["prerequisites"] + body["related"])
    assert body["sources"]
    assert all(s["title"] for s in body["sources"])


def test_unknown_slug_is_404_in_error_format(api):
    body = assert_error(api.get("/api/concepts/no-such-thing/"), 404, "not_found")
    assert "no-such-thing" in body["detail"]
    assert_error(api.get("/api/concepts/no-such-thing/graph/"), 404, "not_found")


def test_unknown_api_path_is_404_in_error_format(api):
    assert_error(api.get("/api/nothing-here/"), 404, "not_found")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"area": "astrology"}, "area"),
        ({"ordering": "password"}, "ordering"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"search": "x" * 201}, "search"),
    ],
)
def test_bad_query_parameters_are_400_with_field_errors(api, params, field):
    body = assert_error(api.get("/api/concepts/", params), 400, body_code := _code_for(field))
    assert field in body["errors"], body
    assert all(item["message"] and item["code"] for item in body["errors"][field])
    assert body_code


def _code_for(field):
    return {
        "area": "invalid_choice",
        "ordering": "invalid_choice",
        "page": "invalid_number",
        "page_size": "max_value",
        "search": "max_length",
    }[field]


def test_page_past_the_end_is_404(api):
    assert_error(api.get("/api/concepts/", {"page": 999}), 404, "not_found")


def test_method_not_allowed_uses_error_format(api):
    assert_error(api.post("/api/concepts/", {}, format="json"), 405, "method_not_allowed")


def test_areas_with_counts(api):
    body = api.get("/api/areas/").json()
    assert [a["slug"] for a in body] == Area.values
    counts = {a["slug"]: a["concept_count"] for a in body}
    assert counts["optimizers"] == Concept.objects.filter(area="optimizers").count() > 0
    assert sum(counts.values()) == Concept.objects.count()


def test_graph_lists_prerequisites_before_what_needs_them(api):
    body = api.get("/api/concepts/adam/graph/").json()
    order = [step["slug"] for step in body["path"]]
    assert order[-1] == "adam"
    position = {slug: i for i, slug in enumerate(order)}
    for step in body["path"]:
        for prerequisite in step["prerequisites"]:
            assert position[prerequisite] < position[step["slug"]]
    direct = set(Concept.objects.get(slug="adam").prerequisites.values_list("slug", flat=True))
    assert direct <= set(order)
    assert body["path"][0]["level"] == 0


def test_schema_is_openapi_3_and_covers_the_api(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/concepts/",
        "/api/concepts/{slug}/",
        "/api/concepts/{slug}/graph/",
        "/api/areas/",
        "/api/health/",
    ):
        assert path in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/concepts/"]["get"]["parameters"]}
    assert {"area", "search", "ordering", "page", "page_size"} <= parameters
    assert "Error" in schema["components"]["schemas"]


def test_schema_generation_command_has_no_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out), "--fail-on-warn", "--validate")
    assert "/api/concepts/" in out.read_text()


def test_swagger_ui_is_served_locally(api):
    html = api.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert urls
    assert not [url for url in urls if url.startswith(("http:", "https:", "//"))], urls


def test_swagger_ui_runs_under_the_content_security_policy(api):
    """Its script comes from a file (?script), so only its inline styles are allowed, on this page alone."""
    response = api.get("/api/docs/")
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert api.get("/api/docs/?script").status_code == 200
    policy = {
        name: values for name, *values in (part.split() for part in response["Content-Security-Policy"].split(";"))
    }
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert "'unsafe-inline'" not in api.get("/api/areas/")["Content-Security-Policy"]


def test_health_reports_database_and_broker(api):
    response = api.get("/api/health/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"]
    assert body["broker"]["ok"]
    assert body["broker"]["transport"] == "filesystem"


def test_health_is_503_when_broker_unreachable(api, unused_tcp_port):
    with override_settings(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{unused_tcp_port}/0",
        BROKER_HEALTH_TIMEOUT=1,
        CELERY_BROKER_TRANSPORT_OPTIONS={},
    ):
        response = api.get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"]
    assert not body["broker"]["ok"]
    assert "Error" in body["broker"]["error"]
