"""Parametric question generators for the question bank.

A question of type ``parametric`` names one of the generators below; the service draws a variant with
``generate(name, seed)``. The seed and the variant's parameters are stored with the learner's attempt, so a
variant must be a pure function of the seed: the same name and seed always give the same prompt, answer,
tolerance and explanation.

To stay reproducible across Python versions the generators take every random draw from ``rng.random()``
(whose output for a given integer seed Python guarantees not to change) instead of ``choice``/``randint``
(whose algorithms may change). Arithmetic is done on exact fractions wherever the result is rational, so the
answers do not depend on floating-point rounding order.

Pure Python on purpose: no Django and no torch import, so the module can be used anywhere (the tests check
the answers against torch).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Variant:
    """One drawn variant of a parametric question."""

    prompt: str
    answer: float
    tolerance: float  # absolute, in the answer's unit
    unit: str
    explanation: str
    params: dict  # the drawn parameters, JSON-serialisable


GENERATORS: dict[str, Callable[[random.Random], Variant]] = {}


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


def _register(func: Callable[[random.Random], Variant]) -> Callable[[random.Random], Variant]:
    GENERATORS[func.__name__] = func
    return func


# --- drawing (only rng.random(), see the module docstring) ---------------------------------------------------


def _pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[int(rng.random() * len(options))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return low + int(rng.random() * (high - low + 1))


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


# --- numbers and text ----------------------------------------------------------------------------------------


def _frac(x: int | float | str | Fraction) -> Fraction:
    """Exact value of a number as written (0.1 -> 1/10, not the nearest binary float)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def _decimals_needed(x: Fraction) -> int | None:
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


def _fixed(x: int | float | Fraction, places: int) -> str:
    """x rounded (half away from zero, on the exact value) to ``places`` decimals, as a string."""
    fx = _frac(x)
    scaled = math.floor(abs(fx) * 10**places + Fraction(1, 2))
    sign = "-" if fx < 0 and scaled else ""
    digits = str(scaled).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def _num(x: int | float | Fraction, max_places: int = 6) -> str:
    """x written exactly when it has at most ``max_places`` decimals, else rounded to ``max_places``."""
    fx = _frac(x)
    places = _decimals_needed(fx)
    if places is None or places > max_places:
        return _fixed(fx, max_places)
    return _fixed(fx, places)


def _approx(x: int | float | Fraction, places: int) -> str:
    """'= 0.25' when x has at most ``places`` decimals, else '≈ 0.2857' (rounded to ``places``)."""
    fx = _frac(x)
    needed = _decimals_needed(fx)
    if needed is not None and needed <= places:
        return f"= {_fixed(fx, needed)}"
    return f"≈ {_fixed(fx, places)}"


def _paren(x: int | float | Fraction, max_places: int = 10) -> str:
    """A number for substitution into a formula: negative numbers in parentheses."""
    text = _num(x, max_places)
    return f"({text})" if text.startswith("-") else text


def _real_tolerance(answer: float) -> float:
    """Tolerance for a real-valued answer: 0.5 % of its magnitude or 0.001, whichever is larger."""
    return round(max(0.005 * abs(answer), 0.001), 9)


def _real_variant(
    prompt: str, answer: Fraction | float, places: int, explanation: str, params: dict[str, Any], unit: str = ""
) -> Variant:
    value = float(answer)
    return Variant(
        prompt=f"{prompt} Give the answer to {places} decimal places.",
        answer=value,
        tolerance=_real_tolerance(value),
        unit=unit,
        explanation=explanation,
        params=params,
    )


def _int_variant(prompt: str, answer: int, explanation: str, params: dict[str, Any], unit: str) -> Variant:
    return Variant(
        prompt=f"{prompt} Give an integer.",
        answer=float(answer),
        tolerance=0.0,
        unit=unit,
        explanation=explanation,
        params=params,
    )


# --- convolution arithmetic ----------------------------------------------------------------------------------


def conv_output_length(n: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Output length of a convolution or pooling window along one axis (PyTorch, ceil_mode=False)."""
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


@_register
def conv_output_size(rng: random.Random) -> Variant:
    f = _pick(rng, [1, 2, 3, 3, 3, 3, 4, 5, 5, 7, 11])
    d = 1 if f == 1 else _pick(rng, [1, 1, 1, 1, 2, 2, 3])
    s = _pick(rng, [1, 1, 2, 2, 2, 3, 4])
    p = _randint(rng, 0, min(3, d * (f - 1) // 2 + 1))
    c_in = _pick(rng, [1, 3, 3, 16, 32, 64, 128])
    c_out = _pick(rng, [8, 16, 32, 64, 128, 256])
    n_min = max(4, d * (f - 1) + 1 - 2 * p)
    if _chance(rng, 0.2):
        n = _pick(rng, [n for n in (28, 32, 56, 64, 112, 224, 227) if n >= n_min])
    else:
        n = _randint(rng, n_min, max(n_min, 64))
    numerator = n + 2 * p - d * (f - 1) - 1
    out = numerator // s + 1
    assert out == conv_output_length(n, f, p, s, d) >= 1

    padding_text = "no padding" if p == 0 else f"zero padding of {p} pixel{'s' if p > 1 else ''} on every side"
    dilation_text = "dilation 1 (an ordinary, undilated convolution)" if d == 1 else f"dilation {d}"
    prompt = (
        f"A 2D convolutional layer with {c_out} filters of size {f}x{f}, stride {s}, {padding_text} "
        f"and {dilation_text} is applied to an input of size {n}x{n}x{c_in} (height x width x channels). "
        "What is the height (equal to the width) of its output feature map?"
    )
    explanation = (
        r"$o = \lfloor (n + 2p - d(f-1) - 1)/s \rfloor + 1"
        f" = \\lfloor ({n} + 2 \\cdot {p} - {d} \\cdot ({f}-1) - 1)/{s} \\rfloor + 1"
        f" = \\lfloor {numerator}/{s} \\rfloor + 1 = {numerator // s} + 1 = {out}$. "
        f"The output is {out}x{out}x{c_out}: the number of filters sets the depth, not the size."
    )
    params = {"n": n, "kernel": f, "padding": p, "stride": s, "dilation": d, "c_in": c_in, "c_out": c_out}
    return _int_variant(prompt, out, explanation, params, unit="pixels")


@_register
def pool_output_size(rng: random.Random) -> Variant:
    kind = _pick(rng, ["max", "max", "average"])
    f = _pick(rng, [2, 2, 2, 3, 3, 4, 5])
    s = _pick(rng, [f, f, f, 1, 2, 2, 3])
    c = _pick(rng, [3, 16, 32, 64, 96, 128, 256])
    classic = _chance(rng, 0.2)
    n = _pick(rng, [13, 14, 27, 28, 55, 56, 112, 224]) if classic else _randint(rng, max(f, 4), 64)
    numerator = n - f
    out = numerator // s + 1
    assert out == conv_output_length(n, f, 0, s) >= 1

    article = "An" if kind == "average" else "A"
    prompt = (
        f"{article} {kind}-pooling layer with a {f}x{f} window and stride {s}, without padding, is applied to a "
        f"feature map of size {n}x{n}x{c} (height x width x channels). A window that would run past the edge is "
        "dropped (rounding down, as PyTorch does by default with ceil_mode=False). "
        "What is the height (equal to the width) of the output?"
    )
    explanation = (
        r"$o = \lfloor (n - f)/s \rfloor + 1"
        f" = \\lfloor ({n} - {f})/{s} \\rfloor + 1 = \\lfloor {numerator}/{s} \\rfloor + 1 = {out}$. "
        f"Pooling acts on each channel separately, so the output is {out}x{out}x{c}."
    )
    params = {"kind": kind, "n": n, "kernel": f, "stride": s, "padding": 0, "channels": c}
    return _int_variant(prompt, out, explanation, params, unit="pixels")


@_register
def conv_param_count(rng: random.Random) -> Variant:
    c_in = _pick(rng, [1, 3, 3, 8, 16, 32, 64, 128, 256])
    c_out = _pick(rng, [4, 8, 16, 32, 64, 128, 256])
    k = _pick(rng, [1, 3, 3, 3, 5, 7])
    bias = _chance(rng, 0.7)
    n = _pick(rng, [28, 32, 64, 112, 224])
    b = int(bias)
    per_filter = k * k * c_in + b
    count = per_filter * c_out

    bias_text = "one bias per filter" if bias else "no bias terms"
    prompt = (
        f"A convolutional layer takes a {n}x{n}x{c_in} input (height x width x channels) and has {c_out} filters "
        f"of size {k}x{k} (each spanning all input channels), stride 1 and 'same' padding, with {bias_text}. "
        "How many trainable parameters does the layer have?"
    )
    if bias:
        formula = (
            f"$(k \\cdot k \\cdot c_{{in}} + 1) \\cdot c_{{out}} = ({k} \\cdot {k} \\cdot {c_in} + 1) \\cdot {c_out}"
            f" = {per_filter} \\cdot {c_out} = {count}$"
        )
    else:
        formula = (
            f"$k \\cdot k \\cdot c_{{in}} \\cdot c_{{out}} = {k} \\cdot {k} \\cdot {c_in} \\cdot {c_out} = {count}$"
        )
    explanation = (
        f"Each filter has {k}·{k}·{c_in} = {k * k * c_in} weights{' plus one bias' if bias else ''}, so the layer "
        f"has {formula}. The input's height and width, stride and padding do not change the count."
    )
    params = {"c_in": c_in, "c_out": c_out, "kernel": k, "bias": bias, "n": n}
    return _int_variant(prompt, count, explanation, params, unit="parameters")


def receptive_field_size(layers: Sequence[dict[str, Any]]) -> int:
    """Receptive field (in input pixels, along one axis) of one output unit of the last layer."""
    r, jump = 1, 1
    for layer in layers:
        k_eff = layer["dilation"] * (layer["kernel"] - 1) + 1
        r += (k_eff - 1) * jump
        jump *= layer["stride"]
    return r


@_register
def receptive_field(rng: random.Random) -> Variant:
    count = _randint(rng, 2, 4)
    layers: list[dict[str, Any]] = []
    for i in range(count):
        # The first layer is always a convolution; pooling never follows pooling.
        pool = i > 0 and layers[-1]["type"] == "conv" and _chance(rng, 0.35)
        if pool:
            k = _pick(rng, [2, 2, 3])
            layers.append({"type": "max_pool", "kernel": k, "stride": 2, "dilation": 1})
        else:
            k = _pick(rng, [1, 3, 3, 3, 3, 5, 5, 7])
            s = _pick(rng, [1, 1, 1, 2])
            d = 1 if k == 1 else _pick(rng, [1, 1, 1, 1, 2, 3])
            layers.append({"type": "conv", "kernel": k, "stride": s, "dilation": d})
    answer = receptive_field_size(layers)

    descriptions = []
    steps = []
    r, jump = 1, 1
    for i, layer in enumerate(layers, start=1):
        k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
        if layer["type"] == "conv":
            text = f"{k}x{k} convolution, stride {s}" + (f", dilation {d}" if d > 1 else "")
        else:
            text = f"{k}x{k} max pooling, stride {s}"
        descriptions.append(f"({i}) {text}")
        k_eff = d * (k - 1) + 1
        new_r = r + (k_eff - 1) * jump
        k_text = f"$k_{{eff}} = {d}({k}-1)+1 = {k_eff}$, " if d > 1 else ""
        steps.append(
            f"layer {i}: {k_text}$r = {r} + ({k_eff}-1) \\cdot {jump} = {new_r}$, $j = {jump} \\cdot {s} = {jump * s}$"
        )
        r, jump = new_r, jump * s
    assert r == answer

    prompt = (
        f"A CNN applies these {count} layers in order to an image: {'; '.join(descriptions)}. "
        f"What is the receptive field of one unit in the output of layer {count}, that is, the side length "
        "(in input pixels) of the square region of the input image that can affect it?"
    )
    explanation = (
        "Start from $r = 1$ and jump $j = 1$; each layer adds $(k_{eff}-1) \\cdot j$ with $k_{eff} = d(k-1)+1$, "
        f"then multiplies $j$ by its stride: {'; '.join(steps)}. The receptive field is {answer}x{answer} pixels."
    )
    return _int_variant(prompt, answer, explanation, {"layers": layers}, unit="pixels")


# --- optimisation --------------------------------------------------------------------------------------------


@_register
def adam_bias_correction(rng: random.Random) -> Variant:
    beta_text = _pick(rng, ["0.9", "0.9", "0.9", "0.8", "0.5", "0.95"])
    beta = Fraction(beta_text)
    mode = _pick(rng, ["raw_constant", "raw_sequence", "corrected_sequence", "corrected_sequence"])
    if mode == "raw_constant":
        t = _randint(rng, 1, 8)
        g = _pick(rng, ["-2", "-1.5", "-0.5", "0.5", "1", "2", "3", "4", "5"])
        grads = [g] * t
    else:
        t = _randint(rng, 2, 3)
        pool = ["-2", "-1", "-0.5", "0.5", "1", "2", "3", "4"]
        grads = [_pick(rng, pool) for _ in range(t)]
        while len(set(grads)) == 1:  # a varying sequence; a constant one makes the corrected value trivially g
            grads[-1] = _pick(rng, pool)

    m = Fraction(0)
    steps = []
    for i, g_text in enumerate(grads, start=1):
        new_m = beta * m + (1 - beta) * Fraction(g_text)
        steps.append(
            f"$m_{i} = {beta_text} \\cdot {_paren(m)} + {_num(1 - beta)} \\cdot {_paren(Fraction(g_text))}"
            f" {_approx(new_m, 10)}$"
        )
        m = new_m
    correction = 1 - beta**t
    update = f"$m_t = {beta_text}\\, m_{{t-1}} + {_num(1 - beta)}\\, g_t$"
    setup = (
        f"Adam's first moment starts at $m_0 = 0$ and is updated as $m_t = \\beta_1 m_{{t-1}} + (1 - \\beta_1) g_t$ "
        f"with $\\beta_1 = {beta_text}$."
    )
    places = 4
    if mode == "raw_constant":
        g = Fraction(grads[0])
        answer = m
        assert answer == correction * g
        prompt = (
            f"{setup} The gradient is the same at every step, $g_t = {_num(g)}$. What is the raw (not "
            f"bias-corrected) first moment $m_{{{t}}}$ after {t} step{'s' if t > 1 else ''}?"
        )
        explanation = (
            f"Unrolling {update} with a constant gradient gives $m_t = (1 - \\beta_1^t)\\, g"
            f" = (1 - {beta_text}^{{{t}}}) \\cdot {_paren(g)} {_approx(correction, 6)} \\cdot {_paren(g)}"
            f" {_approx(answer, places)}$, biased towards 0; dividing by $1 - \\beta_1^{{{t}}}$ would recover"
            f" exactly {_num(g)}."
        )
    else:
        grad_text = ", ".join(f"$g_{i} = {_num(Fraction(g))}$" for i, g in enumerate(grads, start=1))
        if mode == "raw_sequence":
            answer = m
            prompt = (
                f"{setup} The gradients of the first {t} steps are {grad_text}. What is the raw (not "
                f"bias-corrected) first moment $m_{t}$?"
            )
            explanation = f"Step by step: {'; '.join(steps)}."
        else:
            answer = m / correction
            prompt = (
                f"{setup} The gradients of the first {t} steps are {grad_text}. What is the bias-corrected first "
                f"moment $\\hat m_{t}$ after step {t}?"
            )
            explanation = (
                f"Step by step: {'; '.join(steps)}. Then $\\hat m_{t} = m_{t} / (1 - \\beta_1^{t}) = {_num(m, 10)} / "
                f"(1 - {beta_text}^{t}) = {_num(m, 10)} / {_num(correction, 10)} {_approx(answer, places)}$."
            )
    params = {"mode": mode, "beta1": float(beta), "t": t, "gradients": [float(Fraction(g)) for g in grads]}
    return _real_variant(prompt, answer, places, explanation, params)


@_register
def lr_decay(rng: random.Random) -> Variant:
    schedule = _pick(rng, ["inverse_time", "exponential", "inverse_sqrt_epoch", "inverse_sqrt_step"])
    alpha0_text = _pick(rng, ["0.1", "0.2", "0.3", "0.4", "0.5"])
    alpha0 = Fraction(alpha0_text)
    places = 4
    params: dict[str, Any] = {"schedule": schedule, "alpha0": float(alpha0)}
    if schedule == "inverse_time":
        rate_text = _pick(rng, ["0.1", "0.2", "0.5", "1", "2"])
        epoch = _randint(rng, 1, 10)
        rate = Fraction(rate_text)
        answer: Fraction | float = alpha0 / (1 + rate * epoch)
        prompt = (
            "The learning rate decays with the epoch number as alpha = alpha0 / (1 + decay_rate * epoch_num), "
            f"that is, the initial rate divided by one plus the decay rate times the epoch number. With "
            f"alpha0 = {alpha0_text} and decay_rate = {rate_text}, what is the learning rate at epoch_num = {epoch}?"
        )
        explanation = (
            f"$\\alpha = \\alpha_0 / (1 + \\text{{decay rate}} \\cdot \\text{{epoch}}) = {alpha0_text} / "
            f"(1 + {rate_text} \\cdot {epoch}) = {alpha0_text} / {_num(1 + rate * epoch)} {_approx(answer, places)}$."
        )
        params.update(decay_rate=float(rate), epoch_num=epoch)
    elif schedule == "exponential":
        epoch = _randint(rng, 1, 20)
        factor = Fraction("0.95") ** epoch
        answer = factor * alpha0
        prompt = (
            "The learning rate decays exponentially: alpha = 0.95^epoch_num * alpha0, so each epoch multiplies it "
            f"by 0.95. With alpha0 = {alpha0_text}, what is the learning rate at epoch_num = {epoch}?"
        )
        explanation = (
            f"$\\alpha = 0.95^{{\\text{{epoch}}}} \\cdot \\alpha_0 = 0.95^{{{epoch}}} \\cdot {alpha0_text}"
            f" {_approx(factor, 6)} \\cdot {alpha0_text} {_approx(answer, places)}$."
        )
        params.update(epoch_num=epoch)
    elif schedule == "inverse_sqrt_epoch":
        k_text = _pick(rng, ["0.5", "1", "1", "2"])
        epoch = _randint(rng, 1, 16)
        answer = float(Fraction(k_text)) / math.sqrt(epoch) * float(alpha0)
        prompt = (
            "The learning rate decays with the square root of the epoch number: alpha = k / sqrt(epoch_num) * alpha0, "
            f"epochs counted from 1. With k = {k_text} and alpha0 = {alpha0_text}, what is the learning rate at "
            f"epoch_num = {epoch}?"
        )
        explanation = (
            f"$\\alpha = \\frac{{k}}{{\\sqrt{{\\text{{epoch}}}}}} \\alpha_0 = \\frac{{{k_text}}}{{\\sqrt{{{epoch}}}}}"
            f" \\cdot {alpha0_text} {_approx(answer, places)}$"
            f" (with $\\sqrt{{{epoch}}} {_approx(math.sqrt(epoch), 4)}$)."
        )
        params.update(k=float(Fraction(k_text)), epoch_num=epoch)
    else:
        k_text = _pick(rng, ["0.5", "1", "1", "2"])
        per_epoch = _pick(rng, [4, 5, 8, 10, 20])
        batch = _pick(rng, [32, 50, 64, 100, 128, 250])
        examples = per_epoch * batch
        epoch = _randint(rng, 1, 4)
        index = _randint(rng, 1, per_epoch)
        t = (epoch - 1) * per_epoch + index
        answer = float(Fraction(k_text)) / math.sqrt(t) * float(alpha0)
        prompt = (
            "The learning rate decays with the square root of the mini-batch iteration number: "
            "alpha = k / sqrt(t) * alpha0, where t counts mini-batch updates from 1 over the whole run (it does not "
            f"restart at each epoch). The training set has {examples} examples, split into mini-batches of {batch} "
            f"(a full pass is {per_epoch} mini-batches). With k = {k_text} and alpha0 = {alpha0_text}, what is the "
            f"learning rate used for mini-batch number {index} of epoch {epoch} (both counted from 1)?"
        )
        explanation = (
            f"There are {examples}/{batch} = {per_epoch} mini-batches per epoch, so"
            f" $t = ({epoch}-1) \\cdot {per_epoch} + {index} = {t}$ and"
            f" $\\alpha = \\frac{{k}}{{\\sqrt{{t}}}} \\alpha_0 = \\frac{{{k_text}}}{{\\sqrt{{{t}}}}}"
            f" \\cdot {alpha0_text} {_approx(answer, places)}$."
        )
        params.update(
            k=float(Fraction(k_text)),
            examples=examples,
            batch_size=batch,
            epoch=epoch,
            batch_in_epoch=index,
            t=t,
        )
    return _real_variant(prompt, answer, places, explanation, params)


# --- gradient checking ---------------------------------------------------------------------------------------


def numerical_derivative(power: int, x0: Fraction, eps: Fraction, two_sided: bool) -> Fraction:
    """Exact finite-difference estimate of the derivative of x**power at x0."""
    if two_sided:
        return ((x0 + eps) ** power - (x0 - eps) ** power) / (2 * eps)
    return ((x0 + eps) ** power - x0**power) / eps


@_register
def numerical_gradient(rng: random.Random) -> Variant:
    power = _pick(rng, [2, 3, 3, 3, 4])
    x0_text = _pick(rng, ["1", "1", "2", "0.5", "-1", "1.5", "3"])
    eps_text = _pick(rng, ["0.1", "0.01", "0.01", "0.001"])
    mode = _pick(rng, ["one_sided", "two_sided", "one_sided_error", "two_sided_error"])
    x0, eps = Fraction(x0_text), Fraction(eps_text)
    two_sided = mode.startswith("two_sided")
    estimate = numerical_derivative(power, x0, eps, two_sided)
    true = power * x0 ** (power - 1)
    error = abs(estimate - true)
    answer = error if mode.endswith("error") else estimate

    # Enough decimals to show the exact value (4 to 6), and a tolerance of about half a unit in the last place:
    # the difference between the estimates and the true derivative is the point of the question.
    needed = _decimals_needed(answer)
    places = min(max(needed if needed is not None else 6, 4), 6)
    tolerance = round(0.6 * 10.0**-places, places + 2)

    name = "two-sided (centred)" if two_sided else "one-sided (forward)"
    if two_sided:
        quotient = r"\frac{f(x+\varepsilon) - f(x-\varepsilon)}{2\varepsilon}"
        numbers = (
            f"\\frac{{{_paren(x0 + eps)}^{power} - {_paren(x0 - eps)}^{power}}}{{2 \\cdot {eps_text}}}"
            f" = \\frac{{{_num((x0 + eps) ** power - (x0 - eps) ** power, 12)}}}{{{_num(2 * eps)}}}"
        )
    else:
        quotient = r"\frac{f(x+\varepsilon) - f(x)}{\varepsilon}"
        numbers = (
            f"\\frac{{{_paren(x0 + eps)}^{power} - {_paren(x0)}^{power}}}{{{eps_text}}}"
            f" = \\frac{{{_num((x0 + eps) ** power - x0**power, 12)}}}{{{eps_text}}}"
        )
    task = (
        f"Using the {name} difference quotient with $\\varepsilon = {eps_text}$, what is the estimate of"
        f" $f'({x0_text})$?"
        if not mode.endswith("error")
        else f"The derivative is estimated with the {name} difference quotient and $\\varepsilon = {eps_text}$. What "
        "is the absolute error of this estimate, |estimate - true derivative|?"
    )
    prompt = f"Gradient checking: let $f(x) = x^{power}$ and $x = {x0_text}$. {task}"
    if power == 2:
        derivative = f"2x = 2 \\cdot {_paren(x0)}"
    else:
        derivative = f"{power}x^{power - 1} = {power} \\cdot {_paren(x0)}^{power - 1}"
    explanation = (
        f"The {name} estimate is ${quotient} = {numbers} = {_num(estimate, 12)}$; "
        f"the true derivative is $f'(x) = {derivative} = {_num(true)}$"
    )
    explanation += (
        f", so the error is $|{_num(estimate, 12)} - {_paren(true)}| = {_num(error, 12)}$."
        if mode.endswith("error")
        else "."
    )
    explanation += (
        " The two-sided quotient's error shrinks like $\\varepsilon^2$, the one-sided one's only like $\\varepsilon$."
    )
    params = {"power": power, "x0": float(x0), "eps": float(eps), "mode": mode}
    return Variant(
        prompt=f"{prompt} Give the answer to {places} decimal places.",
        answer=float(answer),
        tolerance=tolerance,
        unit="",
        explanation=explanation,
        params=params,
    )


# --- detection and regularisation ----------------------------------------------------------------------------


def box_iou(a: Sequence[int], b: Sequence[int]) -> Fraction:
    """Exact IoU of two axis-aligned boxes (x1, y1, x2, y2) with x1 < x2 and y1 < y2."""
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return Fraction(inter, union)


def _draw_box(rng: random.Random) -> list[int]:
    x1, y1 = _randint(rng, 0, 8), _randint(rng, 0, 8)
    return [x1, y1, x1 + _randint(rng, 1, 6), y1 + _randint(rng, 1, 6)]


@_register
def iou(rng: random.Random) -> Variant:
    overlap = _chance(rng, 0.75)
    a = _draw_box(rng)
    for _ in range(10_000):  # deterministic: the draws come from the seeded rng
        b = _draw_box(rng)
        if (box_iou(a, b) > 0) == overlap and b != a:
            break
    else:  # pragma: no cover - practically unreachable
        b = [a[2], a[3], a[2] + 2, a[3] + 2] if not overlap else [a[0], a[1], a[2] + 1, a[3]]
    answer = box_iou(a, b)
    places = 3

    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    inter = w * h
    union = area_a + area_b - inter
    prompt = (
        "Two axis-aligned bounding boxes are given by their corners (x1, y1, x2, y2), with (x1, y1) the top-left and "
        f"(x2, y2) the bottom-right corner: A = ({', '.join(map(str, a))}) and B = ({', '.join(map(str, b))}). "
        "What is their intersection over union (IoU)?"
    )
    explanation = (
        f"Intersection width $\\max(0, \\min({a[2]}, {b[2]}) - \\max({a[0]}, {b[0]})) = {w}$, height "
        f"$\\max(0, \\min({a[3]}, {b[3]}) - \\max({a[1]}, {b[1]})) = {h}$, area {inter}; $|A| = {area_a}$, "
        f"$|B| = {area_b}$, so $\\mathrm{{IoU}} = {inter} / ({area_a} + {area_b} - {inter}) = {inter}/{union}"
        f" {_approx(answer, places)}$."
    )
    if inter == 0:
        explanation += " The boxes do not overlap (at most they touch), so the IoU is 0."
    params = {"box_a": a, "box_b": b}
    return _real_variant(prompt, answer, places, explanation, params)


@_register
def dropout_scaling(rng: random.Random) -> Variant:
    keep_text = _pick(rng, ["0.5", "0.6", "0.7", "0.75", "0.8", "0.9"])
    a_text = _pick(rng, ["0.3", "0.6", "1.2", "1.5", "2", "2.4", "3", "4.5"])
    mode = _pick(rng, ["kept", "kept", "expected", "unscaled_expected"])
    as_torch = _chance(rng, 0.4)
    keep, a = Fraction(keep_text), Fraction(a_text)
    drop_text = _num(1 - keep)
    places = 4
    if as_torch:
        setup = (
            f"A hidden unit's activation is {a_text} before dropout. Training uses inverted dropout as in PyTorch's "
            f"nn.Dropout(p={drop_text}), where p is the probability of zeroing a unit (keep probability {keep_text})."
        )
    else:
        setup = (
            f"A hidden unit's activation is {a_text} before dropout. Training uses inverted dropout with "
            f"keep_prob = {keep_text} (each unit is kept with probability {keep_text})."
        )
    if mode == "kept":
        answer = a / keep
        prompt = f"{setup} On a training step where this unit is kept, what value does it pass to the next layer?"
        explanation = (
            f"Inverted dropout divides the kept activations by the keep probability: $a / p_{{keep}} = {a_text} / "
            f"{keep_text} {_approx(answer, places)}$, so that the expected value stays {a_text}."
        )
    elif mode == "expected":
        answer = a
        prompt = (
            f"{setup} Averaged over the random dropout masks, what is the expected value of the unit's output "
            "during training?"
        )
        explanation = (
            f"$E = p_{{keep}} \\cdot a / p_{{keep}} + (1 - p_{{keep}}) \\cdot 0"
            f" = {keep_text} \\cdot {a_text} / {keep_text} = {a_text}$: dividing by the keep probability keeps the"
            " expected activation equal to the test-time activation, so nothing needs rescaling at test time."
        )
    else:
        answer = keep * a
        prompt = (
            f"{setup} Suppose the division by the keep probability were left out (kept units pass {a_text} "
            "unchanged). What would the expected value of the unit's output during training be then?"
        )
        explanation = (
            f"$E = p_{{keep}} \\cdot a + (1 - p_{{keep}}) \\cdot 0 = {keep_text} \\cdot {a_text}"
            f" {_approx(answer, places)}$,"
            f" smaller than the test-time value {a_text}; inverted dropout divides by {keep_text} to remove this "
            "mismatch."
        )
    params = {"mode": mode, "keep_prob": float(keep), "activation": float(a), "torch_style": as_torch}
    return _real_variant(prompt, answer, places, explanation, params)
