"""The study hot path's SQL, written by hand: today's queue and its counts, and a review's reads and writes.

A learner's every card goes through the due list and a review. Built with the ORM, their queries cost about ten
times their execution in Python (building and compiling querysets, instantiating models); here each is one
statement in the SQL that SQLite and PostgreSQL share, and its rows become model instances directly.
``cards.selectors`` and ``cards.services`` hold the rules and their documentation; this module only runs them.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connection

from cards.models import Card, FsrsState, ReviewLog, SchedulerSettings
from common import sql
from kb.models import Concept

MAX_ID = 2**63 - 1  # the largest id a row can have in either database
LEARNING_STATES = f"({FsrsState.LEARNING:d}, {FsrsState.RELEARNING:d})"

# The learner's reviews of today (with each card's concept), for bury siblings and the day's limits.
REVIEWED_TODAY = """
    SELECT r.card_id, r.state_before, rc.concept_id
    FROM cards_reviewlog r JOIN cards_card rc ON rc.id = r.card_id
    WHERE r.owner_id = %(owner)s AND r.reviewed_at >= %(start)s AND r.reviewed_at < %(end)s
"""
# A card in a learning or relearning step (not a new card, which is in the learning state too).
IN_LEARNING_STEP = f"(c.last_review IS NOT NULL AND c.state IN {LEARNING_STATES})"
# Hidden until the next study day: buried by hand, or (bury siblings) another card of its concept was reviewed
# today and it is not in a learning step.
BURIED = f"""(
    (c.buried_until IS NOT NULL AND c.buried_until > %(day)s)
    OR (%(bury_siblings)s
        AND c.concept_id IN (SELECT t.concept_id FROM ({REVIEWED_TODAY}) t)
        AND c.id NOT IN (SELECT t.card_id FROM ({REVIEWED_TODAY}) t)
        AND NOT {IN_LEARNING_STEP})
)"""
# Today's cards: the owner's, not suspended, not buried, due before the study day ends.
TODAY = f"c.owner_id = %(owner)s AND c.suspended = FALSE AND c.due < %(end)s AND NOT {BURIED}"

COUNTS = f"""
    SELECT
        COALESCE(SUM(CASE WHEN {IN_LEARNING_STEP} THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN {IN_LEARNING_STEP} AND c.due <= %(now)s THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN c.state = {FsrsState.REVIEW:d} THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN c.last_review IS NULL THEN 1 ELSE 0 END), 0),
        (SELECT COUNT(*) FROM ({REVIEWED_TODAY}) t WHERE t.state_before = {FsrsState.REVIEW:d}),
        (SELECT COUNT(DISTINCT t.card_id) FROM ({REVIEWED_TODAY}) t WHERE NOT EXISTS (
            SELECT 1 FROM cards_reviewlog e WHERE e.card_id = t.card_id AND e.reviewed_at < %(start)s))
    FROM cards_card c WHERE {TODAY}
"""


CONCEPT_NAMES = ("id", "slug", "title", "title_zh", "area")


@cache
def _card_select(extra_column: str = "") -> str:
    """The card's columns, its concept's names and ``extra_column``, if any."""
    names = ", ".join(f'k."{name}" AS concept_{name}' for name in CONCEPT_NAMES)
    extra = f", {extra_column}" if extra_column else ""
    return f"SELECT {sql.columns(Card, 'c')}, {names}{extra} FROM cards_card c JOIN kb_concept k ON k.id = c.concept_id"


QUEUE = """
    SELECT * FROM ({select} WHERE {today} AND {in_step} AND c.due <= %(now)s ORDER BY c.due, c.id LIMIT %(learning)s) l
    UNION ALL
    SELECT * FROM ({select} WHERE {today} AND c.state = {review} ORDER BY c.due, c.id LIMIT %(reviews)s) r
"""


def day_params(owner_id: int, config: SchedulerSettings, now: datetime, day: date, start, end) -> dict:
    """The parameters every statement about the learner's study day takes, adapted for the database."""
    ops = connection.ops
    return {
        "owner": owner_id,
        "now": ops.adapt_datetimefield_value(now),
        "day": ops.adapt_datefield_value(day),
        "start": ops.adapt_datetimefield_value(start),
        "end": ops.adapt_datetimefield_value(end),
        "bury_siblings": bool(config.bury_siblings),
    }


def cards_from(found: list[tuple]) -> list[Card]:
    """Cards from rows of ``_card_select()``, each with its concept's names."""
    width, cards = len(Card._meta.concrete_fields), []
    for row in found:
        card = sql.instance(Card, row[:width])
        # what ``card.concept = ...`` leaves, without the descriptor's checks (concept_id is the row's already)
        card._state.fields_cache["concept"] = _concept(row[width : width + len(CONCEPT_NAMES)])
        cards.append(card)
    return cards


