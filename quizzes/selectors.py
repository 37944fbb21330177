"""Reads for quizzes, shared by the API and pages."""

from typing import NamedTuple

import numpy as np
from django.db.models import Avg, F, FloatField, Value
from django.db.models.functions import Coalesce

from common.errors import NotFound
from quizzes.calibration import PRIOR_DIFFICULTY
from quizzes.grading import grade_item
from quizzes.models import LearnerAbility, Question, QuestionCalibration, Quiz, QuizItem
from quizzes.translation import localized


def quizzes_of(owner):
    return Quiz.objects.filter(owner=owner)


def quizzes_with_items(owner):
    """The owner's quizzes, newest first, with their items loaded for ``quiz_progress``."""
    return quizzes_of(owner).prefetch_related("items").order_by("-created_at", "-pk")


def quiz_of(owner, quiz_id) -> Quiz:
    """The owner's quiz with its items; anybody else's quiz is a 404, like one that does not exist."""
    try:
        return (
            quizzes_of(owner)
            .prefetch_related("items__question__concept", "items__question__also_concepts")
            .get(pk=quiz_id)
        )
    except Quiz.DoesNotExist:
        raise NotFound(f"No quiz {quiz_id} of yours.") from None


def concepts_with_questions(slugs: list[str]) -> list[str]:
    """Those of the concepts that still have questions (retired ones stay while learners' attempts refer to them)."""
    return sorted(set(Question.objects.filter(concept__slug__in=slugs).values_list("concept__slug", flat=True)))


def concept_mastery(owner) -> dict[str, float]:
    """Mean quiz score per concept slug over the learner's answered questions."""
    rows = (
        QuizItem.objects.filter(quiz__owner=owner, answered_at__isnull=False)
        .values("question__concept__slug")
        .annotate(mean=Avg("score"))
    )
    return {row["question__concept__slug"]: row["mean"] for row in rows}


def question_last_scores(owner, question_ids: list[str]) -> dict[str, float]:
    items = (
        QuizItem.objects.filter(quiz__owner=owner, question_id__in=question_ids, answered_at__isnull=False)
        .order_by("answered_at")
        .values_list("question_id", "score")
    )
    return dict(items)  # later answers overwrite earlier ones


def quiz_progress(quiz: Quiz) -> dict:
    items = list(quiz.items.all())
    answered = [item for item in items if item.answered_at]
    score = sum(item.score for item in answered)
    return {
        "total": len(items),
        "answered": len(answered),
        "score": round(score, 4),
        "percent": round(100 * score / len(items), 1) if items else 0.0,
        "complete": len(answered) == len(items),
    }


def answer_result(item: QuizItem, language: str = "en") -> dict:
    """An answered item's grade with the expected answer, the feedback on wrong choices and the explanation,
    in ``language`` where the question has it."""
    graded = grade_item(item, item.response, language)
    return {
        "question": item.question_id,
        "response": item.response,
        "score": item.score,
        "correct": item.score == 1.0,
        "expected": graded.expected,
        "feedback": graded.feedback,
        "explanation": (item.variant or {}).get("explanation") or localized(item.question, language)["explanation"],
        "answered_at": item.answered_at,
    }


class LatestAnswer(NamedTuple):
    owner: int
    question: str
    area: str
    score: float


def latest_answers(**filters) -> list[LatestAnswer]:
    """Each learner's latest answer to each question: one answer per learner and question, so a retried question
    is not counted twice, and the latest is the learner's current level."""
    rows = (
        QuizItem.objects.filter(answered_at__isnull=False, **filters)
        .order_by("answered_at", "pk")
        .values_list("quiz__owner_id", "question_id", "question__concept__area", "score")
    )
    latest = {(owner, question): (area, score) for owner, question, area, score in rows}  # later rows overwrite
    return [LatestAnswer(owner, question, area, score) for (owner, question), (area, score) in latest.items()]


def item_parameters(question_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Difficulties and discriminations of the questions, in this order; the prior where none was fitted yet."""
    fitted = {
        row[0]: row[1:]
        for row in QuestionCalibration.objects.filter(question_id__in=question_ids).values_list(
            "question_id", "difficulty", "discrimination"
        )
    }
    parameters = np.array([fitted.get(question_id, (PRIOR_DIFFICULTY, 1.0)) for question_id in question_ids])
    return parameters[:, 0].astype(float), parameters[:, 1].astype(float)


def abilities_of(owner) -> dict[str, float]:
    """The learner's ability per area; an area missing here is at the prior, 0."""
    return dict(LearnerAbility.objects.filter(owner=owner).values_list("area", "ability"))


CALIBRATION_ORDERINGS = ("id", "difficulty", "discrimination", "facility", "answer_count", "fitted_at")


def question_calibrations(*, concept: str | None = None, area: str | None = None, ordering: str = "id"):
    """Every question with its calibration; one never fitted shows the prior, zero answers and no fit date."""
    questions = Question.objects.select_related("concept").annotate(
        difficulty=Coalesce(F("calibration__difficulty"), Value(PRIOR_DIFFICULTY), output_field=FloatField()),
        discrimination=Coalesce(F("calibration__discrimination"), Value(1.0), output_field=FloatField()),
        answer_count=Coalesce(F("calibration__answer_count"), Value(0)),
        facility=F("calibration__facility"),
        calibrated=Coalesce(F("calibration__calibrated"), Value(False)),
        fitted_at=F("calibration__fitted_at"),
    )
    if concept:
        questions = questions.filter(concept__slug=concept)
    if area:
        questions = questions.filter(concept__area=area)
    field = ordering.removeprefix("-")
    order = F(field).desc(nulls_last=True) if ordering.startswith("-") else F(field).asc(nulls_last=True)
    return questions.order_by(order, "id")
