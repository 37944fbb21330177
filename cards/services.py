"""Writes for flashcards: enrolling, reviewing with FSRS (idempotent, one card at a time), suspending, settings."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fsrs
from django.db import transaction
from django.utils import timezone

from cards import queries
from cards.days import balanced_interval, day_start, fuzz_range, study_day
from cards.models import Card, CardKind, FsrsState, ReviewLog, SchedulerSettings
from cards.scheduling import (
    copy_schedule,
    retrievability,
    scheduler_from,
    settings_fingerprint,
    stored_previews,
    to_fsrs_card,
    utc,
)
from cards.selectors import settings_of
from common import sql
from common.errors import ServiceError
from kb.models import Concept
from quizzes.models import Question, QuestionType

LEECH_LAPSES = 8
CLOCK_SKEW = timedelta(minutes=5)
# What a review log keeps of the card before it (besides state and due), so that the review can be undone.
SNAPSHOT_FIELDS = ("stability", "difficulty", "step", "last_review", "reps", "lapses", "leech", "suspended")
# What a review changes of the card.
SCHEDULE_FIELDS = ("state", "due", *SNAPSHOT_FIELDS, "previews")


# --- enrolling ---------------------------------------------------------------------------------------------


def enroll(owner, concepts: list[Concept], *, include_questions: bool = False) -> tuple[int, int]:
    """Create the learner's cards for these concepts; cards that exist already are left as they are.

    Returns (created, already_there)."""
    wanted = [card for concept in concepts for card in cards_for_concept(concept)]
    if include_questions:
        questions = Question.objects.filter(concept__in=concepts, retired=False).exclude(type=QuestionType.PARAMETRIC)
        wanted += [_question_card(question) for question in questions.select_related("concept")]
    existing = set(Card.objects.filter(owner=owner, key__in=[c.key for c in wanted]).values_list("key", flat=True))
    now = timezone.now()
    new = [card for card in wanted if card.key not in existing]
    schedulers = schedulers_of(settings_of(owner))
    for card in new:
        card.owner, card.due = owner, now
    if new:  # new cards all have the same previews
        previews = schedulers.previews_of(new[0])
        for card in new:
            card.previews = previews
    Card.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent enroll of the same concept adds nothing
    return len(new), len(existing)


def cards_for_concept(concept: Concept) -> list[Card]:
    prefix = f"concept:{concept.slug}"
    cards = [
        Card(
            concept=concept,
            key=f"{prefix}:definition",
            kind=CardKind.DEFINITION,
            front=f"What is {concept.title} ({concept.title_zh})?",
            back=concept.summary,
        )
    ]
    for index, formula in enumerate(concept.formulas):
        cards.append(
            Card(
                concept=concept,
                key=f"{prefix}:formula:{index}",
                kind=CardKind.FORMULA,
                front=f"{concept.title}: write the formula for: {formula['caption']}",
                back=f"$${formula['latex']}$$",
            )
        )
    if concept.pros or concept.cons:
        back = "\n".join([*(f"+ {pro}" for pro in concept.pros), *(f"- {con}" for con in concept.cons)])
        cards.append(
            Card(
                concept=concept,
                key=f"{prefix}:pros_cons",
                kind=CardKind.PROS_CONS,
                front=f"{concept.title}: its advantages and drawbacks?",
                back=back,
            )
        )
    cards.append(
        Card(
            concept=concept,
            key=f"{prefix}:cloze",
            kind=CardKind.CLOZE,
            front=f"Which concept is this? {_hide(concept.summary, concept.title)}",
            back=f"{concept.title} ({concept.title_zh})",
        )
    )
    return cards


def _hide(text: str, title: str) -> str:
    """The text with the concept's name blanked out, whatever its case; "ReLU (rectified ...)" hides "ReLU" too."""
    names = {title, title.split(" (")[0]}
    pattern = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.sub(pattern, "[...]", text, flags=re.IGNORECASE)


def _question_card(question: Question) -> Card:
    spec = question.spec
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        choices = "\n".join(f"{c['key']}) {c['text']}" for c in spec["choices"])
        front = f"{question.prompt}\n{choices}"
        back = ", ".join(c["key"] for c in spec["choices"] if c["correct"])
    elif question.type == QuestionType.CLOZE:
        front, back = question.prompt, " / ".join(blank[0] for blank in spec["blanks"])
    else:
        front, back = question.prompt, str(spec["answer"]) + (f" {spec['unit']}" if spec.get("unit") else "")
    return Card(
        concept=question.concept,
        question=question,
        key=f"question:{question.id}",
        kind=CardKind.QUESTION,
        front=front,
        back=f"{back}\n\n{question.explanation}",
    )


# --- reviewing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRequest:
    card_id: int
    rating: int
    review_id: uuid.UUID
    reviewed_at: datetime | None = None
    duration_ms: int | None = None


