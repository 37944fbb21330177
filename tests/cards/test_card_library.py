"""Finding one's cards: the list with filters and pagination, one card with its history, suspend/bury, forget."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cards.models import Card, FsrsState, ReviewLog

pytestmark = pytest.mark.django_db


def enroll(api, *slugs):
    assert api.post("/api/cards/enroll/", {"concepts": list(slugs)}, format="json").status_code == 200


def review(api, card_id, rating=3):
    body = {"rating": rating, "review_id": str(uuid.uuid4())}
    response = api.post(f"/api/cards/{card_id}/review/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def listed(api, **params) -> set[int]:
    response = api.get("/api/cards/", {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return {card["id"] for card in response.json()["results"]}


def test_list_filters_by_concept_area_kind_state_suspension_due_and_text(api, learner):
    enroll(api, "relu", "adam")
    mine = Card.objects.filter(owner=learner)
    assert listed(api) == set(mine.values_list("pk", flat=True))
    assert listed(api, concept="relu") == set(mine.filter(concept__slug="relu").values_list("pk", flat=True))
    assert listed(api, area="optimizers") == set(mine.filter(concept__slug="adam").values_list("pk", flat=True))
    assert listed(api, kind="cloze") == set(mine.filter(kind="cloze").values_list("pk", flat=True))
    reviewed = mine.get(concept__slug="adam", kind="definition")
    review(api, reviewed.pk, 4)
    assert listed(api, state="review") == {reviewed.pk}
    assert reviewed.pk not in listed(api, state="new")
    assert len(listed(api, state="new")) == mine.count() - 1
    Card.objects.filter(pk=reviewed.pk).update(suspended=True)
    assert listed(api, suspended="true") == {reviewed.pk}
    assert reviewed.pk not in listed(api, suspended="false")
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    assert listed(api, due_before=soon) == set(mine.exclude(pk=reviewed.pk).values_list("pk", flat=True))
    words = listed(api, q="adam MOMENT")
    assert words and all("adam" in (c.front + c.back).lower() for c in mine.filter(pk__in=words))
    assert listed(api, q="no-such-word-anywhere") == set()
    for params, code in (({"state": "sleeping"}, "invalid_choice"), ({"due_before": "soon"}, "invalid")):
        response = api.get("/api/cards/", params)
        assert (response.status_code, response.json()["code"]) == (400, code)


def test_list_is_paginated(api, learner):
    enroll(api, "relu", "adam")
    total = Card.objects.filter(owner=learner).count()
    first = api.get("/api/cards/", {"page_size": 2}).json()
    assert first["count"] == total and len(first["results"]) == 2 and first["next"]
    second = api.get("/api/cards/", {"page_size": 2, "page": 2}).json()
    assert not {c["id"] for c in first["results"]} & {c["id"] for c in second["results"]}
    assert api.get("/api/cards/", {"page_size": 101}).json()["code"] == "max_value"


def test_one_card_with_its_review_history(api, learner):
    enroll(api, "relu")
    card = Card.objects.filter(owner=learner).first()
    assert api.get(f"/api/cards/{card.pk}/").json()["reviews"] == []
    review(api, card.pk, 3)
    review(api, card.pk, 1)
    body = api.get(f"/api/cards/{card.pk}/").json()
    assert body["id"] == card.pk and body["reps"] == 2 and 0 <= body["retrievability"] <= 1
    assert [r["rating"] for r in body["reviews"]] == [1, 3]  # newest first
    assert body["reviews"][1]["state_before"] == "Learning"


def test_patch_suspends_unsuspends_buries_and_unburies(api, learner):
    enroll(api, "relu")
    card = Card.objects.filter(owner=learner).first()
    assert card.pk in {c["id"] for c in api.get("/api/cards/due/", {"limit": 200}).json()}
    assert api.patch(f"/api/cards/{card.pk}/", {"suspended": True}, format="json").json()["suspended"] is True
    assert card.pk not in {c["id"] for c in api.get("/api/cards/due/", {"limit": 200}).json()}
    assert api.patch(f"/api/cards/{card.pk}/", {"suspended": False}, format="json").json()["suspended"] is False
    buried = api.patch(f"/api/cards/{card.pk}/", {"buried": True}, format="json").json()
    tomorrow = (timezone.now() - timedelta(hours=4)).date() + timedelta(days=1)  # UTC, the day starts at 4:00
    assert buried["buried_until"] == tomorrow.isoformat()
    assert card.pk not in {c["id"] for c in api.get("/api/cards/due/", {"limit": 200}).json()}
    assert listed(api, buried="true") == {card.pk}
    assert api.patch(f"/api/cards/{card.pk}/", {"buried": False}, format="json").json()["buried_until"] is None
    assert card.pk in {c["id"] for c in api.get("/api/cards/due/", {"limit": 200}).json()}
    empty = api.patch(f"/api/cards/{card.pk}/", {}, format="json")
    assert (empty.status_code, empty.json()["code"]) == (400, "empty_patch")


def test_forget_resets_the_card_to_new_and_keeps_its_log(api, learner):
    enroll(api, "relu")
    card = Card.objects.filter(owner=learner).first()
    review(api, card.pk, 4)
    review(api, card.pk, 3)
    body = api.post(f"/api/cards/{card.pk}/forget/").json()
    assert (body["state"], body["reps"], body["stability"], body["last_review"]) == ("Learning", 0, None, None)
    assert Card.objects.get(pk=card.pk).state == FsrsState.LEARNING
    assert ReviewLog.objects.filter(card=card).count() == 2
    assert card.pk in listed(api, state="new")


def test_bad_ids_and_another_learners_cards(api, learner, django_user_model):
    enroll(api, "relu")
    card = Card.objects.filter(owner=learner).first()
    for method, path in (("get", "/api/cards/abc/"), ("patch", "/api/cards/abc/"), ("post", "/api/cards/abc/forget/")):
        response = getattr(api, method)(path, {"suspended": True}, format="json")
        assert response.status_code in (400, 404), (path, response.status_code)
        assert {"status", "code", "detail"} <= response.json().keys()
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("eve", password="pw"))
    assert other.get("/api/cards/").json()["count"] == 0
    assert other.get(f"/api/cards/{card.pk}/").status_code == 404
    assert other.patch(f"/api/cards/{card.pk}/", {"suspended": True}, format="json").status_code == 404
    assert other.post(f"/api/cards/{card.pk}/forget/").status_code == 404
    assert other.post(f"/api/cards/{card.pk}/unsuspend/").status_code == 404
    assert Card.objects.get(pk=card.pk).suspended is False
