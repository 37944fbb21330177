"""Learning statistics for one learner: reviews per day, true retention, forecast, streak. Mastery, which needs
quizzes and cards together, is ``study.mastery``; ``GET /api/stats/`` (``study.views``) serves both."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from cards.models import Card, FsrsState, ReviewLog


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
    }


def _streak(days_with_reviews: set[date], today: date) -> int:
    """Consecutive days with reviews, ending today (or yesterday, while today is still open)."""
    day = today if today in days_with_reviews else today - timedelta(days=1)
    streak = 0
    while day in days_with_reviews:
        streak, day = streak + 1, day - timedelta(days=1)
    return streak
