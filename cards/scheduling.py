"""FSRS glue: a scheduler built from a learner's settings, and conversions between Card rows and fsrs.Card."""

from __future__ import annotations

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
    """Days until the next review for each rating, as Anki shows them (without fuzz)."""
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
