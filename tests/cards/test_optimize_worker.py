"""Per-learner FSRS optimisation requested over the API and run by a real worker through a real Redis."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cards import services
from cards.models import Card, SchedulerSettings
from cards.scheduling import scheduler_from
from cards.selectors import settings_of
from kb.models import Concept
from tests.processes import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_optimize_runs_on_a_worker_and_the_fitted_parameters_are_used(api, learner, start_worker, settings):
    settings.FSRS_MIN_REVIEWS_TO_OPTIMIZE = 100
    services.enroll(learner, list(Concept.objects.filter(area="cnn")))
    start = timezone.now() - timedelta(days=300)
    Card.objects.filter(owner=learner).update(created_at=start)
    for index, card in enumerate(Card.objects.filter(owner=learner)[:25]):
        moment = start + timedelta(hours=index)
        for step in range(6):
            rating = 1 if (index + step) % 5 == 0 else 3
            card, _ = services.review(learner, services.ReviewRequest(card.pk, rating, uuid.uuid4(), moment))
            moment = card.due + timedelta(hours=2)
    start_worker()
    response = api.post("/api/settings/scheduler/optimize/")
    assert response.status_code == 202, response.json()
    fitted = wait_for(
        lambda: SchedulerSettings.objects.filter(owner=learner).values_list("parameters", flat=True).first(),
        60,
        what="fitted parameters",
    )
    assert len(fitted) == 21
    assert api.get("/api/settings/scheduler/").json()["optimized_on_reviews"] == response.json()["reviews"]
    assert list(scheduler_from(settings_of(learner)).parameters) == pytest.approx(fitted)
