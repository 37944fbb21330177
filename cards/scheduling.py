"""FSRS glue: a scheduler built from a learner's settings, and conversions between Card rows and fsrs.Card."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import fsrs

from cards.models import Card, SchedulerSettings


def scheduler_from(config: SchedulerSettings, *, fuzz: bool | None = None) -> fsrs.Scheduler:
    options = {"parameters": config.parameters} if config.parameters else {}
    return fsrs.Scheduler(
        desired_retention=config.desired_retention,
        learning_steps=[timedelta(minutes=m) for m in config.learning_steps],
        relearning_steps=[timedelta(minutes=m) for m in config.relearning_steps],
        maximum_interval=config.maximum_interval,
        enable_fuzzing=config.enable_fuzzing if fuzz is None else fuzz,
        **options,
    )


def utc(moment: datetime | None) -> datetime | None:
    """fsrs accepts only datetimes whose tzinfo is exactly datetime.UTC."""
    return moment.astimezone(UTC) if moment else None


def to_fsrs_card(card: Card) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=utc(card.last_review),
    )


def copy_schedule(card: Card, updated: fsrs.Card) -> None:
    card.state, card.step = int(updated.state), updated.step
    card.stability, card.difficulty = updated.stability, updated.difficulty
    card.due, card.last_review = updated.due, updated.last_review


def preview_intervals(scheduler: fsrs.Scheduler, card: Card, now: datetime) -> dict[str, float]:
    """Days until the next review for each rating, as Anki shows them (without fuzz). ``scheduler`` must not fuzz."""
    current = to_fsrs_card(card)
    return {
        rating.name.lower(): round(
            (scheduler.review_card(current, rating, now)[0].due - now).total_seconds() / 86400, 4
        )
        for rating in fsrs.Rating
    }


def retrievability(scheduler: fsrs.Scheduler, card: Card, now: datetime) -> float:
    """The probability of recalling the card at ``now``, by FSRS's forgetting curve."""
    return scheduler.get_card_retrievability(to_fsrs_card(card), now)


# --- interval previews stored on the card -------------------------------------------------------------------
# FSRS's four outcomes depend on the card's schedule, the learner's settings and, of the clock, only on the whole
# days since the card's last review. The review, enroll, undo and forget services store them (``Card.previews``)
# for the day before the card's due moment and the day from it, when the learner sees it, each under a key of all
# three; the due list reads them instead of running FSRS four times per card. A key that does not match (settings
# changed, a card overdue by more than a day, a row written elsewhere) makes the reader compute them again.


def settings_fingerprint(config: SchedulerSettings) -> str:
    """The part of the learner's settings the previews depend on, as a short string."""
    return json.dumps(
        [
            config.parameters,
            config.desired_retention,
            config.learning_steps,
            config.relearning_steps,
            config.maximum_interval,
        ]
    )


def preview_key(fingerprint: str, card: Card, moment: datetime) -> str:
    elapsed = (moment - card.last_review).days if card.last_review else None
    schedule = (
        int(card.state),  # an enum member on a card not yet saved
        card.step,
        card.stability,
        card.difficulty,
        card.last_review and card.last_review.timestamp(),
    )
    return hashlib.blake2b(f"{fingerprint}|{schedule}|{elapsed}".encode(), digest_size=8).hexdigest()


def stored_previews(scheduler: fsrs.Scheduler, fingerprint: str, card: Card) -> dict[str, dict[str, float]]:
    """What the services store in ``Card.previews``: key -> previews, for the day before the due moment and the
    day from it (one entry where both have the same key, e.g. a new card)."""
    due = utc(card.due)
    moments = (
        [due - timedelta(days=1), due] if card.last_review and due - timedelta(days=1) >= card.last_review else [due]
    )
    return {preview_key(fingerprint, card, moment): preview_intervals(scheduler, card, moment) for moment in moments}


def current_previews(scheduler: fsrs.Scheduler, fingerprint: str, card: Card, now: datetime) -> dict[str, float]:
    """``preview_intervals`` at ``now``: the stored ones where their key matches, else computed."""
    stored = (card.previews or {}).get(preview_key(fingerprint, card, now))
    return stored if stored is not None else preview_intervals(scheduler, card, now)
