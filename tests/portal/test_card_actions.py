"""The card browser suspends, unsuspends and forgets a card through the cards services; another's card is a 404."""

import uuid

import pytest

from cards import services
from cards.models import ReviewLog
from kb.models import Concept


@pytest.fixture
def reviewed_card(learner):
    services.enroll(learner, list(Concept.objects.filter(slug="relu")))
    card = learner.cards.order_by("id").first()
    services.review(learner, services.ReviewRequest(card.pk, 3, uuid.uuid4()))
    card.refresh_from_db()
    return card


@pytest.mark.django_db
def test_suspend_unsuspend_and_forget(learner_client, reviewed_card):
    page = learner_client.get(f"/cards/{reviewed_card.pk}/").content.decode()
    assert "Suspend" in page and "Forget (make it new again)" in page
    assert learner_client.post(f"/cards/{reviewed_card.pk}/suspend/").status_code == 302
    reviewed_card.refresh_from_db()
    assert reviewed_card.suspended
    learner_client.post(f"/cards/{reviewed_card.pk}/unsuspend/")
    reviewed_card.refresh_from_db()
    assert not reviewed_card.suspended
    learner_client.post(f"/cards/{reviewed_card.pk}/forget/")
    reviewed_card.refresh_from_db()
    assert (reviewed_card.reps, reviewed_card.last_review, reviewed_card.stability) == (0, None, None)
    assert ReviewLog.objects.filter(card=reviewed_card).count() == 1  # the history stays


@pytest.mark.django_db
def test_another_learners_card_is_a_404_and_unchanged(learner_client, reviewed_card, django_user_model):
    other = django_user_model.objects.create_user("grace", password="another long passphrase 7")
    services.enroll(other, list(Concept.objects.filter(slug="tanh")))
    theirs = other.cards.first()
    for action in ("suspend", "forget"):
        assert learner_client.post(f"/cards/{theirs.pk}/{action}/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.suspended
    assert learner_client.get(f"/cards/{reviewed_card.pk}/forget/").status_code == 405
