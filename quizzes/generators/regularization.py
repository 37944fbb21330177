"""Regularisation: inverted dropout's scaling and the expected activation during training."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from quizzes.generators.draws import chance, pick
from quizzes.generators.numbers import approx, num, real_variant
from quizzes.generators.registry import Variant, register

PLACES = 4  # decimals asked for


@register
def dropout_scaling(rng: random.Random) -> Variant:
    d = _draw(rng)
    keep, a = Fraction(d["keep"]), Fraction(d["a"])
    answer = {"kept": a / keep, "expected": a, "unscaled_expected": keep * a}[d["mode"]]
    prompt, explanation = _TEXTS[d["mode"]](d, _setup(d), answer)
    params = {"mode": d["mode"], "keep_prob": float(keep), "activation": float(a), "torch_style": d["torch"]}
    return real_variant(prompt, answer, PLACES, explanation, params)


def _draw(rng: random.Random) -> dict[str, Any]:
    keep_text = pick(rng, ["0.5", "0.6", "0.7", "0.75", "0.8", "0.9"])
    a_text = pick(rng, ["0.3", "0.6", "1.2", "1.5", "2", "2.4", "3", "4.5"])
    mode = pick(rng, ["kept", "kept", "expected", "unscaled_expected"])
    return {"keep": keep_text, "a": a_text, "mode": mode, "torch": chance(rng, 0.4)}


def _setup(d: dict[str, Any]) -> str:
    """The activation and the dropout layer, written the way PyTorch or the notes state the probability."""
    if d["torch"]:
        return (
            f"A hidden unit's activation is {d['a']} before dropout. Training uses inverted dropout as in PyTorch's "
            f"nn.Dropout(p={num(1 - Fraction(d['keep']))}), where p is the probability of zeroing a unit (keep "
            f"probability {d['keep']})."
        )
    return (
        f"A hidden unit's activation is {d['a']} before dropout. Training uses inverted dropout with "
        f"keep_prob = {d['keep']} (each unit is kept with probability {d['keep']})."
    )


def _kept_texts(d: dict[str, Any], setup: str, answer: Fraction) -> tuple[str, str]:
    prompt = f"{setup} On a training step where this unit is kept, what value does it pass to the next layer?"
    explanation = (
        f"Inverted dropout divides the kept activations by the keep probability: $a / p_{{keep}} = {d['a']} / "
        f"{d['keep']} {approx(answer, PLACES)}$, so that the expected value stays {d['a']}."
    )
    return prompt, explanation


def _expected_texts(d: dict[str, Any], setup: str, answer: Fraction) -> tuple[str, str]:
    prompt = (
        f"{setup} Averaged over the random dropout masks, what is the expected value of the unit's output "
        "during training?"
    )
    explanation = (
        f"$E = p_{{keep}} \\cdot a / p_{{keep}} + (1 - p_{{keep}}) \\cdot 0"
        f" = {d['keep']} \\cdot {d['a']} / {d['keep']} = {d['a']}$: dividing by the keep probability keeps the"
        " expected activation equal to the test-time activation, so nothing needs rescaling at test time."
    )
    return prompt, explanation


def _unscaled_texts(d: dict[str, Any], setup: str, answer: Fraction) -> tuple[str, str]:
    prompt = (
        f"{setup} Suppose the division by the keep probability were left out (kept units pass {d['a']} "
        "unchanged). What would the expected value of the unit's output during training be then?"
    )
    explanation = (
        f"$E = p_{{keep}} \\cdot a + (1 - p_{{keep}}) \\cdot 0 = {d['keep']} \\cdot {d['a']}"
        f" {approx(answer, PLACES)}$,"
        f" smaller than the test-time value {d['a']}; inverted dropout divides by {d['keep']} to remove this "
        "mismatch."
    )
    return prompt, explanation


_TEXTS = {"kept": _kept_texts, "expected": _expected_texts, "unscaled_expected": _unscaled_texts}
