"""Load balancing and easy days (as Anki 24.11): within FSRS's fuzz range, the day with the fewest reviews due.

A month is simulated with the services and a clock passed in: every day the learner studies the whole queue,
rating Good. With load balancing the daily review counts are flatter than with FSRS's random fuzz alone, and
every interval stays within its fuzz range."""

import random
import statistics
import uuid
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from cards import selectors, services
from cards.days import balanced_interval, fuzz_range, study_day
from cards.models import Card, FsrsState, ReviewLog
from cards.scheduling import scheduler_from
from kb.models import Concept

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
DAYS = 30


def simulate_month(owner, **settings) -> list[int]:
    """Study the whole queue every day for DAYS days, rating Good (Hard for one card in five); returns the
    number of reviews of cards in review per day. No learning steps: a new card rated Good goes to review."""
    services.enroll(owner, list(Concept.objects.filter(area__in=["optimizers", "activations", "regularization"])))
    services.update_settings(
        owner,
        {
            "new_cards_per_day": 10,
            "max_reviews_per_day": 9999,
            "bury_siblings": False,
            "learning_steps": [],
            "relearning_steps": [],
            **settings,
        },
    )
    Card.objects.filter(owner=owner).update(due=START, created_at=START)  # enrolled when the simulated month starts
    first = Card.objects.filter(owner=owner).order_by("pk").first().pk
    random.seed(7)
    for day in range(DAYS):
        moment = START + timedelta(days=day)
        for card in selectors.todays_queue(owner, moment)[0]:
            rating = 2 if (card.pk - first + day) % 5 == 0 else 3
            services.review(owner, services.ReviewRequest(card.pk, rating, uuid.uuid4(), moment), now=moment)
    per_day = [0] * DAYS
    for log in ReviewLog.objects.filter(owner=owner, state_before=FsrsState.REVIEW):
        per_day[(log.reviewed_at - START).days] += 1
    return per_day


def test_load_balancing_flattens_the_daily_reviews_within_the_fuzz_range(learner, django_user_model):
    balanced = simulate_month(learner, load_balancing=True)
    other = django_user_model.objects.create_user("random-fuzz", password="pw")
    fuzzed = simulate_month(other, load_balancing=False)
    spread = {"balanced": statistics.pstdev(balanced[7:]), "fuzzed": statistics.pstdev(fuzzed[7:])}
    print(f"daily reviews, days 7-29: std with load balancing {spread['balanced']:.2f}, without {spread['fuzzed']:.2f}")
    assert sum(balanced) > 100 and sum(fuzzed) > 100
    assert spread["balanced"] < spread["fuzzed"]

    config = selectors.settings_of(learner)
    unfuzzed = scheduler_from(config, fuzz=False)
    checked = 0
    for log in ReviewLog.objects.filter(owner=learner, state_after=FsrsState.REVIEW):
        before = fsrs.Card(
            card_id=log.card_id,
            state=fsrs.State(log.state_before),
            step=log.step_before,
            stability=log.stability_before,
            difficulty=log.difficulty_before,
            due=log.due_before.astimezone(UTC),
            last_review=log.last_review_before.astimezone(UTC) if log.last_review_before else None,
        )
        planned = (unfuzzed.review_card(before, fsrs.Rating(log.rating), log.reviewed_at)[0].due - log.reviewed_at).days
        low, high = fuzz_range(planned, config.maximum_interval)
        assert low <= (log.due_after - log.reviewed_at).days <= high, (planned, log.due_after - log.reviewed_at)
        checked += low < high
    assert checked > 50


def test_easy_days_get_no_reviews_when_the_fuzz_range_allows_another_day(learner):
    services.enroll(learner, list(Concept.objects.filter(area="optimizers")))
    weekend = [5, 6]
    services.update_settings(learner, {"easy_days": weekend, "new_cards_per_day": 50, "bury_siblings": False})
    Card.objects.filter(owner=learner).update(due=START, created_at=START)
    moment = START
    for _round in range(3):
        for card in selectors.todays_queue(learner, moment)[0]:
            services.review(learner, services.ReviewRequest(card.pk, 4, uuid.uuid4(), moment), now=moment)
        moment += timedelta(minutes=11)
    for card in Card.objects.filter(owner=learner, state=FsrsState.REVIEW):
        services.review(learner, services.ReviewRequest(card.pk, 3, uuid.uuid4(), START + timedelta(days=20)))
    dues = Card.objects.filter(owner=learner, state=FsrsState.REVIEW, last_review__gt=START + timedelta(days=19))
    assert dues.count() > 10
    assert all(study_day(card.due, "UTC", 4).weekday() not in weekend for card in dues)


def test_balanced_interval_picks_the_lightest_day_and_avoids_easy_days():
    load = {9: 5, 10: 1, 11: 1, 12: 4}
    assert balanced_interval(10, 9, 12, load) == 10  # the lightest, the closest to the planned interval on a tie
    assert balanced_interval(10, 9, 12, load, easy={10, 11}) == 12
    assert balanced_interval(10, 9, 12, load, easy={9, 10, 11, 12}) == 10  # only easy days: as if none were
    assert fuzz_range(2, 36500) == (2, 2)
    assert fuzz_range(10, 36500) == (8, 12)
    assert fuzz_range(100, 50) == (50, 50)
