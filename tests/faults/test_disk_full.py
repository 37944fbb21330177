"""The data folder's disk fills up while a demo run trains. The folder is a small tmpfs mounted for the test, so
that every write gets a real ENOSPC from the kernel, in whatever process and library makes it (here SQLite, which
holds the runs' results in the data folder, as the embedded default deploys it). RLIMIT_FSIZE would give EFBIG, and
only in the process it is set on, and /dev/full cannot hold a database. Mounting needs root, as CI runs.

While the disk is full nothing can be written, the run's failure included: the API keeps answering, reads as usual
and writes with a clear 507; once space is freed the run ends failed with a message that says what to do and no
partial result, and the database is intact."""

import errno
import os
import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from tests.faults.traffic import QUICK_RUN, Learner
from tests.processes import wait_for
from tests.servers import service_env, sqlite_copy

pytestmark = [pytest.mark.django_db, pytest.mark.services]  # django_db: before transactional tests (sqlite_template)
LONG = {"steps": 500, "depth": 16, "width": 128}


@pytest.fixture
def small_disk(tmp_path):
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(folder)], capture_output=True)
    assert mounted.returncode == 0, f"mounting a tmpfs needs root (CI runs as root): {mounted.stderr.decode()}"
    yield folder
    subprocess.run(["umount", "--lazy", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Writes zeros until the disk is full to the last block."""
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    for chunk in (b"\0" * (1 << 20), b"\0" * 512):
        _write_until_full(descriptor, chunk)
    os.close(descriptor)
    assert os.statvfs(folder).f_bavail == 0
    return filler


def _write_until_full(descriptor: int, chunk: bytes) -> None:
    try:
        while True:
            os.write(descriptor, chunk)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise


def test_a_run_that_cannot_save_fails_clearly_and_the_api_keeps_answering(
    small_disk, redis, sqlite_template, start_server, start_service_worker
):
    data = small_disk / "data"
    database = sqlite_copy(sqlite_template, data)
    # The reaper would fail the run as lost while nothing can be written; here the run's own worker says why.
    env = service_env(data, database, CELERY_BROKER_URL=redis.url, DEMO_STALE_AFTER_SECONDS="300")
    server = start_server(env, ready=False)
    worker = start_service_worker(env)
    learner = Learner(server.wait_ready().url)
    submitted = learner.call("submit", "POST", "/api/demo-runs/", json={**QUICK_RUN, "params": LONG})
    assert submitted.status == 202, submitted.body
    run_path = f"/api/demo-runs/{submitted.body['id']}/"
    wait_for(lambda: learner.call("run", "GET", run_path).body["status"] == "running", 90, what="the run to start")

    filler = fill(small_disk)
    stopped = f"Run {submitted.body['id']} failed"
    wait_for(lambda: stopped in worker.log.read_text(), 60, what="the run to meet the full disk")
    assert learner.call("run", "GET", run_path).status == 200
    assert learner.call("concepts", "GET", "/api/concepts/adam/").status == 200
    card = f"/api/cards/{learner.card_ids[0]}/review/"
    review = {"rating": 3, "review_id": str(uuid.uuid4())}
    refused = learner.call("review", "POST", card, json=review)
    assert (refused.status, refused.body["code"]) == (507, "disk_full"), refused.body
    assert "The server's disk is full" in refused.body["detail"]

    filler.unlink()  # the administrators free space: the run's failure is recorded, writes work again
    run = wait_for(
        lambda: (body := learner.call("run", "GET", run_path).body)["status"] != "running" and body,
        30,
        what="the run's failure to be recorded",
    )
    assert run["status"] == "failed", run
    assert run["message"] == "disk full"
    assert "The server's disk is full" in run["error"] and "Submit the run again" in run["error"]
    assert run["metrics"] is None and run["series"] is None
    assert learner.call("review", "POST", card, json=review).status == 200
    with closing(sqlite3.connect(data / "deeprecall.sqlite3")) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
