"""A learner's traffic over HTTP: threads that keep logging in, reviewing cards, answering quiz questions and
submitting demo runs until stopped, recording every answer (or the lack of one) with its time."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import count, cycle

import requests

from tests.processes import LEARNER_PASSWORD as PASSWORD

QUICK_RUN = {"demo": "activation-gradients", "params": {"steps": 20, "depth": 4, "width": 8}, "fresh": True}


@dataclass
class Outcome:
    action: str
    at: float  # time.monotonic() when the answer (or the failure) came
    status: int | None  # None: no HTTP answer at all (refused, reset, timed out)
    body: dict = field(default_factory=dict)
    sent: dict = field(default_factory=dict)
    path: str = ""
    seconds: float = 0.0  # how long the answer took (reported, never asserted)

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


class Learner:
    """A registered learner with cards in one area, talking to the server at ``url``."""

    def __init__(self, url: str, username: str = "ada"):
        self.url, self.username = url, username
        self.http = requests.Session()
        registered = self.http.post(f"{url}/api/auth/register/", json={"username": username, "password": PASSWORD})
        assert registered.status_code == 201, registered.text[:500]
        self.http.headers["Authorization"] = f"Token {registered.json()['token']}"
        enrolled = self.http.post(f"{url}/api/cards/enroll/", json={"area": "optimizers"}, timeout=60)
        assert enrolled.status_code == 200, enrolled.text[:500]
        cards = self.http.get(f"{url}/api/cards/", params={"page_size": 10}, timeout=60).json()["results"]
        self.card_ids = [card["id"] for card in cards]

    def call(self, action: str, method: str, path: str, **kwargs) -> Outcome:
        started = time.monotonic()
        try:
            response = self.http.request(method, f"{self.url}{path}", timeout=60, **kwargs)
        except requests.RequestException as exc:
            status, body = None, {"error": repr(exc)}
        else:
            status = response.status_code
            body = response.json() if "json" in response.headers.get("Content-Type", "") else {"text": response.text}
            if "Retry-After" in response.headers:
                body["retry_after_header"] = response.headers["Retry-After"]
        now = time.monotonic()
        return Outcome(action, now, status, body, kwargs.get("json", {}), path, now - started)


class Traffic:
    """Runs the four kinds of requests in threads, each pausing ``pause`` seconds between requests (demo runs
    every ``submit_every`` seconds), while its ``with`` block lasts."""

    def __init__(self, learner: Learner, pause: float = 0.3, submit_every: float = 4.0):
        self.learner = learner
        self.outcomes: list[Outcome] = []
        self.seeds = count(1)
        self.stopped = threading.Event()
        self.threads = [
            threading.Thread(target=self._loop, args=(step, delay), daemon=True)
            for step, delay in (
                (self._login, pause),
                (self._reviewer(), pause),
                (self._answerer(), pause),
                (self._submit, submit_every),
            )
        ]

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(90)

    def _loop(self, step, delay: float) -> None:
        while not self.stopped.is_set():
            self.outcomes.append(step())
            self.stopped.wait(delay)

    def _login(self) -> Outcome:
        credentials = {"username": self.learner.username, "password": PASSWORD}
        return self.learner.call("login", "POST", "/api/auth/token/", json=credentials, headers={"Authorization": ""})

    def _reviewer(self):
        cards = cycle(self.learner.card_ids)

        def review() -> Outcome:
            body = {"rating": 3, "review_id": str(uuid.uuid4())}
            return self.learner.call("review", "POST", f"/api/cards/{next(cards)}/review/", json=body)

        return review

    def _answerer(self):
        """Answers the questions of a quiz one by one (a well-formed response, right or wrong); a new quiz when
        they are all answered."""
        pending: list[tuple[str, dict]] = []

        def answer() -> Outcome:
            if not pending:
                created = self.learner.call("quiz", "POST", "/api/quizzes/", json={"area": "optimizers", "size": 5})
                if created.ok:
                    pending.extend((created.body["id"], item["question"]) for item in created.body["items"])
                return created
            quiz_id, question = pending[0]
            body = {"question": question["id"], "response": response_for(question)}
            outcome = self.learner.call("answer", "POST", f"/api/quizzes/{quiz_id}/answers/", json=body)
            if outcome.ok or outcome.status == 409:  # 409: already answered (an earlier try was applied)
                pending.pop(0)
            return outcome

        return answer

    def _submit(self) -> Outcome:
        body = {**QUICK_RUN, "params": {**QUICK_RUN["params"], "seed": next(self.seeds)}}
        return self.learner.call("submit", "POST", "/api/demo-runs/", json=body)

    def summary(self, start: float = 0.0, end: float = float("inf")) -> str:
        """For the answers that came between start and end: how many of each status each action got, and the
        slowest, e.g. "review: 200x40 503x12 (slowest 0.31 s)"."""
        outcomes = [outcome for outcome in self.outcomes if start <= outcome.at <= end]
        lines = []
        for action in dict.fromkeys(outcome.action for outcome in outcomes):
            mine = [outcome for outcome in outcomes if outcome.action == action]
            statuses = Counter(outcome.status for outcome in mine)
            tally = " ".join(f"{status}x{n}" for status, n in sorted(statuses.items(), key=str))
            lines.append(f"{action}: {tally} (slowest {max(outcome.seconds for outcome in mine):.2f} s)")
        return "; ".join(lines)

    def of(self, action: str) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.action == action]


def response_for(question: dict):
    """A response of the shape the question's type asks for."""
    kind = question["type"]
    if kind == "single":
        return question["choices"][0]["key"]
    if kind == "multiple":
        return [question["choices"][0]["key"]]
    if kind == "true_false":
        return True
    if kind == "cloze":
        return ["x"] * question["blanks"]
    return 1  # numeric and parametric
