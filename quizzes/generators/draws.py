"""Random draws for the generators, taken only from ``rng.random()``.

Python guarantees that ``random.Random(seed).random()`` gives the same numbers for a given integer seed in
every version, while ``choice`` and ``randint`` may change their algorithms; building every draw on
``random()`` keeps a stored seed's variant the same across Python versions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """One of ``options``, each position equally likely (list a value twice to make it twice as likely)."""
    return options[int(rng.random() * len(options))]


def randint(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return low + int(rng.random() * (high - low + 1))


def chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability
