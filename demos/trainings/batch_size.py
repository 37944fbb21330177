"""Batch size: the mini-batch gradient is a noisy estimate of the full-batch gradient.

Its variance around the full-batch gradient falls like 1/B, so small batches take many cheap, noisy steps and
large batches take few, accurate, expensive ones. We measure that variance at the initial weights (from the
per-example gradients) and then train the same network with several batch sizes for the same number of steps.
"""

import math

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
    teacher_classification,
    to_list,
)

TRAIN_BATCHES = (1, 8, 64)  # plus the full batch
VARIANCE_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
N_FEATURES, N_CLASSES, HIDDEN = 16, 4, 64
N_EVALS = 100  # points per training curve


def make_model():
    return nn.Sequential(
        nn.Linear(N_FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, N_CLASSES)
    )


def per_example_gradients(model, x, y):
    """One flattened gradient per example, shape (N, n_params), from a single backward pass.

    For a linear layer out = a @ W.T + b, example i's weight gradient is the outer product of d(loss_i)/d(out_i)
    with its input a_i, so we keep each layer's input and the gradient at its output.
    """
    inputs, outputs, h = [], [], x
    for layer in model:
        if isinstance(layer, nn.Linear):
            inputs.append(h)
            h = layer(h)
            h.retain_grad()
            outputs.append(h)
        else:
            h = layer(h)
    nn.functional.cross_entropy(h, y, reduction="sum").backward()
    model.zero_grad(set_to_none=True)
    per_layer = [
        torch.cat([(out.grad[:, :, None] * a[:, None, :]).flatten(1), out.grad], dim=1)
        for a, out in zip(inputs, outputs, strict=True)
    ]
    return torch.cat(per_layer, dim=1).detach()


def gradient_noise(per_example, batch, n_samples, generator):
    """Mean squared distance of a mini-batch gradient (sampled without replacement) from the full gradient."""
    n = len(per_example)
    full = per_example.mean(dim=0)
    picks = torch.stack([torch.randperm(n, generator=generator)[:batch] for _ in range(n_samples)])
    selection = torch.zeros(n_samples, n).scatter_(1, picks, 1.0 / batch).to(per_example.device)
    minibatch = selection @ per_example  # each row: the mean gradient of one random mini-batch
    return (minibatch - full).pow(2).sum(dim=1).mean()


def learning_rate(base_lr, batch, scaling):
    """The learning rate for this batch size: base_lr is the rate at batch 8."""
    power = {"none": 0.0, "sqrt": 0.5, "linear": 1.0}[scaling]
    return base_lr * (batch / 8) ** power


