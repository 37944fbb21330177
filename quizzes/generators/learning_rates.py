"""Learning-rate decay: the schedules of the notes, asked at an epoch or a mini-batch step.

The tolerance rejects the rate at the epoch or step one off (counted from 0 instead of 1, or one too far), and
more decimals are asked for where four cannot tell the two apart.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from quizzes.generators.draws import pick, randint
from quizzes.generators.numbers import approx, num, places_apart, real_variant, tolerance_apart
from quizzes.generators.registry import Variant, register

PLACES = 4  # decimals asked for, unless more are needed to tell the answer from the off-by-one answers


@register
def lr_decay(rng: random.Random) -> Variant:
    name = pick(rng, list(SCHEDULES))
    alpha0_text = pick(rng, ["0.1", "0.2", "0.3", "0.4", "0.5"])
    schedule = SCHEDULES[name].draw(rng, alpha0_text)
    answer = schedule.rate_at(schedule.time)
    wrong = [schedule.rate_at(time) for time in schedule.off_by_one()]
    places = places_apart(answer, wrong, PLACES)
    assert places is not None  # at most 5: the closest case is k = 0.5, alpha0 = 0.1 and t = 80 against t = 79
    params = {"schedule": name, "alpha0": float(Fraction(alpha0_text)), **schedule.params()}
    explanation = schedule.explanation(answer, places)
    return real_variant(
        schedule.prompt(), answer, places, explanation, params, tolerance=tolerance_apart(answer, wrong)
    )


@dataclass(frozen=True)
class Schedule:
    """A decay schedule of the notes with its drawn constants; ``time`` is the epoch or step the question asks
    about."""

    alpha0_text: str
    time: int

    FIRST: ClassVar[int] = 0  # the first epoch or step the formula is defined at

    @classmethod
    def draw(cls, rng: random.Random, alpha0_text: str) -> Schedule:
        raise NotImplementedError

    @property
    def alpha0(self) -> Fraction:
        return Fraction(self.alpha0_text)

    def off_by_one(self) -> list[int]:
        """The epochs (or steps) one off from the one asked about."""
        return [time for time in (self.time - 1, self.time + 1) if time >= self.FIRST]

    def rate_at(self, time: int) -> Fraction | float:
        raise NotImplementedError

    def prompt(self) -> str:
        raise NotImplementedError

    def explanation(self, answer: Fraction | float, places: int) -> str:
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class InverseTime(Schedule):
    rate_text: str

    @classmethod
    def draw(cls, rng: random.Random, alpha0_text: str) -> InverseTime:
        rate_text = pick(rng, ["0.1", "0.2", "0.5", "1", "2"])
        return cls(alpha0_text, time=randint(rng, 1, 10), rate_text=rate_text)

    def rate_at(self, time: int) -> Fraction:
        return self.alpha0 / (1 + Fraction(self.rate_text) * time)

    def prompt(self) -> str:
        return (
            "The learning rate decays with the epoch number as alpha = alpha0 / (1 + decay_rate * epoch_num), "
            f"that is, the initial rate divided by one plus the decay rate times the epoch number. With "
            f"alpha0 = {self.alpha0_text} and decay_rate = {self.rate_text}, what is the learning rate at "
            f"epoch_num = {self.time}?"
        )

    def explanation(self, answer: Fraction | float, places: int) -> str:
        a0, rate, epoch = self.alpha0_text, self.rate_text, self.time
        return (
            f"$\\alpha = \\alpha_0 / (1 + \\text{{decay rate}} \\cdot \\text{{epoch}}) = {a0} / "
            f"(1 + {rate} \\cdot {epoch}) = {a0} / {num(1 + Fraction(rate) * epoch)} {approx(answer, places)}$."
        )

    def params(self) -> dict[str, Any]:
        return {"decay_rate": float(Fraction(self.rate_text)), "epoch_num": self.time}


@dataclass(frozen=True)
class Exponential(Schedule):
    BASE: ClassVar[Fraction] = Fraction("0.95")

    @classmethod
    def draw(cls, rng: random.Random, alpha0_text: str) -> Exponential:
        return cls(alpha0_text, time=randint(rng, 1, 20))

    def rate_at(self, time: int) -> Fraction:
        return self.BASE**time * self.alpha0

    def prompt(self) -> str:
        return (
            "The learning rate decays exponentially: alpha = 0.95^epoch_num * alpha0, so each epoch multiplies it "
            f"by 0.95. With alpha0 = {self.alpha0_text}, what is the learning rate at epoch_num = {self.time}?"
        )

    def explanation(self, answer: Fraction | float, places: int) -> str:
        a0, epoch = self.alpha0_text, self.time
        return (
            f"$\\alpha = 0.95^{{\\text{{epoch}}}} \\cdot \\alpha_0 = 0.95^{{{epoch}}} \\cdot {a0}"
            f" {approx(self.BASE**epoch, 6)} \\cdot {a0} {approx(answer, places)}$."
        )

    def params(self) -> dict[str, Any]:
        return {"epoch_num": self.time}


@dataclass(frozen=True)
class InverseSqrtEpoch(Schedule):
    k_text: str

    FIRST: ClassVar[int] = 1

    @classmethod
    def draw(cls, rng: random.Random, alpha0_text: str) -> InverseSqrtEpoch:
        k_text = pick(rng, ["0.5", "1", "1", "2"])
        return cls(alpha0_text, time=randint(rng, 1, 16), k_text=k_text)

    def rate_at(self, time: int) -> float:
        return float(Fraction(self.k_text)) / math.sqrt(time) * float(self.alpha0)

    def prompt(self) -> str:
        return (
            "The learning rate decays with the square root of the epoch number: alpha = k / sqrt(epoch_num) * alpha0, "
            f"epochs counted from 1. With k = {self.k_text} and alpha0 = {self.alpha0_text}, what is the learning "
            f"rate at epoch_num = {self.time}?"
        )

    def explanation(self, answer: Fraction | float, places: int) -> str:
        epoch = self.time
        return (
            r"$\alpha = \frac{k}{\sqrt{\text{epoch}}} \alpha_0"
            f" = \\frac{{{self.k_text}}}{{\\sqrt{{{epoch}}}}}"
            f" \\cdot {self.alpha0_text} {approx(answer, places)}$"
            f" (with $\\sqrt{{{epoch}}} {approx(math.sqrt(epoch), 4)}$)."
        )

    def params(self) -> dict[str, Any]:
        return {"k": float(Fraction(self.k_text)), "epoch_num": self.time}


@dataclass(frozen=True)
class InverseSqrtStep(InverseSqrtEpoch):
    """k / sqrt(t) * alpha0 with t the mini-batch update, counted over the whole run; ``time`` is t."""

    per_epoch: int
    batch: int
    epoch: int
    index: int  # the mini-batch within the epoch, from 1

    @classmethod
    def draw(cls, rng: random.Random, alpha0_text: str) -> InverseSqrtStep:
        k_text = pick(rng, ["0.5", "1", "1", "2"])
        per_epoch = pick(rng, [4, 5, 8, 10, 20])
        batch = pick(rng, [32, 50, 64, 100, 128, 250])
        epoch = randint(rng, 1, 4)
        index = randint(rng, 1, per_epoch)
        t = (epoch - 1) * per_epoch + index
        return cls(alpha0_text, t, k_text, per_epoch=per_epoch, batch=batch, epoch=epoch, index=index)

    def off_by_one(self) -> list[int]:
        """One mini-batch off (counted from 0, or one too far), or one epoch off (epochs counted from 0)."""
        t, per_epoch = self.time, self.per_epoch
        return [time for time in (t - 1, t + 1, t - per_epoch, t + per_epoch) if time >= self.FIRST]

    def prompt(self) -> str:
        return (
            "The learning rate decays with the square root of the mini-batch iteration number: "
            "alpha = k / sqrt(t) * alpha0, where t counts mini-batch updates from 1 over the whole run (it does not "
            f"restart at each epoch). The training set has {self.per_epoch * self.batch} examples, split into "
            f"mini-batches of {self.batch} (a full pass is {self.per_epoch} mini-batches). With k = {self.k_text} and "
            f"alpha0 = {self.alpha0_text}, what is the learning rate used for mini-batch number {self.index} of "
            f"epoch {self.epoch} (both counted from 1)?"
        )

    def explanation(self, answer: Fraction | float, places: int) -> str:
        t = self.time
        return (
            f"There are {self.per_epoch * self.batch}/{self.batch} = {self.per_epoch} mini-batches per epoch, so"
            f" $t = ({self.epoch}-1) \\cdot {self.per_epoch} + {self.index} = {t}$ and"
            f" $\\alpha = \\frac{{k}}{{\\sqrt{{t}}}} \\alpha_0 = \\frac{{{self.k_text}}}{{\\sqrt{{{t}}}}}"
            f" \\cdot {self.alpha0_text} {approx(answer, places)}$."
        )

    def params(self) -> dict[str, Any]:
        return {
            "k": float(Fraction(self.k_text)),
            "examples": self.per_epoch * self.batch,
            "batch_size": self.batch,
            "epoch": self.epoch,
            "batch_in_epoch": self.index,
            "t": self.time,
        }


SCHEDULES: dict[str, type[Schedule]] = {
    "inverse_time": InverseTime,
    "exponential": Exponential,
    "inverse_sqrt_epoch": InverseSqrtEpoch,
    "inverse_sqrt_step": InverseSqrtStep,
}
