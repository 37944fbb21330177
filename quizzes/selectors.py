"""Reads for quizzes, shared by the API and pages."""

from django.db.models import Avg

from common.errors import NotFound
from quizzes.grading import grade_item
from quizzes.models import Question, Quiz, QuizItem
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