def train_one(x, y, batch, lr, steps, init_state, shuffler):
    """Plain SGD for `steps` steps; returns the full training loss at N_EVALS+1 evenly spaced steps."""
    model = make_model().to(x.device)
    model.load_state_dict(init_state)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    eval_every = max(1, steps // N_EVALS)
    eval_steps = list(range(0, steps + 1, eval_every))
    losses = torch.zeros(len(eval_steps), device=x.device)
    n, order, cursor = len(x), torch.randperm(len(x), generator=shuffler, device=x.device), 0
    for step in range(steps + 1):
        if step % eval_every == 0:
            with torch.no_grad():
                losses[step // eval_every] = nn.functional.cross_entropy(model(x), y)
        if step == steps:
            break
        if cursor + batch > n:  # new epoch: reshuffle
            order, cursor = torch.randperm(n, generator=shuffler, device=x.device), 0
        idx = order[cursor : cursor + batch]
        cursor += batch
        loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return eval_steps, cap_losses(losses, 99.0)


def _train(params, device, progress):
    n, steps, seed = params["n_train"], params["steps"], params["seed"]
    generator = torch.Generator().manual_seed(seed)
    x, y = teacher_classification(n, N_FEATURES, N_CLASSES, generator, scale=2.0, device=device)
    model = make_model().to(device)
    init_state = {k: v.clone() for k, v in model.state_dict().items()}

    progress(0.05, "per-example gradients")
    per_example = per_example_gradients(model, x, y)
    total_variance = per_example.var(dim=0).sum()  # trace of the per-example gradient covariance
    variance_batches = [b for b in VARIANCE_BATCHES if b < n]
    measured = torch.stack(
        [gradient_noise(per_example, b, params["noise_samples"], generator) for b in variance_batches]
    )
    # sampling without replacement from n examples shrinks the variance by (n - B) / (n - 1)
    theory = torch.stack([total_variance / b * (n - b) / (n - 1) for b in variance_batches])
    measured_list, theory_list = to_list(measured), to_list(theory)
    log2_b = [math.log2(b) for b in variance_batches]

    batches = [*TRAIN_BATCHES, n]
    curves, metrics = {}, {}
    for i, batch in enumerate(batches):
        lr = learning_rate(params["base_lr"], batch, params["lr_scaling"])
        progress(0.1 + 0.85 * i / len(batches), f"training batch {batch}")
        shuffler = torch.Generator(device=device).manual_seed(seed + batch)
        eval_steps, losses = train_one(x, y, batch, lr, steps, init_state, shuffler)
        curves[batch] = (eval_steps, to_list(losses))
        label = "full" if batch == n else str(batch)
        metrics[f"lr_batch_{label}"] = round(lr, 6)
        metrics[f"final_loss_batch_{label}"] = curves[batch][1][-1]
        metrics[f"examples_seen_batch_{label}"] = steps * batch
        # the loss once this batch size had seen as many examples as batch 1 sees in the whole run
        seen = max(k for k, s in enumerate(eval_steps) if s * batch <= steps)
        metrics[f"loss_at_equal_examples_batch_{label}"] = curves[batch][1][seen]
        series = _series(log2_b, measured_list, theory_list, curves, n)  # the batch sizes trained so far
        progress(0.1 + 0.85 * (i + 1) / len(batches), f"trained batch {batch}", series=series)

    noise = dict(zip(variance_batches, measured_list, strict=True))
    metrics.update({f"grad_variance_batch_{b}": round(noise[b], 6) for b in (1, 8, 64) if b in noise})
    metrics["grad_variance_full_batch"] = 0.0  # the full batch *is* the full-batch gradient
    metrics["variance_ratio_8_to_64"] = round(noise[8] / noise[64], 4)
    metrics["theory_ratio_8_to_64"] = round(
        theory_list[variance_batches.index(8)] / theory_list[variance_batches.index(64)], 4
    )
    metrics["initial_loss"] = curves[1][1][0]
    metrics["n_train"] = n
    metrics["steps"] = steps
    return DemoResult(metrics, series)


def _series(log2_b, measured_list, theory_list, curves, n) -> dict:
    """The charts: the gradient noise, and the loss curves in ``curves`` (batch -> (eval steps, losses)), of the
    batch sizes trained so far."""
    return {
        "gradient_noise": panel(
            "Gradient-noise variance vs batch size (at the initial weights)",
            "log2(batch size) (log2 of examples per batch)",
            "E ||g_batch - g_full||^2 (squared gradient norm)",
            [
                {"label": "measured", "x": log2_b, "y": measured_list},
                {"label": "theory: trace(cov) / B", "x": log2_b, "y": theory_list},
            ],
            log_y=True,
        ),
        "loss_vs_steps": panel(
            "Training loss vs steps (same number of steps for every batch size)",
            "step (SGD updates)",
            "full training loss (nats)",
            [
                {"label": f"batch {'full' if b == n else b}", "x": [float(s) for s in curves[b][0]], "y": curves[b][1]}
                for b in curves
            ],
        ),
        "loss_vs_examples": panel(
            "Training loss vs examples seen",
            "log10(examples seen) (log10 of a count)",
            "full training loss (nats)",
            [
                {
                    "label": f"batch {'full' if b == n else b}",
                    "x": [round(math.log10(max(s * b, 1)), 4) for s in curves[b][0]],
                    "y": curves[b][1],
                }
                for b in curves
            ],
        ),
    }


def _summary(m, params):
    ratio = m["variance_ratio_8_to_64"]
    names = {"1": "batch 1", "8": "batch 8", "64": "batch 64", "full": "the full batch"}
    best = min(names, key=lambda b: m[f"final_loss_batch_{b}"])
    diverged = [names[b] for b in names if m[f"final_loss_batch_{b}"] > m["initial_loss"]]
    text = (
        f"At the initial weights the mini-batch gradient's variance around the full-batch gradient was "
        f"{m['grad_variance_batch_1']:.4g} at batch 1, {m['grad_variance_batch_8']:.4g} at batch 8 and "
        f"{m['grad_variance_batch_64']:.4g} at batch 64: going from 8 to 64 divided it by {ratio:.2f} "
        f"(1/B theory with the finite-sample correction: {m['theory_ratio_8_to_64']:.2f}), and the full batch has "
        f"none. Trained for {m['steps']} steps with '{params['lr_scaling']}' learning-rate scaling "
        f"(lr {m['lr_batch_1']:.3g} at batch 1 up to {m['lr_batch_full']:.3g} at full batch), the final training "
        f"losses were {m['final_loss_batch_1']:.3f} (batch 1), {m['final_loss_batch_8']:.3f} (8), "
        f"{m['final_loss_batch_64']:.3f} (64) and {m['final_loss_batch_full']:.3f} (full batch of {m['n_train']}); "
        f"{names[best]} ended lowest. "
    )
    if diverged:
        return text + f"The learning rate was too large for {', '.join(diverged)} (final loss above the starting loss)."
    per_example = (
        f"Per example seen the order flips: at the last measurement before passing {m['steps']} examples (all that "
        f"batch 1 saw), batch 1 was at {m['loss_at_equal_examples_batch_1']:.3f}, batch 64 at "
        f"{m['loss_at_equal_examples_batch_64']:.3f} and the full batch at "
        f"{m['loss_at_equal_examples_batch_full']:.3f}."
    )
    if m["final_loss_batch_full"] < m["final_loss_batch_1"]:
        return text + "Per step, the full batch made more progress than batch 1. " + per_example
    return text + "Here the small batches won even per step, so the large batches' extra examples were wasted."


def _answer(m):
    ratio = m["variance_ratio_8_to_64"]
    return min(
        {"same": 1.0, "sqrt": math.sqrt(8), "eight": 8.0, "sixtyfour": 64.0}.items(),
        key=lambda kv: abs(math.log(ratio / kv[1])),
    )[0]


def _claim(m):
    """The variance drops about 8x from batch 8 to 64 (within 25% of the 1/B theory); the full batch wins per step
    and batch 1 wins per example seen."""
    ratio, theory = m["variance_ratio_8_to_64"], m["theory_ratio_8_to_64"]
    holds = (
        _answer(m) == "eight"
        and abs(ratio / theory - 1) < 0.25
        and m["final_loss_batch_full"] < m["final_loss_batch_1"]
        and m["loss_at_equal_examples_batch_1"] < m["loss_at_equal_examples_batch_full"]
    )
    return holds, (
        f"from batch 8 to batch 64 the gradient variance dropped {pm(m, 'variance_ratio_8_to_64', '.2f')}x (1/B "
        f"theory: {theory:.2f}x); per step the full batch ended lower ({pm(m, 'final_loss_batch_full', '.3f')} vs "
        f"{pm(m, 'final_loss_batch_1', '.3f')} for batch 1), per example seen batch 1 was lower "
        f"({pm(m, 'loss_at_equal_examples_batch_1', '.3f')} vs {pm(m, 'loss_at_equal_examples_batch_full', '.3f')})."
    )


DEMO = Demo(
    name="batch-size",
    title="Batch size: gradient noise and training curves",
    concepts=("mini-batch-gradient-descent",),
    shows="gradient-noise variance and training curves for several batch sizes",
    params=(
        Param("n_train", "int", 1024, "Training examples (the full batch).", 256, 2048),
        Param("steps", "int", 300, "SGD steps for every batch size.", 20, 1000),
        Param("base_lr", "float", 0.1, "Learning rate at batch size 8 (scaled for the other sizes).", 1e-4, 5.0),
        Param(
            "lr_scaling",
            "choice",
            "sqrt",
            "How the learning rate grows with batch size: none, sqrt(B/8) or linear B/8 (the linear scaling rule).",
            choices=("none", "sqrt", "linear"),
        ),
        Param(
            "noise_samples", "int", 200, "Random mini-batches drawn per batch size to measure the variance.", 20, 500
        ),
        seed_param(),
    ),
    prediction=Prediction(
        question="Going from batch size 8 to batch size 64, how does the variance of the mini-batch gradient "
        "around the full-batch gradient change?",
        choices={
            "same": "It stays about the same",
            "sqrt": "It drops about 2.8x (sqrt(8))",
            "eight": "It drops about 8x",
            "sixtyfour": "It drops about 64x",
        },
        answer=_answer,
        explain=lambda m: (
            f"The mini-batch gradient averages B independent-ish per-example gradients, so its variance is "
            f"trace(cov)/B: measured {m['grad_variance_batch_8']:.4g} at batch 8 and {m['grad_variance_batch_64']:.4g} "
            f"at 64, a ratio of {m['variance_ratio_8_to_64']:.2f}. It is the variance that drops about 8x; the typical "
            f"size of the noise (its standard deviation) drops only sqrt(8) = 2.8x."
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
