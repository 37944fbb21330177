"""Undo from the review page without JavaScript: POST /review/undo/ undoes the last rating and shows that card."""

import uuid

import pytest
from django.test import Client

from cards import services
from cards.models import ReviewLog
from kb.models import Concept


@pytest.mark.django_db
def test_undo_without_javascript_restores_the_card_and_shows_it(learner_client, learner):
    services.enroll(learner, list(Concept.objects.filter(slug="relu")))
    card = learner.cards.order_by("id").first()
    before = (card.state, card.due, card.reps)
    services.review(learner, services.ReviewRequest(card.pk, 3, uuid.uuid4()))
    response = learner_client.post("/review/undo/")
    assert response.status_code == 302 and response["Location"] == f"/review/?show={card.pk}"
    card.refresh_from_db()
    assert (card.state, card.due, card.reps) == before
    assert not ReviewLog.objects.filter(card=card).exists()
    again = learner_client.post("/review/undo/", follow=True)
    assert "You have no review to undo." in again.content.decode()  # the service's message, shown on the page


@pytest.mark.django_db
def test_undo_needs_a_login_and_a_post(learner_client):
    assert Client().post("/review/undo/")["Location"].startswith("/accounts/login/")
    assert learner_client.get("/review/undo/")["Location"] == "/review/"
