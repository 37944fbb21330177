"""With the cache on a real Redis (as compose sets CACHE_URL), stopping Redis does not turn logins and demo
submissions into 500s: the throttles let requests through and log a warning, and a submitted run is stored."""

import logging

import pytest
import redis
from rest_framework.test import APIClient

from demos.models import DemoRun
from tests.processes import LEARNER_PASSWORD, RedisServer, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings, tmp_path):
    """A redis-server of this test's own (so stopping it disturbs no other test) holding the default cache."""
    server = RedisServer(free_port(), tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/1",
            "OPTIONS": settings.CACHES["default"].get("OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}),
        }
    }
    settings.DEMO_SUBMIT_RATE = "2/hour"
    settings.DEMO_MAX_ACTIVE_RUNS = 100
    yield server
    server.stop()


def submit(api: APIClient, seed: int):
    return api.post("/api/demo-runs/", {"demo": "optimizers", "params": {"seed": seed}}, format="json")


def get_token(client: APIClient):
    return client.post("/api/auth/token/", {"username": "ada", "password": LEARNER_PASSWORD}, format="json")


def throttle_keys(server: RedisServer) -> list[bytes]:
    return redis.Redis(port=server.port, db=1).keys("*throttle_*")


def test_throttles_count_in_redis_and_let_requests_through_while_it_is_down(redis_cache, learner, caplog):
    anonymous = APIClient(raise_request_exception=False)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(learner)

    # Redis up: the counters live there and the submission rate is enforced.
    assert get_token(anonymous).status_code == 200
    assert [submit(api, seed).status_code for seed in (1, 2, 3)] == [202, 202, 429]
    keys = throttle_keys(redis_cache)
    assert any(b"throttle_auth_" in key for key in keys) and any(b"throttle_demo_submit_" in key for key in keys)

    redis_cache.stop()
    assert not redis_cache.ping()
    with caplog.at_level(logging.WARNING, logger="common.throttles"):
        token = get_token(anonymous)
        runs = [submit(api, seed) for seed in (4, 5, 6)]  # past the rate: no counter to say so, so allowed
    assert token.status_code == 200, token.content[:300]
    assert token.json()["token"]
    assert [run.status_code for run in runs] == [202, 202, 202], [run.content[:300] for run in runs]
    stored = DemoRun.objects.filter(owner=learner, pk__in=[run.json()["id"] for run in runs])
    assert stored.count() == 3  # stored, to be dispatched like any other run
    warnings = [record.getMessage() for record in caplog.records if record.name == "common.throttles"]
    assert len(warnings) == 4 and all("the throttle cache is unreachable" in message for message in warnings)

    # Redis back (empty: it keeps nothing on disk): the throttles count again.
    redis_cache.start()
    assert [submit(api, seed).status_code for seed in (7, 8, 9)] == [202, 202, 429]
