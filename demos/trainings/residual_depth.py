"""Residual connections: a deep plain MLP vs the same layers with skip connections.

Both networks have an input layer, `blocks` blocks of two Linear layers, and a linear classifier, with the same
width, the same initial weights (PyTorch's default init) and the same SGD with momentum. The only difference:
  plain:     h = relu(block(h))
  residual:  h = relu(h + block(h))     (the identity path lets signal and gradient skip the block)
A shallow network with a single block is the baseline for what the task needs.
"""

import torch
from torch import nn

from demos.trainings.base import (
    Demo,
    DemoResult,
    Param,
    Prediction,
    cap_losses,
    panel,
    pm,
    seed_param,
    significant,
    smooth,
    tail_mean,
    teacher_classification,
    to_list,
)

N_FEATURES, N_CLASSES = 20, 5
N_TRAIN, N_TEST = 2000, 1000
N_EVALS = 30
FINAL_EVALS = 3  # final loss and accuracy: the mean of the last 3 evaluations


class DeepMLP(nn.Module):
    def __init__(self, blocks, width, residual):
        super().__init__()
        self.residual = residual
        self.input = nn.Linear(N_FEATURES, width)
        self.blocks = nn.ModuleList(
            nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width)) for _ in range(blocks)
        )
        self.output = nn.Linear(width, N_CLASSES)

    def forward(self, x):
        h = torch.relu(self.input(x))
        for block in self.blocks:
            h = torch.relu(h + block(h)) if self.residual else torch.relu(block(h))
        return self.output(h)

    def linear_layers(self):
        return [
            self.input,
            *(layer for block in self.blocks for layer in block if isinstance(layer, nn.Linear)),
            self.output,
        ]


def layer_grad_norms(model, x, y):
    """Gradient norm of every Linear layer's weight for one batch, input layer first."""
    model.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(model(x), y).backward()
    norms = torch.stack([layer.weight.grad.norm() for layer in model.linear_layers()])
    model.zero_grad(set_to_none=True)
    return norms


def evaluate(model, x, y):
    with torch.no_grad():
        logits = model(x)
        return torch.stack([nn.functional.cross_entropy(logits, y), (logits.argmax(dim=1) == y).float().mean()])


