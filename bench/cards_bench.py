"""Flashcard API latency at scale, measured in one run against a real server on loopback.

Fills a fresh database with --users x --cards cards and --reviews review logs per card (default 100 x 1,000
cards, 10 reviews each: 100,000 cards and 1,000,000 reviews) and starts gunicorn (both bench/server.py), and times,
one request at a time, for one learner: GET /api/cards/due/?limit=20 and POST /api/cards/<id>/review/, next to
GET /api/areas/ (one small query) as the trivial baseline of the same server. Prints p50/p99 latency, sequential
throughput and the ratios. bench/load_bench.py measures the same under concurrency.

Usage: .venv/bin/python bench/cards_bench.py [--users 100 --cards 1000 --reviews 10 --requests 300]
                                             [--database sqlite|postgres]
"""

import argparse
import http.client
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import bench_server, fill  # bench/ is on the path when run as a script


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
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()

    with bench_server(args.database, workers=2) as url:
        started = time.perf_counter()
        filled = fill(args.users, args.cards, args.reviews)
        token = filled.tokens[0]
        due_ids = [card for owner, card in filled.due_cards if owner == token]
        total = args.users * args.cards
        print(
            f"filled {total:,} cards and {total * args.reviews:,} reviews in {time.perf_counter() - started:.0f} s; "
            f"{len(due_ids)} cards due for the measured learner"
        )
        connection = http.client.HTTPConnection(urlsplit(url).hostname, urlsplit(url).port, timeout=30)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": "127.0.0.1"}
        for _ in range(20):  # warm-up: connections, caches
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
            for i in range(args.requests)
        ]
        summary("POST /api/cards/<id>/review/", reviews, base)


if __name__ == "__main__":
    main()
