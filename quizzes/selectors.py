"""Reads for quizzes, shared by the API and pages."""

from django.db.models import Avg
from django.http import Http404
from django.utils import timezone

from quizzes.models import Card, Quiz, QuizItem


def quizzes_of(owner):
    return Quiz.objects.filter(owner=owner)


def quiz_of(owner, quiz_id) -> Quiz:
    """The owner's quiz with its items; anybody else's quiz is a 404, like one that does not exist."""
    try:
        return (
            quizzes_of(owner)
            .prefetch_related("items__question__concept", "items__question__also_concepts")
            .get(pk=quiz_id)
        )
    except Quiz.DoesNotExist:
        raise Http404(f"No quiz {quiz_id} of yours.") from None


def concept_mastery(owner) -> dict[str, float]:
    """Mean quiz score per concept slug over the learner's answered questions."""
    rows = (
        QuizItem.objects.filter(quiz__owner=owner, answered_at__isnull=False)
        .values("question__concept__slug")
        .annotate(mean=Avg("score"))
    )
    return {row["question__concept__slug"]: row["mean"] for row in rows}


def concepts_with_due_cards(owner) -> set[str]:
    due = Card.objects.filter(owner=owner, suspended=False, due__lte=timezone.now())
    return set(due.values_list("concept__slug", flat=True).distinct())


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
