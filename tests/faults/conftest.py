"""Fixtures of the fault tests: servers and workers of the service (tests/servers.py, tests/processes.py), a Redis
of their own, a throwaway PostgreSQL cluster and a SQLite template database."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import RedisServer, Worker, free_port
from tests.servers import PostgresCluster, WebServer


@pytest.fixture
def start_server(tmp_path):
    """Starts a server; with ``ready=False`` it returns at once (call ``wait_ready``), so that a worker can start
    meanwhile."""
    servers = []

    def start(env: dict, ready: bool = True) -> WebServer:
        server = WebServer(env, tmp_path / f"gunicorn{len(servers)}.log")
        servers.append(server)
        return server.wait_ready() if ready else server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def redis(tmp_path):
    """A Redis of the test's own (stopping it disturbs no other test) that keeps its data over a restart, as
    compose's does."""
    server = RedisServer(free_port(), tmp_path, persistent=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def start_service_worker(tmp_path):
    """A Celery worker with embedded beat (tests/processes.py) in the service's environment."""
    workers = []

    def start(env: dict) -> Worker:
        worker = Worker(env["CELERY_BROKER_URL"], tmp_path / f"worker{len(workers)}.log", **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


@pytest.fixture(scope="session")
def sqlite_template(django_db_setup, tmp_path_factory) -> Path:
    """A SQLite database with every migration and the knowledge base: a copy of the test database, which the
    fault tests (marked django_db, so they run before transactional tests empty it) find that way. Migrating and
    loading anew would cost each server half a minute."""
    source = settings.DATABASES["default"]
    assert source["ENGINE"].endswith("sqlite3"), "the fault tests copy the SQLite test database; unset DATABASE_URL"
    template = tmp_path_factory.mktemp("template") / "deeprecall.sqlite3"
    with closing(sqlite3.connect(source["NAME"])) as original, closing(sqlite3.connect(template)) as copy:
        original.backup(copy)
        assert copy.execute("SELECT count(*) FROM kb_concept").fetchone()[0] > 0, "the test database has no kb"
    return template


@pytest.fixture
def postgres():
    cluster = PostgresCluster()
    yield cluster
    cluster.remove()
