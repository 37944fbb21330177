"""Convolution arithmetic: output shapes, parameter counts and receptive fields of a layer stack.

Each number is computed by formula, then checked against real torch layers:
  output size      n_out = floor((n + 2p - d(k - 1) - 1) / s) + 1
  parameters       (k * k * c_in + 1) * c_out for a conv, 0 for a pool
  receptive field  r += (k_eff - 1) * jump; jump *= s, where k_eff = d(k - 1) + 1 and jump is the input
                   distance between neighbouring units of the current layer
The receptive field is checked empirically: the gradient of one output unit w.r.t. the input is nonzero exactly
on the input pixels that unit can see.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from demos.trainings.base import Demo, DemoResult, Param, Prediction, panel, seed_param, to_list


@dataclass(frozen=True)
class Layer:
    kind: str  # "conv" or "maxpool"
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    channels: int = 0  # output channels of a conv; pools keep their input channels

    def describe(self) -> str:
        extra = f" d{self.dilation}" if self.dilation > 1 else ""
        out = f" -> {self.channels}ch" if self.kind == "conv" else ""
        return f"{self.kind} k{self.kernel} s{self.stride} p{self.padding}{extra}{out}"


def conv(kernel, channels, stride=1, padding=0, dilation=1) -> Layer:
    return Layer("conv", kernel, stride, padding, dilation, channels)


def maxpool(kernel, stride, padding=0) -> Layer:
    return Layer("maxpool", kernel, stride, padding)


STACKS = {
    # two 3x3 convs then a 2x2 pool, twice: the VGG pattern
    "vgg": [conv(3, 16, padding=1), conv(3, 16, padding=1), maxpool(2, 2),
            conv(3, 32, padding=1), conv(3, 32, padding=1), maxpool(2, 2)],
    # ResNet's stem (7x7 stride 2, 3x3 max pool stride 2) and two 3x3 convs
    "resnet-stem": [conv(7, 64, 2, 3), maxpool(3, 2, 1), conv(3, 64, padding=1), conv(3, 64, padding=1)],
    # dilations 1, 2, 4, 8: the receptive field grows exponentially while the size stays the same
    "dilated": [conv(3, 16, padding=1), conv(3, 16, padding=2, dilation=2),
                conv(3, 16, padding=4, dilation=4), conv(3, 16, padding=8, dilation=8)],
    # no padding: every 5x5 conv shrinks the image by 4
    "valid": [conv(5, 8), conv(5, 8), conv(5, 8)],
}  # fmt: skip


def custom_stack(params: dict) -> list[Layer]:
    """`num_layers` identical convs, with a 2x2 max pool after every `pool_every` convs (0: no pools)."""
    layers = []
    for index in range(params["num_layers"]):
        layers.append(
            conv(params["kernel"], params["channels"], params["stride"], params["padding"], params["dilation"])
        )
        if params["pool_every"] and (index + 1) % params["pool_every"] == 0:
            layers.append(maxpool(2, 2))
    return layers


def effective_kernel(layer: Layer) -> int:
    return layer.dilation * (layer.kernel - 1) + 1


def output_size(n: int, layer: Layer) -> int:
    return (n + 2 * layer.padding - effective_kernel(layer)) // layer.stride + 1


def parameter_count(layer: Layer, in_channels: int) -> int:
    return (layer.kernel * layer.kernel * in_channels + 1) * layer.channels if layer.kind == "conv" else 0


def arithmetic(layers: list[Layer], size: int, channels: int) -> list[dict]:
    """The formulas, layer by layer. `start` is the input coordinate of the centre of output unit 0."""
    rows, receptive_field, jump, start = [], 1, 1, 0.0
    for layer in layers:
        size = output_size(size, layer)
        params = parameter_count(layer, channels)
        channels = layer.channels if layer.kind == "conv" else channels
        start += ((effective_kernel(layer) - 1) / 2 - layer.padding) * jump
        receptive_field += (effective_kernel(layer) - 1) * jump
        jump *= layer.stride
        rows.append(dict(size=size, channels=channels, params=params, rf=receptive_field, jump=jump, start=start))
    return rows


def torch_layer(layer: Layer, in_channels: int) -> nn.Module:
    if layer.kind == "conv":
        return nn.Conv2d(in_channels, layer.channels, layer.kernel, layer.stride, layer.padding, layer.dilation)
    return nn.MaxPool2d(layer.kernel, layer.stride, layer.padding)


def probe_layer(layer: Layer, in_channels: int) -> nn.Module:
    """A copy with all weights 1 and max pools swapped for average pools of the same geometry.

    Max pooling sends gradient to one input per window and random weights can cancel each other; with positive
    weights and averaging, every input pixel the unit can see gets a strictly positive gradient.
    """
    if layer.kind == "conv":
        probe = nn.Conv2d(in_channels, layer.channels, layer.kernel, layer.stride, layer.padding, layer.dilation)
        nn.init.ones_(probe.weight)
        return probe
    return nn.AvgPool2d(layer.kernel, layer.stride, layer.padding, count_include_pad=True)


def empirical_receptive_field(probe: nn.Module, x: torch.Tensor, centre: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Span (first to last nonzero input row) of d out[0, 0, centre, centre] / d input, and the gradient per row."""
    x = x.clone().requires_grad_(True)
    probe(x)[0, 0, centre, centre].backward()
    per_row = x.grad[0].abs().sum(dim=(0, 2))
    rows = torch.arange(len(per_row), device=x.device)[per_row > 0]
    span = rows.max() - rows.min() + 1 if len(rows) else torch.zeros((), dtype=torch.long, device=x.device)
    return span, per_row


