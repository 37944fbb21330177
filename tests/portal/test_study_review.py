"""/review/ without JavaScript: the due cards rendered with their four intervals, ?show=<card> flips one, and
the rating buttons POST to cards.services.review (review.js is tested in tests/browser/test_study.py)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cards import selectors
from cards import services as card_services
from cards.models import Card, ReviewLog
from kb.models import Concept
from portal.review_views import interval_label
from tests.portal.helpers import assert_csp_ready, assert_login_redirect, parse

pytestmark = pytest.mark.django_db


def enroll(owner, *slugs):
    card_services.enroll(owner, list(Concept.objects.filter(slug__in=slugs)))
    return list(Card.objects.filter(owner=owner).order_by("due", "id"))


def visible_cards(response) -> list[str]:
    """The data-card ids of the cards the page shows (the others carry ``hidden``)."""
    return [
        attrs["data-card"]
        for tag, attrs in parse(response).elements
        if tag == "li" and "data-card" in attrs and "hidden" not in attrs
    ]


def rating_form(html: str, card_id: int) -> str:
    block = html.split(f'data-card="{card_id}"', 1)[1].split("</li>", 1)[0]
    return block.split('<form method="post" action="/review/"', 1)[1].split("</form>", 1)[0]


def test_review_needs_a_login(client):
    assert_login_redirect(client.get("/review/"), "/review/")
    assert_login_redirect(client.post("/review/", {}), "/review/")


def test_nothing_due(learner_client):
    response = learner_client.get("/review/")
    assert response.status_code == 200
    assert "Nothing is due now." in response.content.decode()


def test_the_session_shows_the_first_card_front_and_every_cards_intervals(learner_client, learner):
    cards = enroll(learner, "adam")
    response = learner_client.get("/review/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    assert visible_cards(response) == [str(cards[0].pk)]
    assert html.count('class="review-card"') == len(cards)
    assert '<script src="/static/portal/review.js" defer></script>' in html
    due = dict(selectors.due_cards(learner, 50))
    first = rating_form(html, cards[0].pk)
    assert (
        "hidden" in html.split(f'data-card="{cards[0].pk}"', 1)[1].split("data-review-ratings", 1)[1].split(">", 1)[0]
    )
    for name, label in (("again", "Again"), ("hard", "Hard"), ("good", "Good"), ("easy", "Easy")):
        interval = interval_label(due[cards[0]][name])
        assert re.search(
            rf'<span class="rating__label">{label}</span>\s*<span class="rating__interval">{interval}</span>', first
        )
    assert f'href="?show={cards[0].pk}"' in html
    assert f"{len(cards)}</span> left today" in html


def test_show_flips_the_card_without_javascript(learner_client, learner):
    cards = enroll(learner, "adam")
    second = cards[1]
    response = learner_client.get(f"/review/?show={second.pk}")
    html = response.content.decode()
    assert visible_cards(response) == [str(second.pk)]  # the asked-for card comes first
    block = html.split(f'data-card="{second.pk}"', 1)[1].split("</li>", 1)[0]
    back = block.split("data-review-back", 1)[1].split(">", 1)[0]
    assert "hidden" not in back
    assert "hidden" not in block.split("data-review-ratings", 1)[1].split(">", 1)[0]
    # An id that is not due (or somebody else's) flips nothing.
    other = learner_client.get("/review/?show=999999")
    assert visible_cards(other) == [str(cards[0].pk)]


def test_a_rating_form_applies_the_review_once(learner_client, learner):
    card = enroll(learner, "adam")[0]
    html = learner_client.get(f"/review/?show={card.pk}").content.decode()
    review_id = re.search(r'name="review_id" value="([0-9a-f-]{36})"', rating_form(html, card.pk)).group(1)
    fields = {"card": card.pk, "review_id": review_id, "rating": 3}
    response = learner_client.post("/review/", fields)
    assert response.status_code == 302 and response["Location"] == "/review/"
    card.refresh_from_db()
    assert card.reps == 1 and card.last_review is not None
    assert "Rated Good: back in 10 min." in learner_client.get("/review/").content.decode()
    learner_client.post("/review/", fields)  # the same form sent again (a double click, a reload)
    card.refresh_from_db()
    assert card.reps == 1 and ReviewLog.objects.filter(card=card).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rating": 5}, "rating"),
        ({"rating": 0}, "rating"),
        ({"review_id": "not-a-uuid"}, "review_id"),
        ({"card": ""}, "card"),
    ],
)
def test_a_bad_rating_is_refused_and_changes_nothing(learner_client, learner, change, field):
    card = enroll(learner, "adam")[0]
    fields = {"card": card.pk, "review_id": str(uuid.uuid4()), "rating": 3, **change}
    response = learner_client.post("/review/", fields)
    assert response.status_code == 400
    assert f"<li>{field}: " in response.content.decode()
    assert not ReviewLog.objects.exists()
    card.refresh_from_db()
    assert card.reps == 0


def test_another_learners_card_cannot_be_rated(learner_client, learner, other_learner):
    theirs = enroll(other_learner, "relu")[0]
    response = learner_client.post(
        "/review/", {"card": theirs.pk, "review_id": str(uuid.uuid4()), "rating": 3}, follow=True
    )
    assert f"No card {theirs.pk} of yours." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.reps == 0 and not ReviewLog.objects.exists()
    assert str(theirs.pk) not in visible_cards(learner_client.get(f"/review/?show={theirs.pk}"))


def test_cards_not_due_or_suspended_are_not_in_the_session(learner_client, learner):
    cards = enroll(learner, "adam")
    Card.objects.filter(pk=cards[0].pk).update(due=timezone.now() + timedelta(days=2))
    Card.objects.filter(pk=cards[1].pk).update(suspended=True)
    html = learner_client.get("/review/").content.decode()
    shown = re.findall(r'class="review-card" data-card="(\d+)"', html)
    assert shown == [str(card.pk) for card in cards[2:]]


@pytest.mark.parametrize(
    ("days", "label"),
    [(1 / 1440, "1 min"), (10 / 1440, "10 min"), (5 / 24, "5 h"), (3.4, "3 d"), (75, "2.5 mo"), (400, "1.1 y")],
)
def test_interval_labels(days, label):
    assert interval_label(days) == label
