"""Normalization: the same deep MLP with no normalization, BatchNorm, or LayerNorm after every hidden layer.

Same data, same initial weights for the shared layers (PyTorch's default init), same SGD with momentum. Without
normalization the signal shrinks layer after layer and the deep network barely moves; normalizing each layer's
pre-activations keeps them at unit scale, so the same learning rate trains it.
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
    smooth,
    tail_mean,
    teacher_classification,
    to_list,
)

VARIANTS = ("none", "batchnorm", "layernorm")
N_FEATURES, N_CLASSES = 20, 5
N_TRAIN, N_TEST = 2000, 1000
N_EVALS = 30
FINAL_EVALS = 3  # final accuracies and losses: the mean of the last 3 evaluations, so one noisy point does not decide
CLEARLY = 0.15  # "clearly better": at least 15 points more test accuracy than no normalization


def make_mlp(variant, depth, width):
    """depth hidden layers of Linear -> [norm] -> ReLU, then a linear classifier."""
    layers, fan_in = [], N_FEATURES
    for _ in range(depth):
        layers.append(nn.Linear(fan_in, width))
        if variant == "batchnorm":
            layers.append(nn.BatchNorm1d(width))
        elif variant == "layernorm":
            layers.append(nn.LayerNorm(width))
        layers.append(nn.ReLU())
        fan_in = width
    layers.append(nn.Linear(fan_in, N_CLASSES))
    return nn.Sequential(*layers)


def copy_linear_weights(source, target):
    """Give target the same Linear weights as source, so the variants start from identical initial weights."""
    linears = [m for m in target if isinstance(m, nn.Linear)]
    for src, dst in zip([m for m in source if isinstance(m, nn.Linear)], linears, strict=True):
        dst.load_state_dict(src.state_dict())


def accuracy(logits, y):
    return (logits.argmax(dim=1) == y).float().mean()


def evaluate(model, x, y):
    """(loss, accuracy) in eval mode, i.e. BatchNorm uses its running statistics."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
        result = nn.functional.cross_entropy(logits, y), accuracy(logits, y)
    model.train()
    return result