def visible_rows(layers: list[Layer], sizes: list[int], centre: int) -> list[int]:
    """Brute force: walk the kernel taps back from one output row to the input rows it reads (padding dropped)."""
    rows = {centre}
    for layer, n_in in zip(reversed(layers), reversed(sizes[:-1]), strict=True):
        taps = {i * layer.stride - layer.padding + j * layer.dilation for i in rows for j in range(layer.kernel)}
        rows = {r for r in taps if 0 <= r < n_in}
    return sorted(rows)


def torch_shapes_and_counts(layers: list[Layer], x: torch.Tensor) -> tuple[list[tuple], list[int]]:
    """Run real torch layers on a dummy tensor: each layer's output shape (C, H, W) and parameter count."""
    shapes, counts, out = [], [], x
    with torch.no_grad():
        for layer in layers:
            module = torch_layer(layer, out.shape[1]).to(x.device)
            out = module(out)
            shapes.append(tuple(out.shape[1:]))
            counts.append(sum(p.numel() for p in module.parameters()))
    return shapes, counts


def measure_receptive_fields(layers: list[Layer], rows: list[dict], x: torch.Tensor):
    """Per layer: the measured span of the centre unit, the span brute force expects, and the gradient per row."""
    probes, channels = [], x.shape[1]
    for layer in layers:
        probes.append(probe_layer(layer, channels).to(x.device, torch.float64))  # float64: all-ones weights grow fast
        channels = layer.channels if layer.kind == "conv" else channels
    sizes = [x.shape[-1]] + [row["size"] for row in rows]
    measured, expected, profiles = [], [], []
    for depth, row in enumerate(rows, start=1):
        # The output unit nearest the middle, so its receptive field is cut by the border as little as possible.
        centre = (row["size"] - 1) // 2
        span, profile = empirical_receptive_field(nn.Sequential(*probes[:depth]), x.double(), centre)
        measured.append(span)
        profiles.append(profile)
        visible = visible_rows(layers[:depth], sizes[: depth + 1], centre)
        expected.append(visible[-1] - visible[0] + 1 if visible else 0)
    return [int(s) for s in to_list(torch.stack(measured))], expected, profiles[-1]


def _stack(params):
    return STACKS[params["stack"]] if params["stack"] != "custom" else custom_stack(params)


def _check(params) -> dict[str, str]:
    rows = arithmetic(_stack(params), params["input_size"], params["in_channels"])
    too_small = [i for i, row in enumerate(rows) if row["size"] < 1]
    if too_small:
        return {"input_size": f"too small for this stack: layer {too_small[0] + 1} has no output left"}
    return {}