def train(model, data, params, batch_order, progress, label, start, span):
    """SGD with momentum; per-step first-layer gradient norms and periodic (train loss, test accuracy).

    ``progress(fraction, message, grad_norms, evals, eval_steps)`` gets the curves so far, a few times."""
    x, y, x_test, y_test = data
    steps = params["steps"]
    optimizer = torch.optim.SGD(model.parameters(), lr=params["lr"], momentum=params["momentum"])
    eval_every = max(1, steps // N_EVALS)
    grad_norms = torch.zeros(steps, device=x.device)
    evals = torch.zeros(steps // eval_every + 1, 2, device=x.device)
    for step in range(steps + 1):
        if step % eval_every == 0:
            evals[step // eval_every] = torch.stack([evaluate(model, x, y)[0], evaluate(model, x_test, y_test)[1]])
        if step == steps:
            break
        idx = batch_order[step]
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norms[step] = model.input.weight.grad.norm()
        optimizer.step()
        if step % max(1, steps // 4) == 0:
            done = step // eval_every + 1  # evaluations so far
            so_far = grad_norms[: step + 1], evals[:done], [float(s) for s in range(0, step + 1, eval_every)]
            progress(start + span * step / steps, f"{label}: step {step}/{steps}", *so_far)
    return grad_norms, evals, [float(s) for s in range(0, steps + 1, eval_every)]


def _train(params, device, progress):
    generator = torch.Generator().manual_seed(params["seed"])
    x, y = teacher_classification(N_TRAIN + N_TEST, N_FEATURES, N_CLASSES, generator, scale=2.0, device=device)
    data = x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]
    blocks, width = params["blocks"], params["width"]
    batch_order = torch.randint(0, N_TRAIN, (params["steps"], params["batch_size"]), generator=generator).to(device)
    plain = DeepMLP(blocks, width, residual=False)
    residual = DeepMLP(blocks, width, residual=True)
    residual.load_state_dict(plain.state_dict())  # identical weights: only the skip connections differ
    models = {"plain": plain, "residual": residual}
    if params["shallow_baseline"]:
        models["shallow"] = DeepMLP(1, width, residual=False)

    metrics, series_lines, init_norms = {}, {"loss": [], "acc": [], "grad": []}, {}
    for i, (name, model) in enumerate(models.items()):
        model.to(device)
        init_norms[name] = layer_grad_norms(model, x[:256], y[:256])  # the first 256 training examples
        span = 0.95 / len(models)

        def report(fraction, message, *so_far, lines=series_lines, name=name):  # the curves so far, this one included
            progress(fraction, message, series=_series(_with_model(lines, name, *so_far), init_norms, blocks))

        grad_norms, evals, eval_steps = train(model, data, params, batch_order, report, name, i * span, span)
        evals = cap_losses(evals, 99.0)
        grad_norms = cap_losses(grad_norms, 1e9).clamp(min=1e-30)
        series_lines = _with_model(series_lines, name, grad_norms, evals, eval_steps)
        metrics[f"initial_train_loss_{name}"] = series_lines["loss"][-1]["y"][0]
        metrics[f"final_train_loss_{name}"], metrics[f"final_test_acc_{name}"] = to_list(tail_mean(evals, FINAL_EVALS))
        metrics[f"first_layer_grad_norm_init_{name}"] = significant(init_norms[name][:1])[0]
        metrics[f"first_layer_grad_norm_mean_{name}"] = significant(grad_norms.mean().reshape(1))[0]
        progress(0.95 * (i + 1) / len(models), f"trained {name}", series=_series(series_lines, init_norms, blocks))

    metrics["linear_layers_deep"] = 2 * blocks + 2
    metrics["chance_accuracy"] = round(1 / N_CLASSES, 6)
    return DemoResult(metrics, _series(series_lines, init_norms, blocks))


def _with_model(lines, name, grad_norms, evals, eval_steps):
    """``lines`` (panel id -> lines of the models trained before) plus one model's curves, as new lists."""
    evals = cap_losses(evals, 99.0)
    smooth_steps, smooth_norms = smooth(cap_losses(grad_norms, 1e9).clamp(min=1e-30))
    return {
        "loss": [*lines["loss"], {"label": name, "x": eval_steps, "y": to_list(evals[:, 0])}],
        "acc": [*lines["acc"], {"label": name, "x": eval_steps, "y": to_list(evals[:, 1])}],
        "grad": [*lines["grad"], {"label": name, "x": smooth_steps, "y": significant(smooth_norms)}],
    }


def _series(series_lines, init_norms, blocks):
    """The charts of the models trained so far (all of them at the end); ``init_norms``: name -> gradient norm per
    layer at initialization, of the models measured so far."""
    layer_index = [float(i) for i in range(2 * blocks + 2)]
    step = "step (SGD updates)"
    return {
        "train_loss": panel("Training loss (full training set)", step, "cross-entropy (nats)", series_lines["loss"]),
        "test_accuracy": panel(
            f"Test accuracy ({N_TEST} examples)", step, "test accuracy (fraction correct)", series_lines["acc"]
        ),
        "first_layer_grad_norm": panel(
            "Gradient norm of the first layer's weights during training",
            step,
            "||dL/dW1|| (nats per unit weight)",
            series_lines["grad"],
            log_y=True,
        ),
        "grad_norm_per_layer": panel(
            "Gradient norm per layer at initialization",
            "linear layer (index, 0 = the input layer)",
            "||dL/dW|| (nats per unit weight)",
            [
                {"label": name, "x": layer_index, "y": significant(init_norms[name].clamp(min=1e-30))}
                for name in ("plain", "residual")
                if name in init_norms
            ],
            log_y=True,
        ),
    }


def _best(m):
    return min(("plain", "residual"), key=lambda name: m[f"final_train_loss_{name}"])


def _claim(m):
    """The plain stack barely trains (its first layer gets almost no gradient) while the residual one does."""
    holds = (
        _best(m) == "residual"
        and m["final_train_loss_residual"] < 0.8 * m["final_train_loss_plain"]
        and m["final_train_loss_plain"] > 0.9 * m["initial_train_loss_plain"]
    )
    return holds, (
        f"the plain network's training loss barely moved ({m['initial_train_loss_plain']:.3f} to "
        f"{pm(m, 'final_train_loss_plain', '.3f')}) while the residual network's fell to "
        f"{pm(m, 'final_train_loss_residual', '.3f')}; at initialization the plain network's first layer got a "
        f"gradient of {pm(m, 'first_layer_grad_norm_init_plain', '.2g')} against "
        f"{pm(m, 'first_layer_grad_norm_init_residual', '.2g')} with skip connections."
    )


def _summary(m, params):
    text = (
        f"With {m['linear_layers_deep']} linear layers (width {params['width']}) and the same initial weights, the "
        f"plain network went from training loss {m['initial_train_loss_plain']:.3f} to "
        f"{m['final_train_loss_plain']:.3f} (test accuracy {m['final_test_acc_plain']:.1%}, chance "
        f"{m['chance_accuracy']:.0%}) while the residual one reached {m['final_train_loss_residual']:.3f} "
        f"({m['final_test_acc_residual']:.1%}). At initialization the first layer's gradient norm was "
        f"{m['first_layer_grad_norm_init_plain']:.2g} in the plain network and "
        f"{m['first_layer_grad_norm_init_residual']:.2g} in the residual one. "
    )
    if "final_train_loss_shallow" in m:
        text += (
            f"The shallow baseline (4 linear layers) reached {m['final_train_loss_shallow']:.3f} "
            f"({m['final_test_acc_shallow']:.1%}). "
        )
    if m["final_train_loss_residual"] > m["initial_train_loss_residual"]:
        return text + "The residual network ended above its starting loss: lower the learning rate."
    if m["final_train_loss_residual"] < 0.8 * m["final_train_loss_plain"]:
        return text + (
            "Through the plain stack the gradient is multiplied by every layer's Jacobian on its way down and "
            "shrinks to almost nothing, so the early layers hardly learn; the skip connections give it a path "
            "around each block, and the deep residual network trains like a shallow one."
        )
    return text + "Here the plain network kept up with the residual one; try more blocks to see it fall behind."


DEMO = Demo(
    name="residual-depth",
    title="Deep plain network vs residual network",
    concepts=("resnet",),
    shows="a deep plain network vs the same depth with residual connections",
    params=(
        Param("blocks", "int", 15, "Blocks of two Linear layers (the deep networks have 2*blocks+2 layers).", 1, 20),
        Param("width", "int", 64, "Units per hidden layer.", 8, 128),
        Param("steps", "int", 200, "SGD steps.", 20, 1000),
        Param("batch_size", "int", 64, "Examples per step.", 8, 128),
        Param("lr", "float", 0.05, "SGD learning rate.", 1e-4, 1.0),
        Param("momentum", "float", 0.9, "SGD momentum.", 0.0, 0.99),
        Param("shallow_baseline", "bool", True, "Also train a network with a single block."),
        seed_param(),
    ),
    prediction=Prediction(
        question="A deep plain MLP (32 layers at the defaults) and the same network with residual connections "
        "are trained identically. Which ends with the lower training loss?",
        choices={"plain": "The plain network", "residual": "The residual network"},
        answer=_best,
        explain=lambda m: (
            f"Final training loss: plain {m['final_train_loss_plain']:.3f}, residual "
            f"{m['final_train_loss_residual']:.3f}. The plain network's first-layer gradient at initialization was "
            f"{m['first_layer_grad_norm_init_plain']:.2g} against {m['first_layer_grad_norm_init_residual']:.2g}: "
            f"without a skip path the gradient vanishes on its way through the layers."
        ),
    ),
    train=_train,
    claim=_claim,
    summarize=_summary,
)

if __name__ == "__main__":
    result = DEMO.run()
    print(result.metrics)
    print(result.summary)
