"""Optimisers: Adam's first moment and its bias correction.

The tolerance rejects the answer computed one step off (see ``off_by_one_answers``), and a gradient sequence
whose answer cannot be told from that one is redrawn.
"""

from __future__ import annotations

import random
from fractions import Fraction

from quizzes.generators.draws import pick, randint
from quizzes.generators.numbers import approx, num, paren, places_apart, real_variant, tolerance_apart
from quizzes.generators.registry import Variant, register

PLACES = 4  # decimals asked for, unless more are needed to tell the answer from the off-by-one answers
MODES = ["raw_constant", "raw_sequence", "corrected_sequence", "corrected_sequence"]


def first_moments(beta: Fraction, gradients: list[str]) -> list[Fraction]:
    """Adam's first moments m_0 = 0, m_1, ..., m_t for the gradients g_1..g_t, exactly."""
    moments = [Fraction(0)]
    for g in gradients:
        moments.append(beta * moments[-1] + (1 - beta) * Fraction(g))
    return moments


def adam_answer(mode: str, beta: Fraction, gradients: list[str]) -> Fraction:
    """m_t, or the bias-corrected m_t / (1 - beta^t) for ``corrected_sequence``."""
    t, m = len(gradients), first_moments(beta, gradients)[-1]
    return m / (1 - beta**t) if mode == "corrected_sequence" else m


def off_by_one_answers(mode: str, beta: Fraction, gradients: list[str]) -> list[Fraction]:
    """The answers a learner gets by counting one step off.

    A constant gradient: m after t - 1 or t + 1 steps. A sequence: m_{t-1}, the moment before the last step;
    corrected, also the correction with beta^(t-1) or beta^(t+1) instead of beta^t.
    """
    t, m = len(gradients), first_moments(beta, gradients)
    if mode == "raw_constant":
        return [(1 - beta**steps) * Fraction(gradients[0]) for steps in (t - 1, t + 1)]
    if mode == "raw_sequence":
        return [m[t - 1]]
    return [m[t - 1] / (1 - beta ** (t - 1)), m[t] / (1 - beta ** (t - 1)), m[t] / (1 - beta ** (t + 1))]


@register
def adam_bias_correction(rng: random.Random) -> Variant:
    beta_text = pick(rng, ["0.9", "0.9", "0.9", "0.8", "0.5", "0.95"])
    beta, mode = Fraction(beta_text), pick(rng, MODES)
    grads = _draw_constant_gradients(rng) if mode == "raw_constant" else _draw_gradient_sequence(rng, mode, beta)
    answer, wrong = adam_answer(mode, beta, grads), off_by_one_answers(mode, beta, grads)
    places = places_apart(answer, wrong, PLACES)
    assert places is not None  # the draws make sure of it
    prompt, explanation = _ADAM_TEXTS[mode](beta_text, grads, answer, places)
    params = {"mode": mode, "beta1": float(beta), "t": len(grads), "gradients": [float(Fraction(g)) for g in grads]}
    return real_variant(prompt, answer, places, explanation, params, tolerance=tolerance_apart(answer, wrong))


def _draw_constant_gradients(rng: random.Random) -> list[str]:
    t = randint(rng, 1, 8)
    return [pick(rng, ["-2", "-1.5", "-0.5", "0.5", "1", "2", "3", "4", "5"])] * t


def _draw_gradient_sequence(rng: random.Random, mode: str, beta: Fraction) -> list[str]:
    """Two or three gradients, not all equal (that makes the corrected value trivially g), and such that the answer
    differs from the off-by-one answers (it does not when, say, g_t happens to equal m_{t-1})."""
    t = randint(rng, 2, 3)
    pool = ["-2", "-1", "-0.5", "0.5", "1", "2", "3", "4"]
    grads = [pick(rng, pool) for _ in range(t)]
    while len(set(grads)) == 1 or not _told_apart(mode, beta, grads):
        grads[-1] = pick(rng, pool)
    return grads


def _told_apart(mode: str, beta: Fraction, grads: list[str]) -> bool:
    return places_apart(adam_answer(mode, beta, grads), off_by_one_answers(mode, beta, grads), PLACES) is not None


def _adam_setup(beta_text: str) -> str:
    return (
        f"Adam's first moment starts at $m_0 = 0$ and is updated as $m_t = \\beta_1 m_{{t-1}} + (1 - \\beta_1) g_t$ "
        f"with $\\beta_1 = {beta_text}$."
    )


def _adam_steps(beta_text: str, grads: list[str]) -> str:
    """The recurrence written out step by step."""
    moments = first_moments(Fraction(beta_text), grads)
    one_minus = num(1 - Fraction(beta_text))
    return "; ".join(
        f"$m_{i} = {beta_text} \\cdot {paren(moments[i - 1])} + {one_minus} \\cdot {paren(Fraction(g))}"
        f" {approx(moments[i], 10)}$"
        for i, g in enumerate(grads, start=1)
    )


def _gradients_text(grads: list[str]) -> str:
    return ", ".join(f"$g_{i} = {num(Fraction(g))}$" for i, g in enumerate(grads, start=1))


def _adam_constant_texts(beta_text: str, grads: list[str], answer: Fraction, places: int) -> tuple[str, str]:
    t, g = len(grads), Fraction(grads[0])
    correction = 1 - Fraction(beta_text) ** t
    prompt = (
        f"{_adam_setup(beta_text)} The gradient is the same at every step, $g_t = {num(g)}$. What is the raw (not "
        f"bias-corrected) first moment $m_{{{t}}}$ after {t} step{'s' if t > 1 else ''}?"
    )
    update = f"$m_t = {beta_text}\\, m_{{t-1}} + {num(1 - Fraction(beta_text))}\\, g_t$"
    explanation = (
        f"Unrolling {update} with a constant gradient gives $m_t = (1 - \\beta_1^t)\\, g"
        f" = (1 - {beta_text}^{{{t}}}) \\cdot {paren(g)} {approx(correction, 6)} \\cdot {paren(g)}"
        f" {approx(answer, places)}$, biased towards 0; dividing by $1 - \\beta_1^{{{t}}}$ would recover"
        f" exactly {num(g)}."
    )
    return prompt, explanation


def _adam_raw_texts(beta_text: str, grads: list[str], answer: Fraction, places: int) -> tuple[str, str]:
    t = len(grads)
    prompt = (
        f"{_adam_setup(beta_text)} The gradients of the first {t} steps are {_gradients_text(grads)}. What is the "
        f"raw (not bias-corrected) first moment $m_{t}$?"
    )
    return prompt, f"Step by step: {_adam_steps(beta_text, grads)}."


def _adam_corrected_texts(beta_text: str, grads: list[str], answer: Fraction, places: int) -> tuple[str, str]:
    t, m = len(grads), first_moments(Fraction(beta_text), grads)[-1]
    correction = 1 - Fraction(beta_text) ** t
    prompt = (
        f"{_adam_setup(beta_text)} The gradients of the first {t} steps are {_gradients_text(grads)}. What is the "
        f"bias-corrected first moment $\\hat m_{t}$ after step {t}?"
    )
    explanation = (
        f"Step by step: {_adam_steps(beta_text, grads)}. Then $\\hat m_{t} = m_{t} / (1 - \\beta_1^{t})"
        f" = {num(m, 10)} / (1 - {beta_text}^{t}) = {num(m, 10)} / {num(correction, 10)}"
        f" {approx(answer, places)}$."
    )
    return prompt, explanation


_ADAM_TEXTS = {
    "raw_constant": _adam_constant_texts,
    "raw_sequence": _adam_raw_texts,
    "corrected_sequence": _adam_corrected_texts,
}