def _train(params, device, progress):
    layers = _stack(params)
    size, in_channels = params["input_size"], params["in_channels"]
    rows = arithmetic(layers, size, in_channels)

    progress(0.2, "checking shapes and parameter counts against torch")
    x = torch.randn(1, in_channels, size, size, device=device)
    shapes, counts = torch_shapes_and_counts(layers, x)
    progress(0.5, "measuring receptive fields with gradients")
    spans, expected_spans, profile = measure_receptive_fields(layers, rows, x)

    metrics = {"input_shape": f"{in_channels}x{size}x{size}", "num_layers": len(layers)}
    for i, (layer, row, span) in enumerate(zip(layers, rows, spans, strict=True), start=1):
        metrics[f"layer{i}"] = layer.describe()
        metrics[f"layer{i}_output_shape"] = f"{row['channels']}x{row['size']}x{row['size']}"
        metrics[f"layer{i}_params"] = row["params"]
        metrics[f"layer{i}_receptive_field"] = row["rf"]
        metrics[f"layer{i}_jump"] = row["jump"]
        metrics[f"layer{i}_measured_receptive_field"] = span
    last = rows[-1]
    metrics.update(
        output_shape=f"{last['channels']}x{last['size']}x{last['size']}",
        total_params=sum(row["params"] for row in rows),
        receptive_field=last["rf"],
        receptive_field_measured=spans[-1],
        receptive_field_fits_input=fits_input(last, size),
        shapes_match_torch=shapes == [(row["channels"], row["size"], row["size"]) for row in rows],
        params_match_torch=counts == [row["params"] for row in rows],
        # Measured = brute force everywhere, and = the formula wherever the field lies inside the input.
        receptive_fields_match_gradient=spans == expected_spans
        and all(span == row["rf"] for span, row in zip(spans, rows, strict=True) if fits_input(row, size)),
    )

    depth_axis = list(range(1, len(layers) + 1))
    series = {
        "receptive_field": panel(
            "Receptive field per layer",
            "layer (index in the stack)",
            "receptive field (input pixels per side)",
            [
                {"label": "formula", "x": depth_axis, "y": [float(row["rf"]) for row in rows]},
                {"label": "measured (nonzero gradient)", "x": depth_axis, "y": [float(s) for s in spans]},
            ],
        ),
        "output_size": panel(
            "Output size per layer",
            "layer (index, 0 = the input)",
            "height = width (pixels)",
            [{"label": "output size", "x": [0, *depth_axis], "y": [float(size)] + [float(r["size"]) for r in rows]}],
        ),
        "gradient_profile": panel(
            "Gradient of the last layer's centre unit w.r.t. each input row",
            "input row (pixel index)",
            "|gradient| (fraction of its maximum)",
            [
                {
                    "label": "d output / d input",
                    "x": list(range(size)),
                    "y": to_list(profile / profile.max().clamp_min(1e-300)),
                }
            ],
        ),
    }
    progress(0.9, "done measuring")
    return DemoResult(metrics, series)


def fits_input(row: dict, size: int) -> bool:
    """Whether the centre unit's whole receptive field (by formula) lies inside the input, touching no padding."""
    centre = row["start"] + (row["size"] - 1) // 2 * row["jump"]
    return centre - (row["rf"] - 1) / 2 >= 0 and centre + (row["rf"] - 1) / 2 <= size - 1


def _summary(m: dict, rows: list[dict], size: int) -> str:
    checks = [m["shapes_match_torch"], m["params_match_torch"], m["receptive_fields_match_gradient"]]
    text = (
        f"A {m['input_shape']} input goes through {m['num_layers']} layers and comes out as {m['output_shape']}, "
        f"with {m['total_params']:,} parameters. The last layer's units each see a {m['receptive_field']}x"
        f"{m['receptive_field']} patch of the input (jump {rows[-1]['jump']} pixels between neighbouring units)"
    )
    if not m["receptive_field_fits_input"]:
        text += (
            f"; for the centre unit part of that patch lies in the zero padding, so the gradient is nonzero over "
            f"only {m['receptive_field_measured']} rows of the {size}x{size} input"
        )
    text += ". "
    if all(checks):
        text += (
            "Every shape and parameter count matched real torch layers, and the gradient of one output unit was "
            "nonzero exactly over the input rows the formula predicts."
        )
    else:
        failed = [
            name for name, ok in zip(("shapes", "parameter counts", "receptive fields"), checks, strict=True) if not ok
        ]
        text += f"Mismatch with torch in: {', '.join(failed)}."
    return text


