"""Evidence for the study tests, written through the real models and the real review service."""

import uuid
from datetime import timedelta

import jsonschema
import yaml
from django.utils import timezone

from cards import services as card_services
from cards.models import Card
from kb.models import Concept
from quizzes.models import Question, Quiz, QuizItem


def answer(owner, slug: str, scores: list[float], when=None) -> None:
    """Record answers to the concept's questions with these scores, as many quizzes as needed (a quiz asks each
    question once)."""
    when = when or timezone.now()
    questions = list(Question.objects.filter(concept__slug=slug, retired=False).order_by("id"))
    for start in range(0, len(scores), len(questions)):
        quiz = Quiz.objects.create(owner=owner, mode="random", scope={"concepts": [slug]})
        chunk = scores[start : start + len(questions)]
        QuizItem.objects.bulk_create(
            QuizItem(
                quiz=quiz, question=question, position=position, response="recorded", score=score, answered_at=when
            )
            for position, (question, score) in enumerate(zip(questions, chunk, strict=False))
        )


def enroll(owner, *slugs) -> list[Card]:
    card_services.enroll(owner, list(Concept.objects.filter(slug__in=slugs)))
    # Made three months ago, so that reviews may be backdated (a review cannot predate its card).
    Card.objects.filter(owner=owner).update(created_at=timezone.now() - timedelta(days=90))
    return list(Card.objects.filter(owner=owner, concept__slug__in=slugs).order_by("id"))


def rate(owner, card: Card, rating: int = 3, days_ago: float = 0) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    card_services.review(owner, card_services.ReviewRequest(card.pk, rating, uuid.uuid4(), reviewed_at=when))


def learn_well(owner, slug: str) -> list[Card]:
    """Enroll the concept and review each card Good four times over two months: well retained today."""
    cards = enroll(owner, slug)
    for days_ago in (60, 59, 40, 5):
        for card in cards:
            rate(owner, card, 3, days_ago)
    return cards


_schema: dict = {}


def openapi_schema(api) -> dict:
    """The API's OpenAPI schema, generated once per test session (it takes seconds)."""
    if not _schema:
        _schema.update(yaml.safe_load(api.get("/api/schema/").content))
    return _schema


def assert_conforms(schema: dict, path: str, body) -> None:
    """``body`` matches the documented 200 response of ``GET path`` (OpenAPI 3.0's ``nullable`` read as JSON
    Schema's null type)."""
    response = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    document = as_json_schema({**response, "components": schema["components"]})
    jsonschema.validate(body, document)


def as_json_schema(node):
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") else converted
