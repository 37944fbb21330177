"""The study pages in a real browser, at desktop and phone width: a three-question quiz, enrolling an area and
reviewing its cards with the keyboard (also through a dropped connection), the dashboard's Continue button,
the card browser and the settings. Every page passes axe-core, fits its width and is saved as a screenshot."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cards import services as card_services
from cards.models import Card, ReviewLog
from cards.selectors import due_counts, search_cards
from common import accounts
from kb.models import Concept
from quizzes.models import Quiz
from tests.browser.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long passphrase 42"


@pytest.fixture
def learner():
    return accounts.register("ada", PASSWORD)[0]


def log_in(page, live_server, user) -> None:
    """Give the browser a session of ``user`` (the login form itself is tested in test_knowledge_base)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def answer_whatever_is_asked(page) -> None:
    """Answer the question on the page through its inputs, whatever its type."""
    form = page.locator("form.question")
    if form.locator("input[type=radio]").count():
        form.locator("input[type=radio]").first.check()
    elif form.locator("input[type=checkbox]").count():
        form.locator("input[type=checkbox]").first.check()
    elif form.locator("input[type=number]").count():
        form.get_by_label("Your answer").fill("1")
    else:
        for blank in form.locator("input.cloze__blank").all():
            blank.fill("1")
    form.get_by_role("button", name="Check my answer").click()


def test_take_a_three_question_quiz(page, live_server, learner, inspect, problems):
    problems.allow_status(400)  # the empty answer below is refused with 400 on purpose
    log_in(page, live_server, learner)
    page.goto("/concepts/adam/")
    page.get_by_role("link", name="Quiz me on this").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a quiz")
    expect(page.get_by_label("Or these concepts")).to_have_values(["adam"])
    page.get_by_label("Number of questions").fill("3")
    inspect(page, "start")
    page.get_by_role("button", name="Start the quiz").click()

    quiz = Quiz.objects.get(owner=learner)
    assert quiz.items.count() == 3
    for number in (1, 2, 3):
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Question {number} of 3")
        if number == 1:
            # An empty answer is refused at the field and nothing is stored.
            page.get_by_role("button", name="Check my answer").click()
            error = page.locator("#answer-error")
            if quiz.items.get(position=0).question.type not in ("multiple", "cloze"):  # empty answers count there
                expect(error).to_be_visible()
                assert not quiz.items.filter(answered_at__isnull=False).exists()
            inspect(page, "question")
        if quiz.items.get(position=number - 1).answered_at is None:
            answer_whatever_is_asked(page)
        expect(page.locator(".verdict")).to_be_visible()
        expect(page.get_by_role("heading", name="Why")).to_be_visible()
        if number == 1:
            inspect(page, "result")
        page.keyboard.press("Enter")  # the Next button has the focus

    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz results")
    assert quiz.items.filter(answered_at__isnull=False).count() == 3
    score = sum(item.score for item in quiz.items.all())
    expect(page.locator(".score__value")).to_contain_text(f"{round(score, 2):g} of 3")
    inspect(page, "score")
    page.get_by_role("link", name="Your quizzes").click()
    expect(page.locator(".quiz-history__link")).to_have_count(1)
    inspect(page, "history")


