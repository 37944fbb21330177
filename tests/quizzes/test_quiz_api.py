"""Accounts, the question bank as loaded, and quizzes over the API."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from kb.models import Concept
from quizzes.models import Question, QuestionType, Quiz, QuizItem
from tests.processes import LEARNER_PASSWORD

pytestmark = pytest.mark.django_db


def test_register_then_use_the_token_as_token_or_bearer():
    client = APIClient()
    response = client.post(
        "/api/auth/register/", {"username": "grace", "password": "correct horse battery 9"}, format="json"
    )
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    for scheme in ("Token", "Bearer"):
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")
        assert client.get("/api/demo-runs/").status_code == 200
    again = APIClient().post(
        "/api/auth/token/", {"username": "grace", "password": "correct horse battery 9"}, format="json"
    )
    assert again.json()["token"] == token


def test_a_wrong_token_or_an_inactive_learner_gets_401_in_the_error_format():
    client = APIClient()
    response = client.post(
        "/api/auth/register/", {"username": "ida", "password": "correct horse battery 9"}, format="json"
    )
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/cards/due/").json() == []
    for header in (f"Token {token[:-1]}x", f"Bearer {token}x"):
        client.credentials(HTTP_AUTHORIZATION=header)
        wrong = client.get("/api/cards/due/")
        assert wrong.status_code == 401 and wrong.json()["detail"] == "Invalid token."
    get_user_model().objects.filter(username="ida").update(is_active=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    inactive = client.get("/api/cards/due/")
    assert inactive.status_code == 401 and inactive.json()["detail"] == "User inactive or deleted."


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"username": "ada", "password": "another long password 7"}, "username_taken", "username"),
        ({"username": "bob", "password": "123"}, "weak_password", "password"),
        ({"username": "bob smith", "password": "another long password 7"}, "invalid", "username"),
        ({"password": "another long password 7"}, "required", "username"),
    ],
)
def test_registration_errors(learner, body, code, field):
    response = APIClient().post("/api/auth/register/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]


def test_wrong_password_gets_no_token(learner):
    response = APIClient().post("/api/auth/token/", {"username": "ada", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_bank_covers_every_concept_with_three_questions_or_more():
    from kb.models import Concept

    assert Question.objects.count() >= 250
    for concept in Concept.objects.all():
        assert concept.questions.count() >= 3, concept.slug
    assert {q.type for q in Question.objects.all()} == set(QuestionType.values)


def test_quiz_is_served_without_answers(api):
    response = api.post("/api/quizzes/", {"area": "cnn", "size": 12}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["progress"] == {"total": 12, "answered": 0, "score": 0, "percent": 0.0, "complete": False}
    text = str(body)
    for secret in ("'correct'", "'answer'", "'blanks': [", "explanation", "feedback", "tolerance"):
        assert secret not in text, secret
    for item in body["items"]:
        assert item["question"]["prompt"]
        assert item["result"] is None


def answer_for(item: QuizItem):
    """The right response for a served item, computed from the stored question (as the server would)."""
    question = item.question
    spec = question.spec
    if question.type == "single":
        return next(c["key"] for c in spec["choices"] if c["correct"])
    if question.type == "multiple":
        return [c["key"] for c in spec["choices"] if c["correct"]]
    if question.type in ("true_false", "numeric"):
        return spec["answer"]
    if question.type == "cloze":
        return [blank[0] for blank in spec["blanks"]]
    return item.variant["answer"]


def test_answers_are_graded_with_expected_answer_and_explanation(api):
    quiz_id = api.post(
        "/api/quizzes/", {"concepts": ["padding-stride", "dropout", "adam"], "size": 14}, format="json"
    ).json()["id"]
    items = list(Quiz.objects.get(pk=quiz_id).items.select_related("question"))
    for item in items:
        result = api.post(
            f"/api/quizzes/{quiz_id}/answers/",
            {"question": item.question_id, "response": answer_for(item)},
            format="json",
        ).json()
        assert result["score"] == 1.0, (item.question_id, result)
        assert result["correct"] is True
        assert result["explanation"]
    progress = api.get(f"/api/quizzes/{quiz_id}/").json()["progress"]
    assert progress["answered"] == progress["total"] == len(items)
    assert progress["percent"] == 100.0


def test_parametric_variant_is_stored_and_regradable(api):
    quiz_id = api.post("/api/quizzes/", {"concepts": ["padding-stride"], "size": 10}, format="json").json()["id"]
    item = Quiz.objects.get(pk=quiz_id).items.get(question__type="parametric")
    assert item.seed is not None
    from quizzes.generators import generate

    assert generate(item.question.spec["generator"], item.seed).answer == item.variant["answer"]
    served = api.get(f"/api/quizzes/{quiz_id}/").json()["items"]
    assert any(s["question"]["prompt"] == item.variant["prompt"] for s in served)
    wrong = api.post(
        f"/api/quizzes/{quiz_id}/answers/",
        {"question": item.question_id, "response": item.variant["answer"] + 1},
        format="json",
    )
    assert wrong.json()["score"] == 0.0
    assert wrong.json()["expected"] == item.variant["answer"]


def test_multiple_choice_gives_partial_credit_and_feedback(api):
    question = Question.objects.filter(type="multiple").first()
    quiz_id = api.post("/api/quizzes/", {"concepts": [question.concept.slug], "size": 50}, format="json").json()["id"]
    right = [c["key"] for c in question.spec["choices"] if c["correct"]]
    result = api.post(
        f"/api/quizzes/{quiz_id}/answers/", {"question": question.id, "response": right[:1]}, format="json"
    ).json()
    assert result["score"] == pytest.approx(1 / len(right))


def test_bad_answers_are_4xx_and_change_nothing(api):
    quiz_id = api.post("/api/quizzes/", {"concepts": ["sigmoid"], "size": 3}, format="json").json()["id"]
    item = Quiz.objects.get(pk=quiz_id).items.select_related("question").first()
    outside = Question.objects.exclude(pk__in=Quiz.objects.get(pk=quiz_id).items.values("question")).first()
    bad = {
        "single": ["a", "b"],
        "multiple": "a",
        "true_false": "yes",
        "numeric": "many",
        "cloze": "x",
        "parametric": "many",
    }[item.question.type]
    cases = [
        ({"question": item.question_id, "response": bad}, 400, "invalid_response"),
        ({"question": outside.id, "response": "a"}, 400, "not_in_quiz"),
        ({"response": "a"}, 400, "required"),
    ]
    for body, status, code in cases:
        response = api.post(f"/api/quizzes/{quiz_id}/answers/", body, format="json")
        assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert not QuizItem.objects.filter(quiz_id=quiz_id, answered_at__isnull=False).exists()
    api.post(
        f"/api/quizzes/{quiz_id}/answers/", {"question": item.question_id, "response": answer_for(item)}, format="json"
    )
    first = QuizItem.objects.get(pk=item.pk)
    twice = api.post(f"/api/quizzes/{quiz_id}/answers/", {"question": item.question_id, "response": bad}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_answered")
    assert QuizItem.objects.get(pk=item.pk).answered_at == first.answered_at


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"concepts": ["no-such-concept"]}, "unknown_concept"),
        ({"area": "astrology"}, "invalid_choice"),
        ({}, "invalid_scope"),
        ({"concepts": ["adam"], "area": "cnn"}, "invalid_scope"),
        ({"concepts": ["adam"], "size": 0}, "min_value"),
        ({"concepts": ["adam"], "mode": "chaotic"}, "invalid_choice"),
    ],
)
def test_bad_quiz_requests_are_400(api, body, code):
    response = api.post("/api/quizzes/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Quiz.objects.exists()


def test_another_learners_quiz_is_404(api, django_user_model):
    quiz_id = api.post("/api/quizzes/", {"concepts": ["relu"], "size": 2}, format="json").json()["id"]
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("eve", password="pw"))
    question = Quiz.objects.get(pk=quiz_id).items.first().question_id
    assert other.get(f"/api/quizzes/{quiz_id}/").status_code == 404
    response = other.post(f"/api/quizzes/{quiz_id}/answers/", {"question": question, "response": "a"}, format="json")
    assert response.status_code == 404
    assert not QuizItem.objects.filter(quiz_id=quiz_id, answered_at__isnull=False).exists()


def test_quizzes_need_authentication():
    assert APIClient().post("/api/quizzes/", {"area": "cnn"}, format="json").status_code in (401, 403)


def test_adaptive_mode_puts_weak_concepts_first_and_interleaves(api):
    weak, strong = "dropout", "adam"
    quiz_id = api.post("/api/quizzes/", {"concepts": [weak, strong], "size": 8}, format="json").json()["id"]
    for item in Quiz.objects.get(pk=quiz_id).items.select_related("question"):
        score = 1.0 if item.question.concept.slug == strong else 0.0  # mastery counts by the primary concept
        QuizItem.objects.filter(pk=item.pk).update(score=score, response="recorded", answered_at=timezone.now())
    adaptive = api.post(
        "/api/quizzes/", {"concepts": [weak, strong], "size": 6, "mode": "adaptive"}, format="json"
    ).json()
    scope = {weak, strong}
    concepts = [
        next(slug for slug in [item["question"]["concept"], *item["question"]["also_concepts"]] if slug in scope)
        for item in adaptive["items"]
    ]
    assert concepts[0] == weak
    assert all(a != b for a, b in itertools.pairwise(concepts)), concepts


def test_session_login_then_csrf_protected_requests(learner):
    client = APIClient(enforce_csrf_checks=True)
    assert client.post("/api/auth/login/", {"username": "ada", "password": "wrong"}, format="json").json()["code"] == (
        "invalid_credentials"
    )
    assert (
        client.post("/api/auth/login/", {"username": "ada", "password": LEARNER_PASSWORD}, format="json").status_code
        == 200
    )
    assert client.get("/api/demo-runs/").status_code == 200  # the session authenticates
    refused = client.post("/api/quizzes/", {"area": "cnn"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")  # no CSRF token
    csrf = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    assert client.post("/api/quizzes/", {"area": "cnn"}, format="json", **csrf).status_code == 201
    assert client.post("/api/auth/logout/", **csrf).status_code == 204
    assert client.get("/api/demo-runs/").status_code in (401, 403)


def test_adaptive_mode_puts_concepts_with_due_cards_first(api, learner):
    from cards import services

    concepts = ["sigmoid", "tanh", "relu"]
    services.enroll(learner, list(Concept.objects.filter(slug="tanh")))  # new cards are due at once
    for _ in range(5):
        quiz = api.post("/api/quizzes/", {"concepts": concepts, "size": 3, "mode": "adaptive"}, format="json").json()
        first = quiz["items"][0]["question"]
        assert "tanh" in [first["concept"], *first["also_concepts"]]
