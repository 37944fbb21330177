"""Weight initialization: activation statistics per layer and training for x0.01, x1, LeCun, Xavier and He init.

The same deep MLP and the same data are used with five initializations of W (biases start at 0):
x0.01 randn (too small: activations shrink toward 0 layer by layer), x1 randn (too large: tanh saturates at
+-1, ReLU activations explode), LeCun randn * sqrt(1/n_in) (keeps tanh's activations in range; the notes call
Var(w) = 1/n "Xavier", but that is LeCun's rule), Xavier/Glorot randn * sqrt(2/(n_in + n_out)) (the average of
the forward and backward conditions; the same as LeCun for square layers) and He randn * sqrt(2/n_in) (keeps
ReLU's activations at the same scale).
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
    pm,
    seed_param,
    significant,
    teacher_classification,
)

INITS = {  # name: (label, std of w for a layer with fan_in inputs and fan_out outputs)
    "small": ("x0.01 randn", lambda fan_in, fan_out: 0.01),
    "standard": ("x1 randn", lambda fan_in, fan_out: 1.0),
    "lecun": ("LeCun: randn * sqrt(1/n_in)", lambda fan_in, fan_out: math.sqrt(1 / fan_in)),
    "xavier": (
        "Xavier/Glorot: randn * sqrt(2/(n_in + n_out))",
        lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out)),
    ),
    "he": ("He: randn * sqrt(2/n_in)", lambda fan_in, fan_out: math.sqrt(2 / fan_in)),
}
SCALED = ("lecun", "xavier", "he")
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}
INPUT_DIM, NUM_CLASSES, NUM_SAMPLES = 16, 4, 256
LOSS_CAP = 1e3  # a diverged run (inf/nan loss) is plotted at this value
SATURATED = 0.99  # |tanh| above this: the unit's derivative is below 0.02


def make_mlp(init: str, activation: str, depth: int, width: int, generator: torch.Generator) -> nn.Sequential:
    sizes = [INPUT_DIM] + [width] * (depth - 1) + [NUM_CLASSES]
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            linear.weight.copy_(torch.randn(fan_out, fan_in, generator=generator) * INITS[init][1](fan_in, fan_out))
            linear.bias.zero_()
        layers.append(linear)
        if i < depth - 1:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


@torch.no_grad()
def activation_stats(model: nn.Sequential, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Std and fraction of saturated units (|a| > 0.99) of each hidden layer's output, first hidden layer first."""
    stds, saturated = [], []
    for module in model[:-1]:
        x = module(x)
        if not isinstance(module, nn.Linear):
            stds.append(x.std())
            saturated.append((x.abs() > SATURATED).float().mean())
    return torch.stack(stds), torch.stack(saturated)


def train(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float) -> torch.Tensor:
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = torch.zeros(steps, device=x.device)
    for step in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
    return cap_losses(losses, LOSS_CAP)


def _train(params, device, progress) -> DemoResult:
    generator = torch.Generator().manual_seed(params["seed"])
    x, y = teacher_classification(NUM_SAMPLES, INPUT_DIM, NUM_CLASSES, generator, device=device)
    depth, activation = params["depth"], params["activation"]
    metrics: dict = {"activation": activation}
    std_lines, saturation_lines, loss_lines = [], [], []
    hidden_layers = list(range(1, depth))
    for i, init in enumerate(INITS):
        label = INITS[init][0]
        generator = torch.Generator().manual_seed(params["seed"] + 1)  # the same random draws, only the scale differs
        model = make_mlp(init, activation, depth, params["width"], generator).to(device)
        stds, saturated = (significant(t, digits=4) for t in activation_stats(model, x))
        losses = significant(train(model, x, y, params["steps"], params["lr"]))
        metrics[f"first_layer_activation_std_{init}"] = stds[0]
        metrics[f"last_layer_activation_std_{init}"] = stds[-1]
        if activation == "tanh":
            metrics[f"saturated_fraction_{init}"] = round(sum(saturated) / len(saturated), 6)
        metrics[f"final_loss_{init}"] = losses[-1]
        std_lines.append({"label": label, "x": hidden_layers, "y": stds})
        saturation_lines.append({"label": label, "x": hidden_layers, "y": saturated})
        steps_x, losses_y = downsample(losses)
        loss_lines.append({"label": label, "x": steps_x, "y": losses_y})
        series = _series(activation, std_lines, saturation_lines, loss_lines)
        progress((i + 1) / len(INITS), f"trained {init} init", series=series)
    return DemoResult(metrics, series)


def _series(activation, std_lines, saturation_lines, loss_lines) -> dict:
    """The charts of the initializations trained so far (all of them after the last); copies the lists of lines, so
    that a partial series passed to ``progress`` does not grow afterwards."""
    series = {
        "activation_std": panel(
            f"Std of each hidden layer's {activation} output at init",
            "hidden layer (index, 1 = next to the input)",
            "std of activations (activation units)",
            list(std_lines),
            log_y=True,
        ),
        "loss": panel(
            "Training loss", "step (full-batch SGD updates)", "cross-entropy (nats)", list(loss_lines), log_y=True
        ),
    }
    if activation == "tanh":
        series["saturated_fraction"] = panel(
            "Saturated tanh units (|a| > 0.99) at init",
            "hidden layer (index, 1 = next to the input)",
            "saturated units (fraction of the layer)",
            list(saturation_lines),
        )
    return series