def _summarize(m: dict, params: dict) -> str:
    return _summary(m, arithmetic(_stack(params), params["input_size"], params["in_channels"]), params["input_size"])


def _claim(m: dict) -> tuple[bool, str]:
    """The formulas agree with torch: every shape, every parameter count, and the receptive field seen by gradients."""
    holds = m["shapes_match_torch"] and m["params_match_torch"] and m["receptive_fields_match_gradient"]
    checks = {
        "output shapes": m["shapes_match_torch"],
        "parameter counts": m["params_match_torch"],
        "receptive fields": m["receptive_fields_match_gradient"],
    }
    agreed = ", ".join(f"{name} {'matched' if ok else 'did NOT match'}" for name, ok in checks.items())
    return holds, (
        f"the formulas and real torch layers agreed ({agreed}); the last layer sees a {m['receptive_field']}-pixel "
        f"wide patch, and its centre unit's gradient was nonzero over {m['receptive_field_measured']} input rows."
    )


def _rf_bin(metrics: dict) -> str:
    rf = metrics["receptive_field"]
    return "lt10" if rf < 10 else "10to19" if rf < 20 else "20to29" if rf < 30 else "30plus"


def _explain(metrics: dict) -> str:
    growth = ", ".join(str(metrics[f"layer{i}_receptive_field"]) for i in range(1, metrics["num_layers"] + 1))
    text = (
        f"Layer by layer the receptive field grows {growth}: each layer adds (k_eff - 1) x jump, and the jump "
        "multiplies by the stride, so layers after a pool or a strided conv grow it faster than the early ones. "
    )
    if metrics["receptive_field_fits_input"]:
        text += (
            f"The gradient of one last-layer unit was nonzero over exactly {metrics['receptive_field_measured']} rows."
        )
    else:
        text += (
            f"The gradient of the centre unit covers {metrics['receptive_field_measured']} input rows: the rest of "
            "its field lies in the zero padding."
        )
    return text


DEMO = Demo(
    name="conv-arithmetic",
    title="Convolution arithmetic: shapes, parameters, receptive field",
    concepts=("padding-stride", "pooling", "receptive-field", "multi-channel-convolution"),
    shows=(
        "Output shapes, parameter counts and receptive field of a layer stack, computed by formula and checked "
        "against torch (shapes, parameter counts, and the nonzero gradient of one output unit)."
    ),
    params=(
        Param("stack", "choice", "vgg", "Layer stack; custom uses the parameters below.", choices=(*STACKS, "custom")),
        Param("input_size", "int", 32, "Input height = width.", 4, 128),
        Param("in_channels", "int", 3, "Input channels (3 for RGB).", 1, 8),
        Param("num_layers", "int", 3, "custom: number of conv layers.", 1, 8),
        Param("kernel", "int", 3, "custom: kernel size k.", 1, 9),
        Param("stride", "int", 1, "custom: stride s.", 1, 4),
        Param("padding", "int", 1, "custom: zero padding p on each side.", 0, 8),
        Param("dilation", "int", 1, "custom: dilation d.", 1, 8),
        Param("channels", "int", 16, "custom: output channels of every conv.", 1, 64),
        Param("pool_every", "int", 0, "custom: a 2x2 max pool after every n convs (0: none).", 0, 8),
        seed_param(),
    ),
    prediction=Prediction(
        question="How many input pixels wide is the receptive field of the last layer?",
        choices={"lt10": "Fewer than 10", "10to19": "10 to 19", "20to29": "20 to 29", "30plus": "30 or more"},
        answer=_rf_bin,
        explain=_explain,
    ),
    train=_train,
    claim=_claim,
    summarize=_summarize,
    check=_check,
)

if __name__ == "__main__":
    result = DEMO.run()
    print(result.metrics)
    print(result.summary)
