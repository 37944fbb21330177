"""The study hot path under concurrency, in one run: throughput and latency of the due list and of a review next
to a trivial DRF endpoint served by the same server, on SQLite and PostgreSQL, at 1x and 10x the cards.

For each database and scale, in a process of its own: a fresh database and gunicorn with --workers sync workers
(bench/server.py), --learners x scale learners with --cards cards each and --reviews review logs per card (1x:
100,000 cards and 1,000,000 reviews), then wrk (1 thread, --connections connections, --duration seconds after a
short warm-up) on:
  GET /bench/trivial/                 no authentication, no database: the framework's own cost
  GET /api/cards/due/?limit=20        a different learner each request (bench/wrk/due.lua)
  POST /api/cards/<id>/review/        a due card of a different learner each request, a fresh review_id each
                                      (bench/wrk/review.lua)
The trivial endpoint is measured first and last; the ratio divides by the mean of the two, so that a machine whose
load drifts during the run weighs less. Prints req/s, p50 and p99 latency and the throughput ratio.

Usage: .venv/bin/python bench/load_bench.py [--databases sqlite,postgres] [--scales 1,10] [--duration 10]
Needs wrk (apt-get install wrk) and, for PostgreSQL, its server binaries (apt-get install postgresql).
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRK = ROOT / "bench" / "wrk"
REQUESTS = (
    ("trivial DRF endpoint", "/bench/trivial/", None),
    ("GET /api/cards/due/?limit=20", "/api/cards/due/?limit=20", "due.lua"),
    ("POST /api/cards/<id>/review/", "/", "review.lua"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--reviews", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # "database:scale:result.json": one configuration
    args = parser.parse_args()
    if args.one:
        database, scale, out = args.one.split(":", 2)
        Path(out).write_text(json.dumps(measure(args, database, int(scale))))
        return
    rows = []
    for database in args.databases.split(","):
        for scale in map(int, args.scales.split(",")):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                command = [sys.executable, __file__, *sys.argv[1:], "--one", f"{database}:{scale}:{out.name}"]
                subprocess.run(command, check=True)
                rows.append(json.loads(Path(out.name).read_text()))
    print_table(rows)


def measure(args, database: str, scale: int) -> dict:
    from server import bench_server, fill

    with bench_server(database, args.workers) as url, tempfile.TemporaryDirectory() as scratch:
        filled = fill(args.learners * scale, args.cards, args.reviews)
        tokens, cards = Path(scratch, "tokens.txt"), Path(scratch, "cards.txt")
        tokens.write_text("\n".join(filled.tokens) + "\n")
        cards.write_text("".join(f"{token} {card}\n" for token, card in filled.due_cards))
        print(
            f"{database} x{scale}: {len(filled.tokens) * args.cards:,} cards, "
            f"{len(filled.tokens) * args.cards * args.reviews:,} reviews, {len(filled.due_cards):,} cards due now",
            flush=True,
        )
        environment = {"BENCH_TOKENS": str(tokens), "BENCH_CARDS": str(cards)}
        results = []
        for name, path, script in [*REQUESTS, REQUESTS[0]]:  # the trivial endpoint first and last: see the ratio
            wrk(url, path, script, environment, args.connections, 3)  # warm-up
            results.append({"request": name, **wrk(url, path, script, environment, args.connections, args.duration)})
    return {"database": database, "scale": scale, "cards": len(filled.tokens) * args.cards, "results": results}


def wrk(url: str, path: str, script: str | None, environment: dict, connections: int, seconds: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(WRK / script)] if script else []
    output = subprocess.run(
        [*command, url + path], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin", **environment}
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _milliseconds(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _milliseconds(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def _milliseconds(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def print_table(rows: list[dict]) -> None:
    print("\n| database | cards | request | req/s | p50 ms | p99 ms | ratio to trivial | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        trivial = (row["results"][0]["rps"] + row["results"][-1]["rps"]) / 2
        for result in row["results"]:
            print(
                f"| {row['database']} | {row['cards']:,} | {result['request']} | {result['rps']:,.0f} | "
                f"{result['p50']:.1f} | {result['p99']:.1f} | {result['rps'] / trivial:.3f} | {result['errors']} |"
            )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    main()
