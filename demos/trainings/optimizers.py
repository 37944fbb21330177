"""SGD, momentum, AdaGrad, RMSprop and Adam on a 2D banana-shaped valley (paths) and on a small network (losses).

The valley f(x, y) = (y - x^2)^2 + 0.1 (1 - x)^2 is steep across and nearly flat along its curved floor, with the
minimum f = 0 at (1, 1). Plain SGD's learning rate is capped by the steep direction (a larger one diverges), so
it crawls along the floor; momentum accumulates speed along the floor, and the adaptive methods rescale each
coordinate by its gradient history. Each optimizer has its own learning rate, used on both problems.
"""

from __future__ import annotations

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

OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
LABELS = {"sgd": "SGD", "momentum": "momentum", "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam"}
START = (-1.5, 2.0)
MINIMUM = (1.0, 1.0)
CAP = 1e6  # diverged losses are plotted at this value, diverged paths are clipped to +-PATH_BOX
PATH_BOX = 5.0
INPUT_DIM, HIDDEN, NUM_CLASSES, NUM_SAMPLES = 16, 64, 4, 256
GRID_X, GRID_Y = (-2.0, 1.75), (-0.5, 3.5)  # the contour grid: covers the start, the floor and the minimum
CONTOUR_LEVELS = [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]


def valley(p: torch.Tensor) -> torch.Tensor:
    x, y = p[0], p[1]
    return (y - x**2) ** 2 + 0.1 * (1 - x) ** 2


def valley_grid(points: int = 61) -> dict:
    """f on a points x points grid (z[i][j] at x[j], y[i]), for the contour lines under the paths."""
    xs = torch.linspace(*GRID_X, points, dtype=torch.float64)
    ys = torch.linspace(*GRID_Y, points, dtype=torch.float64)
    z = valley(torch.stack(torch.meshgrid(xs, ys, indexing="xy")))
    return {
        "x": significant(xs, 4),
        "y": significant(ys, 4),
        "z": [significant(row, 4) for row in z],
        "levels": CONTOUR_LEVELS,
        "label": "contours of f",
    }


def make_optimizer(name: str, parameters, params) -> torch.optim.Optimizer:
    lr = params[f"lr_{name}"]
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(parameters, lr=lr, momentum=params["momentum"])
    if name == "adagrad":
        return torch.optim.Adagrad(parameters, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr)
    return torch.optim.Adam(parameters, lr=lr)


