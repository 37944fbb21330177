"""A real DeepRecall server for load benchmarks, and a fast fill of learners, cards and reviews.

Interface (for bench/load_bench.py, and for any other load driver such as locust):

``bench_server(database="sqlite", workers=2) -> ContextManager[str]``
    Makes a fresh database: SQLite in a temporary data folder (``database="sqlite"``), or a throwaway PostgreSQL
    cluster on a free loopback port (``database="postgres"``; the binaries of /usr/lib/postgresql/*/bin, run as
    the postgres user when this runs as root, as scripts/with-postgres.sh does it). It points this process at it
    (DJANGO_SETTINGS_MODULE=bench.settings, DEEPRECALL_DATA_DIR, DATABASE_URL), runs ``django.setup()``,
    ``migrate``, ``load_kb`` and ``collectstatic`` (for the portal's pages), starts gunicorn from the repository's
    interpreter with ``workers`` sync workers on a free 127.0.0.1 port, and yields the base URL
    (``http://127.0.0.1:<port>``). On exit it stops gunicorn and removes the database. Django is set up once per
    process, so use one ``bench_server`` per process (run each configuration in its own process). The bench
    settings add ``GET /bench/trivial/`` (no authentication, no database): the baseline to divide by.

``fill(learners, cards_per_learner, reviews_per_card) -> Filled``
    Inside ``bench_server``: writes ``learners`` learners (username ``bench<i>``, each with an API token), each
    with ``cards_per_learner`` review cards and ``reviews_per_card`` review logs per card, in a few INSERT ...
    SELECT statements (100,000 cards and 1,000,000 reviews take seconds, not minutes). The learners study every
    day: each card's due moment lies from yesterday to 59 days ahead, so a learner has about 1/60 of their cards
    due today, and the cards due within a day carry the interval previews the review service would have stored.
    ``Filled.tokens`` is one token per learner; ``Filled.due_cards`` is (token, card id) of every card due now.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from support import free_port, port_open, wait_for  # noqa: E402 - bench/ is on the path


@contextmanager
def bench_server(database: str = "sqlite", workers: int = 2) -> Iterator[str]:
    """The base URL of gunicorn (``workers`` sync workers) on a fresh, migrated and loaded database."""
    data = Path(tempfile.mkdtemp(prefix="deeprecall-load-bench-"))
    (data / "static").mkdir()
    try:
        with _database(database, data) as url:
            env = {"DJANGO_SETTINGS_MODULE": "bench.settings", "DEEPRECALL_DATA_DIR": str(data)}
            env |= {"DATABASE_URL": url} if url else {}
            env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
            os.environ.update(env)
            _set_up_django()
            with _gunicorn(workers) as base_url:
                yield base_url
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _set_up_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0)
    _collect_static()


def _collect_static() -> None:
    """The static files and their manifest, which the portal's pages need to render. Uncompressed: the gzip and
    brotli copies take minutes and no load driver fetches static files."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    manifest_only = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": manifest_only}):
        call_command("collectstatic", interactive=False, verbosity=0)