def review(owner, request: ReviewRequest, *, now: datetime | None = None) -> tuple[Card, bool]:
    """Apply one review with FSRS. Returns (card, applied); a repeated review_id returns the card as the first
    application left it and applies nothing. The card row is locked, so concurrent reviews never lose one.
    ``now`` is the clock (default the real one): a review may not lie after it. The card comes with its
    ``retrievability`` now and its concept's names."""
    schedulers = schedulers_of(settings_of(owner))
    with transaction.atomic():
        return _review_locked(owner, request, schedulers, now)


@dataclass(frozen=True)
class Schedulers:
    """What scheduling needs of a learner's settings, built once per request."""

    config: SchedulerSettings
    review: fsrs.Scheduler  # with load balancing on, without fuzz: ``_balance`` picks the day within its range
    preview: fsrs.Scheduler  # never fuzzes: the intervals shown for each rating
    fingerprint: str

    def previews_of(self, card: Card) -> dict:
        return stored_previews(self.preview, self.fingerprint, card)


def schedulers_of(config: SchedulerSettings) -> Schedulers:
    review_fuzz = False if config.load_balancing else None
    return Schedulers(
        config,
        scheduler_from(config, fuzz=review_fuzz),
        scheduler_from(config, fuzz=False),
        settings_fingerprint(config),
    )


def review_batch(owner, requests: list[ReviewRequest]) -> list[tuple[Card, bool]]:
    """Apply offline reviews in time order, all or nothing. Every failing item is reported, by its index."""
    results, errors, statuses = [], {}, set()
    schedulers = schedulers_of(settings_of(owner))
    with transaction.atomic():
        for index, request in sorted(enumerate(requests), key=lambda pair: _aware(pair[1].reviewed_at)):
            try:
                with transaction.atomic():
                    results.append((index, _review_locked(owner, request, schedulers)))
            except ServiceError as exc:
                errors[f"reviews.{index}"] = exc.detail
                statuses.add(exc.status)
        if errors:
            transaction.set_rollback(True)
    if errors:
        status = statuses.pop() if len(statuses) == 1 else 400
        raise ServiceError(
            "invalid_reviews",
            f"{len(errors)} of {len(requests)} reviews could not be applied; nothing was applied.",
            status=status,
            errors=errors,
        )
    return [result for _, result in sorted(results, key=lambda pair: pair[0])]


def _aware(moment: datetime | None) -> datetime:
    return moment or datetime.max.replace(tzinfo=UTC)


def _review_locked(
    owner, request: ReviewRequest, schedulers: Schedulers, now: datetime | None = None
) -> tuple[Card, bool]:
    card, earlier = queries.locked_card(owner.pk, request.card_id, request.review_id)
    if card is None:
        raise ServiceError("not_found", f"No card {request.card_id} of yours.", status=404)
    now = now or timezone.now()
    if earlier is not None:
        if earlier != card.pk:
            raise ServiceError("review_id_reused", "This review_id was already used for another card.", status=409)
        card.retrievability = round(retrievability(schedulers.review, card, now), 4)
        return card, False
    if card.suspended:
        raise ServiceError("card_suspended", "The card is suspended (a leech); unsuspend it to review it.", status=409)
    reviewed_at = utc(request.reviewed_at or now)
    if reviewed_at > now + CLOCK_SKEW:
        raise ServiceError(
            "reviewed_in_future", "reviewed_at lies in the future.", errors={"reviewed_at": "must not be in the future"}
        )
    if card.last_review and reviewed_at < card.last_review:
        raise ServiceError(
            "out_of_order",
            f"The card was last reviewed at {card.last_review.isoformat()}, after "
            "this review's reviewed_at; send offline reviews in time order.",
            errors={"reviewed_at": "earlier than the card's last review"},
        )
    if reviewed_at < card.created_at:
        raise ServiceError(
            "before_card_created",
            f"The card was created at {card.created_at.isoformat()}, after this review's reviewed_at; "
            "a review cannot predate its card.",
            errors={"reviewed_at": "earlier than the card's creation"},
        )
    before = (card.state, card.due)
    snapshot = {f"{name}_before": getattr(card, name) for name in SNAPSHOT_FIELDS}
    config = schedulers.config
    updated, _ = schedulers.review.review_card(
        to_fsrs_card(card), fsrs.Rating(request.rating), reviewed_at, request.duration_ms
    )
    if config.enable_fuzzing and config.load_balancing and updated.state == fsrs.State.Review:
        updated.due = _balance(owner, card, config, reviewed_at, updated.due)
    copy_schedule(card, updated)
    card.reps += 1
    if request.rating == fsrs.Rating.Again and before[0] == FsrsState.REVIEW:
        card.lapses += 1
        if card.lapses >= LEECH_LAPSES:
            card.leech = card.suspended = True
    card.previews = schedulers.previews_of(card)
    card.retrievability = round(retrievability(schedulers.review, card, now), 4)
    sql.update(card, SCHEDULE_FIELDS)
    log = ReviewLog(
        owner_id=owner.pk,
        card_id=card.pk,
        review_id=request.review_id,
        rating=request.rating,
        reviewed_at=reviewed_at,
        duration_ms=request.duration_ms,
        state_before=before[0],
        due_before=before[1],
        state_after=card.state,
        due_after=card.due,
        stability_after=card.stability,
        difficulty_after=card.difficulty,
        undoable=True,
        **snapshot,
    )
    if not sql.insert(log, unless_exists=("owner_id", "review_id")):  # it won a race on another card's lock
        raise ServiceError("review_id_reused", "This review_id was already used.", status=409)
    return card, True


