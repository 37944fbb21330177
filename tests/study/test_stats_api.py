"""``GET /api/stats/``: the card statistics with mastery per concept and per area, in the request's language,
conforming to the OpenAPI schema, and nothing of another learner's."""

import pytest
from django.utils import timezone

from tests.study.helpers import answer, assert_conforms, enroll, openapi_schema, rate

pytestmark = pytest.mark.django_db


def test_stats_show_mastery_with_interval_label_and_evidence(api, learner):
    cards = enroll(learner, "relu")
    rate(learner, cards[0], 3)
    answer(learner, "relu", [1.0])
    answer(learner, "adam", [1.0] * 6)
    response = api.get("/api/stats/")
    assert response.status_code == 200
    body = response.json()
    assert body["reviews_per_day"] == [{"date": timezone.localdate().isoformat(), "reviews": 1}]
    assert body["streak_days"] == 1 and len(body["due_forecast"]) == 30
    relu = body["mastery"]["concepts"]["relu"]
    assert set(relu) == {"title", "area", "mastery", "sd", "interval", "label", "label_display", "evidence"} | {
        "last_studied"
    }
    assert relu["title"] == "ReLU (Rectified Linear Unit) and Dead ReLUs"
    assert relu["area"] == "activations" and relu["label"] == "learning" and relu["label_display"] == "learning"
    assert relu["evidence"] == {"answers": 1, "correct": 1, "cards": 1, "reviews": 1}
    low, high = relu["interval"]
    assert 0 < low < relu["mastery"] < high < 1
    assert body["mastery"]["concepts"]["adam"]["label"] == "solid"
    areas = body["mastery"]["areas"]
    assert len(areas) == 10 and areas["activations"]["mastery"] == relu["mastery"]
    assert areas["optimizers"]["label_display"] == "solid" and areas["rnn"]["label"] == "new"
    assert_conforms(openapi_schema(api), "/api/stats/", body)


@pytest.mark.parametrize(("query", "headers"), [("?lang=zh", {}), ("", {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"})])
def test_titles_and_labels_follow_the_request_language(api, learner, query, headers):
    answer(learner, "relu", [1.0])
    body = api.get(f"/api/stats/{query}", **headers).json()
    relu = body["mastery"]["concepts"]["relu"]
    assert relu["label"] == "learning" and relu["label_display"] == "学习中"
    assert relu["title"] == "ReLU 激活函数"
    assert body["mastery"]["areas"]["activations"]["title"] == "激活函数"
    assert body["mastery"]["areas"]["rnn"]["label_display"] == "未学"


def test_another_learners_mastery_does_not_leak(api, learner, other_api):
    answer(learner, "relu", [1.0] * 6)
    body = other_api.get("/api/stats/").json()
    assert body["mastery"]["concepts"] == {}
    assert {area["label"] for area in body["mastery"]["areas"].values()} == {"new"}


def test_stats_need_a_login_and_a_known_language(client, api):
    assert client.get("/api/stats/").status_code == 401
    response = api.get("/api/stats/?lang=fr")
    assert response.status_code == 400 and response.json()["code"] == "invalid_choice"
