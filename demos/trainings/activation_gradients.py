"""Per-layer gradient norms in a deep MLP: sigmoid's gradient vanishes toward the input, ReLU and Leaky ReLU's do not.

The same deep MLP, the same init scheme and the same seeded data are trained once per activation. At the first
steps we record, for every layer, the size of the gradient of its weight matrix. Backprop multiplies the gradient
by the activation's derivative at every layer; sigmoid's derivative is at most 0.25, so its gradient shrinks
geometrically from the output back to the input, and its first layers barely learn.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from demos.trainings.base import (
    Demo,
    DemoResult,
    Param,
    Prediction,
    cap_losses,
    downsample,
    panel,
    seed_param,
    significant,
    teacher_classification,
)

ACTIVATIONS = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
}
INIT_VARIANCE = {"he": 2.0, "xavier": 1.0}  # Var(w) = c / fan_in
INPUT_DIM, NUM_CLASSES, NUM_SAMPLES = 16, 4, 256
EARLY_STEPS = 10
LOSS_CAP = 1e3  # a diverged run (inf/nan loss) is plotted at this value


def make_mlp(activation: str, depth: int, width: int, init: str, generator: torch.Generator) -> nn.Sequential:
    """`depth` linear layers with Var(w) = c / fan_in and zero biases, whatever the activation."""
    sizes = [INPUT_DIM] + [width] * (depth - 1) + [NUM_CLASSES]
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            std = math.sqrt(INIT_VARIANCE[init] / fan_in)
            linear.weight.copy_(torch.randn(fan_out, fan_in, generator=generator) * std)
            linear.bias.zero_()
        layers.append(linear)
        if i < depth - 1:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def weight_grad_rms(model: nn.Sequential) -> torch.Tensor:
    """||dLoss/dW|| / sqrt(#weights) per linear layer, input layer first, so layers of different shapes compare."""
    return torch.stack([m.weight.grad.norm() / math.sqrt(m.weight.numel()) for m in model if isinstance(m, nn.Linear)])


def train_one(activation, x, y, params, device, report):
    generator = torch.Generator().manual_seed(params["seed"] + 1)  # the same initial draws for every activation
    model = make_mlp(activation, params["depth"], params["width"], params["init"], generator).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=params["lr"])
    steps, early = params["steps"], min(EARLY_STEPS, params["steps"])
    losses = torch.zeros(steps, device=device)
    early_grads = torch.zeros(early, params["depth"], device=device)
    report_every = max(1, steps // 10)
    for step in range(steps):
        if step % report_every == 0:
            report(step / steps, f"{activation}: step {step}/{steps}")
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if step < early:
            early_grads[step] = weight_grad_rms(model)
        optimizer.step()
        losses[step] = loss.detach()
    early_grads, losses = cap_losses(early_grads, LOSS_CAP), cap_losses(losses, LOSS_CAP)
    return early_grads[0], early_grads.mean(dim=0), losses


def _train(params, device, progress) -> DemoResult:
    generator = torch.Generator().manual_seed(params["seed"])
    x, y = teacher_classification(NUM_SAMPLES, INPUT_DIM, NUM_CLASSES, generator, device=device)
    metrics, first_lines, early_lines, loss_lines = {}, [], [], []
    layers = list(range(1, params["depth"] + 1))
    for i, activation in enumerate(ACTIVATIONS):

        def report(fraction, message, i=i):
            progress((i + fraction) / len(ACTIVATIONS), message)

        first_step, early_mean, losses = (significant(t) for t in train_one(activation, x, y, params, device, report))
        metrics[f"first_layer_grad_{activation}"] = first_step[0]
        metrics[f"last_layer_grad_{activation}"] = first_step[-1]
        ratio = first_step[0] / max(first_step[-1], 1e-30)
        metrics[f"first_to_last_grad_ratio_{activation}"] = significant([ratio])[0]
        # geometric mean factor by which the gradient shrinks per layer on its way back to the input
        metrics[f"grad_shrink_per_layer_{activation}"] = round(max(ratio, 1e-30) ** (1 / max(len(layers) - 1, 1)), 6)
        metrics[f"final_loss_{activation}"] = losses[-1]
        first_lines.append({"label": activation, "x": layers, "y": first_step})
        early_lines.append({"label": activation, "x": layers, "y": early_mean})
        steps_x, losses_y = downsample(losses)
        loss_lines.append({"label": activation, "x": steps_x, "y": losses_y})
        progress((i + 1) / len(ACTIVATIONS), f"trained {activation}")

    layer, grad = "layer (1 = next to the input)", "||dLoss/dW|| / sqrt(#weights)"
    early = min(EARLY_STEPS, params["steps"])
    series = {
        "grad_first_step": panel("Weight-gradient size per layer, first step", layer, grad, first_lines, log_y=True),
        "grad_early_mean": panel(
            f"Weight-gradient size per layer, mean of the first {early} steps", layer, grad, early_lines, log_y=True
        ),
        "loss": panel("Training loss", "step", "cross-entropy", loss_lines, log_y=True),
    }
    return DemoResult(metrics, series, _summary(metrics, params))


def _summary(m, params) -> str:
    ratio = {a: m[f"first_to_last_grad_ratio_{a}"] for a in ACTIVATIONS}
    shrink = {a: m[f"grad_shrink_per_layer_{a}"] for a in ACTIVATIONS}
    vs_relu = m["first_layer_grad_sigmoid"] / max(m["first_layer_grad_relu"], 1e-30)
    vanished = [a for a in ACTIVATIONS if ratio[a] < 0.01]
    verdict = (
        f"The gradient vanished toward the input (first layer over 100x smaller than the last) for: "
        f"{', '.join(vanished)}."
        if vanished
        else "No activation lost more than 100x between the last and the first layer in this run."
    )
    losses = {a: m[f"final_loss_{a}"] for a in ACTIVATIONS}
    diverged = [a for a in ACTIVATIONS if losses[a] >= LOSS_CAP]
    diverged_note = f" The run diverged for {', '.join(diverged)}: lower the learning rate." if diverged else ""
    best = min(ACTIVATIONS, key=losses.get)
    return (
        f"In a {params['depth']}-layer MLP with {params['init']} init for every activation, the first layer's "
        f"weight gradient was {ratio['sigmoid']:.2g} times the last layer's with sigmoid (x{shrink['sigmoid']:.2f} "
        f"per layer), {ratio['tanh']:.2g} with tanh (x{shrink['tanh']:.2f} per layer), {ratio['relu']:.2g} with ReLU "
        f"(x{shrink['relu']:.2f}) and {ratio['leaky_relu']:.2g} with Leaky ReLU (x{shrink['leaky_relu']:.2f}); "
        f"sigmoid's first layer got {vs_relu:.2g} times ReLU's gradient. {verdict} After {params['steps']} SGD steps "
        f"at lr {params['lr']:g} the training loss was {losses['sigmoid']:.3g} (sigmoid), {losses['tanh']:.3g} "
        f"(tanh), {losses['relu']:.3g} (ReLU) and {losses['leaky_relu']:.3g} (Leaky ReLU), starting near "
        f"ln(4) = 1.386: {best} trained best.{diverged_note}"
    )


def _smallest_first_layer(m) -> str:
    return min(ACTIVATIONS, key=lambda a: m[f"first_layer_grad_{a}"])


def _explain(m) -> str:
    grads = ", ".join(f"{a} {m[f'first_layer_grad_{a}']:.2g}" for a in ACTIVATIONS)
    return (
        f"First-layer weight-gradient sizes: {grads}. Backprop multiplies the gradient by the activation's "
        "derivative at every layer: sigmoid's derivative is at most 0.25, so over many layers the product shrinks "
        "geometrically, while ReLU's derivative is exactly 1 wherever a unit is active. Tanh's derivative is 1 at 0 "
        "and, with zero-mean activations and a sensible init, it keeps the gradient at roughly the same size."
    )


DEMO = Demo(
    name="activation-gradients",
    title="Vanishing gradients: sigmoid vs tanh vs ReLU vs Leaky ReLU",
    concepts=("sigmoid", "tanh", "relu", "leaky-relu", "vanishing-exploding-gradients"),
    shows="Per-layer gradient sizes in a deep MLP: sigmoid's vanish toward the input (its derivative is at most "
    "0.25 and its outputs are not zero-centred); tanh's shrink only mildly with a fan-in-scaled init; ReLU and "
    "Leaky ReLU keep them; and the training curves that follow.",
    params=(
        Param("depth", "int", 10, "Number of linear layers.", 2, 16),
        Param("width", "int", 64, "Hidden units per layer.", 4, 128),
        Param(
            "init",
            "choice",
            "he",
            "Weight init for every activation: he (Var = 2/n) or xavier (Var = 1/n).",
            choices=tuple(INIT_VARIANCE),
        ),
        Param("steps", "int", 200, "Full-batch SGD steps per activation.", 1, 500),
        Param("lr", "float", 0.1, "SGD learning rate (the same for every activation).", 1e-4, 5.0),
        seed_param(),
    ),
    prediction=Prediction(
        question="Which activation's first layer (next to the input) receives the smallest gradient?",
        choices={"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU"},
        answer=_smallest_first_layer,
        explain=_explain,
    ),
    train=_train,
)

if __name__ == "__main__":
    result = DEMO.run()
    print(result.metrics)
    print(result.summary)
