"""Exact numbers written as text, and the variants built from an answer: tolerance and "give the answer to"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from quizzes.generators.registry import Variant


def frac(x: int | float | str | Fraction) -> Fraction:
    """Exact value of a number as written (0.1 -> 1/10, not the nearest binary float)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def decimals_needed(x: Fraction) -> int | None:
    """Number of decimals of the exact decimal expansion of x, or None if it does not terminate."""
    den = x.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def fixed(x: int | float | Fraction, places: int) -> str:
    """x rounded (half away from zero, on the exact value) to ``places`` decimals, as a string."""
    fx = frac(x)
    scaled = math.floor(abs(fx) * 10**places + Fraction(1, 2))
    sign = "-" if fx < 0 and scaled else ""
    digits = str(scaled).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def num(x: int | float | Fraction, max_places: int = 6) -> str:
    """x written exactly when it has at most ``max_places`` decimals, else rounded to ``max_places``."""
    fx = frac(x)
    places = decimals_needed(fx)
    if places is None or places > max_places:
        return fixed(fx, max_places)
    return fixed(fx, places)


def approx(x: int | float | Fraction, places: int) -> str:
    """'= 0.25' when x has at most ``places`` decimals, else '≈ 0.2857' (rounded to ``places``)."""
    fx = frac(x)
    needed = decimals_needed(fx)
    if needed is not None and needed <= places:
        return f"= {fixed(fx, needed)}"
    return f"≈ {fixed(fx, places)}"


def paren(x: int | float | Fraction, max_places: int = 10) -> str:
    """A number for substitution into a formula: negative numbers in parentheses."""
    text = num(x, max_places)
    return f"({text})" if text.startswith("-") else text


def real_tolerance(answer: float) -> float:
    """Tolerance for a real-valued answer: 0.5 % of its magnitude or 0.001, whichever is larger."""
    return round(max(0.005 * abs(answer), 0.001), 9)


MOST_PLACES = 6  # a learner is never asked for more decimals than this


def _distance(answer: Fraction | float, wrong: Sequence[Fraction | float]) -> float:
    """How far the nearest of the ``wrong`` answers is from ``answer`` (exactly, where both are fractions)."""
    return float(min(abs(w - answer) for w in wrong))


def places_apart(answer: Fraction | float, wrong: Sequence[Fraction | float], least: int) -> int | None:
    """The fewest decimals, from ``least`` to ``MOST_PLACES``, that tell ``answer`` from every ``wrong`` answer.

    They are told apart when the two differ by more than two units in the last place: then both can be rounded
    to that many decimals, and a tolerance of half their distance still accepts the one and rejects the other.
    None when no sensible number of decimals does (the draw should then be changed).
    """
    distance = _distance(answer, wrong)
    return next((places for places in range(least, MOST_PLACES + 1) if distance > 2 * 10.0**-places), None)


def tolerance_apart(answer: Fraction | float, wrong: Sequence[Fraction | float]) -> float:
    """``real_tolerance``, but at most half the distance to the nearest ``wrong`` answer, which it then rejects."""
    return min(real_tolerance(float(answer)), round(_distance(answer, wrong) / 2, 9))


def real_variant(
    prompt: str,
    answer: Fraction | float,
    places: int,
    explanation: str,
    params: dict[str, Any],
    unit: str = "",
    tolerance: float | None = None,
) -> Variant:
    """A real-valued answer asked to ``places`` decimals; the tolerance defaults to ``real_tolerance``."""
    value = float(answer)
    return Variant(
        prompt=f"{prompt} Give the answer to {places} decimal places.",
        answer=value,
        tolerance=real_tolerance(value) if tolerance is None else tolerance,
        unit=unit,
        explanation=explanation,
        params=params,
    )


def int_variant(prompt: str, answer: int, explanation: str, params: dict[str, Any], unit: str) -> Variant:
    """An integer answer, graded exactly."""
    return Variant(
        prompt=f"{prompt} Give an integer.",
        answer=float(answer),
        tolerance=0.0,
        unit=unit,
        explanation=explanation,
        params=params,
    )
