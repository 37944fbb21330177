"""A bounded load test of a mixed study session with locust: a few hundred learners against gunicorn on
PostgreSQL and on SQLite, with a trivial endpoint of the same server as the reference in the same run.

For each database, in a process of its own: a fresh database and gunicorn with --workers sync workers
(bench/server.py), --learners learners with --cards review cards each and --reviews review logs per card, then
locust, headless on loopback, for --run-time seconds (after an unmeasured 15 s warm-up of 4 quick learners): --users
simulated learners (spawned --spawn-rate a second), each taking a step every --think-min to --think-max seconds
(reading a page, working a question), in the session of bench/locust_study.py (portal and API concept pages, due
list and reviews, quizzes created and answered, demo submissions, and GET /bench/trivial/). It prints per request
type the requests, failures, req/s, p50, p99 and mean latency, and the throughput ratio to the trivial endpoint: in
a session with think time each type's req/s follows its weight in the mix, so the ratio is taken per connection, as
wrk measures it back to back (1 / mean latency, over the trivial endpoint's 1 / mean latency under the same load).

Demo runs: the server sends them to its embedded filesystem broker and no worker consumes it, so a run only
queues (the 2 cores stay with the web server). Throttles: learners use API tokens (no login; the per-IP login
throttle AUTH_RATE is not involved), and DEMO_MAX_ACTIVE_RUNS is raised to 100000, because without a worker every
submitted run stays queued; DEMO_SUBMIT_RATE keeps its default (60/hour per learner, not reached in a run).

Afterwards the database must hold exactly what the successful requests wrote (reviews, quizzes, answers, runs).
Exits non-zero on any failed request or mismatch.

Usage: .venv/bin/python bench/load_mixed.py [--databases postgres,sqlite] [--users 300] [--run-time 60]
Needs PostgreSQL's server binaries for PostgreSQL (apt-get install postgresql).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "bench" / "locust_study.py"
TRIVIAL = "GET /bench/trivial/ (reference)"
SERVER_ENVIRONMENT = {"DEMO_MAX_ACTIVE_RUNS": "100000"}
# gunicorn's workers import the project (torch included) after it opens the port, and each lazily loads more on
# its first requests: a short run of a few learners, not measured, warms both.
WARM_UP = {"users": 4, "seconds": 15, "think": (0.5, 1.5)}
# What each successful request of a type leaves in the database: the type's name, and the count that grows.
WRITES = {
    "POST /api/cards/<id>/review/": "reviews",
    "POST /api/quizzes/": "quizzes",
    "POST /api/quizzes/<id>/answers/": "answers",
    "POST /api/demo-runs/": "demo runs",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="postgres,sqlite")
    parser.add_argument("--users", type=int, default=300, help="simulated learners")
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--run-time", type=int, default=60, help="seconds of load per database")
    parser.add_argument("--think-min", type=float, default=30, help="seconds between a learner's steps, at least")
    parser.add_argument("--think-max", type=float, default=90, help="and at most")
    parser.add_argument("--learners", type=int, default=300, help="learners in the fill (tokens the users share)")
    parser.add_argument("--cards", type=int, default=300, help="cards per learner")
    parser.add_argument("--reviews", type=int, default=3, help="review logs per card")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # "database:result.json": one database, in this process
    args = parser.parse_args()
    if args.one:
        database, out = args.one.split(":", 1)
        Path(out).write_text(json.dumps(measure(args, database)))
        return
    runs = []
    for database in args.databases.split(","):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run([sys.executable, __file__, *sys.argv[1:], "--one", f"{database}:{out.name}"], check=True)
            runs.append(json.loads(Path(out.name).read_text()))
    problems = [problem for run in runs for problem in print_run(run, args)]
    if problems:
        print("\nFAILED:\n" + "\n".join(problems))
        sys.exit(1)
    print("\n0 errors: every request answered as expected and the database holds exactly what they wrote.")


def measure(args, database: str) -> dict:
    from server import bench_server, fill
    from support import wait_for

    os.environ.update(SERVER_ENVIRONMENT)  # before bench_server starts gunicorn, which inherits it
    with bench_server(database, args.workers) as url, tempfile.TemporaryDirectory() as scratch:
        filled = fill(args.learners, args.cards, args.reviews)
        study = Path(scratch, "study.json")
        study.write_text(json.dumps(study_material(filled.tokens)))
        wait_for(lambda: _answers(url + "/bench/trivial/"), 120, 0.5)
        run_locust(url, study, Path(scratch, "warm-up.json"), args.spawn_rate, **WARM_UP)
        before = database_counts()
        print(f"{database}: {args.learners * args.cards:,} cards, {args.users} users for {args.run_time} s", flush=True)
        exit_code, log = run_locust(
            url,
            study,
            Path(scratch, "run.json"),
            args.spawn_rate,
            args.users,
            args.run_time,
            (args.think_min, args.think_max),
        )
        written = {name: count - before[name] for name, count in database_counts().items()}
        stats = json.loads(Path(scratch, "run.json").read_text())
    return {"database": database, "exit_code": exit_code, "log": log[-3000:], "stats": stats, "written": written}


def study_material(tokens: list[str]) -> dict:
    """What the simulated learners need: each learner's token and cards, the concepts, the areas that have
    questions, and each demo with its prediction choices."""
    from rest_framework.authtoken.models import Token

    from cards.models import Card
    from demos.catalog import CATALOG
    from kb.models import Concept
    from quizzes.models import Question

    owners = dict(Token.objects.filter(key__in=tokens).values_list("key", "user_id"))
    soonest_due = Card.objects.order_by("due").values_list("id", flat=True)
    learners = [{"token": token, "cards": list(soonest_due.filter(owner_id=owners[token])[:20])} for token in tokens]
    return {
        "learners": learners,
        "concepts": list(Concept.objects.order_by("slug").values_list("slug", flat=True)),
        "areas": sorted(set(Question.objects.values_list("concept__area", flat=True))),
        "demos": {name: list(demo.prediction.choices) if demo.prediction else [] for name, demo in CATALOG.items()},
    }


def database_counts() -> dict[str, int]:
    from cards.models import ReviewLog
    from demos.models import DemoRun
    from quizzes.models import Quiz, QuizItem

    return {
        "reviews": ReviewLog.objects.count(),
        "quizzes": Quiz.objects.count(),
        "answers": QuizItem.objects.filter(answered_at__isnull=False).count(),
        "demo runs": DemoRun.objects.count(),
    }


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def run_locust(
    url: str, study: Path, summary: Path, spawn_rate: float, users: int, seconds: int, think: tuple[float, float]
) -> tuple[int, str]:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url]
    command += ["--users", str(users), "--spawn-rate", str(spawn_rate), "--run-time", f"{seconds}s"]
    command += ["--stop-timeout", "30", "--only-summary", "--study-file", str(study), "--summary-file", str(summary)]
    command += ["--think-min", str(think[0]), "--think-max", str(think[1])]
    # --stop-timeout: each learner finishes the request in flight, so the database counts match locust's.
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def print_run(run: dict, args) -> list[str]:
    """Print one database's table; return what went wrong."""
    stats = {row["name"]: row for row in run["stats"]}
    trivial_mean = stats[TRIVIAL]["mean"]
    print(f"\n{run['database']}: {args.users} learners, {args.run_time} s, gunicorn {args.workers} sync workers")
    print("| request | requests | failures | req/s | p50 ms | p99 ms | mean ms | ratio to trivial |")
    print("|---|---|---|---|---|---|---|---|")
    for name, row in stats.items():
        ratio = f"{trivial_mean / row['mean']:.3f}" if name != "all requests" else ""
        print(
            f"| {name} | {row['requests']:,} | {row['failures']} | {row['rps']:.1f} | {row['p50']:.0f} | "
            f"{row['p99']:.0f} | {row['mean']:.1f} | {ratio} |"
        )
    problems = [
        f"{run['database']}: {row['failures']} failed {name}"
        for name, row in stats.items()
        if row["failures"] and name != "all requests"
    ]
    for name, written in WRITES.items():
        succeeded = stats[name]["requests"] - stats[name]["failures"] if name in stats else 0
        if run["written"][written] != succeeded:
            problems.append(f"{run['database']}: {succeeded} successful {name} but {run['written'][written]} {written}")
    if run["exit_code"] != 0:
        problems.append(f"{run['database']}: locust exited with {run['exit_code']}:\n{run['log']}")
    return problems


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    main()