@contextmanager
def _gunicorn(workers: int) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "bench.server:wsgi_application()", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", "sync", "--preload", "--graceful-timeout", "5"]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_for(lambda: port_open(port), 300, 0.2)
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/bench/trivial/"), 300, 0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wsgi_application():
    """gunicorn's application: Django with its URL map, and so every view, imported before the workers fork
    (``--preload``), rather than in each worker's first request."""
    from django.core.wsgi import get_wsgi_application
    from django.urls import get_resolver

    application = get_wsgi_application()
    get_resolver().url_patterns  # noqa: B018 - importing is the point
    return application


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def _database(kind: str, data: Path) -> Iterator[str | None]:
    """None for SQLite in ``data`` (the settings' default), or the URL of a throwaway PostgreSQL cluster."""
    if kind == "sqlite":
        yield None
        return
    if kind != "postgres":
        raise ValueError(f"database is sqlite or postgres, not {kind!r}")
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not binaries:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    cluster, port = Path(tempfile.mkdtemp(prefix="deeprecall-pg-")), free_port()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:  # initdb refuses to run as root
        shutil.chown(cluster, "postgres")

    def pg(program: str, *args: str) -> None:
        run = [*as_postgres, f"{binaries[-1]}/{program}", *args]
        subprocess.run(run, cwd=cluster, check=True, stdout=subprocess.DEVNULL)

    pg("initdb", "-D", f"{cluster}/data", "-U", "deeprecall", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    options = f"-p {port} -k {cluster} -c listen_addresses=127.0.0.1 -c max_connections=100"
    pg("pg_ctl", "-D", f"{cluster}/data", "-l", f"{cluster}/log", "-w", "start", "-o", options)
    try:
        pg("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "deeprecall", "deeprecall")
        yield f"postgres://deeprecall@127.0.0.1:{port}/deeprecall"
    finally:
        pg("pg_ctl", "-D", f"{cluster}/data", "-m", "immediate", "stop")
        shutil.rmtree(cluster, ignore_errors=True)


# --- the fill -----------------------------------------------------------------------------------------------


@dataclass
class Filled:
    tokens: list[str]
    due_cards: list[tuple[str, int]]


# Per vendor: a datetime ``seconds`` after the fill's clock, a fresh UUID as the column stores it, and a series
# 0..n-1 as a table ``seq(n)``.
SQL = {
    "sqlite": {
        "after": "strftime('%Y-%m-%d %H:%M:%f', '{now}', ({seconds}) || ' seconds')",
        "uuid": "lower(hex(randomblob(16)))",
        "series": "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < {count})",
        "true": "1",
        "false": "0",
    },
    "postgresql": {
        "after": "('{now}'::timestamptz + ({seconds}) * interval '1 second')",
        "uuid": "gen_random_uuid()",
        "series": "WITH seq(n) AS (SELECT generate_series(0, {count} - 1))",
        "true": "true",
        "false": "false",
    },
}
DAY = 86400


def fill(learners: int, cards_per_learner: int, reviews_per_card: int) -> Filled:
    """Learners with tokens, review cards and review logs, written in bulk (see the module's docstring)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from kb.models import Concept

    users = get_user_model()
    users.objects.bulk_create([users(username=f"bench{i}") for i in range(learners)], batch_size=1000)
    owners = list(users.objects.filter(username__startswith="bench").order_by("id").values_list("id", flat=True))
    Token.objects.bulk_create([Token(user_id=owner, key=Token.generate_key()) for owner in owners], batch_size=1000)
    concepts = list(Concept.objects.order_by("id").values_list("id", flat=True))
    assert concepts == list(range(concepts[0], concepts[0] + len(concepts))), "a fresh load numbers concepts in a row"
    sql = {**SQL[connection.vendor], "now": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_cards_sql(sql, owners[0], cards_per_learner, concepts[0], len(concepts)))
        if reviews_per_card:
            cursor.execute(_reviews_sql(sql, owners[0], reviews_per_card))
    _store_previews()
    tokens = dict(Token.objects.values_list("user_id", "key"))
    return Filled(
        tokens=[tokens[owner] for owner in owners],
        due_cards=[(tokens[owner], card) for card, owner in _due_now().values_list("id", "owner_id")],
    )


def _cards_sql(sql: dict, first_owner: int, per_learner: int, first_concept: int, concepts: int) -> str:
    """Card j of learner i: due (j * 37 + i * 11) % 61 - 1 days from now (plus j % 24 hours), last reviewed
    2 + j % 30 days before the fill (so many whole days before it is due), stable for as long."""
    days_due = f"((seq.n * 37 + (u.id - {first_owner}) * 11) % 61 - 1)"
    interval = f"({days_due} + 2 + seq.n % 30)"
    due = sql["after"].format(now=sql["now"], seconds=f"{days_due} * {DAY} + (seq.n % 24) * 3600")
    last_review = sql["after"].format(
        now=sql["now"], seconds=f"({days_due} - {interval}) * {DAY} + (seq.n % 24) * 3600"
    )
    created = sql["after"].format(now=sql["now"], seconds=f"-400 * {DAY}")
    series = sql["series"].format(count=per_learner)
    return f"""
        INSERT INTO cards_card (owner_id, concept_id, key, kind, front, back, state, step, stability, difficulty,
                                due, last_review, reps, lapses, leech, suspended, created_at)
        {series}
        SELECT u.id, {first_concept} + seq.n % {concepts}, 'bench:' || seq.n, 'definition', 'front', 'back', 2, NULL,
               {interval} * 1.0, 1 + seq.n % 9, {due}, {last_review}, 10, 0, {sql["false"]}, {sql["false"]}, {created}
        FROM auth_user u CROSS JOIN seq WHERE u.username LIKE 'bench%'
    """


def _reviews_sql(sql: dict, first_owner: int, per_card: int) -> str:
    """Review k of each card: 35 days apart, the last one 37 days before the fill (before the card's last
    review)."""
    at = sql["after"].format(now=sql["now"], seconds=f"-(({per_card} - seq.n) * 35 + 2) * {DAY}")
    due = sql["after"].format(now=sql["now"], seconds=f"-(({per_card} - seq.n) * 35 - 8) * {DAY}")
    series = sql["series"].format(count=per_card)
    return f"""
        INSERT INTO cards_reviewlog (owner_id, card_id, review_id, rating, reviewed_at, state_before, state_after,
                                     due_before, due_after, stability_after, difficulty_after, undoable)
        {series}
        SELECT c.owner_id, c.id, {sql["uuid"]}, 1 + (c.id + seq.n) % 4, {at}, 2, 2, {at}, {due}, 10.0, 5.0,
               {sql["false"]}
        FROM cards_card c CROSS JOIN seq WHERE c.key LIKE 'bench:%'
    """


def _due_soon():
    from django.utils import timezone

    from cards.models import Card

    return Card.objects.filter(key__startswith="bench:", due__lt=timezone.now() + timedelta(days=1))


def _due_now():
    from django.utils import timezone

    return _due_soon().filter(due__lte=timezone.now()).order_by("due")


def _store_previews() -> None:
    """The previews the review service stores, for the cards the due lists will show (due within a day)."""
    from cards.models import Card, SchedulerSettings
    from cards.services import schedulers_of

    schedulers = schedulers_of(SchedulerSettings())  # the fill's learners keep the default settings
    cards = list(_due_soon().only("id", "state", "step", "stability", "difficulty", "due", "last_review"))
    for card in cards:
        card.previews = schedulers.previews_of(card)
    Card.objects.bulk_update(cards, ["previews"], batch_size=2000)
