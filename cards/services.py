"""Writes for flashcards: enrolling, reviewing with FSRS (idempotent, one card at a time), suspending, settings."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fsrs
from django.db import IntegrityError, transaction
from django.utils import timezone

from cards.models import Card, CardKind, FsrsState, ReviewLog, SchedulerSettings
from cards.scheduling import copy_schedule, scheduler_from, to_fsrs_card, utc
from cards.selectors import settings_of
from common.errors import ServiceError
from kb.models import Concept
from quizzes.models import Question, QuestionType

LEECH_LAPSES = 8
CLOCK_SKEW = timedelta(minutes=5)


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
    for card in new:
        card.owner, card.due = owner, now
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


def review(owner, request: ReviewRequest) -> tuple[Card, bool]:
    """Apply one review with FSRS. Returns (card, applied); a repeated review_id returns the card as the first
    application left it and applies nothing. The card row is locked, so concurrent reviews never lose one."""
    with transaction.atomic():
        return _review_locked(owner, request, scheduler_from(settings_of(owner)))


def review_batch(owner, requests: list[ReviewRequest]) -> list[tuple[Card, bool]]:
    """Apply offline reviews in time order, all or nothing. Every failing item is reported, by its index."""
    results, errors, statuses = [], {}, set()
    scheduler = scheduler_from(settings_of(owner))
    with transaction.atomic():
        for index, request in sorted(enumerate(requests), key=lambda pair: _aware(pair[1].reviewed_at)):
            try:
                with transaction.atomic():
                    results.append((index, _review_locked(owner, request, scheduler)))
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


def _review_locked(owner, request: ReviewRequest, scheduler: fsrs.Scheduler) -> tuple[Card, bool]:
    card = Card.objects.select_for_update().filter(owner=owner, pk=request.card_id).first()
    if card is None:
        raise ServiceError("not_found", f"No card {request.card_id} of yours.", status=404)
    earlier = ReviewLog.objects.filter(owner=owner, review_id=request.review_id).first()
    if earlier is not None:
        if earlier.card_id != card.pk:
            raise ServiceError("review_id_reused", "This review_id was already used for another card.", status=409)
        return card, False
    if card.suspended:
        raise ServiceError("card_suspended", "The card is suspended (a leech); unsuspend it to review it.", status=409)
    now = timezone.now()
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
    before = (card.state, card.due)
    updated, _ = scheduler.review_card(
        to_fsrs_card(card), fsrs.Rating(request.rating), reviewed_at, request.duration_ms
    )
    copy_schedule(card, updated)
    card.reps += 1
    if request.rating == fsrs.Rating.Again and before[0] == FsrsState.REVIEW:
        card.lapses += 1
        if card.lapses >= LEECH_LAPSES:
            card.leech = card.suspended = True
    card.save()
    try:
        with transaction.atomic():
            ReviewLog.objects.create(
                owner=owner,
                card=card,
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
            )
    except IntegrityError:  # the same review_id won a race on another card lock
        raise ServiceError("review_id_reused", "This review_id was already used.", status=409) from None
    return card, True


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