def train(model, data, params, batch_order, progress, label, start, span):
    """SGD with momentum; per-step mini-batch losses and periodic (train loss, train acc, test acc).

    ``progress(fraction, message, step_losses, evals, eval_steps)`` gets the curves so far, a few times."""
    x, y, x_test, y_test = data
    steps = params["steps"]
    optimizer = torch.optim.SGD(model.parameters(), lr=params["lr"], momentum=params["momentum"])
    eval_every = max(1, steps // N_EVALS)
    step_losses = torch.zeros(steps, device=x.device)
    evals = torch.zeros(steps // eval_every + 1, 3, device=x.device)  # train loss, train acc, test acc
    for step in range(steps + 1):
        if step % eval_every == 0:
            train_loss, train_acc = evaluate(model, x, y)
            evals[step // eval_every] = torch.stack([train_loss, train_acc, evaluate(model, x_test, y_test)[1]])
        if step == steps:
            break
        idx = batch_order[step]
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step_losses[step] = loss.detach()
        if step % max(1, steps // 4) == 0:
            done = step // eval_every + 1  # evaluations so far
            so_far = step_losses[: step + 1], evals[:done], [float(s) for s in range(0, step + 1, eval_every)]
            progress(start + span * step / steps, f"{label}: step {step}/{steps}", *so_far)
    eval_steps = [float(s) for s in range(0, steps + 1, eval_every)]
    return step_losses, evals, eval_steps


def _train(params, device, progress):
    generator = torch.Generator().manual_seed(params["seed"])
    x, y = teacher_classification(N_TRAIN + N_TEST, N_FEATURES, N_CLASSES, generator, scale=2.0, device=device)
    data = x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]
    steps, batch = params["steps"], params["batch_size"]
    batch_order = torch.randint(0, N_TRAIN, (steps, batch), generator=generator).to(device)
    reference = make_mlp("none", params["depth"], params["width"])

    metrics, lines = {}, {"loss": [], "train_loss": [], "test_acc": []}
    for i, variant in enumerate(VARIANTS):
        model = make_mlp(variant, params["depth"], params["width"])
        copy_linear_weights(reference, model)
        model.to(device)
        span = 0.95 / len(VARIANTS)

        def report(fraction, message, *so_far, lines=lines, variant=variant):  # the curves so far, this one included
            progress(fraction, message, series=_series(_with_variant(lines, variant, *so_far)))

        step_losses, evals, eval_steps = train(model, data, params, batch_order, report, variant, i * span, span)
        evals = cap_losses(evals, 99.0)
        final_loss, final_train_acc, final_test_acc = to_list(tail_mean(evals, FINAL_EVALS))
        lines = _with_variant(lines, variant, step_losses, evals, eval_steps)
        metrics[f"initial_train_loss_{variant}"] = lines["train_loss"][-1]["y"][0]
        metrics[f"final_train_loss_{variant}"] = final_loss
        metrics[f"final_train_acc_{variant}"] = final_train_acc
        metrics[f"final_test_acc_{variant}"] = final_test_acc
        if variant == "batchnorm":
            metrics.update(batchnorm_modes(model, data))
        progress(0.95 * (i + 1) / len(VARIANTS), f"trained {variant}", series=_series(lines))

    metrics["chance_accuracy"] = round(1 / N_CLASSES, 6)
    return DemoResult(metrics, _series(lines))


def _with_variant(lines, variant, step_losses, evals, eval_steps):
    """``lines`` (panel id -> lines of the variants trained before) plus one variant's curves, as new lists."""
    evals = cap_losses(evals, 99.0)
    train_loss, _, test_acc = (to_list(evals[:, k]) for k in range(3))
    smooth_steps, smooth_losses = smooth(step_losses)
    return {
        "loss": [*lines["loss"], {"label": variant, "x": smooth_steps, "y": to_list(cap_losses(smooth_losses, 99.0))}],
        "train_loss": [*lines["train_loss"], {"label": variant, "x": eval_steps, "y": train_loss}],
        "test_acc": [*lines["test_acc"], {"label": variant, "x": eval_steps, "y": test_acc}],
    }


def _series(lines):
    """The charts of ``lines`` (panel id -> lines): the variants trained so far, all of them at the end."""
    step = "step (SGD updates)"
    return {
        "minibatch_loss": panel("Mini-batch training loss (smoothed)", step, "cross-entropy (nats)", lines["loss"]),
        "train_loss": panel("Full training loss", step, "cross-entropy (nats)", lines["train_loss"]),
        "test_accuracy": panel(
            f"Test accuracy ({N_TEST} test examples)", step, "test accuracy (fraction correct)", lines["test_acc"]
        ),
    }


def batchnorm_modes(model, data):
    """Test accuracy of the trained BatchNorm net with running statistics (eval) vs the test batch's own (train)."""
    _, _, x_test, y_test = data
    eval_acc = evaluate(model, x_test, y_test)[1]
    with torch.no_grad():  # train mode normalizes with this batch's mean/variance (and updates running stats)
        train_mode_acc = accuracy(model(x_test), y_test)
    eval_acc, train_mode_acc = to_list(torch.stack([eval_acc, train_mode_acc]))
    return {
        "bn_test_acc_eval_mode": eval_acc,
        "bn_test_acc_train_mode": train_mode_acc,
        "bn_mode_acc_difference": round(train_mode_acc - eval_acc, 6),
    }


def _clearly_better(m):
    """Which normalized networks end at least CLEARLY above the unnormalized one in test accuracy."""
    better = [v for v in VARIANTS[1:] if m[f"final_test_acc_{v}"] >= m["final_test_acc_none"] + CLEARLY]
    return {2: "both", 0: "neither"}.get(len(better)) or better[0]


def _claim(m):
    """Both normalizations end clearly above no normalization, which barely moves from its starting loss."""
    stuck = m["final_train_loss_none"] > 0.9 * m["initial_train_loss_none"]
    gap = abs(m["final_test_acc_batchnorm"] - m["final_test_acc_layernorm"])
    close = "within a few points of each other, so which of the two wins depends on the seed" if gap < 0.05 else ""
    return _clearly_better(m) == "both" and stuck, (
        f"BatchNorm ({pm(m, 'final_test_acc_batchnorm', '.1%')}) and LayerNorm "
        f"({pm(m, 'final_test_acc_layernorm', '.1%')}) both ended at least {CLEARLY:.0%} points of test accuracy above "
        f"no normalization ({pm(m, 'final_test_acc_none', '.1%')}, chance {m['chance_accuracy']:.0%}), whose training "
        f"loss barely moved ({m['initial_train_loss_none']:.3f} to {pm(m, 'final_train_loss_none', '.3f')})"
        + (f"; the two normalizations ended {close}." if close else ".")
    )


def _summary(m, params):
    losses = ", ".join(f"{v} {m[f'final_train_loss_{v}']:.3f}" for v in VARIANTS)
    accs = ", ".join(f"{v} {m[f'final_test_acc_{v}']:.1%}" for v in VARIANTS)
    setup = (
        f"An MLP with {params['depth']} hidden layers of width {params['width']} trained {params['steps']} steps "
        f"with SGD (lr {params['lr']:g}, momentum {params['momentum']:g}) ended with training losses {losses} "
        f"(starting from {m['initial_train_loss_none']:.3f} without normalization) and test accuracies {accs} "
        f"(chance {m['chance_accuracy']:.0%}; final figures are means of the last {FINAL_EVALS} evaluations). "
    )
    none_loss, none_start = m["final_train_loss_none"], m["initial_train_loss_none"]
    diverged = [v for v in VARIANTS if m[f"final_train_loss_{v}"] > m[f"initial_train_loss_{v}"]]
    normalized_better = [v for v in VARIANTS[1:] if m[f"final_train_loss_{v}"] < 0.8 * none_loss]
    if diverged:
        verdict = (
            f"At this learning rate {', '.join(diverged)} ended above its starting loss: lower the learning rate. "
        )
    elif len(normalized_better) == 2:
        verdict = "Both BatchNorm and LayerNorm trained clearly better than the unnormalized network"
        if none_loss > 0.9 * none_start:
            verdict += ", which hardly moved from its starting loss: its signal shrinks through the deep stack"
        verdict += ". "
    elif normalized_better:
        verdict = f"Only {normalized_better[0]} trained clearly better than no normalization. "
    else:
        verdict = "This time normalization did not help clearly (try a deeper network or another learning rate). "
    bn = (
        f"BatchNorm at test time uses running averages of the training statistics: its test accuracy was "
        f"{m['bn_test_acc_eval_mode']:.1%} in eval mode and {m['bn_test_acc_train_mode']:.1%} when normalizing with "
        f"the test batch's own statistics (train mode)."
    )
    return setup + verdict + bn


DEMO = Demo(
    name="normalization",
    title="No normalization vs BatchNorm vs LayerNorm",
    concepts=("batch-normalization", "layer-normalization"),
    shows="no normalization vs batch norm vs layer norm, same network",
    params=(
        Param("depth", "int", 8, "Hidden layers.", 1, 16),
        Param("width", "int", 64, "Units per hidden layer.", 8, 128),
        Param("steps", "int", 300, "SGD steps.", 20, 1000),
        Param("batch_size", "int", 64, "Examples per step (BatchNorm's statistics come from these).", 2, 256),
        Param("lr", "float", 0.05, "SGD learning rate.", 1e-4, 2.0),
        Param("momentum", "float", 0.9, "SGD momentum.", 0.0, 0.99),
        seed_param(),
    ),
    prediction=Prediction(
        question="The same deep MLP is trained with the same SGD settings without normalization, with BatchNorm and "
        "with LayerNorm. Which normalized networks end clearly (at least 15 points of test accuracy) above the "
        "unnormalized one?",
        choices={
            "both": "Both BatchNorm and LayerNorm",
            "batchnorm": "Only BatchNorm",
            "layernorm": "Only LayerNorm",
            "neither": "Neither",
        },
        answer=_clearly_better,
        explain=lambda m: (
            f"Test accuracy: none {m['final_test_acc_none']:.1%}, BatchNorm {m['final_test_acc_batchnorm']:.1%}, "
            f"LayerNorm {m['final_test_acc_layernorm']:.1%}. Normalizing every layer keeps activations and gradients "
            f"at a healthy scale however deep the network is, so the same learning rate makes progress; without it "
            f"the default initialization shrinks the signal at every layer (final training loss "
            f"{m['final_train_loss_none']:.3f} vs {m['initial_train_loss_none']:.3f} at the start)."
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
