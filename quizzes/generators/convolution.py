"""Convolution arithmetic: conv and pooling output sizes, conv parameter counts and receptive fields."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from quizzes.generators.draws import chance, pick, randint
from quizzes.generators.numbers import int_variant
from quizzes.generators.registry import Variant, register


def conv_output_length(n: int, kernel: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Output length of a convolution or pooling window along one axis (PyTorch, ceil_mode=False)."""
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def receptive_field_size(layers: Sequence[dict[str, Any]]) -> int:
    """Receptive field (in input pixels, along one axis) of one output unit of the last layer."""
    r, jump = 1, 1
    for layer in layers:
        k_eff = layer["dilation"] * (layer["kernel"] - 1) + 1
        r += (k_eff - 1) * jump
        jump *= layer["stride"]
    return r


# --- conv output size ----------------------------------------------------------------------------------------


@register
def conv_output_size(rng: random.Random) -> Variant:
    params = _draw_conv_layer(rng)
    out = conv_output_length(params["n"], params["kernel"], params["padding"], params["stride"], params["dilation"])
    assert out >= 1
    return int_variant(_conv_prompt(params), out, _conv_explanation(params, out), params, unit="pixels")


def _draw_conv_layer(rng: random.Random) -> dict[str, int]:
    f = pick(rng, [1, 2, 3, 3, 3, 3, 4, 5, 5, 7, 11])
    d = 1 if f == 1 else pick(rng, [1, 1, 1, 1, 2, 2, 3])
    s = pick(rng, [1, 1, 2, 2, 2, 3, 4])
    p = randint(rng, 0, min(3, d * (f - 1) // 2 + 1))
    c_in = pick(rng, [1, 3, 3, 16, 32, 64, 128])
    c_out = pick(rng, [8, 16, 32, 64, 128, 256])
    n = _draw_input_size(rng, n_min=max(4, d * (f - 1) + 1 - 2 * p))
    return {"n": n, "kernel": f, "padding": p, "stride": s, "dilation": d, "c_in": c_in, "c_out": c_out}


def _draw_input_size(rng: random.Random, n_min: int) -> int:
    """A classic image size one time in five, else any size from ``n_min`` to 64."""
    if chance(rng, 0.2):
        return pick(rng, [n for n in (28, 32, 56, 64, 112, 224, 227) if n >= n_min])
    return randint(rng, n_min, max(n_min, 64))


def _conv_prompt(params: dict[str, int]) -> str:
    p, d = params["padding"], params["dilation"]
    padding_text = "no padding" if p == 0 else f"zero padding of {p} pixel{'s' if p > 1 else ''} on every side"
    dilation_text = "dilation 1 (an ordinary, undilated convolution)" if d == 1 else f"dilation {d}"
    f, n = params["kernel"], params["n"]
    return (
        f"A 2D convolutional layer with {params['c_out']} filters of size {f}x{f}, stride {params['stride']}, "
        f"{padding_text} and {dilation_text} is applied to an input of size {n}x{n}x{params['c_in']} "
        "(height x width x channels). What is the height (equal to the width) of its output feature map?"
    )


def _conv_explanation(params: dict[str, int], out: int) -> str:
    n, f, p, s, d = (params[key] for key in ("n", "kernel", "padding", "stride", "dilation"))
    numerator = n + 2 * p - d * (f - 1) - 1
    return (
        r"$o = \lfloor (n + 2p - d(f-1) - 1)/s \rfloor + 1"
        f" = \\lfloor ({n} + 2 \\cdot {p} - {d} \\cdot ({f}-1) - 1)/{s} \\rfloor + 1"
        f" = \\lfloor {numerator}/{s} \\rfloor + 1 = {numerator // s} + 1 = {out}$. "
        f"The output is {out}x{out}x{params['c_out']}: the number of filters sets the depth, not the size."
    )


# --- pooling output size -------------------------------------------------------------------------------------


@register
def pool_output_size(rng: random.Random) -> Variant:
    params = _draw_pooling(rng)
    out = conv_output_length(params["n"], params["kernel"], 0, params["stride"])
    assert out >= 1
    return int_variant(_pool_prompt(params), out, _pool_explanation(params, out), params, unit="pixels")


def _draw_pooling(rng: random.Random) -> dict[str, Any]:
    kind = pick(rng, ["max", "max", "average"])
    f = pick(rng, [2, 2, 2, 3, 3, 4, 5])
    s = pick(rng, [f, f, f, 1, 2, 2, 3])
    c = pick(rng, [3, 16, 32, 64, 96, 128, 256])
    classic = chance(rng, 0.2)
    n = pick(rng, [13, 14, 27, 28, 55, 56, 112, 224]) if classic else randint(rng, max(f, 4), 64)
    return {"kind": kind, "n": n, "kernel": f, "stride": s, "padding": 0, "channels": c}


def _pool_prompt(params: dict[str, Any]) -> str:
    kind, f, n = params["kind"], params["kernel"], params["n"]
    article = "An" if kind == "average" else "A"
    return (
        f"{article} {kind}-pooling layer with a {f}x{f} window and stride {params['stride']}, without padding, is "
        f"applied to a feature map of size {n}x{n}x{params['channels']} (height x width x channels). A window that "
        "would run past the edge is dropped (rounding down, as PyTorch does by default with ceil_mode=False). "
        "What is the height (equal to the width) of the output?"
    )


def _pool_explanation(params: dict[str, Any], out: int) -> str:
    n, f, s = params["n"], params["kernel"], params["stride"]
    return (
        r"$o = \lfloor (n - f)/s \rfloor + 1"
        f" = \\lfloor ({n} - {f})/{s} \\rfloor + 1 = \\lfloor {n - f}/{s} \\rfloor + 1 = {out}$. "
        f"Pooling acts on each channel separately, so the output is {out}x{out}x{params['channels']}."
    )


# --- conv parameter count ------------------------------------------------------------------------------------


@register
def conv_param_count(rng: random.Random) -> Variant:
    params = _draw_conv_weights(rng)
    k, c_in, c_out = params["kernel"], params["c_in"], params["c_out"]
    count = (k * k * c_in + int(params["bias"])) * c_out
    return int_variant(_count_prompt(params), count, _count_explanation(params, count), params, unit="parameters")


def _draw_conv_weights(rng: random.Random) -> dict[str, Any]:
    c_in = pick(rng, [1, 3, 3, 8, 16, 32, 64, 128, 256])
    c_out = pick(rng, [4, 8, 16, 32, 64, 128, 256])
    k = pick(rng, [1, 3, 3, 3, 5, 7])
    bias = chance(rng, 0.7)
    n = pick(rng, [28, 32, 64, 112, 224])
    return {"c_in": c_in, "c_out": c_out, "kernel": k, "bias": bias, "n": n}


def _count_prompt(params: dict[str, Any]) -> str:
    n, k = params["n"], params["kernel"]
    bias_text = "one bias per filter" if params["bias"] else "no bias terms"
    return (
        f"A convolutional layer takes a {n}x{n}x{params['c_in']} input (height x width x channels) and has "
        f"{params['c_out']} filters of size {k}x{k} (each spanning all input channels), stride 1 and 'same' "
        f"padding, with {bias_text}. How many trainable parameters does the layer have?"
    )


def _count_explanation(params: dict[str, Any], count: int) -> str:
    k, c_in, c_out, bias = params["kernel"], params["c_in"], params["c_out"], params["bias"]
    if bias:
        formula = (
            f"$(k \\cdot k \\cdot c_{{in}} + 1) \\cdot c_{{out}} = ({k} \\cdot {k} \\cdot {c_in} + 1) \\cdot {c_out}"
            f" = {k * k * c_in + 1} \\cdot {c_out} = {count}$"
        )
    else:
        formula = (
            f"$k \\cdot k \\cdot c_{{in}} \\cdot c_{{out}} = {k} \\cdot {k} \\cdot {c_in} \\cdot {c_out} = {count}$"
        )
    return (
        f"Each filter has {k}·{k}·{c_in} = {k * k * c_in} weights{' plus one bias' if bias else ''}, so the layer "
        f"has {formula}. The input's height and width, stride and padding do not change the count."
    )


# --- receptive field -----------------------------------------------------------------------------------------


@register
def receptive_field(rng: random.Random) -> Variant:
    layers = _draw_layers(rng)
    answer = receptive_field_size(layers)
    descriptions = [f"({i}) {_describe_layer(layer)}" for i, layer in enumerate(layers, start=1)]
    prompt = (
        f"A CNN applies these {len(layers)} layers in order to an image: {'; '.join(descriptions)}. "
        f"What is the receptive field of one unit in the output of layer {len(layers)}, that is, the side length "
        "(in input pixels) of the square region of the input image that can affect it?"
    )
    explanation = (
        "Start from $r = 1$ and jump $j = 1$; each layer adds $(k_{eff}-1) \\cdot j$ with $k_{eff} = d(k-1)+1$, "
        f"then multiplies $j$ by its stride: {'; '.join(_receptive_field_steps(layers, answer))}. "
        f"The receptive field is {answer}x{answer} pixels."
    )
    return int_variant(prompt, answer, explanation, {"layers": layers}, unit="pixels")


def _draw_layers(rng: random.Random) -> list[dict[str, Any]]:
    """Two to four layers; the first is always a convolution, and pooling never follows pooling."""
    layers: list[dict[str, Any]] = []
    for i in range(randint(rng, 2, 4)):
        pool = i > 0 and layers[-1]["type"] == "conv" and chance(rng, 0.35)
        layers.append(_draw_pool_layer(rng) if pool else _draw_conv_step(rng))
    return layers


def _draw_pool_layer(rng: random.Random) -> dict[str, Any]:
    return {"type": "max_pool", "kernel": pick(rng, [2, 2, 3]), "stride": 2, "dilation": 1}


def _draw_conv_step(rng: random.Random) -> dict[str, Any]:
    k = pick(rng, [1, 3, 3, 3, 3, 5, 5, 7])
    s = pick(rng, [1, 1, 1, 2])
    d = 1 if k == 1 else pick(rng, [1, 1, 1, 1, 2, 3])
    return {"type": "conv", "kernel": k, "stride": s, "dilation": d}


def _describe_layer(layer: dict[str, Any]) -> str:
    k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
    if layer["type"] == "conv":
        return f"{k}x{k} convolution, stride {s}" + (f", dilation {d}" if d > 1 else "")
    return f"{k}x{k} max pooling, stride {s}"


def _receptive_field_steps(layers: Sequence[dict[str, Any]], answer: int) -> list[str]:
    """The recurrence written out layer by layer, ending at ``answer``."""
    steps = []
    r, jump = 1, 1
    for i, layer in enumerate(layers, start=1):
        k, s, d = layer["kernel"], layer["stride"], layer["dilation"]
        k_eff = d * (k - 1) + 1
        new_r = r + (k_eff - 1) * jump
        k_text = f"$k_{{eff}} = {d}({k}-1)+1 = {k_eff}$, " if d > 1 else ""
        steps.append(
            f"layer {i}: {k_text}$r = {r} + ({k_eff}-1) \\cdot {jump} = {new_r}$, $j = {jump} \\cdot {s} = {jump * s}$"
        )
        r, jump = new_r, jump * s
    assert r == answer
    return steps
