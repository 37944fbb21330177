"""The variant type, the registry of generators and ``generate``, the one way to draw a variant."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One drawn variant of a parametric question."""

    prompt: str
    answer: float
    tolerance: float  # absolute, in the answer's unit
    unit: str
    explanation: str
    params: dict  # the drawn parameters, JSON-serialisable


Generator = Callable[[random.Random], Variant]

# Filled by the topic modules as the package imports them; the order is the order of registration.
GENERATORS: dict[str, Generator] = {}


def register(func: Generator) -> Generator:
    """Make a generator available under its function name (the name question files refer to)."""
    GENERATORS[func.__name__] = func
    return func


def generate(name: str, seed: int) -> Variant:
    """Draw the variant of generator ``name`` for ``seed``; the same name and seed always give the same variant."""
    try:
        generator = GENERATORS[name]
    except KeyError:
        known = ", ".join(sorted(GENERATORS))
        raise KeyError(f"unknown question generator {name!r}; known generators: {known}") from None
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    return generator(random.Random(seed))
