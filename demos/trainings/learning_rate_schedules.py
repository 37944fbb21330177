"""Learning-rate schedules: the four decay formulas of the notes, step decay, warmup and cyclic, and their effect.

Every schedule is a plain function of the mini-batch step (0, 1, 2, ...). Following the notes, `epoch` counts from 1
and `t` is the mini-batch number counted from 1. The same model, a linear regression on noisy targets, is then
trained with mini-batch SGD from the same initial weights on the same batches under every schedule. Its loss is
convex and its best possible training loss is known exactly (least squares), so what remains at the end is the
excess loss left by SGD's gradient noise: with a large constant learning rate the weights keep bouncing around the
optimum, and decaying the rate lets them settle.
"""

from __future__ import annotations

import math
from collections.abc import Callable

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
)

INPUT_DIM, NUM_SAMPLES = 16, 512
LOSS_CAP = 1e3  # a diverged run (inf/nan loss) is plotted at this value

Schedule = Callable[[int], float]
SCHEDULES = ("constant", "inverse_time", "exponential", "sqrt_epoch", "sqrt_step", "step", "warmup_cosine", "cyclic")
CHOICE_LABELS = {
    "constant": "constant",
    "inverse_time": "alpha0 / (1 + decay_rate * epoch)",
    "exponential": "0.95^epoch * alpha0",
    "sqrt_epoch": "k / sqrt(epoch) * alpha0",
    "sqrt_step": "k / sqrt(t) * alpha0",
    "step": "step decay",
    "warmup_cosine": "warmup, then cosine",
    "cyclic": "cyclic (triangular)",
}


