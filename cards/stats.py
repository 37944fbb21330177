"""Learning statistics for one learner: reviews per day, true retention, forecast, streak, mastery."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from cards.models import Card, FsrsState, ReviewLog
from cards.scheduling import retrievability, scheduler_from
from cards.selectors import settings_of
from kb.models import Concept
from quizzes.selectors import concept_mastery


def stats(owner, days: int = 30) -> dict:
    now = timezone.now()
    today = timezone.localdate(now)
    reviews = ReviewLog.objects.filter(owner=owner)
    per_day = dict(
        reviews.annotate(day=TruncDate("reviewed_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    mature = reviews.filter(state_before=FsrsState.REVIEW)
    mature_count = mature.count()
    recalled = mature.exclude(rating=1).count()
    horizon = now + timedelta(days=days)
    due_rows = (
        Card.objects.filter(owner=owner, suspended=False, due__lte=horizon)
        .annotate(day=TruncDate("due"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    forecast = defaultdict(int)
    for day, count in due_rows:
        forecast[max(day, today)] += count  # overdue cards count as due today
    return {
        "reviews_per_day": [{"date": day.isoformat(), "reviews": n} for day, n in sorted(per_day.items())],
        "true_retention": round(recalled / mature_count, 4) if mature_count else None,
        "mature_reviews": mature_count,
        "due_forecast": [
            {"date": (today + timedelta(days=i)).isoformat(), "due": forecast.get(today + timedelta(days=i), 0)}
            for i in range(days)
        ],
        "streak_days": _streak(set(per_day), today),
        "mastery": _mastery(owner, now),
    }


def _streak(days_with_reviews: set[date], today: date) -> int:
    """Consecutive days with reviews, ending today (or yesterday, while today is still open)."""
    day = today if today in days_with_reviews else today - timedelta(days=1)
    streak = 0
    while day in days_with_reviews:
        streak, day = streak + 1, day - timedelta(days=1)
    return streak


def _mastery(owner, now) -> dict:
    """Per concept: mean FSRS retrievability of its reviewed cards and mean quiz score; mastery averages both."""
    scheduler = scheduler_from(settings_of(owner), fuzz=False)
    recall: dict[str, list[float]] = defaultdict(list)
    areas: dict[str, str] = {}
    for card in Card.objects.filter(owner=owner, last_review__isnull=False).select_related("concept"):
        recall[card.concept.slug].append(retrievability(scheduler, card, now))
        areas[card.concept.slug] = card.concept.area
    quiz = concept_mastery(owner)
    if quiz:
        areas.update(dict(Concept.objects.filter(slug__in=quiz).values_list("slug", "area")))
    concepts = {}
    for slug in sorted(set(recall) | set(quiz)):
        parts = [value for value in (_mean(recall.get(slug)), quiz.get(slug)) if value is not None]
        concepts[slug] = {
            "area": areas[slug],
            "retrievability": _mean(recall.get(slug)),
            "quiz_score": round(quiz[slug], 4) if slug in quiz else None,
            "mastery": round(sum(parts) / len(parts), 4),
        }
    by_area: dict[str, list[float]] = defaultdict(list)
    for value in concepts.values():
        by_area[value["area"]].append(value["mastery"])
    return {"concepts": concepts, "areas": {area: _mean(values) for area, values in sorted(by_area.items())}}


def _mean(values) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
