"""Daily study as in Anki: settings, today's queue (order, limits, study day in the learner's time zone), burying
siblings, and undo (also after a batch upload)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cards import selectors, services
from cards.days import day_bounds
from cards.models import Card, FsrsState, ReviewLog, SchedulerSettings
from kb.models import Concept

pytestmark = pytest.mark.django_db


def enroll(api, *slugs):
    response = api.post("/api/cards/enroll/", {"concepts": list(slugs)}, format="json")
    assert response.status_code == 200, response.json()


def configure(api, **changes):
    response = api.patch("/api/settings/scheduler/", changes, format="json")
    assert response.status_code == 200, response.json()


def review(api, card_id, rating=3, review_id=None, **extra):
    body = {"rating": rating, "review_id": str(review_id or uuid.uuid4()), **extra}
    return api.post(f"/api/cards/{card_id}/review/", body, format="json")


def make_review_card(card, due, stability=5.0):
    Card.objects.filter(pk=card.pk).update(
        state=FsrsState.REVIEW,
        step=None,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(days=3),
        reps=3,
    )


def left(response) -> tuple[int, int, int]:
    return tuple(int(response[f"X-{kind}-Left"]) for kind in ("Learning", "Review", "New"))


def test_new_scheduler_settings_have_defaults_and_are_validated(api, learner):
    body = api.get("/api/settings/scheduler/").json()
    assert {key: body[key] for key in ("new_cards_per_day", "max_reviews_per_day", "day_starts_at_hour")} == {
        "new_cards_per_day": 20,
        "max_reviews_per_day": 200,
        "day_starts_at_hour": 4,
    }
    assert (body["time_zone"], body["bury_siblings"], body["load_balancing"], body["easy_days"]) == (
        "UTC",
        True,
        True,
        [],
    )
    bad = {
        "time_zone": ({"time_zone": "Mars/Olympus"}, "IANA"),
        "day_starts_at_hour": ({"day_starts_at_hour": 24}, "0 to 23"),
        "easy_days": ({"easy_days": [7]}, "weekday numbers"),
        "new_cards_per_day": ({"new_cards_per_day": -1}, ""),
        "max_reviews_per_day": ({"max_reviews_per_day": 10**6}, "0 to 99999"),
    }
    for field, (change, hint) in bad.items():
        response = api.patch("/api/settings/scheduler/", change, format="json")
        assert response.status_code == 400, change
        message = response.json()["errors"][next(iter(response.json()["errors"]))][0]["message"]
        assert field in next(iter(response.json()["errors"])) and hint in message, response.json()
    duplicate = api.patch("/api/settings/scheduler/", {"easy_days": [5, 5]}, format="json")
    assert duplicate.json()["code"] == "duplicate"
    every_day = api.patch("/api/settings/scheduler/", {"easy_days": list(range(7))}, format="json")
    assert every_day.status_code == 400
    configure(api, time_zone="Asia/Shanghai", day_starts_at_hour=5, easy_days=[6, 5], new_cards_per_day=0)
    saved = SchedulerSettings.objects.get(owner=learner)
    assert (saved.time_zone, saved.day_starts_at_hour, saved.easy_days, saved.new_cards_per_day) == (
        "Asia/Shanghai",
        5,
        [5, 6],
        0,
    )


def test_queue_puts_learning_steps_first_then_reviews_then_new_cards(api, learner):
    enroll(api, "relu", "sigmoid", "tanh")
    configure(api, bury_siblings=False)
    relu = list(Card.objects.filter(owner=learner, concept__slug="relu").order_by("id"))
    make_review_card(relu[0], timezone.now() - timedelta(hours=2))
    make_review_card(relu[1], timezone.now() - timedelta(days=1))
    assert review(api, relu[2].pk, 1).status_code == 200  # a new card rated Again: a learning step, due in 1 min
    Card.objects.filter(pk=relu[2].pk).update(due=timezone.now() - timedelta(seconds=1))
    response = api.get("/api/cards/due/", {"limit": 200})
    ids = [card["id"] for card in response.json()]
    assert ids[:3] == [relu[2].pk, relu[1].pk, relu[0].pk]
    new_total = Card.objects.filter(owner=learner, last_review__isnull=True).count()
    assert left(response) == (1, 2, min(20 - 1, new_total))  # one new card was introduced today
    assert len(ids) == 3 + min(20 - 1, new_total)
    assert all("intervals" in card for card in response.json())


def test_new_cards_come_after_the_cards_of_their_prerequisites(api, learner):
    adam = Concept.objects.get(slug="adam")
    prerequisites = sorted(adam.prerequisites.values_list("slug", flat=True))
    assert prerequisites
    enroll(api, "adam")  # enrolled first: lower ids than its prerequisites' cards
    enroll(api, *prerequisites)
    configure(api, new_cards_per_day=500)
    order = [card["concept"] for card in api.get("/api/cards/due/", {"limit": 200}).json()]
    assert set(order) == {"adam", *prerequisites}
    first_adam = order.index("adam")
    assert set(order[:first_adam]) == set(prerequisites)
    assert set(order[first_adam:]) == {"adam"}


def test_daily_limits_for_new_cards_and_reviews(api, learner):
    enroll(api, "relu", "sigmoid", "tanh", "softmax")
    configure(api, new_cards_per_day=3, max_reviews_per_day=2, bury_siblings=False)
    response = api.get("/api/cards/due/", {"limit": 200})
    assert len(response.json()) == 3 and left(response) == (0, 0, 3)
    for card in response.json():
        assert review(api, card["id"], 4).status_code == 200  # Easy: straight to review, due in days
    response = api.get("/api/cards/due/", {"limit": 200})
    assert response.json() == [] and left(response) == (0, 0, 0)  # the new-card limit is reached

    reviews = Card.objects.filter(owner=learner, last_review__isnull=True).order_by("id")[:3]
    for offset, card in enumerate(reviews):
        make_review_card(card, timezone.now() - timedelta(hours=offset + 1))
    response = api.get("/api/cards/due/", {"limit": 200})
    assert len(response.json()) == 2 and left(response) == (0, 2, 0)
    for card in response.json():
        assert review(api, card["id"], 3).status_code == 200
    response = api.get("/api/cards/due/", {"limit": 200})
    assert response.json() == [] and left(response) == (0, 0, 0)  # one review is due, but the limit is reached
    configure(api, max_reviews_per_day=3)
    assert left(api.get("/api/cards/due/")) == (0, 1, 0)


def test_the_study_day_starts_at_the_learners_hour_in_their_time_zone(learner):
    services.enroll(learner, list(Concept.objects.filter(slug__in=["relu", "sigmoid", "tanh"])))
    services.update_settings(
        learner, {"time_zone": "Asia/Shanghai", "day_starts_at_hour": 4, "new_cards_per_day": 2, "bury_siblings": False}
    )
    # 20:00 UTC is 04:00 in Shanghai: the study day of 11 March begins.
    boundary = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    Card.objects.filter(owner=learner).update(due=boundary - timedelta(days=2), created_at=boundary - timedelta(days=2))
    assert day_bounds(boundary - timedelta(minutes=1), "Asia/Shanghai", 4)[0].isoformat() == "2026-03-10"
    assert day_bounds(boundary, "Asia/Shanghai", 4)[0].isoformat() == "2026-03-11"
    now = boundary + timedelta(hours=1)
    first, second = selectors.todays_queue(learner, now)[0][:2]
    services.review(
        learner, services.ReviewRequest(first.pk, 3, uuid.uuid4(), boundary - timedelta(minutes=1)), now=now
    )
    assert selectors.todays_queue(learner, now)[1]["new"] == 2  # yesterday's new card does not count today
    services.review(
        learner, services.ReviewRequest(second.pk, 3, uuid.uuid4(), boundary + timedelta(minutes=1)), now=now
    )
    assert selectors.todays_queue(learner, now)[1]["new"] == 1
    # In UTC with the same hour both reviews fall on 10 March, the study day of `now`: the limit is reached.
    services.update_settings(learner, {"time_zone": "UTC"})
    assert selectors.todays_queue(learner, now)[1]["new"] == 0
    # The next study day in Shanghai starts at 20:00 UTC the day after: two new cards again.
    services.update_settings(learner, {"time_zone": "Asia/Shanghai"})
    assert selectors.todays_queue(learner, boundary + timedelta(days=1))[1]["new"] == 2


def test_the_due_endpoint_counts_new_cards_from_the_start_of_the_learners_study_day(api, learner):
    enroll(api, "relu", "sigmoid", "tanh")
    configure(api, time_zone="America/Los_Angeles", day_starts_at_hour=4, new_cards_per_day=2, bury_siblings=False)
    _day, start, _end = day_bounds(timezone.now(), "America/Los_Angeles", 4)
    Card.objects.filter(owner=learner).update(created_at=start - timedelta(days=1))
    first, second = (card["id"] for card in api.get("/api/cards/due/").json()[:2])
    assert review(api, first, 3, reviewed_at=(start - timedelta(minutes=1)).isoformat()).status_code == 200
    assert left(api.get("/api/cards/due/")) == (1, 0, 2)  # reviewed on the previous study day
    assert review(api, second, 3, reviewed_at=start.isoformat()).status_code == 200
    response = api.get("/api/cards/due/", {"limit": 200})
    assert left(response)[2] == 1
    assert sum(1 for card in response.json() if card["reps"] == 0) == 1


def test_bury_siblings_until_the_next_study_day(api, learner):
    enroll(api, "relu", "sigmoid")
    relu = list(Card.objects.filter(owner=learner, concept__slug="relu").order_by("id"))
    make_review_card(relu[1], timezone.now() - timedelta(hours=1))
    assert review(api, relu[0].pk, 3).status_code == 200  # relu[0] enters a learning step
    due = {card["id"] for card in api.get("/api/cards/due/", {"limit": 200}).json()}
    assert not due & {card.pk for card in relu[1:]}  # the due review and the new siblings wait
    assert Card.objects.filter(owner=learner, concept__slug="sigmoid").first().pk in due
    buried = api.get("/api/cards/", {"buried": "true", "page_size": 100}).json()
    assert {card["id"] for card in buried["results"]} == {card.pk for card in relu[1:]}
    tomorrow = timezone.now() + timedelta(days=1)
    assert relu[1].pk in {card.pk for card in selectors.todays_queue(learner, tomorrow)[0]}
    configure(api, bury_siblings=False)
    assert relu[1].pk in {card["id"] for card in api.get("/api/cards/due/", {"limit": 200}).json()}


def test_a_sibling_in_a_learning_step_is_not_buried(api, learner):
    enroll(api, "relu")
    first, second = Card.objects.filter(owner=learner).order_by("id")[:2]
    configure(api, bury_siblings=False)
    review(api, second.pk, 1)
    configure(api, bury_siblings=True)
    review(api, first.pk, 1)
    Card.objects.filter(pk__in=[first.pk, second.pk]).update(due=timezone.now() - timedelta(seconds=1))
    due = [card["id"] for card in api.get("/api/cards/due/").json()]
    assert set(due) == {first.pk, second.pk}


def test_undo_restores_the_card_exactly_and_steps_back_one_review_at_a_time(api, learner):
    enroll(api, "relu")
    card = Card.objects.filter(owner=learner).first()
    make_review_card(card, timezone.now() - timedelta(days=1))
    fields = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "leech", "suspended")
    original = Card.objects.filter(pk=card.pk).values(*fields).get()
    first_id = uuid.uuid4()
    review(api, card.pk, 1, first_id)  # a lapse
    after_first = Card.objects.filter(pk=card.pk).values(*fields).get()
    assert after_first["lapses"] == 1
    review(api, card.pk, 3)
    undone = api.post("/api/reviews/undo/")
    assert undone.status_code == 200 and undone.json()["id"] == card.pk
    assert Card.objects.filter(pk=card.pk).values(*fields).get() == after_first
    assert api.post("/api/reviews/undo/").status_code == 200
    assert Card.objects.filter(pk=card.pk).values(*fields).get() == original
    assert not ReviewLog.objects.filter(owner=learner).exists()
    nothing = api.post("/api/reviews/undo/")
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_to_undo")
    again = review(api, card.pk, 1, first_id)  # the same review_id after an undo applies again
    assert again.status_code == 200 and again.json()["lapses"] == 1
    assert ReviewLog.objects.filter(owner=learner, review_id=first_id).count() == 1


def test_undo_after_a_batch_upload_and_of_an_old_log(api, learner):
    enroll(api, "softmax")
    first, second = Card.objects.filter(owner=learner).order_by("id")[:2]
    start = timezone.now() - timedelta(days=2)
    Card.objects.filter(owner=learner).update(created_at=start - timedelta(days=1))
    items = [
        {"card": second.pk, "rating": 3, "review_id": str(uuid.uuid4()), "reviewed_at": start.isoformat()},
        {
            "card": first.pk,
            "rating": 4,
            "review_id": str(uuid.uuid4()),
            "reviewed_at": (start - timedelta(hours=1)).isoformat(),
        },
    ]
    assert api.post("/api/reviews/batch/", {"reviews": items}, format="json").status_code == 200
    assert api.post("/api/reviews/undo/").json()["id"] == second.pk  # applied last: the later reviewed_at
    assert Card.objects.get(pk=second.pk).reps == 0
    assert api.post("/api/reviews/undo/").json()["id"] == first.pk
    assert Card.objects.get(pk=first.pk).last_review is None
    again = api.post("/api/reviews/batch/", {"reviews": items}, format="json").json()
    assert [item["applied"] for item in again] == [True, True]
    ReviewLog.objects.filter(owner=learner).update(undoable=False)  # as logs written before undo existed
    old = api.post("/api/reviews/undo/")
    assert (old.status_code, old.json()["code"]) == (409, "not_undoable")
    assert "cannot be undone" in old.json()["detail"]
    assert ReviewLog.objects.filter(owner=learner).count() == 2


def test_undo_touches_only_the_learners_own_reviews(api, learner, django_user_model):
    enroll(api, "relu")
    card = Card.objects.filter(owner=learner).first()
    review(api, card.pk, 3)
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("eve", password="pw"))
    assert other.post("/api/reviews/undo/").json()["code"] == "nothing_to_undo"
    assert ReviewLog.objects.filter(owner=learner).count() == 1