def _balance(owner, card: Card, config: SchedulerSettings, reviewed_at: datetime, due: datetime) -> datetime:
    """The due date within FSRS's fuzz range whose study day has the fewest of the learner's reviews due."""
    interval = (due - reviewed_at).days
    low, high = fuzz_range(interval, config.maximum_interval)
    if low == high:
        return reviewed_at + timedelta(days=low)
    zone, hour = config.time_zone, config.day_starts_at_hour
    first = study_day(reviewed_at + timedelta(days=low), zone, hour)
    last = study_day(reviewed_at + timedelta(days=high), zone, hour)
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    bounds = [day_start(day, zone, hour) for day in [*span, last + timedelta(days=1)]]
    per_day = dict(zip(span, queries.reviews_due_between(owner.pk, card.pk, bounds), strict=True))
    days = {n: study_day(reviewed_at + timedelta(days=n), zone, hour) for n in range(low, high + 1)}
    easy = {n for n, day in days.items() if day.weekday() in set(config.easy_days or [])}
    chosen = balanced_interval(interval, low, high, {n: per_day.get(day, 0) for n, day in days.items()}, easy)
    return reviewed_at + timedelta(days=chosen)


# --- undo, forget, suspend, bury ---------------------------------------------------------------------------


def undo_last_review(owner) -> Card:
    """Undo the learner's last applied review: its card returns exactly to its state before it and the log entry
    is removed, so the same review_id applies again if it is sent again. Calling it again undoes the one before."""
    with transaction.atomic():
        log = ReviewLog.objects.select_for_update().filter(owner=owner).order_by("-id").first()
        if log is None:
            raise ServiceError("nothing_to_undo", "You have no review to undo.", status=409)
        if not log.undoable:
            raise ServiceError(
                "not_undoable",
                f"Your last review (card {log.card_id}, {log.reviewed_at:%Y-%m-%d %H:%M} UTC) was recorded before "
                "undo existed, without the card's previous state; it cannot be undone.",
                status=409,
            )
        card = Card.objects.select_for_update().get(pk=log.card_id)
        card.state, card.due = log.state_before, log.due_before
        for name in SNAPSHOT_FIELDS:
            setattr(card, name, getattr(log, f"{name}_before"))
        card.previews = schedulers_of(settings_of(owner)).previews_of(card)
        card.save()
        log.delete()
    return card


def forget(card: Card, now: datetime | None = None) -> Card:
    """Reset the card to new (due now, never reviewed); its review log is kept."""
    card.state, card.step, card.stability, card.difficulty = FsrsState.LEARNING, 0, None, None
    card.due, card.last_review, card.reps, card.buried_until = now or timezone.now(), None, 0, None
    card.previews = schedulers_of(settings_of(card.owner)).previews_of(card)
    fields = ["state", "step", "stability", "difficulty", "due", "last_review", "reps", "buried_until", "previews"]
    card.save(update_fields=fields)
    return card


def set_flags(card: Card, *, suspended: bool | None = None, buried: bool | None = None, now=None) -> Card:
    """Suspend or unsuspend the card; bury it until the next study day, or unbury it."""
    if suspended is not None:
        card.suspended = suspended
    if buried is not None:
        config = settings_of(card.owner)
        today = study_day(now or timezone.now(), config.time_zone, config.day_starts_at_hour)
        card.buried_until = today + timedelta(days=1) if buried else None
    card.save(update_fields=["suspended", "buried_until"])
    return card


def unsuspend(card: Card) -> Card:
    Card.objects.filter(pk=card.pk).update(suspended=False)
    card.refresh_from_db()
    return card


# --- settings ----------------------------------------------------------------------------------------------


def update_settings(owner, changes: dict) -> SchedulerSettings:
    config = SchedulerSettings.objects.get_or_create(owner=owner)[0]
    for name, value in changes.items():
        setattr(config, name, value)
    config.save()
    return config
