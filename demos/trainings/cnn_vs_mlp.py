"""CNN vs MLP on MNIST-1D, then the same data with positions shuffled by one fixed permutation.

A convolution assumes that neighbouring positions belong together; an MLP assumes nothing about order.
Shuffling the positions (same permutation for every train and test example) destroys the neighbourhoods:
the CNN loses its advantage, while the MLP sees the same problem with its inputs relabelled. To show that
exactly, the MLP on shuffled data starts from the same weights as the MLP on normal data, with its first
layer's columns relabelled by the same permutation: both then compute the same function at every step, and only
floating-point rounding (sums taken in another order) can tell them apart.
"""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from demos.trainings.base import (
    Demo,
    DemoResult,
    Param,
    Prediction,
    panel,
    pm,
    preset_param,
    seed_param,
    tail_mean,
    thin,
    to_list,
)

SIGNAL_LENGTH = 40
NUM_CLASSES = 10
# Both use the MNIST-1D reference data (4000/1000 split; accuracy on the whole test split).
# quick: fewer steps and channels, a constant learning rate; full: the MNIST-1D reference models, trained in
# 2000 Adam steps with a one-cycle learning rate (the reference trains 6000 steps at a constant one).
PRESETS = {
    "quick": {"num_samples": 5000, "steps": 500, "channels": 16, "hidden": 100},
    "full": {"num_samples": 5000, "steps": 2000, "channels": 25, "hidden": 100},
}
NUM_EVALS = 20
FINAL_EVALS = 3  # final test accuracy: the mean of the last 3 evaluations, so one noisy point does not decide
MLP_NOISE = 0.03  # an MLP change under 3 points is noise (rounding, amplified by training), not an effect of shuffling
FULL_MAX_SEEDS = 3  # the full preset takes about 20 seconds per seed on one CPU thread


DATA_KEYS = ("x", "y", "x_test", "y_test")
_DATA: dict[int, dict] = {}  # num_samples -> the data set; it does not depend on the seed, so it is made once


def make_mnist1d(num_samples: int, folder: Path | None = None) -> dict:
    """The MNIST-1D data set: from memory, else from ``folder`` (a cache kept between processes), else generated
    (seconds of CPU) and saved there."""
    if num_samples not in _DATA:
        path = folder / f"mnist1d-{version('mnist1d')}-{num_samples}.npz" if folder else None
        _DATA[num_samples] = _load(path) if path and path.exists() else _generate(num_samples, path)
    return _DATA[num_samples]


def _generate(num_samples: int, path: Path | None) -> dict:
    # Imported here: the package pulls in matplotlib, which would slow down importing the demo registry.
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = num_samples  # the generator is seeded by args.seed, so the data is always the same
    data = {key: value for key, value in make_dataset(args).items() if key in DATA_KEYS}
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.npz")
        np.savez(partial, **data)
        os.replace(partial, path)  # whole or absent, also when several workers start at once
    return data


