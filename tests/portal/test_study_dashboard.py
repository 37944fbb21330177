"""The dashboard (``/`` for a learner) and the decision behind its Continue button (``study.selectors``)."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from cards import selectors as card_selectors
from cards import services as card_services
from cards.models import Card
from cards.selectors import settings_of
from demos.catalog import CATALOG
from demos.models import DemoRun
from kb.models import Concept
from quizzes.models import Question, Quiz
from study import selectors as study
from tests.portal.helpers import assert_csp_ready, parse

pytestmark = pytest.mark.django_db


def enroll(owner, *slugs):
    created = card_services.enroll(owner, list(Concept.objects.filter(slug__in=slugs)))
    # Made two months ago, so that the tests may backdate reviews (a review cannot predate its card).
    Card.objects.filter(owner=owner).update(created_at=timezone.now() - timedelta(days=60))
    return created


def rate(owner, card, rating=3, when=None):
    request = card_services.ReviewRequest(card.pk, rating, uuid.uuid4(), reviewed_at=when)
    return card_services.review(owner, request)[0]


def continue_control(html: str) -> str:
    return html.split('<section class="continue"', 1)[1].split("</section>", 1)[0]


def test_a_new_learner_is_sent_to_an_adaptive_quiz_on_the_first_concept(learner_client, learner):
    step = study.next_step(learner)
    first = Concept.objects.get(slug=step["concept"]["slug"])
    assert first.area == "foundations" and not first.prerequisites.exists()
    assert step["kind"] == "quiz"
    assert step["form"] == {
        "action": "/quiz/",
        "method": "post",
        "fields": {"concepts": first.slug, "mode": "adaptive", "size": study.QUIZ_SIZE},
    }
    response = learner_client.get("/")
    assert response.status_code == 200
    assert_csp_ready(response)
    control = continue_control(response.content.decode())
    assert '<form method="post" action="/quiz/">' in control
    assert f'<input type="hidden" name="concepts" value="{first.slug}">' in control
    assert '<input type="hidden" name="mode" value="adaptive">' in control
    assert "Continue</button>" in control
    assert escape(first.title) in control  # the reason names the concept

    # The button really starts the quiz: it posts the form the page shows.
    fields = dict(re.findall(r'name="(concepts|mode|size)" value="([^"]+)"', control))
    quiz_page = learner_client.post("/quiz/", fields)
    quiz = Quiz.objects.get(owner=learner)
    assert quiz_page.status_code == 302 and quiz_page["Location"] == f"/quiz/{quiz.pk}/"
    assert quiz.mode == "adaptive" and quiz.scope == {"concepts": [first.slug]}
    pool = Question.objects.filter(Q(concept=first) | Q(also_concepts=first), retired=False).distinct()
    assert quiz.items.count() == min(study.QUIZ_SIZE, pool.count())


def test_due_reviews_come_first_then_new_cards_within_the_days_limit(learner):
    enroll(learner, "adam", "relu")
    cards = list(Card.objects.filter(owner=learner))
    step = study.next_step(learner)
    assert step["kind"] == "learn" and step["url"] == "/review/"
    assert step["count"] == min(len(cards), settings_of(learner).new_cards_per_day)

    # A card studied yesterday and due again now outranks the new ones.
    yesterday = timezone.now() - timedelta(days=1)
    rate(learner, cards[0], rating=1, when=yesterday)
    step = study.next_step(learner)
    assert {key: step[key] for key in ("kind", "url", "count", "reason")} == {
        "kind": "review",
        "url": "/review/",
        "count": 1,
        "reason": "1 card you studied before is due for review.",
    }


def test_when_todays_new_cards_are_used_up_a_quiz_prepares_what_the_cards_build_on(learner_client, learner):
    enroll(learner, "adam", "relu")
    card_services.update_settings(learner, {"new_cards_per_day": 2})
    first, second = Card.objects.filter(owner=learner, concept__slug="relu")[:2]
    rate(learner, first, rating=4)
    rate(learner, second, rating=4)  # two new cards begun today: the allowance is used up
    assert card_selectors.due_counts(learner)["new"] == 0
    step = study.next_step(learner)
    # ReLU is begun but needs sigmoid and backpropagation: the quiz goes to the root of what it builds on.
    root = Concept.objects.get(slug=step["concept"]["slug"])
    assert step["kind"] == "quiz" and root.area == "foundations" and not root.prerequisites.exists()
    assert step["reason"] == (
        f"Your cards are done for today: a quiz on {root.title}, which the concepts you study build on."
    )
    control = continue_control(learner_client.get("/").content.decode())
    assert f'<input type="hidden" name="concepts" value="{root.slug}">' in control


def test_the_dashboard_draws_forecast_heatmap_mastery_and_runs(learner_client, learner):
    enroll(learner, "adam")
    cards = list(Card.objects.filter(owner=learner))
    for days_ago, card in zip((0, 0, 3), cards, strict=False):
        rate(learner, card, when=timezone.now() - timedelta(days=days_ago))
    run = DemoRun.objects.create(
        owner=learner, demo="optimizers", params={}, code_version="x", cache_key="k", queue="cpu", status="succeeded"
    )
    response = learner_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Dashboard</h1>" in html and "Welcome back, ada." in html
    assert continue_control(html).count('href="/review/"') == 1  # new cards left: Continue leads to the review
    page = parse(response)
    forecast = [attrs for tag, attrs in page.elements if tag == "rect" and "forecast__bar" in attrs.get("class", "")]
    assert forecast and all(float(bar["height"]) > 0 for bar in forecast)
    heat = [attrs for tag, attrs in page.elements if tag == "rect" and attrs.get("class", "").startswith("heat ")]
    assert 19 * 7 < len(heat) <= 20 * 7
    assert sum(1 for cell in heat if cell["class"] != "heat heat--0") == 2  # today and three days ago
    assert "3 reviews in the last 20 weeks, on 2 days." in html
    row = html.split('data-mastery-label="learning"', 1)[1].split("</li>", 1)[0]
    assert 'href="/concepts/?area=optimizers">Optimization</a>' in row
    optimizers = Concept.objects.filter(area="optimizers").count()
    assert f"learning, 1 of {optimizers} concepts" in row
    band = [attrs for tag, attrs in parse(response).elements if tag == "rect" and attrs.get("opacity") == "0.35"]
    assert len(band) == 1 and float(band[0]["x"]) > 0 and float(band[0]["width"]) > 0  # the interval
    assert html.count("not yet") == 9  # the nine areas without cards or quizzes

    chinese = learner_client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "学习中，已学 1 / " in chinese and "实色部分是估计有 90% 把握达到的程度" in chinese
    assert f'<a href="/runs/{run.pk}/" lang="en">{CATALOG["optimizers"].title}</a>' in html


def test_the_dashboard_shows_only_the_learners_own_things(learner_client, other_learner):
    enroll(other_learner, "adam")
    DemoRun.objects.create(
        owner=other_learner, demo="optimizers", params={}, code_version="x", cache_key="k", queue="cpu"
    )
    html = learner_client.get("/").content.decode()
    assert "/runs/" in html and "No runs yet." in html
    assert '<span class="stat-tile__value">0</span>' in html  # no cards due


def test_anonymous_visitors_get_the_landing_page(client):
    html = client.get("/").content.decode()
    assert "Continue" not in html and 'class="continue"' not in html
