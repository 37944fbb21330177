"""Hostile and malformed input never reaches a 5xx: nested JSON, odd ids in every route, bodies over the limit."""

import json
import re
import uuid
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.regex_helper import normalize
from rest_framework.test import APIClient

from common.parsers import MAX_DEPTH, nesting_depth

pytestmark = pytest.mark.django_db

NESTED = "[" * 1000 + "]" * 1000  # 2 KB; Python's json recursed once per level: RecursionError, a 500


def client(user=None) -> APIClient:
    api = APIClient(raise_request_exception=False)  # an unexpected exception becomes the 500 a server would answer
    if user is not None:
        api.force_login(user)
    return api


def assert_error_format(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["status"] == status and body["code"] and body["detail"]
    return body


# --- nested JSON -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [NESTED, '{"a":' * 1000 + "1" + "}" * 1000, '{"username": ' + NESTED + "}"])
def test_deeply_nested_json_is_a_400_without_login(body):
    response = client().post("/api/auth/register/", body, content_type="application/json")
    detail = assert_error_format(response, 400)["detail"]
    assert f"nested deeper than {MAX_DEPTH} levels" in detail


@pytest.mark.parametrize("url", ["/api/quizzes/", "/api/reviews/batch/", "/api/demo-runs/", "/api/cards/enroll/"])
def test_deeply_nested_json_is_a_400_on_authenticated_endpoints(learner, url):
    response = client(learner).post(url, NESTED, content_type="application/json")
    assert f"nested deeper than {MAX_DEPTH} levels" in assert_error_format(response, 400)["detail"]


def test_nesting_within_the_limit_still_parses_and_brackets_in_strings_do_not_count(learner):
    assert nesting_depth('{"a": [[1]], "b": "[[[[{{{{"}') == 3
    assert nesting_depth("[" * MAX_DEPTH + "]" * MAX_DEPTH) == MAX_DEPTH
    many_brackets_in_a_string = json.dumps({"username": "[" * 500, "password": "a long passphrase 42"})
    response = client().post("/api/auth/register/", many_brackets_in_a_string, content_type="application/json")
    assert_error_format(response, 400)  # the username is invalid, but the body parsed: no nesting error
    assert "nested" not in response.json()["detail"]
    deep_but_allowed = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    response = client(learner).post("/api/quizzes/", deep_but_allowed, content_type="application/json")
    assert "nested" not in assert_error_format(response, 400)["detail"]


def test_a_body_that_is_not_utf8_is_a_400():
    response = client().post("/api/auth/register/", b'{"username": "\xff\xfe"}', content_type="application/json")
    assert_error_format(response, 400)


# --- bodies over the limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/api/auth/register/", "application/json"),
        ("/api/reviews/batch/", "application/json"),
        ("/accounts/login/", "application/x-www-form-urlencoded"),  # a portal form, outside DRF
    ],
)
def test_a_12_mb_body_is_a_413_that_says_the_limit(learner, url, content_type, settings):
    body = b"username=" + b"x" * (12 * 1024 * 1024)
    if content_type == "application/json":
        body = b'{"username": "' + b"x" * (12 * 1024 * 1024) + b'"}'
    response = client(None if url.startswith("/accounts/") else learner).post(url, body, content_type=content_type)
    detail = assert_error_format(response, 413)["detail"]
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    assert detail == f"The request body is larger than the {limit:g} MB this server accepts."


# --- odd ids in every route --------------------------------------------------------------------------------

ODD_VALUES = [
    "-" * 36,  # matches [0-9a-f-]{36} but is not a UUID
    "0" * 36,
    "z" * 36,
    "00000000-0000-0000-0000-000000000000",  # a well-formed UUID nothing has
    "abc",  # letters for a number
    "0",
    "-1",
    "9" * 40,  # a number larger than any database integer
    "x" * 3000,
    "é中文🙂",
    "%00",
    "a%00b",
    "..%2f..",
]
FILLERS = ["1", "relu", "optimizers", "json", "auth", "00000000-0000-0000-0000-000000000000"]


