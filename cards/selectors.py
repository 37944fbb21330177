"""Reads for flashcards: one learner's cards, the due list with interval previews, leeches, and settings."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from cards.days import day_bounds
from cards.models import Card, FsrsState, ReviewLog, SchedulerSettings
from cards.scheduling import preview_intervals, retrievability, scheduler_from
from common.errors import NotFound
from kb.models import Concept


def settings_of(owner) -> SchedulerSettings:
    """The learner's scheduler settings; the defaults (unsaved) for a learner who never changed them."""
    return SchedulerSettings.objects.filter(owner=owner).first() or SchedulerSettings(owner=owner)


def card_of(owner, card_id) -> Card:
    """The owner's card; anybody else's card (or an id that is no number) is a NotFound, like one that does not
    exist."""
    if not str(card_id).isdigit():
        raise NotFound(f"No card {card_id} of yours: card ids are whole numbers.")
    card = Card.objects.select_related("concept").filter(owner=owner, pk=int(card_id)).first()
    if card is None:
        raise NotFound(f"No card {card_id} of yours.")
    return card


def due_cards(owner, limit: int, now=None) -> list[tuple[Card, dict[str, float]]]:
    """The first ``limit`` cards of today's queue (``todays_queue``), each with the interval (days) each rating
    would give."""
    return due_queue(owner, limit, now)[0]


def due_queue(owner, limit: int, now=None) -> tuple[list[tuple[Card, dict[str, float]]], dict[str, int]]:
    """``due_cards`` and, as ``todays_queue`` counts them, how many learning, review and new cards are left."""
    now = now or timezone.now()
    cards, counts = todays_queue(owner, now)
    scheduler = scheduler_from(settings_of(owner), fuzz=False)
    return [(card, preview_intervals(scheduler, card, now)) for card in cards[:limit]], counts


# --- today's queue, as Anki builds it ----------------------------------------------------------------------

IN_LEARNING_STEP = Q(state__in=[FsrsState.LEARNING, FsrsState.RELEARNING], last_review__isnull=False)
NEW = Q(last_review__isnull=True)


def today_of(owner, now=None) -> tuple[SchedulerSettings, date, datetime, datetime]:
    """The learner's settings and their study day now: (settings, day, its start, the next day's start)."""
    config = settings_of(owner)
    return config, *day_bounds(now or timezone.now(), config.time_zone, config.day_starts_at_hour)


def buried(owner, now=None) -> Q:
    """The cards hidden until the next study day: buried by hand, or (bury siblings) another card of their
    concept was reviewed today and they are not in a learning step."""
    config, day, start, end = today_of(owner, now)
    hidden = Q(buried_until__gt=day)
    if config.bury_siblings:
        today = ReviewLog.objects.filter(owner=owner, reviewed_at__gte=start, reviewed_at__lt=end)
        concepts = today.values_list("card__concept_id", flat=True)
        reviewed = today.values_list("card_id", flat=True)
        hidden |= Q(concept_id__in=concepts) & ~Q(pk__in=reviewed) & ~IN_LEARNING_STEP
    return hidden


def todays_queue(owner, now=None) -> tuple[list[Card], dict[str, int]]:
    """Today's cards in Anki's order, and how many of each kind are left today (``learning``, ``review``, ``new``).

    Learning and relearning cards whose step is due come first, then reviews due today (oldest first) within
    what is left of ``max_reviews_per_day``, then new cards (due today: enrolled or forgotten before the day
    ends) within what is left of ``new_cards_per_day``, a concept's cards after those of the concepts it depends
    on. Suspended and buried cards wait."""
    now = now or timezone.now()
    config, _day, start, end = today_of(owner, now)
    cards = Card.objects.filter(owner=owner, suspended=False).exclude(buried(owner, now)).select_related("concept")
    learning = list(cards.filter(IN_LEARNING_STEP, due__lte=now).order_by("due", "id"))
    done = ReviewLog.objects.filter(owner=owner, reviewed_at__gte=start, reviewed_at__lt=end)
    review_room = max(0, config.max_reviews_per_day - done.filter(state_before=FsrsState.REVIEW).count())
    reviews = list(cards.filter(state=FsrsState.REVIEW, due__lt=end).order_by("due", "id")[:review_room])
    new_room = max(0, config.new_cards_per_day - new_cards_started_since(owner, start))
    new = in_prerequisite_order(cards.filter(NEW, due__lt=end))[:new_room]
    counts = {
        "learning": cards.filter(IN_LEARNING_STEP, due__lt=end).count(),
        "review": len(reviews),
        "new": len(new),
    }
    return [*learning, *reviews, *new], counts


def in_prerequisite_order(cards) -> list[Card]:
    """The cards with each concept's after those of the concepts it depends on (transitively), then by concept
    and in the order they were made (definition, formulas, pros and cons, cloze, questions)."""
    needs: dict[int, list[int]] = defaultdict(list)
    edges = Concept.prerequisites.through.objects.values_list("from_concept_id", "to_concept_id")
    for dependent, prerequisite in edges:
        needs[dependent].append(prerequisite)
    level: dict[int, int] = {}

    def depth(concept_id: int, seen: frozenset = frozenset()) -> int:
        if concept_id not in level:
            below = [depth(p, seen | {concept_id}) for p in needs[concept_id] if p not in seen]
            level[concept_id] = 1 + max(below, default=-1)
        return level[concept_id]

    return sorted(cards, key=lambda card: (depth(card.concept_id), card.concept.slug, card.pk))


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
    """How many cards are left today (today's queue): ``new`` ones, never reviewed, and ``review`` ones (learning
    steps and reviews together)."""
    _cards, counts = todays_queue(owner, now)
    return {"new": counts["new"], "review": counts["learning"] + counts["review"]}


def new_cards_started_since(owner, since) -> int:
    """How many cards had their first review at or after ``since`` (new cards the learner began to study)."""
    started = Card.objects.filter(owner=owner, reviews__reviewed_at__gte=since)
    return started.exclude(reviews__reviewed_at__lt=since).distinct().count()


CARD_STATES = {
    "new": NEW,
    "learning": Q(state=FsrsState.LEARNING, last_review__isnull=False),
    "review": Q(state=FsrsState.REVIEW),
    "relearning": Q(state=FsrsState.RELEARNING),
}


def search_cards(
    owner,
    *,
    text: str = "",
    concept: str = "",
    area: str = "",
    kind: str = "",
    suspended=None,
    state: str = "",
    buried_now=None,
    due_before=None,
    now=None,
):
    """The owner's cards whose front or back contain every word of ``text``, filtered; soonest due first.
    ``state`` is one of ``CARD_STATES``; ``buried_now`` true/false keeps the cards buried today or the others."""
    cards = Card.objects.filter(owner=owner).select_related("concept")
    if state:
        cards = cards.filter(CARD_STATES[state])
    if buried_now is not None:
        hidden = buried(owner, now)
        cards = cards.filter(hidden) if buried_now else cards.exclude(hidden)
    if due_before is not None:
        cards = cards.filter(due__lt=due_before)
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
