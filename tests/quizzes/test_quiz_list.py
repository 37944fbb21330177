"""``GET /api/quizzes/``: the learner's quizzes, newest first, with score and progress, paginated."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from quizzes.models import Quiz
from tests.quizzes.test_quiz_api import answer_for

pytestmark = pytest.mark.django_db


def new_quiz(api, concept: str, size: int) -> str:
    response = api.post("/api/quizzes/", {"concepts": [concept], "size": size}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_quizzes_are_listed_newest_first_with_score_and_progress(api, django_user_model):
    older, newer = new_quiz(api, "sigmoid", 3), new_quiz(api, "relu", 2)
    Quiz.objects.filter(pk=older).update(created_at=timezone.now() - timedelta(days=1))
    item = Quiz.objects.get(pk=newer).items.select_related("question").first()
    answer = {"question": item.question_id, "response": answer_for(item)}
    assert api.post(f"/api/quizzes/{newer}/answers/", answer, format="json").status_code == 200

    body = api.get("/api/quizzes/").json()
    assert body["count"] == 2
    assert [quiz["id"] for quiz in body["results"]] == [newer, older]
    first = body["results"][0]
    assert "items" not in first
    assert first["scope"] == {"concepts": ["relu"]}
    total = Quiz.objects.get(pk=newer).items.count()
    assert first["progress"] == {
        "total": total,
        "answered": 1,
        "score": 1.0,
        "percent": round(100 / total, 1),
        "complete": total == 1,
    }
    assert body["results"][1]["progress"]["answered"] == 0

    page = api.get("/api/quizzes/", {"page_size": 1, "page": 2}).json()
    assert [quiz["id"] for quiz in page["results"]] == [older] and page["next"] is None
    bad = api.get("/api/quizzes/", {"page_size": "0"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_number")

    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("eve", password="pw"))
    assert other.get("/api/quizzes/").json()["count"] == 0
    assert other.get(f"/api/quizzes/{newer}/").status_code == 404


def test_the_quiz_list_needs_a_login():
    response = APIClient().get("/api/quizzes/")
    assert response.status_code in (401, 403)
    assert "code" in response.json()