def make_schedules(params, steps_per_epoch: int) -> dict[str, tuple[str, Schedule]]:
    """{name: (label with the formula, lr(step))} for a run of params["epochs"] epochs."""
    lr0, k, decay_rate = params["lr0"], params["k"], params["decay_rate"]
    total = params["epochs"] * steps_per_epoch
    warmup = min(params["warmup_epochs"] * steps_per_epoch, total - 1)
    half_cycle = 2 * steps_per_epoch

    def epoch(step: int) -> int:
        return step // steps_per_epoch + 1

    def warmup_cosine(step: int) -> float:
        if step < warmup:
            return lr0 * (step + 1) / warmup
        return lr0 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))

    def triangular(step: int) -> float:
        position = step % (2 * half_cycle) / half_cycle  # 0 -> 1 -> 2 over one cycle
        return lr0 / 10 + (lr0 - lr0 / 10) * (1 - abs(position - 1))

    return {
        "constant": ("constant: alpha = alpha0", lambda s: lr0),
        "inverse_time": (f"alpha = alpha0 / (1 + {decay_rate:g} * epoch)", lambda s: lr0 / (1 + decay_rate * epoch(s))),
        "exponential": ("alpha = 0.95^epoch * alpha0", lambda s: 0.95 ** epoch(s) * lr0),
        "sqrt_epoch": (f"alpha = {k:g} / sqrt(epoch) * alpha0", lambda s: k / math.sqrt(epoch(s)) * lr0),
        "sqrt_step": (f"alpha = {k:g} / sqrt(t) * alpha0, t = mini-batch", lambda s: k / math.sqrt(s + 1) * lr0),
        "step": (
            "step decay: alpha0, x0.1 at 50% and again at 75% of training",
            lambda s: lr0 * 0.1 ** ((s >= total // 2) + (s >= 3 * total // 4)),
        ),
        "warmup_cosine": (
            f"linear warmup over {params['warmup_epochs']} epochs, then cosine decay to 0",
            warmup_cosine,
        ),
        "cyclic": ("cyclic (triangular) between alpha0/10 and alpha0, 4-epoch period", triangular),
    }


def make_data(params, generator: torch.Generator, device) -> tuple[torch.Tensor, torch.Tensor]:
    """y = x . w* + b* + noise; feature scales from 1 down to 0.3, so some directions learn slower than others."""
    scales = torch.logspace(0, math.log10(0.3), INPUT_DIM)
    x = torch.randn(NUM_SAMPLES, INPUT_DIM, generator=generator) * scales
    w_true, b_true = torch.randn(INPUT_DIM, 1, generator=generator), torch.randn(1, generator=generator)
    y = x @ w_true + b_true + params["noise"] * torch.randn(NUM_SAMPLES, 1, generator=generator)
    return x.to(device), y.to(device)


def half_mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((prediction - target) ** 2).mean()


def least_squares_loss(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The lowest training loss any weights can reach, from the normal equations in float64."""
    xb = torch.cat([x, torch.ones_like(x[:, :1])], dim=1).double()
    w = torch.linalg.solve(xb.T @ xb, xb.T @ y.double())
    return half_mse(xb @ w, y.double())


def train(schedule: Schedule, x, y, batches: list[torch.Tensor], params, device) -> torch.Tensor:
    """Mini-batch SGD with lr = schedule(step); returns the full training-set loss (float64) after each epoch."""
    torch.manual_seed(params["seed"] + 1)  # the same initial weights for every schedule
    model = nn.Linear(INPUT_DIM, 1).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=schedule(0))
    epoch_losses = torch.zeros(params["epochs"], dtype=torch.float64, device=device)
    step = 0
    for epoch in range(params["epochs"]):
        for idx in batches[epoch]:
            for group in optimizer.param_groups:
                group["lr"] = schedule(step)
            loss = half_mse(model(x[idx]), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
        with torch.no_grad():
            epoch_losses[epoch] = half_mse(x.double() @ model.weight.double().T + model.bias.double(), y.double())
    return cap_losses(epoch_losses, LOSS_CAP)


def shuffled_batches(params, generator: torch.Generator, device) -> list[torch.Tensor]:
    """One permutation per epoch, split into mini-batches: every schedule sees exactly the same batches."""
    n_batches = NUM_SAMPLES // params["batch_size"]
    perms = [
        torch.randperm(NUM_SAMPLES, generator=generator)[: n_batches * params["batch_size"]]
        for _ in range(params["epochs"])
    ]
    return [perm.view(n_batches, -1).to(device) for perm in perms]


def _train(params, device, progress) -> DemoResult:
    generator = torch.Generator().manual_seed(params["seed"])
    x, y = make_data(params, generator, device)
    best_loss = least_squares_loss(x, y)
    batches = shuffled_batches(params, generator, device)
    steps_per_epoch = len(batches[0])
    schedules = make_schedules(params, steps_per_epoch)
    total = params["epochs"] * steps_per_epoch
    lr_steps, _ = downsample(range(total), 300, keep_last=False)

    metrics = {"steps_per_epoch": steps_per_epoch, "least_squares_loss": significant(best_loss)[0]}
    lr_lines, loss_lines = [], []
    for i, (name, (label, schedule)) in enumerate(schedules.items()):
        lr_lines.append({"label": label, "x": lr_steps, "y": significant([schedule(s) for s in lr_steps])})
        excess = significant((train(schedule, x, y, batches, params, device) - best_loss).clamp(min=1e-12))
        metrics[f"final_lr_{name}"] = significant([schedule(total - 1)])[0]
        metrics[f"final_excess_loss_{name}"] = excess[-1]
        loss_lines.append({"label": label, "x": list(range(1, params["epochs"] + 1)), "y": excess})
        series = _series(lr_lines, loss_lines)
        progress((i + 1) / len(schedules), f"trained with the {name} schedule", series=series)
    return DemoResult(metrics, series)


def _series(lr_lines, loss_lines) -> dict:
    """The charts of the schedules trained so far (all of them after the last); copies the lists of lines, so that
    a partial series passed to ``progress`` does not grow afterwards."""
    return {
        "learning_rates": panel(
            "Learning rate per mini-batch step",
            "step (mini-batch updates)",
            "learning rate alpha (per update)",
            list(lr_lines),
            log_y=True,
        ),
        "excess_loss": panel(
            "Training loss above the least-squares optimum, after each epoch",
            "epoch (passes over the data)",
            "excess loss (squared target units)",
            list(loss_lines),
            log_y=True,
        ),
    }


def _summary(m, params) -> str:
    ranked = sorted(SCHEDULES, key=lambda name: m[f"final_excess_loss_{name}"])
    losses = ", ".join(f"{name} {m[f'final_excess_loss_{name}']:.2g}" for name in ranked)
    constant = m["final_excess_loss_constant"]
    beat = [name for name in SCHEDULES if m[f"final_excess_loss_{name}"] < 0.5 * constant]
    if beat:
        verdict = (
            f"{len(beat)} schedules ended at less than half the constant rate's excess loss ({', '.join(beat)}): "
            "a small late learning rate averages out the mini-batch noise"
        )
    else:
        verdict = (
            "no schedule halved the constant rate's excess loss here: at this alpha0 the noise is small and decay "
            "mostly cost progress; try a larger alpha0"
        )
    diverged = [name for name in SCHEDULES if m[f"final_excess_loss_{name}"] >= LOSS_CAP / 2]
    if diverged:
        verdict += f". Diverged (loss capped at {LOSS_CAP:g}; alpha0 too large for them): {', '.join(diverged)}"
    return (
        f"Training the same linear model for {params['epochs']} epochs ({m['steps_per_epoch']} mini-batches each) "
        f"from alpha0 = {params['lr0']:g}, the final training loss above the best possible "
        f"{m['least_squares_loss']:.4g} was (best first): {losses}. {verdict}. By the last step the learning rate had "
        f"fallen to {m['final_lr_inverse_time']:.3g} with 1/(1 + decay_rate * epoch), {m['final_lr_exponential']:.3g} "
        f"with 0.95^epoch, {m['final_lr_sqrt_epoch']:.3g} with k/sqrt(epoch) and {m['final_lr_sqrt_step']:.3g} with "
        f"k/sqrt(t), which falls fastest because t counts mini-batches."
    )


def _lowest_loss(m) -> str:
    return min(SCHEDULES, key=lambda name: m[f"final_excess_loss_{name}"])


DECAYING = ("exponential", "step", "warmup_cosine")


def _claim(m) -> tuple[bool, str]:
    """Warmup + cosine ends lowest, and the decaying schedules end at less than a fifth of the constant rate's loss."""
    constant = m["final_excess_loss_constant"]
    holds = _lowest_loss(m) == "warmup_cosine" and all(
        m[f"final_excess_loss_{name}"] < 0.2 * constant for name in DECAYING
    )
    decayed = ", ".join(f"{CHOICE_LABELS[n]} {pm(m, f'final_excess_loss_{n}', '.2g')}" for n in DECAYING)
    return holds, (
        f"warmup then cosine ended lowest, and the decaying schedules ({decayed}) ended at less than a fifth of the "
        f"constant rate's excess loss ({pm(m, 'final_excess_loss_constant', '.2g')}): a small late learning rate "
        "averages out the mini-batch noise."
    )


def _explain(m) -> str:
    losses = ", ".join(f"{name} {m[f'final_excess_loss_{name}']:.2g}" for name in SCHEDULES)
    return (
        f"Final excess training losses: {losses}. Mini-batch gradients are noisy, and the size of the random steps "
        "grows with the learning rate: a high rate makes fast progress early, a low rate lets the weights settle "
        "late. Schedules that stay high early and end low get both; one that decays too early (k/sqrt(t)) slows the "
        "start, and one that never decays (constant, cyclic) keeps bouncing."
    )


DEMO = Demo(
    name="learning-rate-schedules",
    title="Learning-rate schedules: decay formulas, step decay, warmup and cyclic",
    concepts=("learning-rate-decay", "learning-rate-warmup"),
    shows="the four decay formulas, step decay, warmup and cyclic schedules, and their effect on training",
    params=(
        Param("lr0", "float", 0.5, "Initial learning rate alpha0 of mini-batch SGD.", 1e-4, 5.0),
        Param("epochs", "int", 30, "Training epochs.", 2, 60),
        Param("batch_size", "int", 32, "Mini-batch size (512 training examples).", 16, 256),
        Param("noise", "float", 1.0, "Std of the noise added to the regression targets.", 0.0, 5.0),
        Param("decay_rate", "float", 1.0, "decay_rate in alpha0 / (1 + decay_rate * epoch).", 0.0, 10.0),
        Param("k", "float", 1.0, "k in k / sqrt(epoch) * alpha0 and k / sqrt(t) * alpha0.", 0.01, 10.0),
        Param("warmup_epochs", "int", 2, "Epochs of linear warmup before the cosine decay.", 0, 50),
        seed_param(),
    ),
    prediction=Prediction(
        question="Which schedule ends with the lowest training loss?",
        choices={name: CHOICE_LABELS[name] for name in SCHEDULES},
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
