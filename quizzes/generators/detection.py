"""Object detection: intersection over union of two axis-aligned boxes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

from quizzes.generators.draws import chance, randint
from quizzes.generators.numbers import approx, real_variant
from quizzes.generators.registry import Variant, register

PLACES = 3  # decimals asked for


def _overlap(a: Sequence[int], b: Sequence[int]) -> tuple[int, int]:
    """Width and height of the intersection of two boxes (0 where they do not overlap)."""
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return w, h


def _area(box: Sequence[int]) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def box_iou(a: Sequence[int], b: Sequence[int]) -> Fraction:
    """Exact IoU of two axis-aligned boxes (x1, y1, x2, y2) with x1 < x2 and y1 < y2."""
    w, h = _overlap(a, b)
    inter = w * h
    return Fraction(inter, _area(a) + _area(b) - inter)


@register
def iou(rng: random.Random) -> Variant:
    a, b = _draw_boxes(rng)
    answer = box_iou(a, b)
    prompt = (
        "Two axis-aligned bounding boxes are given by their corners (x1, y1, x2, y2), with (x1, y1) the top-left and "
        f"(x2, y2) the bottom-right corner: A = ({', '.join(map(str, a))}) and B = ({', '.join(map(str, b))}). "
        "What is their intersection over union (IoU)?"
    )
    return real_variant(prompt, answer, PLACES, _explanation(a, b, answer), {"box_a": a, "box_b": b})


def _draw_box(rng: random.Random) -> list[int]:
    x1, y1 = randint(rng, 0, 8), randint(rng, 0, 8)
    return [x1, y1, x1 + randint(rng, 1, 6), y1 + randint(rng, 1, 6)]


def _draw_boxes(rng: random.Random) -> tuple[list[int], list[int]]:
    """Two different boxes that overlap three times in four and are disjoint (or only touch) otherwise."""
    overlap = chance(rng, 0.75)
    a = _draw_box(rng)
    for _ in range(10_000):  # deterministic: the draws come from the seeded rng
        b = _draw_box(rng)
        if (box_iou(a, b) > 0) == overlap and b != a:
            return a, b
    b = [a[2], a[3], a[2] + 2, a[3] + 2] if not overlap else [a[0], a[1], a[2] + 1, a[3]]  # pragma: no cover
    return a, b  # pragma: no cover - practically unreachable


def _explanation(a: Sequence[int], b: Sequence[int], answer: Fraction) -> str:
    w, h = _overlap(a, b)
    inter, area_a, area_b = w * h, _area(a), _area(b)
    text = (
        f"Intersection width $\\max(0, \\min({a[2]}, {b[2]}) - \\max({a[0]}, {b[0]})) = {w}$, height "
        f"$\\max(0, \\min({a[3]}, {b[3]}) - \\max({a[1]}, {b[1]})) = {h}$, area {inter}; $|A| = {area_a}$, "
        f"$|B| = {area_b}$, so $\\mathrm{{IoU}} = {inter} / ({area_a} + {area_b} - {inter}) = {inter}/"
        f"{area_a + area_b - inter} {approx(answer, PLACES)}$."
    )
    if inter == 0:
        text += " The boxes do not overlap (at most they touch), so the IoU is 0."
    return text
