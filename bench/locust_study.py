"""Locust users for bench/load_mixed.py: learners in a mixed study session against a DeepRecall server.

Each simulated learner takes one of the bench fill's learners (its API token and its soonest due cards) from the
JSON file ``--study-file`` names (written by bench/load_mixed.py), speaks English or Chinese (every other learner
sends ``Accept-Language: zh-hans``), arrives within one mean think time, waits ``--think-min`` to ``--think-max``
seconds between steps and, by the weights below, reads concept pages (the portal's and the API's), fetches the due
list and reviews its first card (a fresh review_id each time), takes quizzes (create one, then answer its questions
one at a time), submits demo runs, and requests ``/bench/trivial/``, the reference of the same run. Any status other
than the expected one is a failure.

Run through bench/load_mixed.py, which starts the server, fills the data and checks the results; by hand:
``locust -f bench/locust_study.py --headless --host http://127.0.0.1:8000 --study-file study.json -u 300 -r 50 -t 60s``
"""

import itertools
import json
import random
import time
import uuid

from locust import FastHttpUser, between, events, task

RATINGS, RATING_WEIGHTS = (1, 2, 3, 4), (1, 1, 6, 2)  # Again, Hard, Good, Easy: mostly Good, as in Anki
QUIZ_SIZE = 5
READING_A_QUESTION = (5, 15)  # seconds from a new quiz to its first answer
STUDY = {}
LEARNER_NUMBERS = itertools.count()


@events.init_command_line_parser.add_listener
def _arguments(parser):
    parser.add_argument("--study-file", help="JSON written by bench/load_mixed.py: learners, concepts, areas, demos")
    parser.add_argument("--think-min", type=float, default=30, help="seconds a learner waits at least between steps")
    parser.add_argument("--think-max", type=float, default=90, help="and at most")
    parser.add_argument("--summary-file", help="where to write each request type's figures as JSON at the end")


@events.init.add_listener
def _load_study(environment, **_kwargs):
    options = environment.parsed_options
    if options and options.study_file:
        with open(options.study_file, encoding="utf-8") as study:
            STUDY.update(json.load(study))


@events.quitting.add_listener
def _write_summary(environment, **_kwargs):
    """Per request type and for all requests: counts, req/s and latencies (ms), once every learner has stopped."""
    if not environment.parsed_options.summary_file:
        return
    stats = environment.stats
    entries = [*sorted(stats.entries.values(), key=lambda entry: entry.name), stats.total]
    summary = [
        {
            "name": "all requests" if entry is stats.total else entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            "p50": entry.get_response_time_percentile(0.5),
            "p99": entry.get_response_time_percentile(0.99),
            "mean": entry.avg_response_time,
        }
        for entry in entries
    ]
    with open(environment.parsed_options.summary_file, "w", encoding="utf-8") as out:
        json.dump(summary, out)


def _think_time(user) -> float:
    options = user.environment.parsed_options
    return between(options.think_min, options.think_max)(user)


def answer_for(question: dict):
    """A well-formed response to a served question (right or wrong does not matter to the load)."""
    kind = question["type"]
    if kind == "single":
        return random.choice(question["choices"])["key"]
    if kind == "multiple":
        return [random.choice(question["choices"])["key"]]
    if kind == "true_false":
        return random.random() < 0.5
    if kind == "cloze":
        return ["relu"] * question["blanks"]
    return 0.5  # numeric and parametric


class Learner(FastHttpUser):
    wait_time = _think_time

    def on_start(self):
        number = next(LEARNER_NUMBERS)
        learner = STUDY["learners"][number % len(STUDY["learners"])]
        self.fill_cards = learner["cards"]
        self.headers = {"Authorization": f"Token {learner['token']}"}
        self.language = {"Accept-Language": "zh-hans" if number % 2 else "en"}
        self.open_questions: list[tuple[str, dict]] = []  # (quiz id, question) still to answer
        options = self.environment.parsed_options  # learners arrive spread over a think time, not all at once
        time.sleep(random.uniform(0, (options.think_min + options.think_max) / 2))

    def _expect(self, method: str, path: str, name: str, status: int, **kwargs):
        """The response when its status is ``status``, else None, with the request counted as a failure."""
        headers = {**self.language, **self.headers} if kwargs.pop("authenticated", True) else self.language
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs) as response:
            if response.status_code != status:
                response.failure(f"{response.status_code} instead of {status}: {(response.text or '')[:200]}")
                return None
            return response

    @task(3)
    def concept_page(self):
        slug = random.choice(STUDY["concepts"])
        self._expect("GET", f"/concepts/{slug}/", "portal /concepts/<slug>/", 200, authenticated=False)

    @task(2)
    def concept_api(self):
        slug = random.choice(STUDY["concepts"])
        self._expect("GET", f"/api/concepts/{slug}/", "GET /api/concepts/<slug>/", 200)

    @task(4)
    def study_cards(self):
        """Fetch today's queue and review its first card; once none is due, one of the learner's cards early."""
        due = self._expect("GET", "/api/cards/due/?limit=20", "GET /api/cards/due/?limit=20", 200)
        if due is None:
            return
        queue = due.json()
        card = queue[0]["id"] if queue else random.choice(self.fill_cards)
        body = {"rating": random.choices(RATINGS, RATING_WEIGHTS)[0], "review_id": str(uuid.uuid4())}
        self._expect("POST", f"/api/cards/{card}/review/", "POST /api/cards/<id>/review/", 200, json=body)

    @task(3)
    def quiz_step(self):
        """Answer the next question of the open quiz; with none open, start a quiz on an area and answer its first
        question once read."""
        if not self.open_questions:
            body = {"area": random.choice(STUDY["areas"]), "size": QUIZ_SIZE}
            quiz = self._expect("POST", "/api/quizzes/", "POST /api/quizzes/", 201, json=body)
            if quiz is None:
                return
            served = quiz.json()
            self.open_questions = [(served["id"], item["question"]) for item in served["items"]]
            if not self.open_questions:
                return
            time.sleep(random.uniform(*READING_A_QUESTION))
        quiz_id, question = self.open_questions.pop(0)
        body = {"question": question["id"], "response": answer_for(question)}
        self._expect("POST", f"/api/quizzes/{quiz_id}/answers/", "POST /api/quizzes/<id>/answers/", 200, json=body)

    @task(1)
    def submit_demo(self):
        demo, choices = random.choice(list(STUDY["demos"].items()))
        body = {"demo": demo, "prediction": random.choice(choices) if choices else ""}
        self._expect("POST", "/api/demo-runs/", "POST /api/demo-runs/", 202, json=body)

    @task(2)
    def trivial(self):
        self._expect("GET", "/bench/trivial/", "GET /bench/trivial/ (reference)", 200, authenticated=False)
