"""/settings/: the scheduler settings form (the API serializer's rules), optimisation and the export links (the
study app's Chinese catalogue: tests/study/test_locale.py)."""

import re
import uuid

import pytest

from cards import services as card_services
from cards.models import Card, SchedulerSettings
from cards.selectors import settings_of
from cards.workload import workload
from kb.models import Concept
from tests.portal.helpers import assert_csp_ready, assert_login_redirect, parse

pytestmark = pytest.mark.django_db
GOOD = {
    "desired_retention": "0.85",
    "maximum_interval": "365",
    "learning_steps": "1, 5 15",
    "relearning_steps": "10",
    "enable_fuzzing": "",
    "new_cards_per_day": "15",
    "max_reviews_per_day": "150",
    "day_starts_at_hour": "5",
    "time_zone": "Asia/Shanghai",
    "bury_siblings": "on",
    "load_balancing": "",
    "easy_days": ["6", "5"],
}


@pytest.mark.parametrize(("method", "path"), [("get", "/settings/"), ("post", "/settings/optimize/")])
def test_settings_need_a_login(client, method, path):
    assert_login_redirect(getattr(client, method)(path), path)


def test_the_form_shows_the_current_settings_with_a_sentence_each(learner_client):
    response = learner_client.get("/settings/")
    assert response.status_code == 200
    assert_csp_ready(response)
    page = parse(response)
    inputs = {attrs["name"]: attrs for tag, attrs in page.elements if tag == "input" and attrs.get("name")}
    assert inputs["desired_retention"]["value"] == "0.9"
    assert (inputs["desired_retention"]["min"], inputs["desired_retention"]["max"]) == ("0.7", "0.99")
    assert inputs["learning_steps"]["value"] == "1, 10"
    assert "checked" in inputs["enable_fuzzing"]
    assert inputs["new_cards_per_day"]["value"] == "20" and inputs["time_zone"]["value"] == "UTC"
    for name in set(GOOD) - {"easy_days"}:
        assert inputs[name]["aria-describedby"].startswith(f"id_{name}_helptext")  # one sentence on what it does
    assert 'aria-describedby="id_easy_days_helptext"' in response.content.decode()  # on the weekdays' fieldset
    html = response.content.decode()
    assert 'href="/api/export/anki.apkg"' in html and 'href="/api/export/reviews.csv"' in html
    assert 'action="/settings/optimize/"' in html


def test_saving_valid_settings(learner_client, learner):
    response = learner_client.post("/settings/", GOOD)
    assert response.status_code == 302 and response["Location"] == "/settings/"
    config = SchedulerSettings.objects.get(owner=learner)
    assert config.desired_retention == 0.85 and config.maximum_interval == 365
    assert config.learning_steps == [1, 5, 15] and config.relearning_steps == [10]
    assert config.enable_fuzzing is False
    assert (config.new_cards_per_day, config.max_reviews_per_day, config.day_starts_at_hour) == (15, 150, 5)
    assert config.time_zone == "Asia/Shanghai" and config.bury_siblings and not config.load_balancing
    assert config.easy_days == [5, 6]
    page = learner_client.get("/settings/")
    assert "Your settings are saved." in page.content.decode()
    page = parse(page)
    checked = [
        attrs["value"] for tag, attrs in page.elements if attrs.get("name") == "easy_days" and "checked" in attrs
    ]
    assert checked == ["5", "6"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"desired_retention": "0.5"}, "desired_retention", "greater than or equal to 0.7"),
        ({"desired_retention": "lots"}, "desired_retention", "Enter a number."),
        ({"maximum_interval": "0"}, "maximum_interval", "greater than or equal to 1"),
        ({"learning_steps": "1, ten"}, "learning_steps", "Item 2: A valid number is required."),
        ({"relearning_steps": "5000"}, "relearning_steps", "less than or equal to 1440"),
        ({"new_cards_per_day": "-1"}, "new_cards_per_day", "greater than or equal to 0"),
        ({"day_starts_at_hour": "24"}, "day_starts_at_hour", "an hour from 0 to 23"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone &#x27;Mars/Olympus&#x27;"),
        ({"easy_days": ["0", "1", "2", "3", "4", "5", "6"]}, "easy_days", "At most 6 easy days"),
        ({"easy_days": ["7"]}, "easy_days", "Select a valid choice."),
    ],
)
def test_bad_settings_name_the_field_and_change_nothing(learner_client, learner, change, field, message):
    response = learner_client.post("/settings/", {**GOOD, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]
    assert not SchedulerSettings.objects.filter(owner=learner).exists()
    assert settings_of(learner).desired_retention == 0.9


def test_optimising_without_enough_reviews_says_why(learner_client, learner):
    response = learner_client.post("/settings/optimize/", follow=True)
    html = response.content.decode()
    assert "Optimising needs at least 400 reviews of your own; you have 0." in html
    assert 'class="message message--error"' in html
    assert learner_client.get("/settings/optimize/").status_code == 405


def test_optimising_with_enough_reviews_is_queued(learner_client, learner, settings):
    settings.FSRS_MIN_REVIEWS_TO_OPTIMIZE = 2
    card_services.enroll(learner, [Concept.objects.get(slug="adam")])
    for card in Card.objects.filter(owner=learner)[:2]:
        card_services.review(learner, card_services.ReviewRequest(card.pk, 3, uuid.uuid4()))
    response = learner_client.post("/settings/optimize/", follow=True)
    assert "Fitting your parameters to 2 reviews" in response.content.decode()


def workload_rows(response) -> list[list[str]]:
    table = response.content.decode().split('class="study-table workload__table"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in body.split("</tr>")[:-1]]


def test_the_page_shows_what_each_retention_costs(learner_client, learner):
    assert "Add cards to see how many reviews" in learner_client.get("/settings/").content.decode()
    card_services.enroll(learner, list(Concept.objects.filter(slug__in=["adam", "dropout"])))
    response = learner_client.get("/settings/")
    assert_csp_ready(response)
    forecast = workload(learner)["options"]
    rows = workload_rows(response)
    assert [row[0] for row in rows] == ["85%", "90% (yours)", "95%"]
    assert [int(row[3]) for row in rows] == [option["total_reviews"] for option in forecast]
    assert int(rows[0][3]) < int(rows[1][3]) < int(rows[2][3])
    page = parse(response)
    lines = [attrs["class"] for tag, attrs in page.elements if tag == "polyline"]
    assert lines == [f"workload__line workload__line--{n}" for n in (1, 2, 3)] * 2  # reviews, then remembered
    assert "still new" in response.content.decode()  # what the simulation assumes
    chinese = learner_client.get("/settings/", headers={"Accept-Language": "zh-CN"})
    html = chinese.content.decode()
    assert "不同保持率的复习量" in html and "90% (你的设置)" in html and "都当作新卡片" in html
