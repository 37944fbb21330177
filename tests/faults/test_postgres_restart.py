"""PostgreSQL restarted while a learner works: the requests in the outage get a 503 in the API's error format with
Retry-After (never a 500 nor a dropped connection), a portal page gets a 503 page, the server recovers by itself,
and nothing is half-written."""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from tests.faults.traffic import Learner, Traffic
from tests.processes import wait_for
from tests.servers import prepare_database, service_env

pytestmark = pytest.mark.services
OUTAGE_SECONDS = 4


def test_requests_get_503_during_a_restart_and_succeed_after_it(postgres, start_server, tmp_path):
    env = service_env(tmp_path / "data", postgres.url)
    prepare_database(env)
    server = start_server(env)
    learner = Learner(server.url)

    with Traffic(learner, pause=0.2, submit_every=2) as traffic:
        time.sleep(3)
        stopping = time.monotonic()
        postgres.stop()
        time.sleep(1)
        page = _portal_page(server.url + "/concepts/")
        time.sleep(OUTAGE_SECONDS - 1)
        postgres.start()
        restarted = time.monotonic()
        wait_for(lambda: any(o.ok and o.at > restarted for o in traffic.of("review")), 30, what="a review to succeed")
        recovered = time.monotonic()
        time.sleep(3)

    print(f"during: {traffic.summary(stopping, recovered)}\nafter: {traffic.summary(start=recovered)}")
    print(f"from the restart to the first review applied: {recovered - restarted:.1f} s")
    outcomes = traffic.outcomes
    assert [o for o in outcomes if o.status is None] == [], "every request got an HTTP answer"
    failures = [o for o in outcomes if not o.ok and not (o.action == "answer" and o.status == 409)]
    assert failures, "the outage was met by some requests"
    assert {o.status for o in failures} == {503}, [(o.action, o.status, o.body) for o in failures if o.status != 503]
    for outcome in failures:
        assert outcome.body["code"] == "database_unavailable"
        assert "Retry in 5 seconds" in outcome.body["detail"]
        assert outcome.body["retry_after_header"] == "5"
        assert outcome.at > stopping and outcome.at - outcome.seconds < recovered  # met the outage
    after = [o for o in outcomes if o.at - o.seconds > recovered]
    assert {o.action for o in after if o.ok} >= {"login", "review", "submit"}, "the server recovered by itself"
    assert all(o.ok or o.status == 409 for o in after)

    assert_reviews_applied_once(learner, traffic)
    assert page.status == 503 and page.headers["Retry-After"] == "5", page.status
    assert page.headers["Content-Type"].startswith("text/html") and "Back in a moment" in page.text, page.text[:300]


@dataclass
class Page:
    status: int
    headers: dict
    text: str


def _portal_page(url: str) -> Page:
    """A portal page as a browser gets it, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return Page(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, dict(error.headers), error.read().decode())


def assert_reviews_applied_once(learner: Learner, traffic: Traffic) -> None:
    """Reviews that failed are sent again with their review_id (as the portal's offline queue does); then every
    review is in its card's history exactly once, and each card counts as many repetitions as it has reviews."""
    for outcome in traffic.of("review"):
        if not outcome.ok:
            again = learner.call("review", "POST", outcome.path, json=outcome.sent)
            assert again.ok, again.body
    sent = {o.sent["review_id"] for o in traffic.of("review")}
    stored = []
    for card_id in learner.card_ids:
        card = learner.http.get(f"{learner.url}/api/cards/{card_id}/", timeout=60).json()
        assert card["reps"] == len(card["reviews"]), card
        stored += [review["review_id"] for review in card["reviews"]]
    assert sorted(stored) == sorted(sent)
