"""Flashcard API latency at scale, measured in one run against a real server on loopback.

Fills a fresh database with --users x --cards cards and --reviews review logs per card (default 100 x 1,000
cards, 10 reviews each: 100,000 cards and 1,000,000 reviews), starts gunicorn, and times, for one learner:
GET /api/cards/due/?limit=20 and POST /api/cards/<id>/review/, next to GET /api/areas/ (one small query) as the
trivial baseline of the same server. Prints p50/p99 latency, sequential throughput and the ratios.

Usage: .venv/bin/python bench/cards_bench.py [--users 100 --cards 1000 --reviews 10 --requests 300]
Uses SQLite in a temporary folder unless DATABASE_URL is set (use an empty PostgreSQL database then).
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from support import free_port, port_open, wait_for  # noqa: E402 - bench/ is on the path when run as a script


def fill(users: int, cards_per_user: int, reviews_per_card: int) -> tuple[str, list[int]]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from cards.models import Card, ReviewLog
    from kb.models import Concept

    rng = random.Random(0)
    concepts = list(Concept.objects.all())
    now = datetime.now(UTC)
    owners = get_user_model().objects.bulk_create([get_user_model()(username=f"learner{i}") for i in range(users)])
    owners = list(get_user_model().objects.filter(username__startswith="learner").order_by("id"))
    for owner in owners:
        cards = Card.objects.bulk_create(
            [
                Card(
                    owner=owner,
                    concept=concepts[i % len(concepts)],
                    key=f"bench:{i}",
                    kind="definition",
                    front="f",
                    back="b",
                    state=2,
                    step=None,
                    stability=10 + rng.random() * 50,
                    difficulty=1 + rng.random() * 9,
                    due=now + timedelta(days=rng.uniform(-30, 30)),
                    last_review=now - timedelta(days=40),
                    reps=10,
                )
                for i in range(cards_per_user)
            ],
            batch_size=5000,
        )
        logs = []
        for card in cards:
            when = now - timedelta(days=400)
            for _ in range(reviews_per_card):
                when += timedelta(days=rng.uniform(1, 30))
                logs.append(
                    ReviewLog(
                        owner=owner,
                        card=card,
                        review_id=uuid.uuid4(),
                        rating=rng.choice((1, 3, 3, 4)),
                        reviewed_at=when,
                        state_before=2,
                        state_after=2,
                        due_before=when,
                        due_after=when + timedelta(days=10),
                        stability_after=10,
                        difficulty_after=5,
                    )
                )
        ReviewLog.objects.bulk_create(logs, batch_size=10000)
    first = owners[0]
    due_ids = list(Card.objects.filter(owner=first, due__lte=now).values_list("id", flat=True))
    return Token.objects.create(user=first).key, due_ids


def timed(connection: http.client.HTTPConnection, method: str, path: str, headers: dict, body=None) -> float:
    started = time.perf_counter()
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - started
    if response.status >= 400:
        raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
    return elapsed


def summary(name: str, seconds: list[float], baseline: dict | None = None) -> dict:
    ordered = sorted(seconds)
    row = {
        "name": name,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "throughput": len(ordered) / sum(ordered),
    }
    ratio = f"  p50 x{row['p50'] / baseline['p50']:.2f}, p99 x{row['p99'] / baseline['p99']:.2f}" if baseline else ""
    print(f"{name:34} p50 {row['p50']:7.2f} ms  p99 {row['p99']:7.2f} ms  {row['throughput']:7.1f} req/s{ratio}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--reviews", type=int, default=10)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="deeprecall-cards-bench-"))
    (data / "static").mkdir()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEEPRECALL_DATA_DIR=str(data),
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0)
    started = time.perf_counter()
    token, due_ids = fill(args.users, args.cards, args.reviews)
    total = args.users * args.cards
    print(
        f"filled {total:,} cards and {total * args.reviews:,} reviews in {time.perf_counter() - started:.0f} s; "
        f"{len(due_ids)} cards due for the measured learner"
    )

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    try:
        wait_for(lambda: port_open(port), 60, 0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}
        for _ in range(20):  # warm-up: imports, connections, caches
            timed(connection, "GET", "/api/areas/", headers)
            timed(connection, "GET", "/api/cards/due/?limit=20", headers)
        base = summary(
            "GET /api/areas/ (trivial)",
            [timed(connection, "GET", "/api/areas/", headers) for _ in range(args.requests)],
        )
        summary(
            "GET /api/cards/due/?limit=20",
            [timed(connection, "GET", "/api/cards/due/?limit=20", headers) for _ in range(args.requests)],
            base,
        )
        reviews = [
            timed(
                connection,
                "POST",
                f"/api/cards/{due_ids[i % len(due_ids)]}/review/",
                headers,
                {"rating": 3, "review_id": str(uuid.uuid4())},
            )
            for i in range(min(args.requests, len(due_ids)))
        ]
        summary("POST /api/cards/<id>/review/", reviews, base)
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