def test_enroll_an_area_and_review_with_the_keyboard(page, live_server, learner, inspect, problems):
    log_in(page, live_server, learner)
    page.goto("/cards/")
    inspect(page, "empty")
    page.get_by_label("Area to add").select_option(label="Object detection")
    page.get_by_role("button", name="Add the area's cards").click()
    expect(page.locator(".messages")).to_contain_text("cards added.")
    total = Card.objects.filter(owner=learner).count()
    assert total >= 9
    # Every card of the area in one session (burying siblings has its own test below).
    card_services.update_settings(learner, {"bury_siblings": False, "new_cards_per_day": 100})

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.locator("[data-review-keys]")).to_be_visible()
    expect(page.locator("[data-review-left]")).to_have_text(str(total))
    inspect(page, "front")
    for rating in ("3", "1", "4"):
        card_id = int(page.locator(".review-card:visible").get_attribute("data-card"))
        card = page.locator(f'.review-card[data-card="{card_id}"]')
        expect(card.locator(".review-card__back")).to_be_hidden()
        page.keyboard.press("Space")
        expect(card.locator(".review-card__back")).to_be_visible()
        expect(card.get_by_role("button", name=re.compile(r"^Good"))).to_be_visible()
        if rating == "3":
            inspect(page, "back")
        page.keyboard.press(rating)
        expect(card).to_be_hidden()
        assert ReviewLog.objects.filter(card_id=card_id, rating=int(rating)).count() == 1
    expect(page.locator("[data-review-position]")).to_have_text("4")
    # Undo (key u): the last rating (Easy) is undone on the server and its card is shown again; u again undoes
    # the one before (Again), then both are rated again.
    undone = [log.card_id for log in ReviewLog.objects.filter(owner=learner).order_by("-reviewed_at", "-id")[:2]]
    for expected_card in undone:
        page.keyboard.press("u")
        expect(page.locator(f'.review-card[data-card="{expected_card}"]')).to_be_visible()
        expect(page.locator("[data-review-sync]")).to_contain_text("Undone")
        assert not ReviewLog.objects.filter(card_id=expected_card).exists()
    for rating in ("1", "4"):
        card = page.locator(
            f'.review-card[data-card="{page.locator(".review-card:visible").get_attribute("data-card")}"]'
        )
        page.keyboard.press("Space")
        expect(card.locator(".review-card__back")).to_be_visible()
        page.keyboard.press(rating)
        expect(card).to_be_hidden()
    expect(page.locator("[data-review-position]")).to_have_text("4")
    assert ReviewLog.objects.filter(owner=learner).count() == 3
    # Left today, as the server counts it: the cards rated Again and Good come back later today.
    expect(page.locator("[data-review-left]")).to_have_text(str(sum(due_counts(learner).values())))
    assert sum(due_counts(learner).values()) == total - 1

    # The connection drops after the server applied a rating: the page keeps the rating and sends it again later
    # with the same review_id, so it is counted once.
    def lose_the_answer(route):
        route.fetch()
        route.abort("internetdisconnected")

    page.route(re.compile(r"/api/cards/\d+/review/$"), lose_the_answer)
    card_id = int(page.locator(".review-card:visible").get_attribute("data-card"))
    page.keyboard.press("Space")
    page.keyboard.press("2")
    expect(page.locator("[data-review-sync]")).to_contain_text("Offline: 1 rating(s) saved")
    assert ReviewLog.objects.filter(card_id=card_id).count() == 1
    stored = page.evaluate(f"JSON.parse(localStorage.getItem('deeprecall.reviewQueue.{learner.pk}'))")
    assert [item["card"] for item in stored] == [card_id]

    # Still offline for the next card (nothing reaches the server): it waits behind the first one.
    page.route(re.compile(r"/api/"), lambda route: route.abort("internetdisconnected"))
    next_id = int(page.locator(".review-card:visible").get_attribute("data-card"))
    page.keyboard.press("Space")
    page.keyboard.press("3")
    expect(page.locator("[data-review-sync]")).to_contain_text("Offline: 2 rating(s) saved")
    assert not ReviewLog.objects.filter(card_id=next_id).exists()

    page.unroute_all()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-review-sync]")).to_have_text("Back online: the saved ratings were sent.")
    assert ReviewLog.objects.filter(card_id=card_id).count() == 1  # not counted twice
    assert ReviewLog.objects.get(card_id=card_id).review_id == uuid.UUID(stored[0]["review_id"])
    assert ReviewLog.objects.filter(card_id=next_id, rating=3).count() == 1
    assert page.evaluate(f"localStorage.getItem('deeprecall.reviewQueue.{learner.pk}')") is None
    problems[:] = [p for p in problems if "ERR_INTERNET_DISCONNECTED" not in p and "net::ERR_FAILED" not in p]

    # Clicking works as well as keys, to the end of the session.
    while page.locator(".review-card:visible").count():
        card = page.locator(
            f'.review-card[data-card="{page.locator(".review-card:visible").get_attribute("data-card")}"]'
        )
        card.get_by_role("link", name="Show answer").click()
        card.get_by_role("button", name=re.compile(r"^Easy")).click()
        expect(card).to_be_hidden()
    expect(page.get_by_role("heading", name="Session done")).to_be_visible()
    assert ReviewLog.objects.filter(owner=learner).count() == total
    inspect(page, "done")


def test_a_rating_buries_its_siblings_in_the_session(page, live_server, learner):
    card_services.enroll(learner, list(Concept.objects.filter(slug__in=["relu", "tanh"])))
    tanh = Card.objects.filter(owner=learner, concept__slug="tanh").count()
    log_in(page, live_server, learner)
    page.goto("/review/")
    first = page.locator(".review-card:visible")
    concept = first.locator(".review-card__meta a").inner_text()
    page.keyboard.press("Space")
    page.keyboard.press("3")
    # The other cards of the rated card's concept wait until tomorrow (cards.selectors.todays_queue), so the
    # session drops them and shows the server's count of cards left today.
    expect(page.locator("[data-review-total]")).to_have_text(str(1 + tanh))
    expect(page.locator("[data-review-left]")).to_have_text(str(1 + tanh))  # tanh's and the rated one's next step
    expect(page.locator(".review-card:visible .review-card__meta a")).not_to_have_text(concept)


