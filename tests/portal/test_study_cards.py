"""The card browser: /cards/ (search, filters, pages), /cards/<id>/ (history), unsuspend, and enrolling."""

import re
import uuid

import pytest

from cards import services as card_services
from cards.models import Card, ReviewLog
from kb.models import Concept
from tests.portal.helpers import assert_csp_ready, assert_login_redirect

pytestmark = pytest.mark.django_db


def enroll(owner, *slugs, area=None):
    concepts = Concept.objects.filter(area=area) if area else Concept.objects.filter(slug__in=slugs)
    card_services.enroll(owner, list(concepts))
    return list(Card.objects.filter(owner=owner).order_by("due", "id"))


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'class="card-row__front" href="/cards/(\d+)/"', response.content.decode())]


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/cards/"), ("get", "/cards/1/"), ("post", "/cards/1/unsuspend/"), ("post", "/cards/enroll/")],
)
def test_card_pages_need_a_login(client, method, path):
    assert_login_redirect(getattr(client, method)(path), path)


def test_the_browser_lists_only_the_learners_cards(learner_client, learner, other_learner):
    mine = enroll(learner, "adam")
    enroll(other_learner, "relu")
    response = learner_client.get("/cards/")
    assert response.status_code == 200
    assert_csp_ready(response)
    assert sorted(listed(response)) == sorted(card.pk for card in mine)
    assert f"{len(mine)} cards" in response.content.decode()


def test_search_and_filters(learner_client, learner):
    cards = enroll(learner, "adam", "relu", "dropout")
    adam = [card for card in cards if card.concept.slug == "adam"]
    by_filter = {
        "concept=adam": {card.pk for card in adam},
        "area=activations": {card.pk for card in cards if card.concept.area == "activations"},
        "kind=formula": {card.pk for card in cards if card.kind == "formula"},
        "q=Adam+formula": {card.pk for card in adam if card.kind == "formula"},
        "q=nothing-like-this": set(),
    }
    for query, expected in by_filter.items():
        assert set(listed(learner_client.get(f"/cards/?{query}"))) == expected, query
    Card.objects.filter(pk=adam[0].pk).update(suspended=True)
    assert listed(learner_client.get("/cards/?suspended=yes")) == [adam[0].pk]
    assert adam[0].pk not in listed(learner_client.get("/cards/?suspended=no"))
    assert "No card matches." in learner_client.get("/cards/?q=nothing-like-this").content.decode()


def test_bad_filters_are_400_with_the_field_named(learner_client, learner):
    enroll(learner, "adam")
    response = learner_client.get("/cards/?kind=poem&area=astrology")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_kind_error"' in html and 'id="id_area_error"' in html


def test_pages_of_25(learner_client, learner):
    cards = enroll(learner, area="optimizers")
    assert len(cards) > 25
    pages = -(-len(cards) // 25)
    listings = [listed(learner_client.get(f"/cards/?page={number}")) for number in range(1, pages + 1)]
    assert [len(ids) for ids in listings] == [25] * (pages - 1) + [len(cards) - 25 * (pages - 1)]
    assert sorted(pk for ids in listings for pk in ids) == sorted(card.pk for card in cards)
    first = learner_client.get("/cards/")
    assert 'href="?page=2" rel="next"' in first.content.decode()
    filtered = learner_client.get("/cards/?area=optimizers").content.decode()
    assert 'href="?area=optimizers&amp;page=2" rel="next"' in filtered


def test_a_card_and_its_review_history(learner_client, learner):
    card = enroll(learner, "adam")[0]
    for rating in (1, 3):
        card_services.review(learner, card_services.ReviewRequest(card.pk, rating, uuid.uuid4(), duration_ms=4200))
    response = learner_client.get(f"/cards/{card.pk}/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    history = html.split('id="history-title"', 1)[1]
    assert history.count("<tr>") == 3  # the header and two reviews
    assert history.index("<td>Good</td>") < history.index("<td>Again</td>")  # newest first
    assert "4.2 s" in history


def test_another_learners_card_is_a_404(learner_client, other_learner):
    theirs = enroll(other_learner, "relu")[0]
    Card.objects.filter(pk=theirs.pk).update(suspended=True)
    assert learner_client.get(f"/cards/{theirs.pk}/").status_code == 404
    assert learner_client.post(f"/cards/{theirs.pk}/unsuspend/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.suspended


def test_unsuspend_brings_a_card_back(learner_client, learner):
    card = enroll(learner, "adam")[0]
    Card.objects.filter(pk=card.pk).update(suspended=True, leech=True)
    page = learner_client.get("/cards/?suspended=yes").content.decode()
    assert "suspended (leech)" in page and f'action="/cards/{card.pk}/unsuspend/"' in page
    response = learner_client.post(f"/cards/{card.pk}/unsuspend/", {"next": "/cards/?suspended=yes"})
    assert response.status_code == 302 and response["Location"] == "/cards/?suspended=yes"
    card.refresh_from_db()
    assert not card.suspended
    assert learner_client.get(f"/cards/{card.pk}/unsuspend/").status_code == 405
    elsewhere = learner_client.post(f"/cards/{card.pk}/unsuspend/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == f"/cards/{card.pk}/"


def test_enroll_from_a_concept_page_and_back(learner_client, learner):
    concept_page = learner_client.get("/concepts/adam/").content.decode()
    form = concept_page.split('action="/cards/enroll/"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    response = learner_client.post("/cards/enroll/", fields)
    assert response.status_code == 302 and response["Location"] == "/concepts/adam/"
    created = Card.objects.filter(owner=learner, concept__slug="adam").count()
    assert created >= 3
    message = learner_client.get("/concepts/adam/").content.decode()
    assert f"{created} cards added." in message
    learner_client.post("/cards/enroll/", {"concept": "adam", "next": "/concepts/adam/"})
    assert Card.objects.filter(owner=learner).count() == created  # enrolling again adds nothing
    assert f"0 cards added. {created} were already there." in learner_client.get("/concepts/adam/").content.decode()


def test_enroll_an_area_with_its_questions(learner_client, learner):
    response = learner_client.post(
        "/cards/enroll/", {"area": "detection", "include_questions": "on", "next": "/cards/"}
    )
    assert response.status_code == 302 and response["Location"] == "/cards/"
    cards = Card.objects.filter(owner=learner)
    assert set(cards.values_list("concept__area", flat=True)) == {"detection"}
    assert cards.filter(kind="question").exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "area", "Give either concepts"),
        ({"area": "astrology"}, "area", "not one of the available choices"),
        ({"concepts": "no-such-concept"}, None, "Unknown concept(s): no-such-concept."),
        ({"concepts": "adam", "area": "cnn"}, None, "Give either concepts"),
    ],
)
def test_bad_enrolls_show_the_error_and_add_nothing(learner_client, learner, fields, field, message):
    response = learner_client.post("/cards/enroll/", fields)
    assert response.status_code == 400
    html = response.content.decode()
    where = html.split(f'id="enroll_{field}_error"', 1)[1] if field else html.split('<section class="enroll"', 1)[1]
    assert message in where.split("</ul>", 1)[0]
    assert not Card.objects.exists() and not ReviewLog.objects.exists()
