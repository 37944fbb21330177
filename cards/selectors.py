"""Reads for flashcards: one learner's cards, the due list with interval previews, leeches, and settings."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cards import queries
from cards.days import day_bounds
from cards.models import Card, FsrsState, ReviewLog, SchedulerSettings
from cards.scheduling import current_previews, retrievability, scheduler_from, settings_fingerprint
from common.errors import NotFound
from kb.models import Concept


def settings_of(owner) -> SchedulerSettings:
    """The learner's scheduler settings; the defaults (unsaved) for a learner who never changed them."""
    return queries.scheduler_settings(owner.pk) or SchedulerSettings(owner=owner)


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
    config = settings_of(owner)
    cards, counts = todays_queue(owner, now, limit=limit, config=config)
    scheduler, fingerprint = scheduler_from(config, fuzz=False), settings_fingerprint(config)
    return [(card, current_previews(scheduler, fingerprint, card, now)) for card in cards], counts


# --- today's queue, as Anki builds it ----------------------------------------------------------------------
# The statements are in ``cards.queries``: this is the hot path of every study session.

NEW = Q(last_review__isnull=True)


def today_of(
    owner, now=None, config: SchedulerSettings | None = None
) -> tuple[SchedulerSettings, date, datetime, datetime]:
    """The learner's settings (``config`` when the caller has them) and their study day now: (settings, day, its
    start, the next day's start)."""
    config = config or settings_of(owner)
    return config, *day_bounds(now or timezone.now(), config.time_zone, config.day_starts_at_hour)


def _day_params(owner, now, config: SchedulerSettings | None) -> tuple[SchedulerSettings, dict]:
    now = now or timezone.now()
    config, day, start, end = today_of(owner, now, config)
    return config, queries.day_params(owner.pk, config, now, day, start, end)


def buried(owner, now=None, config: SchedulerSettings | None = None) -> Q:
    """The cards hidden until the next study day: buried by hand, or (bury siblings) another card of their
    concept was reviewed today and they are not in a learning step."""
    _config, params = _day_params(owner, now, config)
    return Q(pk__in=RawSQL(*queries.buried_ids(params)))


def todays_queue(owner, now=None, *, limit: int | None = None, config=None) -> tuple[list[Card], dict[str, int]]:
    """Today's cards in Anki's order (the first ``limit`` of them), and how many of each kind are left today
    (``learning``, ``review``, ``new``).

    Learning and relearning cards whose step is due come first, then reviews due today (oldest first) within
    what is left of ``max_reviews_per_day``, then new cards (due today: enrolled or forgotten before the day
    ends) within what is left of ``new_cards_per_day``, a concept's cards after those of the concepts it depends
    on. Suspended and buried cards wait. Only the cards returned are read whole, so the cost does not grow with
    the learner's cards."""
    config, params = _day_params(owner, now, config)
    found = queries.today_counts(params)
    counts = {
        "learning": found["learning"],
        "review": min(max(0, config.max_reviews_per_day - found["reviews_done"]), found["review"]),
        "new": min(max(0, config.new_cards_per_day - found["new_done"]), found["new"]),
    }
    room = sum(counts.values()) if limit is None else limit
    learning = min(room, found["learning_now"])
    reviews = min(room - learning, counts["review"])
    studied = queries.first_learning_and_reviews(params, learning, reviews) if learning + reviews > 0 else []
    return [*studied, *_first_new_cards(params, min(room - len(studied), counts["new"]))], counts


def _first_new_cards(params: dict, count: int) -> list[Card]:
    """The first ``count`` of today's new cards in prerequisite order; only those are read whole."""
    if count <= 0:
        return []
    order = in_prerequisite_order(queries.new_cards_today(params))
    return queries.cards_by_id([pk for pk, _concept, _slug in order[:count]])


def in_prerequisite_order(cards) -> list[tuple[int, int, str]]:
    """(id, concept id, concept slug) of cards, with each concept's after those of the concepts it depends on
    (transitively), then by concept and in the order they were made (definition, formulas, pros and cons, cloze,
    questions)."""
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

    return sorted(cards, key=lambda card: (depth(card[1]), card[2], card[0]))


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
    _cards, counts = todays_queue(owner, now, limit=0)
    return {"new": counts["new"], "review": counts["learning"] + counts["review"]}


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