def test_review_without_javascript(new_page, live_server, learner, screenshot):
    page = new_page(javascript=False)
    card_services.enroll(learner, list(Concept.objects.filter(slug__in=["relu", "tanh"])))
    log_in(page, live_server, learner)
    page.goto("/review/")
    first = page.locator(".review-card:visible")
    card_id = int(first.get_attribute("data-card"))
    expect(page.locator("[data-review-keys]")).to_be_hidden()  # no keys without the script
    first.get_by_role("link", name="Show answer").click()
    expect(page).to_have_url(re.compile(rf"/review/\?show={card_id}$"))
    expect(page.locator(".review-card:visible .review-card__back")).to_be_visible()
    # axe-core cannot run without JavaScript (it waits forever); the same page with it passes axe above.
    assert_no_horizontal_scroll(page)
    screenshot(page, "back")
    page.locator(".review-card:visible").get_by_role("button", name=re.compile(r"^Hard")).click()
    expect(page.locator(".messages")).to_contain_text("Rated Hard")
    assert ReviewLog.objects.get(card_id=card_id).rating == 2
    assert int(page.locator(".review-card:visible").get_attribute("data-card")) != card_id


def test_dashboard_continue(page, new_page, live_server, learner, inspect):
    relu = Concept.objects.get(slug="relu")
    card_services.enroll(learner, [relu, Concept.objects.get(slug="adam")])
    now = timezone.now()
    Card.objects.filter(owner=learner).update(created_at=now - timedelta(days=60))  # so reviews may be backdated
    for days_ago, card in zip((40, 12, 5, 2, 1, 1), Card.objects.filter(owner=learner).order_by("id"), strict=False):
        when = now - timedelta(days=days_ago)
        card_services.review(learner, card_services.ReviewRequest(card.pk, 3, uuid.uuid4(), reviewed_at=when))
    log_in(page, live_server, learner)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator(".heat:not(.heat--0)")).to_have_count(5)
    expect(page.locator(".forecast__bar").first).to_be_visible()
    inspect(page)
    chinese = new_page(locale="zh-CN")
    log_in(chinese, live_server, learner)
    chinese.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    for path, name in (("/", "zh"), ("/review/", "review-zh")):
        chinese.goto(path)
        expect(chinese.locator("html")).to_have_attribute("lang", "zh-hans")
        inspect(chinese, name)
    expect(chinese.locator("[data-review-keys]")).to_contain_text("空格")
    continue_button = page.get_by_role("link", name="Continue")
    expect(continue_button).to_have_attribute("href", "/review/")
    continue_button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")

    # With nothing to review and no new cards, Continue starts an adaptive quiz on the weakest concept whose
    # prerequisites are solid: here the root of what ReLU and Adam build on.
    Card.objects.filter(owner=learner).update(due=now + timedelta(days=3))
    page.goto("/")
    expect(page.locator(".continue__reason")).to_contain_text("Your cards are done for today: a quiz on")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/quiz/[0-9a-f-]{36}/$"))
    quiz = Quiz.objects.get(owner=learner)
    assert quiz.mode == "adaptive" and len(quiz.scope["concepts"]) == 1
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Question 1 of {quiz.items.count()}")


def test_card_browser_and_settings(page, live_server, learner, inspect, problems):
    problems.allow_status(400)  # the settings form with an error answers 400 on purpose
    card_services.enroll(learner, [Concept.objects.get(slug="batch-normalization")])
    card = Card.objects.filter(owner=learner, kind="formula").first()
    card_services.review(learner, card_services.ReviewRequest(card.pk, 1, uuid.uuid4()))
    Card.objects.filter(pk=card.pk).update(suspended=True, leech=True)
    log_in(page, live_server, learner)
    page.goto("/cards/")
    page.get_by_label("Search front and back").fill("formula")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".card-row")).to_have_count(search_cards(learner, text="formula").count())
    inspect(page, "list")
    page.locator(f'a[href="/cards/{card.pk}/"]').click()
    expect(page.locator(".card-face math").first).to_be_visible()  # the formula on the back, as MathML
    expect(page.locator("#history-title + .scroll-x tbody tr")).to_have_count(1)
    inspect(page, "card")
    page.get_by_role("button", name="Unsuspend").click()
    expect(page.locator(".messages")).to_contain_text("back in your reviews")
    assert not Card.objects.get(pk=card.pk).suspended

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_label("Desired retention").fill("0.5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#id_desired_retention_error")).to_contain_text("greater than or equal to 0.7")
    expect(page.get_by_label("Desired retention")).to_have_attribute("aria-invalid", "true")
    inspect(page, "settings-error")
    page.get_by_label("Desired retention").fill("0.85")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Your settings are saved.")
    page.get_by_role("button", name="Optimise my parameters").click()
    expect(page.locator(".messages")).to_contain_text("Optimising needs at least")
    inspect(page, "settings")
    assert get_user_model().objects.get(pk=learner.pk).scheduler.desired_retention == 0.85