def _summary(m, params) -> str:
    last = {init: m[f"last_layer_activation_std_{init}"] for init in INITS}
    losses = {init: m[f"final_loss_{init}"] for init in INITS}
    best = min(INITS, key=losses.get)
    if params["activation"] == "tanh":
        large = (
            f"x1 saturated the units ({m['saturated_fraction_standard']:.0%} of them at |a| > 0.99, "
            f"vs {m['saturated_fraction_lecun']:.0%} with LeCun)"
        )
    else:
        large = f"x1 blew them up to a std of {last['standard']:.3g}"
    diverged = [init for init in INITS if losses[init] >= LOSS_CAP]
    diverged_note = (
        f" The loss exploded past {LOSS_CAP:g} (plotted at the cap) for: {', '.join(diverged)}." if diverged else ""
    )
    return (
        f"In a {params['depth']}-layer {params['activation']} MLP, the last hidden layer's activation std at init was "
        f"{last['small']:.3g} with x0.01, {last['standard']:.3g} with x1, {last['lecun']:.3g} with LeCun, "
        f"{last['xavier']:.3g} with Xavier/Glorot and {last['he']:.3g} with He: x0.01 let the signal collapse toward 0 "
        f"and {large}. After {params['steps']} SGD steps at lr {params['lr']:g}, the training loss was "
        f"{losses['small']:.3g} (x0.01), {losses['standard']:.3g} (x1), {losses['lecun']:.3g} (LeCun), "
        f"{losses['xavier']:.3g} (Xavier/Glorot) and {losses['he']:.3g} (He); {INITS[best][0]} trained best. "
        "LeCun and Xavier/Glorot nearly coincide: for square hidden layers (n_in = n_out) they are the same rule."
        f"{diverged_note}"
    )


def _lowest_loss(m) -> str:
    return min(INITS, key=lambda init: m[f"final_loss_{init}"])


def _claim(m) -> tuple[bool, str]:
    """x0.01 collapses the signal and stays stuck, x1 trains worse than any scaled init, and He ends lowest."""
    collapsed = m["last_layer_activation_std_small"] < 1e-3 * m["first_layer_activation_std_small"]
    worst_scaled = max(m[f"final_loss_{init}"] for init in SCALED)
    holds = (
        collapsed
        and m["final_loss_small"] > 2 * worst_scaled
        and m["final_loss_standard"] > 2 * worst_scaled
        and _lowest_loss(m) == "he"
    )
    return holds, (
        f"x0.01 shrank the activations from std {pm(m, 'first_layer_activation_std_small', '.2g')} in the first "
        f"hidden layer to {pm(m, 'last_layer_activation_std_small', '.2g')} in the last, and both x0.01 (loss "
        f"{pm(m, 'final_loss_small')}) and x1 ({pm(m, 'final_loss_standard')}) ended over twice as high as every "
        f"fan-in-scaled init (LeCun {pm(m, 'final_loss_lecun')}, Xavier/Glorot {pm(m, 'final_loss_xavier')}, He "
        f"{pm(m, 'final_loss_he')}); He ended lowest."
    )


def _explain(m) -> str:
    parts = ", ".join(
        f"{INITS[i][0]}: last-layer std {m[f'last_layer_activation_std_{i}']:.2g}, loss {m[f'final_loss_{i}']:.3g}"
        for i in INITS
    )
    return (
        f"{parts}. Each layer multiplies the activations' scale by about std(w) * sqrt(n) (times a factor from the "
        "activation): far below 1 the signal and its gradients vanish (x0.01), far above 1 tanh saturates and ReLU "
        "explodes (x1). Var(w) = 1/n (LeCun) keeps tanh in its unsaturated range with a std that only slowly drifts "
        "down; Var(w) = 2/n (He) keeps ReLU's scale, since ReLU zeroes about half of its inputs, and with tanh it "
        "starts with larger, still mostly unsaturated activations, which train faster here."
    )


DEMO = Demo(
    name="weight-initialization",
    title="Weight initialization: x0.01, x1, LeCun, Xavier/Glorot and He",
    concepts=("weight-initialization",),
    shows="activation statistics per layer and training for x0.01, x1, LeCun (Var = 1/n), Xavier/Glorot and He init",
    params=(
        Param("activation", "choice", "tanh", "Hidden activation.", choices=tuple(ACTIVATIONS)),
        Param("depth", "int", 10, "Number of linear layers.", 2, 16),
        Param("width", "int", 64, "Hidden units per layer.", 4, 128),
        Param("steps", "int", 150, "Full-batch SGD steps per initialization.", 1, 500),
        Param("lr", "float", 0.1, "SGD learning rate (the same for every initialization).", 1e-4, 5.0),
        seed_param(),
    ),
    prediction=Prediction(
        question="Which initialization ends with the lowest training loss?",
        choices={init: label for init, (label, _) in INITS.items()},
        answer=_lowest_loss,
        explain=_explain,
    ),
    train=_train,
    claim=_claim,
    summarize=_summary,
)

if __name__ == "__main__":
    result = DEMO.run()
    print(result.metrics)
    print(result.summary)
