"""Reads for flashcards: one learner's cards, the due list with interval previews, leeches, and settings."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from cards.models import Card, ReviewLog, SchedulerSettings
from cards.scheduling import preview_intervals, retrievability, scheduler_from
from common.errors import NotFound


def settings_of(owner) -> SchedulerSettings:
    """The learner's scheduler settings; the defaults (unsaved) for a learner who never changed them."""
    return SchedulerSettings.objects.filter(owner=owner).first() or SchedulerSettings(owner=owner)


def card_of(owner, card_id) -> Card:
    """The owner's card; anybody else's card is a NotFound, like one that does not exist."""
    card = Card.objects.select_related("concept").filter(owner=owner, pk=card_id).first()
    if card is None:
        raise NotFound(f"No card {card_id} of yours.")
    return card


def due_cards(owner, limit: int, now=None) -> list[tuple[Card, dict[str, float]]]:
    """Cards due now, oldest due first, each with the interval (days) each rating would give."""
    now = now or timezone.now()
    cards = list(
        Card.objects.filter(owner=owner, suspended=False, due__lte=now)
        .select_related("concept")
        .order_by("due", "id")[:limit]
    )
    scheduler = scheduler_from(settings_of(owner), fuzz=False)
    return [(card, preview_intervals(scheduler, card, now)) for card in cards]


def retrievabilities(owner, cards: list[Card], now=None) -> list[float]:
    """Each card's probability of recall now, rounded for display, in the order given."""
    now = now or timezone.now()
    scheduler = scheduler_from(settings_of(owner), fuzz=False)
    return [round(retrievability(scheduler, card, now), 4) for card in cards]


def leeches(owner):
    return Card.objects.filter(owner=owner, leech=True).select_related("concept").order_by("-lapses")


def concepts_with_due_cards(owner) -> set[str]:
    due = Card.objects.filter(owner=owner, suspended=False, due__lte=timezone.now())
    return set(due.values_list("concept__slug", flat=True).distinct())


def review_log_rows(owner):
    return (
        ReviewLog.objects.filter(owner=owner)
        .order_by("reviewed_at", "id")
        .values_list("card_id", "reviewed_at", "rating", "duration_ms", "state_before", "state_after", "due_after")
    )


# --- the study portal's reads ------------------------------------------------------------------------------


def due_counts(owner, now=None) -> dict[str, int]:
    """How many cards are due now (the due list's rule): ``new`` ones, never reviewed, and ``review`` ones."""
    now = now or timezone.now()
    due = Card.objects.filter(owner=owner, suspended=False, due__lte=now)
    counts = due.aggregate(total=Count("id"), new=Count("id", filter=Q(last_review__isnull=True)))
    return {"new": counts["new"], "review": counts["total"] - counts["new"]}


def new_cards_started_since(owner, since) -> int:
    """How many cards had their first review at or after ``since`` (new cards the learner began to study)."""
    started = Card.objects.filter(owner=owner, reviews__reviewed_at__gte=since)
    return started.exclude(reviews__reviewed_at__lt=since).distinct().count()


def search_cards(owner, *, text: str = "", concept: str = "", area: str = "", kind: str = "", suspended=None):
    """The owner's cards whose front or back contain every word of ``text``, filtered; soonest due first."""
    cards = Card.objects.filter(owner=owner).select_related("concept")
    for term in text.split():
        cards = cards.filter(Q(front__icontains=term) | Q(back__icontains=term))
    if concept:
        cards = cards.filter(concept__slug=concept)
    if area:
        cards = cards.filter(concept__area=area)
    if kind:
        cards = cards.filter(kind=kind)
    if suspended is not None:
        cards = cards.filter(suspended=suspended)
    return cards.order_by("due", "id")


def concepts_with_cards(owner) -> list[tuple[str, str]]:
    """(slug, title) of every concept the owner has cards of, by title."""
    rows = Card.objects.filter(owner=owner).values_list("concept__slug", "concept__title").distinct()
    return sorted(rows, key=lambda row: row[1].lower())


def review_history(card: Card):
    """The card's applied reviews, newest first."""
    return ReviewLog.objects.filter(card=card).order_by("-reviewed_at", "-id")