def run_valley(name: str, params, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Path (steps + 1, 2) and loss (steps + 1,) of one optimizer on the valley, in float64."""
    steps = params["steps_2d"]
    point = torch.tensor(START, dtype=torch.float64, device=device, requires_grad=True)
    optimizer = make_optimizer(name, [point], params)
    path = torch.zeros(steps + 1, 2, dtype=torch.float64, device=device)
    losses = torch.zeros(steps + 1, dtype=torch.float64, device=device)
    for step in range(steps):
        loss = valley(point)
        path[step], losses[step] = point.detach(), loss.detach()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    path[steps], losses[steps] = point.detach(), valley(point.detach())
    return path, losses


def run_network(name: str, x, y, params, device) -> torch.Tensor:
    """Full-batch training loss per step of a small tanh MLP; every optimizer starts from the same weights."""
    torch.manual_seed(params["seed"] + 1)
    model = nn.Sequential(
        nn.Linear(INPUT_DIM, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, NUM_CLASSES)
    ).to(device)
    optimizer = make_optimizer(name, model.parameters(), params)
    losses = torch.zeros(params["steps_net"], device=device)
    for step in range(params["steps_net"]):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
    return losses


def _train(params, device, progress) -> DemoResult:
    generator = torch.Generator().manual_seed(params["seed"])
    x, y = teacher_classification(NUM_SAMPLES, INPUT_DIM, NUM_CLASSES, generator, device=device)
    metrics, path_lines, valley_lines, net_lines = {}, [], [], []
    for i, name in enumerate(OPTIMIZERS):
        path, valley_losses = run_valley(name, params, device)
        diverged = not bool(valley_losses[-1].abs() < CAP)  # also true for inf and nan
        path = torch.nan_to_num(path, nan=PATH_BOX, posinf=PATH_BOX, neginf=-PATH_BOX).clamp(-PATH_BOX, PATH_BOX)
        path, valley_losses = path.cpu().tolist(), significant(cap_losses(valley_losses, CAP))
        net_losses = significant(cap_losses(run_network(name, x, y, params, device), CAP))
        final_x, final_y = path[-1]
        metrics[f"final_loss_2d_{name}"] = valley_losses[-1]
        metrics[f"distance_to_minimum_{name}"] = round(math.dist((final_x, final_y), MINIMUM), 6)
        metrics[f"diverged_2d_{name}"] = diverged
        metrics[f"final_loss_net_{name}"] = net_losses[-1]

        idx, points = downsample(path)
        label = f"{LABELS[name]} (lr {params[f'lr_{name}']:g})"
        path_lines.append(
            {"label": label, "x": [round(p[0], 6) for p in points], "y": [round(p[1], 6) for p in points]}
        )
        # f can reach exactly 0, which a log axis cannot show
        valley_lines.append({"label": label, "x": idx, "y": [max(valley_losses[j], 1e-30) for j in idx]})
        net_idx, net_y = downsample(net_losses)
        net_lines.append({"label": label, "x": [j + 1 for j in net_idx], "y": net_y})
        series = _series(path_lines, valley_lines, net_lines)
        progress((i + 1) / len(OPTIMIZERS), f"ran {LABELS[name]}", series=series)
    return DemoResult(metrics, series)


def _series(path_lines, valley_lines, net_lines) -> dict:
    """The charts of the optimizers run so far (all of them after the last); copies the lists of lines, so that a
    partial series passed to ``progress`` does not grow afterwards."""
    markers = [
        {"label": "start (-1.5, 2)", "x": [START[0]], "y": [START[1]]},
        {"label": "minimum (1, 1)", "x": [MINIMUM[0]], "y": [MINIMUM[1]]},
    ]
    return {
        "paths_2d": panel(
            "Paths on f(x, y) = (y - x^2)^2 + 0.1 (1 - x)^2: a curved valley with its floor along y = x^2",
            "x (first parameter)",
            "y (second parameter)",
            [*path_lines, *markers],
            contour=valley_grid(),
        ),
        "loss_2d": panel(
            "f(x, y) along each path",
            "step (optimizer updates)",
            "f(x, y) (dimensionless)",
            list(valley_lines),
            log_y=True,
        ),
        "loss_net": panel(
            "Training loss of a small tanh MLP (full batch)",
            "step (full-batch updates)",
            "cross-entropy (nats)",
            list(net_lines),
            log_y=True,
        ),
    }


def _ranking(m, prefix: str) -> list[str]:
    return sorted(OPTIMIZERS, key=lambda name: m[f"{prefix}{name}"])


def _summary(m, params) -> str:
    on_2d = ", ".join(f"{LABELS[n]} {m[f'final_loss_2d_{n}']:.2g}" for n in _ranking(m, "final_loss_2d_"))
    on_net = ", ".join(f"{LABELS[n]} {pm(m, f'final_loss_net_{n}')}" for n in _ranking(m, "final_loss_net_"))
    diverged = [LABELS[n] for n in OPTIMIZERS if m[f"diverged_2d_{n}"]]
    if m["diverged_2d_sgd"]:
        verdict = "plain SGD diverged: with steep walls a step size only a little too large overshoots and blows up"
    else:
        ahead = [LABELS[n] for n in ("momentum", "adam") if m[f"final_loss_2d_{n}"] < 0.01 * m["final_loss_2d_sgd"]]
        verdict = (
            f"{' and '.join(ahead) if ahead else 'neither momentum nor Adam'} ended over 100x below plain SGD, which "
            f"stopped {m['distance_to_minimum_sgd']:.2g} away from the minimum: its step size is capped by the steep "
            "walls, so it crawls along the flat floor"
        )
    diverged_note = f" Diverged on the valley (learning rate too large): {', '.join(diverged)}." if diverged else ""
    return (
        f"After {params['steps_2d']} steps on the valley, the final f(x, y) was (best first): {on_2d}; {verdict}."
        f"{diverged_note} The valley has no randomness, so its paths are the same for every seed. On the network "
        f"after {params['steps_net']} full-batch steps with the same learning rates, the training loss was (best "
        f"first): {on_net}."
    )


def _lowest_2d(m) -> str:
    return _ranking(m, "final_loss_2d_")[0]


def _claim(m) -> tuple[bool, str]:
    """On the valley, momentum ends lowest, and momentum and Adam both end over 100x below plain SGD."""
    ahead = all(m[f"final_loss_2d_{n}"] < 0.01 * m["final_loss_2d_sgd"] for n in ("momentum", "adam"))
    holds = ahead and not m["diverged_2d_sgd"] and _lowest_2d(m) == "momentum"
    return holds, (
        f"on the valley momentum ended lowest (f = {m['final_loss_2d_momentum']:.2g}) and Adam reached "
        f"{m['final_loss_2d_adam']:.2g}, both over 100x below plain SGD ({m['final_loss_2d_sgd']:.2g}, still "
        f"{m['distance_to_minimum_sgd']:.2g} from the minimum)."
    )


def _explain(m) -> str:
    losses = ", ".join(f"{LABELS[n]} {m[f'final_loss_2d_{n}']:.2g}" for n in OPTIMIZERS)
    return (
        f"Final f(x, y): {losses}. The valley floor is almost flat while the walls are steep: SGD's learning rate "
        "must be small enough for the walls, so it crawls along the floor; momentum averages away the zig-zag across "
        "the walls and builds up speed along the floor; Adam combines momentum with per-coordinate step sizes."
    )


def _lr(name: str, default: float, maximum: float) -> Param:
    return Param(f"lr_{name}", "float", default, f"Learning rate of {LABELS[name]}.", 1e-5, maximum)


DEMO = Demo(
    name="optimizers",
    title="Optimizers: SGD, momentum, AdaGrad, RMSprop and Adam",
    concepts=("momentum", "adagrad", "rmsprop", "adam"),
    shows="SGD, momentum, AdaGrad, RMSprop and Adam on a 2D function (paths) and on a small network (loss curves)",
    params=(
        _lr("sgd", 0.1, 2.0),
        _lr("momentum", 0.1, 2.0),
        Param("momentum", "float", 0.9, "Momentum coefficient beta of SGD with momentum.", 0.0, 0.999),
        _lr("adagrad", 1.0, 5.0),
        _lr("rmsprop", 0.03, 1.0),
        _lr("adam", 0.1, 1.0),
        Param("steps_2d", "int", 200, "Steps on the 2D valley.", 1, 2000),
        Param("steps_net", "int", 200, "Full-batch training steps on the network.", 1, 1000),
        seed_param(),
    ),
    prediction=Prediction(
        question="Which optimizer ends lowest on the 2D valley?",
        choices=dict(LABELS),
        answer=_lowest_2d,
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
