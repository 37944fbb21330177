"""GET /api/stats/workload/: the learner's next year simulated by fsrs-rs-python for a few desired retentions, with
their own parameters, deck and limits; validated at the edge."""

import fsrs
import pytest
from rest_framework.test import APIClient

from cards import selectors
from cards.models import Card, SchedulerSettings

pytestmark = pytest.mark.django_db
URL = "/api/stats/workload/"
CONCEPTS = ["adam", "dropout", "batch-normalization"]


def enroll(api, *slugs):
    response = api.post("/api/cards/enroll/", {"concepts": list(slugs)}, format="json")
    assert response.status_code == 200, response.json()


def forecast(api, query="", **headers):
    response = api.get(f"{URL}{query}", headers=headers)
    assert response.status_code == 200, response.json()
    return response.json()


def totals(body) -> dict[float, int]:
    return {option["retention"]: option["total_reviews"] for option in body["options"]}


def test_a_year_per_retention_by_default_around_the_desired_one(api, learner):
    enroll(api, *CONCEPTS)
    body = forecast(api)
    cards = Card.objects.filter(owner=learner).count()
    assert (body["days"], body["deck_size"], body["parameters"], body["language"]) == (365, cards, "default", "en")
    assert body["first_day"] == selectors.today_of(learner)[1].isoformat()  # the study day (before 4:00: yesterday)
    assert (body["new_cards_per_day"], body["max_reviews_per_day"], body["desired_retention"]) == (20, 200, 0.9)
    assert [option["retention"] for option in body["options"]] == [0.85, 0.9, 0.95]
    for option in body["options"]:
        assert len(option["reviews_per_day"]) == len(option["new_cards_per_day"]) == 365
        assert len(option["memorized_per_day"]) == 365
        assert option["total_reviews"] == sum(option["reviews_per_day"]) > 0
        assert option["total_new_cards"] == sum(option["new_cards_per_day"]) == cards  # all introduced in a year
        assert option["new_cards_per_day"][0] == min(20, cards)
        assert max(option["reviews_per_day"]) == option["most_reviews_in_a_day"] <= 200
        assert 0 < option["memorized_at_end"] <= cards
    assert any("still new" in line for line in body["assumptions"])


def test_a_higher_retention_costs_more_reviews_and_keeps_more_cards(api):
    enroll(api, *CONCEPTS)
    options = forecast(api, "?retention=0.97,0.8,0.9")["options"]
    assert [option["retention"] for option in options] == [0.8, 0.9, 0.97]
    reviews = [option["total_reviews"] for option in options]
    memorized = [option["memorized_at_end"] for option in options]
    assert reviews[0] < reviews[1] < reviews[2], reviews
    assert memorized[0] < memorized[1] < memorized[2], memorized


def test_each_learner_is_simulated_with_their_own_parameters(api, other_api, learner):
    for client in (api, other_api):
        enroll(client, *CONCEPTS)
    weights = list(fsrs.Scheduler().parameters)
    weights[:4] = [5 * w for w in weights[:4]]  # remembers new cards five times longer
    SchedulerSettings.objects.create(owner=learner, parameters=weights)
    own, default = forecast(api, "?retention=0.9"), forecast(other_api, "?retention=0.9")
    assert (own["parameters"], default["parameters"]) == ("fitted", "default")
    assert own["deck_size"] == default["deck_size"]
    assert own["options"][0]["total_reviews"] < default["options"][0]["total_reviews"]


def test_the_learners_limits_and_deck_feed_the_simulation(api, learner):
    enroll(api, *CONCEPTS)
    before = forecast(api, "?retention=0.9")
    assert forecast(api, "?retention=0.9") == before  # the same inputs, the same answer (cached)
    response = api.patch("/api/settings/scheduler/", {"new_cards_per_day": 3}, format="json")
    assert response.status_code == 200
    after = forecast(api, "?retention=0.9")["options"][0]
    assert after["new_cards_per_day"][:2] == [3, 3] and max(after["new_cards_per_day"]) == 3
    Card.objects.filter(pk__in=Card.objects.filter(owner=learner).values("pk")[:4]).update(suspended=True)
    assert forecast(api, "?retention=0.9")["deck_size"] == before["deck_size"] - 4


def test_another_learners_cards_do_not_count(api, other_api):
    enroll(other_api, *CONCEPTS)
    empty = forecast(api)
    assert empty["deck_size"] == 0
    for option in empty["options"]:
        assert option["total_reviews"] == option["total_new_cards"] == option["memorized_at_end"] == 0
    enroll(api, "adam")
    assert forecast(api)["deck_size"] < forecast(other_api)["deck_size"]


def test_the_assumptions_follow_the_request_language(api):
    enroll(api, "adam")
    chinese = forecast(api, **{"Accept-Language": "zh-CN"})
    assert chinese["language"] == "zh" and "新卡片" in chinese["assumptions"][0]
    assert forecast(api, "?lang=zh")["assumptions"] == chinese["assumptions"]
    assert chinese["options"] == forecast(api)["options"]


def test_the_default_options_stay_within_the_allowed_range(api, learner):
    SchedulerSettings.objects.create(owner=learner, desired_retention=0.97)
    assert [option["retention"] for option in forecast(api)["options"]] == [0.92, 0.97, 0.99]
    for empty in ("?retention=", "?retention=%20"):
        assert [option["retention"] for option in forecast(api, empty)["options"]] == [0.92, 0.97, 0.99]


@pytest.mark.parametrize(
    ("query", "code", "hint"),
    [
        ("?retention=0.5", "invalid_retention", "(got '0.5')"),
        ("?retention=0.9,1.2", "invalid_retention", "(got '1.2')"),
        ("?retention=lots", "invalid_retention", "(got 'lots')"),
        ("?retention=nan", "invalid_retention", "(got 'nan')"),
        ("?retention=0.9,,0.95", "invalid_retention", "(got '')"),
        ("?retention=0.7,0.8,0.85,0.9,0.95,0.99", "too_many", "(got 6 values)"),
        ("?retention=0.9;0.95", "invalid_retention", "(got '0.9;0.95')"),
        (f"?retention={'9' * 65}", "max_length", ""),
    ],
)
def test_bad_retentions_are_a_400_that_says_what_is_allowed(api, query, code, hint):
    response = api.get(f"{URL}{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    message = body["errors"]["retention"][0]["message"]
    assert "1 to 5 numbers from 0.7 to 0.99, separated by commas" in message and hint in message, message


def test_a_bad_language_is_a_400(api):
    response = api.get(f"{URL}?lang=fr")
    assert response.status_code == 400 and "lang" in response.json()["errors"]


def test_the_forecast_needs_a_login():
    response = APIClient().get(URL)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