def routes(patterns=None, prefix=""):
    """Every URL pattern of the URL conf, as one regex source from the root."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        source = prefix + pattern.pattern.regex.pattern.lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, source)
        else:
            yield source


def urls_with_odd_values(source: str) -> list[str]:
    """URLs that this pattern matches with each odd value in each of its parameters (the others filled in)."""
    regex = re.compile(source)
    template, params = normalize(source)[0]
    if not params:
        return ["/" + template]

    def fits(values: dict) -> bool:
        return regex.match(unquote(template % values)) is not None

    urls = []
    for param in params:
        for odd in ODD_VALUES:
            for filler in FILLERS:  # the other parameters get the first filler with which the pattern matches
                values = {**dict.fromkeys(params, filler), param: odd}
                if fits(values):
                    urls.append("/" + template % values)
                    break
    if not urls:  # a parameter that takes only a few names (the admin's app labels): walked with a valid one
        urls = ["/" + template % dict.fromkeys(params, f) for f in FILLERS if fits(dict.fromkeys(params, f))]
    return urls


def test_odd_ids_in_every_route_never_give_a_5xx(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="a-long-enough-password-1")
    api = client(admin)  # a superuser also reaches the admin's views; for the API it is a learner like any other
    failures, tried, untested = [], 0, []
    all_routes = list(routes())
    assert len(all_routes) > 80
    for source in all_routes:
        urls = urls_with_odd_values(source)
        if not urls:
            untested.append(source)
        for url in urls:
            for method in (api.get, api.post):
                response = method(url, {}, format="json") if method == api.post else method(url)
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{method.__name__.upper()} {url[:120]} -> {response.status_code}")
                if "logout" in url:
                    api.force_login(admin)
    assert not untested, untested
    assert tried > 500
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    [
        "/api/demo-runs/------------------------------------/",
        "/api/demo-runs/------------------------------------/cancel/",
        "/api/quizzes/------------------------------------/",
        "/api/quizzes/------------------------------------/answers/",
        "/api/cards/abc/",
        "/api/cards/99999999999999999999999999/",
    ],
)
def test_invalid_ids_are_a_404_in_the_error_format(learner, url):
    api = client(learner)
    if url.endswith(("cancel/", "answers/")):
        response = api.post(url, {"question": "q1", "response": "a"}, format="json")
    else:
        response = api.get(url)
    assert_error_format(response, 400 if url == "/api/cards/abc/" else 404)  # a card id must be a number: 400


@pytest.mark.parametrize("suffix", ["review/", "forget/", "unsuspend/"])
def test_a_card_id_that_is_not_a_number_is_an_error_not_a_500(learner, suffix):
    response = client(learner).post(f"/api/cards/abc/{suffix}", {"rating": 3, "review_id": "x"}, format="json")
    assert response.status_code in {400, 404}
    assert_error_format(response, response.status_code)


# --- reviewed_at bounds ------------------------------------------------------------------------------------


@pytest.fixture
def card(learner):
    from cards import services
    from cards.models import Card
    from kb.models import Concept

    services.enroll(learner, list(Concept.objects.filter(slug="tanh")))
    return Card.objects.filter(owner=learner).first()


def rate(api, card_id, reviewed_at, rating=3):
    body = {"rating": rating, "review_id": str(uuid.uuid4()), "reviewed_at": reviewed_at}
    return api.post(f"/api/cards/{card_id}/review/", body, format="json")


@pytest.mark.parametrize(
    "reviewed_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "1970-01-01T00:00:00Z", "before creation"]
)
def test_a_review_cannot_predate_its_card(learner, card, reviewed_at):
    from cards.models import Card, ReviewLog

    if reviewed_at == "before creation":
        reviewed_at = (card.created_at - timedelta(seconds=1)).isoformat()
    response = rate(client(learner), card.pk, reviewed_at)
    body = assert_error_format(response, 400)
    if reviewed_at.startswith("0001-01-01T00:00:00+"):  # does not fit a UTC datetime: refused as input
        assert body["code"] == "overflow" and "reviewed_at" in body["errors"]
    else:
        assert body["code"] == "before_card_created"
        assert "a review cannot predate its card" in body["detail"]
        assert card.created_at.isoformat() in body["detail"]
        assert body["errors"]["reviewed_at"][0]["message"] == "earlier than the card's creation"
    assert Card.objects.get(pk=card.pk).reps == 0
    assert not ReviewLog.objects.exists()


def test_reviews_between_creation_and_now_apply_and_an_offline_batch_cannot_go_back_before_the_last(learner, card):
    from cards.models import Card, ReviewLog

    api = client(learner)
    created = timezone.now() - timedelta(days=3)
    Card.objects.filter(pk=card.pk).update(created_at=created)
    assert rate(api, card.pk, (created + timedelta(days=1)).isoformat()).status_code == 200
    earlier = {"card": card.pk, "rating": 3, "review_id": str(uuid.uuid4())}
    earlier["reviewed_at"] = (created + timedelta(hours=12)).isoformat()  # after creation, before the last review
    response = api.post("/api/reviews/batch/", {"reviews": [earlier]}, format="json")
    body = assert_error_format(response, 400)
    assert "last reviewed" in body["errors"]["reviews.0"][0]["message"]
    assert ReviewLog.objects.filter(card=card).count() == 1