def _load(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as stored:
        return {key: stored[key] for key in DATA_KEYS}


class ChannelsLastConv1d(nn.Conv1d):
    """``nn.Conv1d`` (same parameters, same initialisation) on (batch, positions, channels) inputs, computed as one
    matrix product over the windows: on a CPU that is faster for signals this short than the convolution kernels,
    which are tuned for large images (their backward pass was a third of the CNN's training time). The windows are
    ``kernel`` strided slices side by side, not ``Tensor.unfold``, whose backward pass is several times slower."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (kernel,), (stride,), (padding,) = self.kernel_size, self.stride, self.padding
        x = F.pad(x, (0, 0, padding, padding))
        span = stride * ((x.shape[1] - kernel) // stride)  # from the first window's start to the last one's
        windows = torch.cat([x[:, k : k + span + 1 : stride] for k in range(kernel)], 2)  # (batch, positions, k x in)
        return F.linear(windows, self.weight.transpose(1, 2).flatten(1), self.bias)


def make_cnn(channels: int) -> nn.Module:
    # The MNIST-1D reference CNN: three strided convolutions (40 -> 19 -> 10 -> 5 positions), then a linear layer
    # (which reads the 5 positions x channels position by position: a fixed relabelling of the reference's inputs).
    return nn.Sequential(
        nn.Unflatten(1, (SIGNAL_LENGTH, 1)),
        ChannelsLastConv1d(1, channels, 5, stride=2, padding=1),
        nn.ReLU(),
        ChannelsLastConv1d(channels, channels, 3, stride=2, padding=1),
        nn.ReLU(),
        ChannelsLastConv1d(channels, channels, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(channels * 5, NUM_CLASSES),
    )


def make_mlp(hidden: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(SIGNAL_LENGTH, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, NUM_CLASSES),
    )


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        return (model(x).argmax(1) == y).float().mean()


def train_together(models, datasets, y, y_test, batches, lr, one_cycle, progress):
    """Adam on the four models at once: the sum of their losses, one backward pass, one fused optimizer step.

    No parameter is shared, so each model gets the gradient of its own loss, and Adam updates every element on
    its own: the same training as four separate runs, for a quarter of the per-step overhead, which is most of the
    cost with models this small. ``models`` maps (model, data) to a model, ``datasets`` data to (x, x_test).
    Returns per-step losses and test accuracy at NUM_EVALS points, one row per model;
    ``progress(fraction, message, losses, test_acc)`` gets the curves so far, four times."""
    parameters = [p for model in models.values() for p in model.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=lr, fused=True)
    steps = len(batches)
    # One cycle: a warm-up to 1.5 x lr, then annealing to almost zero. In 2000 steps it reaches the accuracies of a
    # constant rate in 6000 (a peak of 2 x lr gains a point more, but the two MLPs then drift apart by up to 4 points,
    # past MLP_NOISE). On short runs it blurs the lesson (the shuffled CNN catches up): the quick preset keeps lr.
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 1.5 * lr, total_steps=steps) if one_cycle else None
    losses = torch.zeros(len(models), steps, device=y.device)
    test_acc = torch.zeros(len(models), NUM_EVALS, device=y.device)
    eval_every = max(1, steps // NUM_EVALS)
    for step in range(steps):
        batch = batches[step]
        inputs, labels = {name: x[batch] for name, (x, _) in datasets.items()}, y[batch]
        step_losses = torch.stack([F.cross_entropy(model(inputs[data]), labels) for (_, data), model in models.items()])
        optimizer.zero_grad(set_to_none=True)
        step_losses.sum().backward()
        optimizer.step()
        if schedule:
            schedule.step()
        losses[:, step] = step_losses.detach()
        if (step + 1) % eval_every == 0 and (step + 1) // eval_every <= NUM_EVALS:
            accuracies = [accuracy(model, datasets[data][1], y_test) for (_, data), model in models.items()]
            test_acc[:, (step + 1) // eval_every - 1] = torch.stack(accuracies)
        if 4 * (step + 1) // steps > 4 * step // steps:  # crossed a quarter of the steps
            evaluated = min((step + 1) // eval_every, NUM_EVALS)
            message = f"training the four models: step {step + 1}/{steps}"
            progress((step + 1) / steps, message, losses[:, : step + 1], test_acc[:, :evaluated])
    return losses, test_acc


def _train(params, device, progress):
    preset = PRESETS[params["preset"]]
    progress(0.0, "generating MNIST-1D")
    raw = make_mnist1d(preset["num_samples"])
    x = torch.tensor(raw["x"], dtype=torch.float32, device=device)
    y = torch.tensor(raw["y"], dtype=torch.long, device=device)
    x_test = torch.tensor(raw["x_test"], dtype=torch.float32, device=device)
    y_test = torch.tensor(raw["y_test"], dtype=torch.long, device=device)

    generator = torch.Generator().manual_seed(params["seed"])
    permutation = torch.randperm(SIGNAL_LENGTH, generator=generator).to(device)
    # The same batch order for all four models, so only the model and the pixel order differ.
    batches = torch.randint(0, len(y), (preset["steps"], params["batch_size"]), generator=generator).to(device)
    datasets = {"normal": (x, x_test), "shuffled": (x[:, permutation], x_test[:, permutation])}
    builders = {"cnn": lambda: make_cnn(preset["channels"]), "mlp": lambda: make_mlp(preset["hidden"])}
    models = {}
    for model_name, build in builders.items():
        for data_name in datasets:
            torch.manual_seed(params["seed"])  # same initial weights on normal and shuffled data
            models[model_name, data_name] = model = build().to(device)
            if model_name == "mlp" and data_name == "shuffled":
                with torch.no_grad():  # relabel the inputs' weights the way the pixels were relabelled
                    model[0].weight.copy_(model[0].weight[:, permutation])

    eval_every = max(1, len(batches) // NUM_EVALS)  # as in train_together
    eval_steps = [eval_every * (i + 1) for i in range(NUM_EVALS)]
    charts = {"eval_steps": eval_steps, "test_examples": len(y_test), "raw": raw, "datasets": datasets}

    def report(fraction, message, losses, test_acc):  # the curves so far
        so_far = {key: (to_list(losses[i]), to_list(test_acc[i])) for i, key in enumerate(models)}
        progress(fraction, message, series=_series(so_far, **charts))

    one_cycle = params["preset"] == "full"
    losses, test_acc = train_together(models, datasets, y, y_test, batches, params["learning_rate"], one_cycle, report)
    metrics = {"train_examples": len(y), "test_examples": len(y_test), "steps": preset["steps"]}
    runs = {}
    for i, ((model_name, data_name), model) in enumerate(models.items()):
        suffix = "" if data_name == "normal" else "_shuffled"
        final = torch.stack([tail_mean(test_acc[i], FINAL_EVALS), accuracy(model, datasets[data_name][0], y)])
        metrics[f"test_accuracy_{model_name}{suffix}"], metrics[f"train_accuracy_{model_name}{suffix}"] = to_list(final)
        runs[model_name, data_name] = (to_list(losses[i]), to_list(test_acc[i]))
    m = metrics
    m["cnn_drop_from_shuffling"] = round(m["test_accuracy_cnn"] - m["test_accuracy_cnn_shuffled"], 6)
    m["mlp_drop_from_shuffling"] = round(m["test_accuracy_mlp"] - m["test_accuracy_mlp_shuffled"], 6)
    m["cnn_advantage_normal"] = round(m["test_accuracy_cnn"] - m["test_accuracy_mlp"], 6)
    m["cnn_advantage_shuffled"] = round(m["test_accuracy_cnn_shuffled"] - m["test_accuracy_mlp_shuffled"], 6)
    return DemoResult(metrics, _series(runs, **charts))


def _series(runs, eval_steps, test_examples, raw, datasets) -> dict:
    """The charts of ``runs`` ((model, data) -> (losses, test accuracies)), possibly still training (their test
    accuracies are the evaluations done so far)."""
    labels = {key: f"{key[0].upper()} {key[1]}" for key in runs}
    return {
        "test_accuracy": panel(
            f"Test accuracy during training ({test_examples} test signals)",
            "step (Adam updates)",
            "test accuracy (fraction correct)",
            [{"label": labels[key], "x": eval_steps[: len(run[1])], "y": run[1]} for key, run in runs.items()],
            note="the two MLP lines coincide: shuffling only relabels the MLP's inputs",
        ),
        "train_loss": panel(
            "Training loss (mini-batch)",
            "step (Adam updates)",
            "cross-entropy (nats)",
            [{"label": labels[key], **thin(run[0])} for key, run in runs.items()],
            log_y=True,
        ),
        "example_signal": panel(
            f"One training signal (digit {int(raw['y'][0])}), normal and shuffled",
            "position (sample index)",
            "value (signal amplitude)",
            [
                {"label": name, "x": list(range(SIGNAL_LENGTH)), "y": to_list(data[0][0])}
                for name, data in datasets.items()
            ],
            aggregate="first",
        ),
    }


def _prepare(folder: Path) -> None:
    for preset in PRESETS.values():
        make_mnist1d(preset["num_samples"], folder)


def _check(params) -> dict[str, str]:
    if params["preset"] == "full" and params["seeds"] > FULL_MAX_SEEDS:
        return {"seeds": f"at most {FULL_MAX_SEEDS} with the full preset (about 20 seconds per seed on a CPU)"}
    return {}


def _claim(m: dict) -> tuple[bool, str]:
    """The CNN beats the MLP on normal data and loses over 15 points to shuffling; the MLP's change is within noise."""
    mlp_change = m["test_accuracy_mlp_shuffled"] - m["test_accuracy_mlp"]
    holds = _drop_bin(m) == "large" and m["cnn_advantage_normal"] > 0.05 and abs(mlp_change) < MLP_NOISE
    return holds, (
        f"the CNN led the MLP by {pm(m, 'cnn_advantage_normal', '.1f', 100)} points on normal data and lost "
        f"{pm(m, 'cnn_drop_from_shuffling', '.1f', 100)} points to the shuffling (more than 15), while the MLP "
        f"changed by {100 * mlp_change:+.1f} points, within noise (below {100 * MLP_NOISE:.0f} points): it started "
        "from the same weights relabelled by the same permutation, so it computes the same function and only "
        "floating-point rounding differs."
    )


def _summary(m: dict, params: dict | None = None) -> str:
    normal = (
        f"On normal MNIST-1D the CNN reached {pm(m, 'test_accuracy_cnn', '.1%')} test accuracy and the MLP "
        f"{pm(m, 'test_accuracy_mlp', '.1%')} (on all {m['test_examples']} test signals, mean of the last "
        f"{FINAL_EVALS} evaluations)"
    )
    if m["cnn_advantage_normal"] > 0.05:
        normal += (
            f", a lead of {100 * m['cnn_advantage_normal']:.1f} points for the CNN: "
            "its small shared filters fit local patterns wherever they occur."
        )
    else:
        normal += ", so the CNN did not clearly win this time (try the default learning rate or the full preset)."
    shuffled = (
        f" With the positions shuffled by one fixed permutation, the CNN fell to "
        f"{pm(m, 'test_accuracy_cnn_shuffled', '.1%')} "
        f"(a drop of {100 * m['cnn_drop_from_shuffling']:.1f} points) "
        f"while the MLP went to {pm(m, 'test_accuracy_mlp_shuffled', '.1%')} "
        f"(a change of {100 * (m['test_accuracy_mlp_shuffled'] - m['test_accuracy_mlp']):+.1f} points)"
    )
    if m["cnn_advantage_shuffled"] < m["cnn_advantage_normal"] / 2:
        shuffled += (
            ": the CNN lost its advantage because neighbouring inputs no longer belong together, while the MLP, "
            "which never assumed any order, faces the same problem with relabelled inputs."
        )
    else:
        shuffled += ", so in this run the CNN kept much of its advantage, which is not the usual outcome."
    return normal + shuffled


def _drop_bin(metrics: dict) -> str:
    drop = metrics["cnn_drop_from_shuffling"]
    return "small" if drop < 0.05 else "medium" if drop < 0.15 else "large"


def _explain(metrics: dict) -> str:
    return (
        f"The CNN went from {metrics['test_accuracy_cnn']:.1%} to {metrics['test_accuracy_cnn_shuffled']:.1%} "
        f"(a drop of {100 * metrics['cnn_drop_from_shuffling']:.1f} points); "
        f"the MLP went from {metrics['test_accuracy_mlp']:.1%} to "
        f"{metrics['test_accuracy_mlp_shuffled']:.1%}. Convolutions look at neighbouring positions with shared "
        "weights; after shuffling, neighbours are unrelated, so that prior no longer helps. The MLP connects every "
        "input to every unit, so a fixed permutation only renames its inputs."
    )


DEMO = Demo(
    name="cnn-vs-mlp",
    title="CNN vs MLP, and the shuffled-pixels experiment",
    concepts=("shuffled-pixels-experiment", "convolution-motivation"),
    shows=(
        "On MNIST-1D a CNN beats an MLP by a wide margin; with positions shuffled by one fixed permutation the CNN "
        "loses its advantage and the MLP does not care."
    ),
    params=(
        preset_param(),
        Param(
            "learning_rate",
            "float",
            1e-2,
            "Adam learning rate for all four models (full: its one-cycle schedule peaks at 1.5 times this).",
            1e-4,
            0.1,
        ),
        Param("batch_size", "int", 100, "Examples per training step.", 8, 256),
        seed_param(),
    ),
    prediction=Prediction(
        question="How much test accuracy does the CNN lose when the positions are shuffled?",
        choices={
            "small": "Almost nothing (less than 5 points)",
            "medium": "Some (5 to 15 points)",
            "large": "A lot (more than 15 points)",
        },
        answer=_drop_bin,
        explain=_explain,
    ),
    train=_train,
    claim=_claim,
    summarize=_summary,
    check=_check,
    prepare=_prepare,
)

if __name__ == "__main__":
    result = DEMO.run()
    print(result.metrics)
    print(result.summary)
