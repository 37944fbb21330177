"""Shared fixtures: real services (a redis-server on a loopback port of our own, Celery worker processes) and
API clients for a learner and for someone else."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import pools
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """A redis-server on a loopback port. ``persistent``: it saves its data when stopped and loads it when started
    again, as Redis does with its default configuration (compose's redis); otherwise it starts empty every time."""

    def __init__(self, port: int, folder: Path, *, persistent: bool = False):
        self.port, self.folder, self.process, self.persistent = port, folder, None, persistent
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed; scripts/test.sh installs it (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "3600 1" if self.persistent else "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, 10, what="redis-server to accept connections")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_broker(redis_server, settings):
    """Point this process's Celery app (and settings) at the real Redis for one test."""
    from workers.celery_app import app

    def use(url: str, options: dict) -> None:
        settings.CELERY_BROKER_URL = url
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
        pools.reset()  # closes kombu's connection and producer pools and forgets them, so none is reused closed
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url
        app.conf.broker_transport_options = options

    previous = (app.conf.broker_url, dict(app.conf.broker_transport_options))
    use(redis_server.url, {})
    yield redis_server
    use(*previous)


class Worker:
    """A real `celery worker` process (with embedded beat), in its own process group so it can be SIGKILLed."""

    def __init__(self, broker_url: str, log: Path, **env):
        self.log = log
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "CELERY_BROKER_URL": broker_url,
            "DEMO_HEARTBEAT_SECONDS": "0.5",
            "DEMO_STALE_AFTER_SECONDS": "3",
            "DEMO_MAINTENANCE_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.celery_app",
                "worker",
                "-B",
                "-Q",
                "cpu,maintenance",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "-n",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
                "-s",
                str(log.with_suffix(".beat")),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in log.read_text() or self.process.poll() is not None, 60, what="worker ready")
        assert self.process.poll() is None, f"worker exited:\n{log.read_text()[-3000:]}"

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@pytest.fixture
def start_worker(redis_broker, tmp_path):
    workers = []

    def start(**env) -> Worker:
        worker = Worker(redis_broker.url, tmp_path / f"worker{len(workers)}.log", **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()


LEARNER_PASSWORD = "a-long-enough-password-1"


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user("ada", password=LEARNER_PASSWORD)


@pytest.fixture
def api(learner):
    """An API client authenticated as the learner."""
    client = APIClient()
    client.force_authenticate(learner)
    return client


@pytest.fixture
def other_api(django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("someone-else", password="pw"))
    return client
