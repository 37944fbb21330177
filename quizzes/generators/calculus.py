"""Gradient checking: one- and two-sided difference quotients of x**n, and their errors."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from quizzes.generators.draws import pick
from quizzes.generators.numbers import decimals_needed, num, paren
from quizzes.generators.registry import Variant, register


def numerical_derivative(power: int, x0: Fraction, eps: Fraction, two_sided: bool) -> Fraction:
    """Exact finite-difference estimate of the derivative of x**power at x0."""
    if two_sided:
        return ((x0 + eps) ** power - (x0 - eps) ** power) / (2 * eps)
    return ((x0 + eps) ** power - x0**power) / eps


@register
def numerical_gradient(rng: random.Random) -> Variant:
    d = _draw(rng)
    x0, eps = Fraction(d["x0"]), Fraction(d["eps"])
    estimate = numerical_derivative(d["power"], x0, eps, d["two_sided"])
    true = d["power"] * x0 ** (d["power"] - 1)
    answer = abs(estimate - true) if d["error"] else estimate
    places = _places(answer)
    return Variant(
        prompt=f"{_prompt(d)} Give the answer to {places} decimal places.",
        answer=float(answer),
        # About half a unit in the last place: the gap between the estimates and the true derivative is the point.
        tolerance=round(0.6 * 10.0**-places, places + 2),
        unit="",
        explanation=_explanation(d, estimate, true),
        params={"power": d["power"], "x0": float(x0), "eps": float(eps), "mode": d["mode"]},
    )


def _draw(rng: random.Random) -> dict[str, Any]:
    power = pick(rng, [2, 3, 3, 3, 4])
    x0_text = pick(rng, ["1", "1", "2", "0.5", "-1", "1.5", "3"])
    eps_text = pick(rng, ["0.1", "0.01", "0.01", "0.001"])
    mode = pick(rng, ["one_sided", "two_sided", "one_sided_error", "two_sided_error"])
    return {
        "power": power,
        "x0": x0_text,
        "eps": eps_text,
        "mode": mode,
        "two_sided": mode.startswith("two_sided"),
        "error": mode.endswith("error"),
    }


def _places(answer: Fraction) -> int:
    """Enough decimals to show the exact value, from 4 to 6."""
    needed = decimals_needed(answer)
    return min(max(needed if needed is not None else 6, 4), 6)


def _name(d: dict[str, Any]) -> str:
    return "two-sided (centred)" if d["two_sided"] else "one-sided (forward)"


def _prompt(d: dict[str, Any]) -> str:
    if d["error"]:
        task = (
            f"The derivative is estimated with the {_name(d)} difference quotient and $\\varepsilon = {d['eps']}$. "
            "What is the absolute error of this estimate, |estimate - true derivative|?"
        )
    else:
        task = (
            f"Using the {_name(d)} difference quotient with $\\varepsilon = {d['eps']}$, what is the estimate of"
            f" $f'({d['x0']})$?"
        )
    return f"Gradient checking: let $f(x) = x^{d['power']}$ and $x = {d['x0']}$. {task}"


def _quotient(d: dict[str, Any]) -> str:
    """The difference quotient, in symbols and then with the numbers substituted."""
    n, x0, eps, eps_text = d["power"], Fraction(d["x0"]), Fraction(d["eps"]), d["eps"]
    if d["two_sided"]:
        return (
            r"\frac{f(x+\varepsilon) - f(x-\varepsilon)}{2\varepsilon}"
            f" = \\frac{{{paren(x0 + eps)}^{n} - {paren(x0 - eps)}^{n}}}{{2 \\cdot {eps_text}}}"
            f" = \\frac{{{num((x0 + eps) ** n - (x0 - eps) ** n, 12)}}}{{{num(2 * eps)}}}"
        )
    return (
        r"\frac{f(x+\varepsilon) - f(x)}{\varepsilon}"
        f" = \\frac{{{paren(x0 + eps)}^{n} - {paren(x0)}^{n}}}{{{eps_text}}}"
        f" = \\frac{{{num((x0 + eps) ** n - x0**n, 12)}}}{{{eps_text}}}"
    )


def _explanation(d: dict[str, Any], estimate: Fraction, true: Fraction) -> str:
    n, x0 = d["power"], Fraction(d["x0"])
    derivative = f"2x = 2 \\cdot {paren(x0)}" if n == 2 else f"{n}x^{n - 1} = {n} \\cdot {paren(x0)}^{n - 1}"
    text = (
        f"The {_name(d)} estimate is ${_quotient(d)} = {num(estimate, 12)}$; "
        f"the true derivative is $f'(x) = {derivative} = {num(true)}$"
    )
    if d["error"]:
        text += f", so the error is $|{num(estimate, 12)} - {paren(true)}| = {num(abs(estimate - true), 12)}$."
    else:
        text += "."
    return text + (
        " The two-sided quotient's error shrinks like $\\varepsilon^2$, the one-sided one's only like $\\varepsilon$."
    )
