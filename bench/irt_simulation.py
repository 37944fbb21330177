"""Question calibration on simulated learners with known abilities, through the real services, in one run.

Every question an area quiz can draw gets a true difficulty b ~ N(0, 1.2) and discrimination a ~ logN(0, 0.25);
a simulated learner of ability θ answers right with the 2PL probability (1 + exp(-a (θ - b)))^-1.

1. Calibration: --population learners, abilities ~ N(0, 1), each answer a random 70 % of those questions; the
   calibration service fits the bank. Prints the Spearman rank correlations of fitted and true difficulties and
   discriminations.
2. Adaptive against random: --takers new learners, abilities ~ N(0, 1), on the fitted bank. Adaptive: quizzes of
   5 questions (the product's adaptive mode, the ability re-estimated after each answer, as answer_question
   does); random: one random quiz of --questions questions, so that it never repeats one (its best case).
   Prints, after n questions, the mean standard error and the RMSE of the ability estimates, and the mean number
   of questions until the standard error is at most 0.5 (a learner who never gets there counts --questions).

Usage: .venv/bin/python bench/irt_simulation.py [--population 300 --takers 50 --questions 20 --seed 0]
Uses SQLite in a temporary folder unless DATABASE_URL is set (use an empty PostgreSQL database then).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

AREA = "cnn"
ADAPTIVE_QUIZ_SIZE = 5
TARGET_SE = 0.5


@dataclass(frozen=True)
class Bank:
    """The true parameters of the questions an area quiz draws from."""

    ids: list[str]
    difficulty: np.ndarray
    discrimination: np.ndarray

    def expected_score(self, question_id: str, ability: float) -> float:
        from quizzes.calibration import probability

        index = self.ids.index(question_id)
        return float(probability(ability, self.difficulty[index], self.discrimination[index]))


def simulated_bank(area: str, rng: np.random.Generator) -> Bank:
    from django.db.models import Q

    from quizzes.models import Question

    pool = Question.objects.filter(retired=False).filter(Q(concept__area=area) | Q(also_concepts__area=area))
    ids = sorted(set(pool.values_list("id", flat=True)))
    return Bank(ids, rng.normal(0, 1.2, len(ids)), np.exp(rng.normal(0, 0.25, len(ids))))


def new_learners(prefix: str, count: int) -> list:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user_model.objects.bulk_create([user_model(username=f"{prefix}-{index}") for index in range(count)])
    return list(user_model.objects.filter(username__startswith=f"{prefix}-").order_by("pk"))


def answer_population(bank: Bank, abilities: np.ndarray, rng: np.random.Generator, coverage: float = 0.7) -> None:
    """Each learner answers a random ``coverage`` of the bank, all stored as one finished quiz."""
    from django.utils import timezone

    from quizzes.calibration import probability
    from quizzes.models import Quiz, QuizItem, QuizMode

    learners = new_learners("population", len(abilities))
    quizzes = Quiz.objects.bulk_create(
        [Quiz(owner=learner, mode=QuizMode.RANDOM, scope={"area": AREA}) for learner in learners]
    )
    now, items = timezone.now(), []
    for quiz, ability in zip(quizzes, abilities, strict=True):
        asked = np.flatnonzero(rng.random(len(bank.ids)) < coverage)
        right = rng.random(len(asked)) < probability(ability, bank.difficulty[asked], bank.discrimination[asked])
        items += [
            QuizItem(quiz=quiz, question_id=bank.ids[index], position=position, score=float(score), answered_at=now)
            for position, (index, score) in enumerate(zip(asked, right, strict=True))
        ]
    QuizItem.objects.bulk_create(items, batch_size=2000)


def rank_correlation(bank: Bank, parameter: str) -> float:
    """Spearman correlation between the stored fitted values of ``parameter`` (difficulty or discrimination) and
    the true ones."""
    from scipy.stats import spearmanr

    from quizzes.models import QuestionCalibration

    fitted = dict(QuestionCalibration.objects.filter(question_id__in=bank.ids).values_list("question_id", parameter))
    return float(spearmanr([fitted[question_id] for question_id in bank.ids], getattr(bank, parameter)).statistic)


def take_quizzes(
    owner, ability: float, bank: Bank, mode: str, total: int, rng: np.random.Generator, every: int = 1
) -> np.ndarray:
    """The learner answers ``total`` questions in quizzes of the area in ``mode``. Every ``every`` answers (and at
    the end of each quiz) the abilities of the areas answered in are re-estimated, as answer_question does after
    each answer; returns the learner's ability in the area and its standard error after each answer (rows).

    A question of another area that a concept of this one links to updates that area's ability."""
    from django.utils import timezone

    from quizzes import services
    from quizzes.calibration import ABILITY_PRIOR_SD
    from quizzes.models import LearnerAbility, QuizItem, QuizMode

    draw = random.Random(int(rng.integers(2**31)))
    trace: list[tuple[float, float]] = []
    estimate = (0.0, ABILITY_PRIOR_SD)
    while len(trace) < total:
        size = ADAPTIVE_QUIZ_SIZE if mode == QuizMode.ADAPTIVE else total
        quiz = services.create_quiz(owner, area=AREA, size=min(size, total - len(trace)), mode=mode, rng=draw)
        items = list(quiz.items.select_related("question__concept"))
        for start in range(0, len(items), every):
            answered = items[start : start + every]
            for item in answered:
                score = float(rng.random() < bank.expected_score(item.question_id, ability))
                QuizItem.objects.filter(pk=item.pk).update(score=score, answered_at=timezone.now())
            for area in {item.question.concept.area for item in answered}:
                services.refresh_ability(owner, area)
            stored = LearnerAbility.objects.filter(owner=owner, area=AREA).values_list("ability", "standard_error")
            estimate = stored.first() or estimate
            trace += [estimate] * len(answered)
    return np.array(trace)