@lru_cache(maxsize=4096)
def _concept(names: tuple) -> Concept:
    """A concept with only these names loaded; shared by the cards that name it (nothing changes it, and
    renamed concepts come with other names)."""
    return Concept.from_db(DEFAULT_DB_ALIAS, CONCEPT_NAMES, names)


# --- the statements ----------------------------------------------------------------------------------------


def scheduler_settings(owner_id: int) -> SchedulerSettings | None:
    select = f"SELECT {sql.columns(SchedulerSettings, 's')} FROM cards_schedulersettings s WHERE s.owner_id = %(owner)s"
    found = sql.rows(select, {"owner": owner_id})
    return sql.instance(SchedulerSettings, found[0]) if found else None


def buried_ids(params: dict) -> tuple[str, list]:
    """The statement (and its values) of the ids of the learner's buried cards (see ``BURIED``)."""
    return sql.positional(f"SELECT c.id FROM cards_card c WHERE c.owner_id = %(owner)s AND {BURIED}", params)


def today_counts(params: dict) -> dict[str, int]:
    """Today's cards by kind (``learning``, ``learning_now`` due already, ``review``, ``new``) and what was
    done today (``reviews_done``, ``new_done``)."""
    names = ("learning", "learning_now", "review", "new", "reviews_done", "new_done")
    return dict(zip(names, map(int, sql.rows(COUNTS, params)[0]), strict=True))


def first_learning_and_reviews(params: dict, learning: int, reviews: int) -> list[Card]:
    """The first ``learning`` cards in a learning step due now, then the first ``reviews`` review cards due today,
    each in due order."""
    found = sql.rows(_queue(), {**params, "learning": learning, "reviews": reviews})
    return sorted(cards_from(found), key=lambda card: (card.state == FsrsState.REVIEW, card.due, card.pk))


@cache
def _queue() -> str:
    return QUEUE.format(select=_card_select(), today=TODAY, in_step=IN_LEARNING_STEP, review=int(FsrsState.REVIEW))


def new_cards_today(params: dict) -> list[tuple[int, int, str]]:
    """(id, concept id, concept slug) of today's new cards."""
    statement = f"""SELECT c.id, c.concept_id, k.slug FROM cards_card c JOIN kb_concept k ON k.id = c.concept_id
              WHERE {TODAY} AND c.last_review IS NULL"""
    return sql.rows(statement, params)


def cards_by_id(ids: list[int]) -> list[Card]:
    """These cards with their concept's names, in the order given."""
    if not ids:
        return []
    listed = ", ".join(str(int(pk)) for pk in ids)
    found = {card.pk: card for card in cards_from(sql.rows(f"{_card_select()} WHERE c.id IN ({listed})"))}
    return [found[pk] for pk in ids if pk in found]


# --- a review ----------------------------------------------------------------------------------------------


def locked_card(owner_id: int, card_id: int, review_id) -> tuple[Card | None, int | None]:
    """The owner's card with its concept's names, its row locked until the transaction ends (on SQLite the
    immediate transaction has locked the database already), and the card the owner's review ``review_id`` was
    applied to, if it was."""
    if not 0 < card_id <= MAX_ID:  # no such card (and SQLite cannot even take the number)
        return None, None
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    earlier = "(SELECT r.card_id FROM cards_reviewlog r WHERE r.owner_id = %(owner)s AND r.review_id = %(review)s)"
    stored = ReviewLog._meta.get_field("review_id").get_db_prep_value(review_id, connection)
    found = sql.rows(
        f"{_card_select(earlier)} WHERE c.id = %(card)s AND c.owner_id = %(owner)s{lock}",
        {"card": card_id, "owner": owner_id, "review": stored},
    )
    return (cards_from(found)[0], found[0][-1]) if found else (None, None)


def reviews_due_between(owner_id: int, other_than: int, bounds: list[datetime]) -> list[int]:
    """How many of the owner's unsuspended review cards other than ``other_than`` are due in each interval from
    one of ``bounds`` to the next."""
    edges = {f"b{i}": connection.ops.adapt_datetimefield_value(bound) for i, bound in enumerate(bounds)}
    per_interval = ", ".join(
        f"COALESCE(SUM(CASE WHEN c.due >= %(b{i})s AND c.due < %(b{i + 1})s THEN 1 ELSE 0 END), 0)"
        for i in range(len(bounds) - 1)
    )
    found = sql.rows(
        f"""SELECT {per_interval} FROM cards_card c WHERE c.owner_id = %(owner)s AND c.suspended = FALSE
            AND c.state = {FsrsState.REVIEW:d} AND c.due >= %(b0)s AND c.due < %(b{len(bounds) - 1})s
            AND c.id <> %(card)s""",
        {"owner": owner_id, "card": other_than, **edges},
    )
    return [int(count) for count in found[0]]
