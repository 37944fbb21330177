"""What a desired retention costs: the learner's next year simulated by fsrs-rs-python's simulator, with their own
FSRS parameters, deck size and daily limits, once for each retention asked about.

Each option is simulated with the same seed, so options differ by their retention and not by luck. A simulation
depends only on its inputs; it is cached under the owner, a digest of those inputs (any change to the settings or
the deck gives a new key) and the retention."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass

import fsrs
import fsrs_rs_python
from django.core.cache import cache

from cards import selectors
from cards.models import Card, SchedulerSettings
from cards.services import LEECH_LAPSES

DAYS = 365
LOWEST, HIGHEST = 0.7, 0.99  # the range the settings accept for desired_retention
MOST_OPTIONS = 5
NEIGHBOUR_STEP = 0.05
SEED = 2024
CACHE_SECONDS = 24 * 3600

ASSUMPTIONS = {
    "en": [
        "The simulation starts today with every one of your cards that is not suspended still new: this version of "
        "the simulator cannot start from your cards' current memory states and due dates, so the first weeks show "
        "new cards you may already know.",
        "It introduces your new cards per day and stops reviews at your maximum reviews per day, with as many "
        "learning and relearning steps as yours, your maximum interval and the leech rule (suspended after {leech} "
        "lapses).",
        "It uses your own FSRS parameters ({parameters}) and the ratings of an average Anki user; no cards are "
        "added during the year.",
        "Memorised cards are the expected number of cards you would recall on that day (the sum of their chances "
        "of recall).",
    ],
    "zh": [
        "模拟从今天开始，并把你所有未暂停的卡片都当作新卡片：这个版本的模拟器无法从卡片当前的记忆状态和到期日期开始，"
        "所以最初几周会显示一些你可能已经掌握的新卡片。",
        "它按你的每日新卡片数引入新卡片，按你的每日最多复习数截止复习，学习步骤和重新学习步骤的个数与你的设置相同，"
        "并使用你的最长间隔和难记卡片规则（遗忘 {leech} 次后暂停）。",
        "它使用你自己的 FSRS 参数（{parameters}）以及 Anki 用户的平均评分分布；这一年里不会添加新的卡片。",
        "记住的卡片数是那一天你预计能回忆起来的卡片数（各张卡片回忆概率之和）。",
    ],
}
PARAMETER_ORIGIN = {
    "en": {"fitted": "fitted to your reviews", "default": "the defaults: not fitted to your reviews yet"},
    "zh": {"fitted": "根据你的复习记录拟合", "default": "默认参数：尚未根据你的复习记录拟合"},
}


@dataclass(frozen=True)
class SimulationInputs:
    """Everything a simulation depends on besides the retention."""

    parameters: tuple[float, ...]
    deck_size: int
    new_cards_per_day: int
    max_reviews_per_day: int
    maximum_interval: int
    learning_steps: int
    relearning_steps: int

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:32]


def default_retentions(desired: float) -> list[float]:
    """The learner's desired retention and its neighbours 0.05 below and above, kept within the allowed range."""
    options = (desired - NEIGHBOUR_STEP, desired, desired + NEIGHBOUR_STEP)
    return sorted({round(min(max(option, LOWEST), HIGHEST), 3) for option in options})


def inputs_of(owner, config: SchedulerSettings) -> SimulationInputs:
    weights = config.parameters or fsrs.Scheduler().parameters
    return SimulationInputs(
        parameters=tuple(round(float(w), 6) for w in weights),
        deck_size=Card.objects.filter(owner=owner, suspended=False).count(),
        new_cards_per_day=config.new_cards_per_day,
        max_reviews_per_day=config.max_reviews_per_day,
        maximum_interval=config.maximum_interval,
        learning_steps=len(config.learning_steps),
        relearning_steps=len(config.relearning_steps),
    )


def workload(owner, retentions: list[float] | None = None, language: str = "en") -> dict:
    """The forecast of each retention (by default ``default_retentions`` of the learner's desired retention) over
    the next ``DAYS`` days, with what the simulation assumes in ``language`` ("en" or "zh")."""
    config, today, _start, _end = selectors.today_of(owner)
    inputs = inputs_of(owner, config)
    chosen = sorted({round(value, 3) for value in retentions or default_retentions(config.desired_retention)})
    origin = "fitted" if config.parameters else "default"
    return {
        "days": DAYS,
        "first_day": today,
        "language": language,
        "desired_retention": config.desired_retention,
        "parameters": origin,
        "deck_size": inputs.deck_size,
        "new_cards_per_day": inputs.new_cards_per_day,
        "max_reviews_per_day": inputs.max_reviews_per_day,
        "assumptions": [
            line.format(leech=LEECH_LAPSES, parameters=PARAMETER_ORIGIN[language][origin])
            for line in ASSUMPTIONS[language]
        ],
        "options": [forecast(owner, inputs, retention) for retention in chosen],
    }


def forecast(owner, inputs: SimulationInputs, retention: float) -> dict:
    key = f"cards.workload:{owner.pk}:{inputs.digest()}:{retention}"
    result = cache.get(key)
    if result is None:
        result = simulate(inputs, retention)
        cache.set(key, result, CACHE_SECONDS)
    return result


def simulate(inputs: SimulationInputs, retention: float) -> dict:
    """One simulated year at ``retention``: reviews, new cards and memorised cards per day, and their totals."""
    if inputs.deck_size == 0:  # the simulator refuses an empty deck; nothing to review is the answer
        reviews, learned, memorized = [0] * DAYS, [0] * DAYS, [0.0] * DAYS
    else:
        result = fsrs_rs_python.simulate(list(inputs.parameters), retention, simulator_config(inputs), SEED)
        reviews, learned = list(result.review_cnt_per_day), list(result.learn_cnt_per_day)
        memorized = [round(value, 1) for value in result.memorized_cnt_per_day]
    return {
        "retention": retention,
        "reviews_per_day": reviews,
        "new_cards_per_day": learned,
        "memorized_per_day": memorized,
        "total_reviews": sum(reviews),
        "total_new_cards": sum(learned),
        "mean_reviews_per_day": round(sum(reviews) / DAYS, 1),
        "most_reviews_in_a_day": max(reviews),
        "memorized_at_end": memorized[-1],
    }


def simulator_config(inputs: SimulationInputs) -> fsrs_rs_python.SimulatorConfig:
    """The simulator's defaults (an average Anki user's ratings and times) with the learner's deck and limits. The
    daily limits, not a time budget, cap the work, as in the learner's queue; new cards do not count against the
    review limit there either."""
    config = fsrs_rs_python.default_simulator_config()
    config.deck_size = inputs.deck_size
    config.learn_span = DAYS
    config.learn_limit = inputs.new_cards_per_day
    config.review_limit = inputs.max_reviews_per_day
    config.new_cards_ignore_review_limit = True
    config.max_cost_perday = math.inf
    config.max_ivl = float(inputs.maximum_interval)
    config.learning_step_count = inputs.learning_steps
    config.relearning_step_count = inputs.relearning_steps
    config.suspend_after_lapses = LEECH_LAPSES
    return config
