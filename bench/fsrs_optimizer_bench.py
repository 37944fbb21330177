"""Times FSRS parameter optimisation on synthetic review logs, with both candidate libraries, in one run.

Reviews are simulated: 1,000 cards reviewed on the schedule of the default FSRS parameters, each review
recalled with the probability a hidden "true" FSRS model (other parameters) gives. Both optimisers then fit
parameters to the same 20,000 reviews.

Usage: .venv/bin/python bench/fsrs_optimizer_bench.py [--reviews 20000]
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django
import fsrs
import fsrs_rs_python
from fsrs.optimizer import Optimizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

TRUE_PARAMETERS = (
    0.4,
    1.8,
    3.5,
    10.0,
    6.8,
    0.6,
    2.4,
    0.01,
    1.6,
    0.12,
    1.0,
    1.7,
    0.09,
    0.3,
    1.9,
    0.35,
    2.4,
    0.6,
    0.12,
    0.1,
    0.2,
)


def simulate(total_reviews: int, cards: int = 1000, seed: int = 0) -> list[fsrs.ReviewLog]:
    rng = random.Random(seed)
    schedule = fsrs.Scheduler(enable_fuzzing=False)
    truth = fsrs.Scheduler(parameters=TRUE_PARAMETERS, enable_fuzzing=False)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    logs: list[fsrs.ReviewLog] = []
    per_card = total_reviews // cards
    for card_id in range(1, cards + 1):
        card, true_card = fsrs.Card(card_id=card_id, due=start), fsrs.Card(card_id=card_id, due=start)
        now = start + timedelta(minutes=rng.random() * 600)
        for _ in range(per_card):
            recalled = card.last_review is None or rng.random() < truth.get_card_retrievability(true_card, now)
            rating = (
                fsrs.Rating.Good
                if recalled and rng.random() < 0.8
                else (fsrs.Rating.Hard if recalled else fsrs.Rating.Again)
            )
            card, log = schedule.review_card(card, rating, now)
            true_card, _ = truth.review_card(true_card, rating, now)
            logs.append(log)
            now = card.due + timedelta(hours=rng.random() * 12)
    return logs


def rs_items(logs: list[fsrs.ReviewLog]) -> list:
    """The same training items the service builds."""
    from cards.optimization import fsrs_training_items

    rows = sorted(((log.card_id, int(log.rating), log.review_datetime) for log in logs), key=lambda r: (r[0], r[2]))
    return fsrs_training_items(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=20_000)
    args = parser.parse_args()
    logs = simulate(args.reviews)
    print(f"{len(logs)} synthetic reviews of {len({log.card_id for log in logs})} cards")

    started = time.perf_counter()
    python_params = Optimizer(logs).compute_optimal_parameters()
    python_seconds = time.perf_counter() - started

    started = time.perf_counter()
    rust_params = fsrs_rs_python.FSRS(list(fsrs_rs_python.DEFAULT_PARAMETERS)).compute_parameters(rs_items(logs))
    rust_seconds = time.perf_counter() - started

    print(f"fsrs (Python/torch) Optimizer: {python_seconds:8.2f} s  first weights {python_params[:4]}")
    print(
        f"fsrs-rs-python:                {rust_seconds:8.2f} s  first weights {[round(w, 4) for w in rust_params[:4]]}"
    )
    print(f"ratio python/rust: {python_seconds / rust_seconds:.1f}")


if __name__ == "__main__":
    main()
