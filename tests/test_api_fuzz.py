"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis) against a real gunicorn on
loopback, with a data folder and SQLite file of its own and an authenticated learner: for every operation,
valid and invalid requests generated from the schema, and none may get a 5xx or a response outside the schema
(a status code it does not list, a body or header that does not match).

The run is deterministic (derandomised, no shrinking) and bounded: EXAMPLES_PER_OPERATION cases per operation,
at least MIN_CASES in all. Requests that the schema allows but that name nothing (a random card id) mostly get a
404, so half the cases of an operation with ids in its path use the learner's own card, quiz and run instead."""

import collections
import time

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.servers import WebServer, prepare_database, service_env

EXAMPLES_PER_OPERATION = 32
FEWER_EXAMPLES = {"GET /api/export/anki.apkg": 4}  # builds a whole Anki package each time: a second apiece
MIN_CASES = 1000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
PASSWORD = "a long passphrase 42"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The test settings (fast password hashing: the fuzzer logs in hundreds of times) on a database of its own,
    with rates no fuzzing meets, and no worker: submitted demo runs stay queued in the filesystem broker."""
    folder = tmp_path_factory.mktemp("fuzz-server")
    env = service_env(
        folder,
        f"sqlite:///{folder / 'deeprecall.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DEEPRECALL_TEST_DATA_DIR=str(folder),
        CELERY_BROKER_URL="filesystem://",
        CACHE_URL="",
    )
    server = WebServer(env, folder / "gunicorn.log")  # boots while the database is prepared
    try:
        prepare_database(env)
        yield server.wait_ready()
    finally:
        server.stop()


class Learner:
    """An account made through the API, with cards, a quiz and a demo run of its own."""

    def __init__(self, url: str):
        token = _post(url, "/api/auth/register/", {"username": "fuzzer", "password": PASSWORD})["token"]
        self.headers = {"Authorization": f"Token {token}"}
        _post(url, "/api/cards/enroll/", {"area": "optimizers", "include_questions": True}, self.headers)
        quiz = _post(url, "/api/quizzes/", {"area": "optimizers"}, self.headers)
        run = _post(url, "/api/demo-runs/", {"demo": "optimizers"}, self.headers)
        card = requests.get(f"{url}/api/cards/", headers=self.headers, timeout=60).json()["results"][0]
        self.ids = {
            "/api/cards/{id}": {"id": card["id"]},
            "/api/quizzes/{id}": {"id": quiz["id"]},
            "/api/demo-runs/{id}": {"id": run["id"]},
            "/api/concepts/{slug}": {"slug": card["concept"]},
            "/api/demos/{name}": {"name": "optimizers"},
        }

    def path_parameters(self, path: str) -> dict | None:
        return next((ids for prefix, ids in self.ids.items() if path.startswith(prefix)), None)

    def cases(self, operation) -> st.SearchStrategy:
        """Valid and invalid requests, each with the learner's token; with its own ids for half of them."""
        fixed = [{}]
        if ids := self.path_parameters(operation.path):
            fixed.append({"path_parameters": ids})
        modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        return st.one_of([operation.as_strategy(mode, headers=self.headers, **kw) for mode in modes for kw in fixed])


def _post(url: str, path: str, body: dict, headers: dict | None = None) -> dict:
    response = requests.post(f"{url}{path}", json=body, headers=headers, timeout=60)
    assert response.status_code in (200, 201, 202), f"{path}: {response.status_code} {response.text[:500]}"
    return response.json()


def fuzz(operation, strategy, base_url: str, statuses: collections.Counter) -> None:
    """Run the operation's cases; the first failing one raises, with the request to reproduce it."""
    session = requests.Session()

    @hypothesis.settings(
        max_examples=FEWER_EXAMPLES.get(operation.label, EXAMPLES_PER_OPERATION),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],  # no shrinking: it could run for minutes
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case):
        response = case.call_and_validate(base_url=base_url, session=session, checks=CHECKS, timeout=60)
        statuses[operation.label, response.status_code] += 1

    run()


def test_every_operation_answers_generated_requests_as_its_schema_says(server):
    learner = Learner(server.url)
    schema = schemathesis.openapi.from_url(f"{server.url}/api/schema/", timeout=60)
    schema.validate()
    statuses, failures = collections.Counter(), []
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(operation, learner.cases(operation), server.url, statuses)
        except (FailureGroup, FlakyFailure, requests.RequestException) as failure:  # the next operation still runs
            failures.append(f"{operation.label}: {failure}")
    seconds = time.perf_counter() - started

    by_status = collections.Counter()
    for (_, status), count in statuses.items():
        by_status[status] += count
    cases, operations = sum(statuses.values()), len({label for label, _ in statuses})
    print(f"\nfuzzed {cases} cases of {operations} operations in {seconds:.0f} s: {dict(sorted(by_status.items()))}")
    server_log = server.log.read_text()[-3000:]
    assert not failures, "\n\n".join(failures) + f"\n\ngunicorn's log:\n{server_log}"
    assert cases >= MIN_CASES
