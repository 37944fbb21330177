"""Fitting a learner's FSRS parameters to their own reviews (fsrs-rs-python), on a worker."""

from __future__ import annotations

import fsrs
import fsrs_rs_python
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cards.models import ReviewLog, SchedulerSettings
from common.errors import ServiceError

OPTIMIZE_TASK = "cards.tasks.optimize_scheduler"  # sent by name: services do not import tasks


def request_optimization(owner) -> int:
    """Check there is enough history, then queue the fit; returns the number of reviews it will use."""
    count = ReviewLog.objects.filter(owner=owner).count()
    needed = settings.FSRS_MIN_REVIEWS_TO_OPTIMIZE
    if count < needed:
        raise ServiceError(
            "not_enough_reviews",
            f"Optimising needs at least {needed} reviews of your own; you have "
            f"{count}. Keep reviewing and try again later.",
            status=409,
        )
    transaction.on_commit(lambda: current_app.send_task(OPTIMIZE_TASK, args=[owner.pk]))
    return count


def optimize_parameters(owner) -> SchedulerSettings:
    """Fit FSRS parameters to the learner's review log with fsrs-rs-python and use them from now on."""
    rows = list(
        ReviewLog.objects.filter(owner=owner)
        .order_by("card_id", "reviewed_at")
        .values_list("card_id", "rating", "reviewed_at")
    )
    config = SchedulerSettings.objects.get_or_create(owner=owner)[0]
    try:
        items = fsrs_training_items(rows)
        if not items:
            raise ValueError("no card has been reviewed on two different days yet")
        weights = fsrs_rs_python.FSRS(list(fsrs_rs_python.DEFAULT_PARAMETERS)).compute_parameters(items)
        fsrs.Scheduler(parameters=weights)  # validates the count and the bounds of the weights
    except (ValueError, RuntimeError) as exc:
        config.optimization_error = f"The fit failed: {exc}. The previous parameters stay in use."
        config.save(update_fields=["optimization_error"])
        return config
    config.parameters, config.optimization_error = [round(float(w), 6) for w in weights], ""
    config.optimized_at, config.optimized_on_reviews = timezone.now(), len(rows)
    config.save()
    return config


def fsrs_training_items(rows) -> list:
    """fsrs-rs wants, for each review after a card's first, that card's history up to it: ratings and day gaps.
    ``rows`` are (card_id, rating, reviewed_at) ordered by card, then time. Histories without a gap of a day or
    more carry no long-term signal and are left out."""
    items, card, history, gaps, previous = [], None, [], [], None
    for card_id, rating, reviewed_at in rows:
        if card_id != card:
            card, history, gaps, previous = card_id, [], [], None
        gap = 0 if previous is None else (reviewed_at.date() - previous.date()).days
        history.append(fsrs_rs_python.FSRSReview(int(rating), gap))
        gaps.append(gap)
        previous = reviewed_at
        if len(history) > 1 and any(gaps[1:]):
            items.append(fsrs_rs_python.FSRSItem(list(history)))
    return items
