"""``GET /api/next/``: what to study now, in each branch, with a reason in the request's language and the request
that starts it, conforming to the schema, from the learner's own data only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demos.models import DemoRun
from kb.models import Concept
from quizzes.models import Quiz
from study.selectors import QUIZ_SIZE
from tests.study.helpers import answer, assert_conforms, enroll, openapi_schema, rate

pytestmark = pytest.mark.django_db


def next_step(api, query: str = "", **headers) -> dict:
    response = api.get(f"/api/next/{query}", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def ran(owner, demo: str) -> None:
    DemoRun.objects.create(
        owner=owner, demo=demo, params={}, code_version="x", cache_key=demo, queue="cpu", status="succeeded"
    )


def test_due_reviews_come_first_then_new_cards(api, learner):
    cards = enroll(learner, "relu")
    step = next_step(api)
    assert step["kind"] == "learn" and step["count"] == min(len(cards), 20) == step["counts"]["new"]
    assert step["url"] == "/review/" and step["api"] == {"method": "GET", "url": "/api/cards/due/", "body": None}
    assert step["reason"] == f"Nothing to review: learn {step['count']} new cards."

    rate(learner, cards[0], 1, days_ago=1)  # forgotten yesterday: due again now
    step = next_step(api)
    assert step["kind"] == "review" and step["count"] == 1
    assert step["reason"] == "1 card you studied before is due for review."
    assert cards[0].pk in [card["id"] for card in api.get(step["api"]["url"]).json()]
    assert_conforms(openapi_schema(api), "/api/next/", step)


def test_then_a_quiz_on_the_weakest_concept_whose_prerequisites_are_solid(api, learner):
    answer(learner, "intersection-over-union", [1.0] * 6)  # solid
    answer(learner, "non-max-suppression", [0.0, 0.0])  # shaky; its prerequisite (IoU) is solid
    answer(learner, "convolution-2d", [0.0, 0.0, 0.0])  # weaker, but convolution-1d is not known yet
    step = next_step(api)
    assert step["kind"] == "quiz"
    assert step["concept"] == {
        "slug": "non-max-suppression",
        "title": Concept.objects.get(slug="non-max-suppression").title,
        "area": "detection",
        "area_title": "Object detection",
    }
    assert step["mastery"]["label"] == "shaky" and step["mastery"]["mastery"] == 0.25
    assert step["reason"] == (
        f"Your cards are done for today: a quiz on {step['concept']['title']}, your weakest concept whose "
        "prerequisites are solid (shaky, 25%)."
    )
    body = {"concepts": ["non-max-suppression"], "mode": "adaptive", "size": QUIZ_SIZE}
    assert step["api"] == {"method": "POST", "url": "/api/quizzes/", "body": body}
    assert step["url"] == "/quiz/?concepts=non-max-suppression"
    assert_conforms(openapi_schema(api), "/api/next/", step)
    created = api.post(step["api"]["url"], step["api"]["body"], format="json")
    assert created.status_code == 201
    quiz = Quiz.objects.get(pk=created.json()["id"])
    assert {item.question.concept.slug for item in quiz.items.all()} == {"non-max-suppression"}

    # Once NMS is solid, what convolution-2d builds on comes first: the root of its prerequisites.
    answer(learner, "non-max-suppression", [1.0] * 12)
    step = next_step(api)
    assert step["concept"]["slug"] == "linear-transformation" and step["mastery"]["label"] == "new"
    assert step["reason"].endswith("which the concepts you study build on.")


def test_then_a_demo_of_a_concept_just_learnt_then_something_new(api, learner):
    answer(learner, "momentum", [1.0] * 6, when=timezone.now() - timedelta(days=1))
    answer(learner, "intersection-over-union", [1.0] * 6)
    step = next_step(api)
    assert step["kind"] == "demo"
    assert step["demo"]["name"] == "non-max-suppression" and step["concept"]["slug"] == "intersection-over-union"
    assert step["url"] == "/demos/non-max-suppression/"
    assert step["api"] == {"method": "POST", "url": "/api/demo-runs/", "body": {"demo": "non-max-suppression"}}
    assert step["reason"].startswith("You know Intersection over Union (IoU) now: see it at work in the demo")
    assert_conforms(openapi_schema(api), "/api/next/", step)

    ran(learner, "non-max-suppression")
    assert next_step(api)["demo"]["name"] == "optimizers"  # the concept learnt before it
    ran(learner, "optimizers")
    step = next_step(api)
    concept = Concept.objects.get(slug=step["concept"]["slug"])
    assert step["kind"] == "quiz" and concept.area == "foundations" and not concept.prerequisites.exists()
    assert step["reason"] == f"What you have studied is solid: begin {concept.title} with a quiz."


def test_a_new_learner_starts_with_the_first_concept(api, learner):
    step = next_step(api)
    concept = Concept.objects.get(slug=step["concept"]["slug"])
    assert step["kind"] == "quiz" and concept.area == "foundations" and not concept.prerequisites.exists()
    assert step["reason"] == (
        f"Nothing to review yet: start with a quiz on {concept.title}, or add cards from a concept page."
    )


@pytest.mark.parametrize(("query", "headers"), [("?lang=zh", {}), ("", {"HTTP_ACCEPT_LANGUAGE": "zh-Hans"})])
def test_reasons_follow_the_request_language(api, learner, query, headers):
    answer(learner, "intersection-over-union", [1.0] * 6)
    answer(learner, "non-max-suppression", [0.0, 0.0])
    step = next_step(api, query, **headers)
    assert step["concept"]["title"] == Concept.objects.get(slug="non-max-suppression").title_zh
    assert step["concept"]["area_title"] == "目标检测"
    assert step["reason"] == (
        f"今天的卡片已完成：做一次关于“{step['concept']['title']}”的测验，"
        "在前置知识已扎实的概念中它是你最薄弱的（不牢固，25%）。"
    )
    cards = enroll(learner, "relu")
    rate(learner, cards[0], 1, days_ago=1)
    assert next_step(api, query, **headers)["reason"] == "有 1 张学过的卡片到期，需要复习。"


def test_another_learners_data_does_not_count(api, learner, other_api):
    cards = enroll(learner, "relu")
    rate(learner, cards[0], 1, days_ago=1)
    answer(learner, "non-max-suppression", [0.0, 0.0])
    step = next_step(other_api)
    assert step["kind"] == "quiz" and step["reason"].startswith("Nothing to review yet")


def test_next_needs_a_login(client):
    assert client.get("/api/next/").status_code == 401