@dataclass(frozen=True)
class Precision:
    """How well a quiz mode estimated the abilities, averaged over the simulated learners."""

    standard_error: np.ndarray  # mean standard error after 1, 2, ... questions
    rmse: np.ndarray  # root mean squared error of the estimate after 1, 2, ... questions
    questions_to_target: float  # mean questions until the standard error reaches TARGET_SE


def compare_modes(
    bank: Bank, abilities: np.ndarray, total: int, rng: np.random.Generator, every: int = 1
) -> dict[str, Precision]:
    """The same learners (true abilities) take adaptive quizzes, and separately random ones."""
    from quizzes.models import QuizMode

    results = {}
    for mode in (QuizMode.ADAPTIVE, QuizMode.RANDOM):
        learners = new_learners(f"taker-{mode}", len(abilities))
        traces = np.array(
            [
                take_quizzes(owner, ability, bank, mode, total, rng, every)
                for owner, ability in zip(learners, abilities, strict=True)
            ]
        )
        reached = traces[:, :, 1] <= TARGET_SE
        needed = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, total)
        results[str(mode)] = Precision(
            traces[:, :, 1].mean(axis=0),
            np.sqrt(((traces[:, :, 0] - abilities[:, None]) ** 2).mean(axis=0)),
            float(needed.mean()),
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=300, help="learners whose answers calibrate the bank")
    parser.add_argument("--takers", type=int, default=50, help="learners per quiz mode in the comparison")
    parser.add_argument("--questions", type=int, default=20, help="questions each of them answers")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    setup_django()
    from quizzes import services

    rng = np.random.default_rng(args.seed)
    bank = simulated_bank(AREA, rng)
    answer_population(bank, rng.normal(0, 1, args.population), rng)
    started = time.perf_counter()
    summary = services.calibrate_questions()
    print(
        f"calibration: {summary.answers} answers of {args.population} learners on {len(bank.ids)} questions "
        f"of '{AREA}', fitted in {time.perf_counter() - started:.1f} s; Spearman rank correlation of fitted and "
        f"true difficulties: {rank_correlation(bank, 'difficulty'):.3f}, "
        f"discriminations: {rank_correlation(bank, 'discrimination'):.3f}"
    )
    results = compare_modes(bank, rng.normal(0, 1, args.takers), args.questions, rng)
    print(f"\n{args.takers} learners per mode, abilities ~ N(0, 1); after n questions: mean SE / RMSE of the ability")
    steps = [n for n in (5, 10, 15, 20, 30, 40) if n <= args.questions]
    print("| mode | " + " | ".join(f"n = {n}" for n in steps) + f" | questions to SE <= {TARGET_SE} |")
    print("|---" * (len(steps) + 2) + "|")
    for mode, precision in results.items():
        cells = [f"{precision.standard_error[n - 1]:.3f} / {precision.rmse[n - 1]:.3f}" for n in steps]
        print(f"| {mode} | " + " | ".join(cells) + f" | {precision.questions_to_target:.1f} |")


def setup_django() -> None:
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    data = Path(tempfile.mkdtemp(prefix="deeprecall-irt-"))
    (data / "static").mkdir()
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings.local", DEEPRECALL_DATA_DIR=str(data))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_kb", verbosity=0)


if __name__ == "__main__":
    main()
