"""Regularization: an over-parameterized MLP overfits a small noisy training set; four ways to hold it back.

The data are two noisy interleaved half-moons. With 100 training points and ~17k weights, the plain network
memorizes the training set (training loss near 0) while its validation loss climbs. We retrain the same network
(same initial weights, same Adam, same steps) with an L2 penalty, with dropout, and with input jitter
(data augmentation), and we apply early stopping to the plain run (keep the weights of its best validation step).
"""

import math

import torch
from torch import nn

from demos.trainings.base import Demo, DemoResult, Param, Prediction, cap_losses, panel, pm, seed_param, to_list

TRAINED_VARIANTS = ("none", "l2", "dropout", "augmentation")
VARIANTS = (*TRAINED_VARIANTS, "early_stopping")
N_VALIDATION = 1000
N_EVALS = 100
STEP = "step (full-batch Adam updates)"


def make_moons(n, noise, generator):
    """Two interleaving half circles in 2D, with Gaussian noise on the positions."""
    y = torch.randint(0, 2, (n,), generator=generator)
    t = torch.rand(n, generator=generator) * math.pi
    upper = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
    x = torch.where(y[:, None] == 1, lower, upper)
    return x + noise * torch.randn(n, 2, generator=generator), y


def make_mlp(width, dropout):
    return nn.Sequential(
        nn.Linear(2, width),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(width, width),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(width, 2),
    )


def evaluate(model, x, y):
    """(loss, accuracy) with dropout off."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
        result = torch.stack([nn.functional.cross_entropy(logits, y), (logits.argmax(dim=1) == y).float().mean()])
    model.train()
    return result


def train(variant, data, init_state, params, noise_generator):
    """Full-batch Adam; returns the eval steps and a (n_evals, 4) tensor: train loss, train acc, val loss, val acc."""
    x, y, x_val, y_val = data
    model = make_mlp(params["width"], params["dropout"] if variant == "dropout" else 0.0).to(x.device)
    model.load_state_dict(init_state)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["lr"])
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    steps = params["steps"]
    eval_every = max(1, steps // N_EVALS)
    history = torch.zeros(steps // eval_every + 1, 4, device=x.device)
    for step in range(steps + 1):
        if step % eval_every == 0:
            history[step // eval_every] = torch.cat([evaluate(model, x, y), evaluate(model, x_val, y_val)])
        if step == steps:
            break
        inputs = x
        if variant == "augmentation":  # a fresh jittered copy of the training set at every step
            inputs = x + params["jitter"] * torch.randn(x.shape, generator=noise_generator, device=x.device)
        loss = nn.functional.cross_entropy(model(inputs), y)
        if variant == "l2":
            loss = loss + params["l2_strength"] * sum(w.pow(2).sum() for w in weights)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return list(range(0, steps + 1, eval_every)), history


def _train(params, device, progress):
    generator = torch.Generator().manual_seed(params["seed"])
    x, y = make_moons(params["n_train"], params["noise"], generator)
    x_val, y_val = make_moons(N_VALIDATION, params["noise"], generator)
    data = (x.to(device), y.to(device), x_val.to(device), y_val.to(device))
    init_state = make_mlp(params["width"], 0.0).state_dict()  # dropout has no weights: one init fits all

    histories = {}
    for i, variant in enumerate(TRAINED_VARIANTS):
        progress(0.05 + 0.9 * i / len(TRAINED_VARIANTS), f"training: {variant}")
        noise_generator = torch.Generator(device=device).manual_seed(params["seed"] + 1)
        eval_steps, history = train(variant, data, init_state, params, noise_generator)
        history = cap_losses(history, 99.0)
        history[:, 0::2] = history[:, 0::2].clamp(min=1e-6)  # losses, kept positive for the log-scale plot
        histories[variant] = [to_list(history[:, k]) for k in range(4)]
        series = _series(histories, eval_steps, eval_steps[_best_index(histories)])  # the variants trained so far
        progress(0.05 + 0.9 * (i + 1) / len(TRAINED_VARIANTS), f"trained: {variant}", series=series)

    best = _best_index(histories)
    final_index = {v: len(eval_steps) - 1 for v in TRAINED_VARIANTS} | {"early_stopping": best}
    histories["early_stopping"] = histories["none"]

    metrics = {}
    for variant in VARIANTS:
        train_loss, train_acc, val_loss, val_acc = (h[final_index[variant]] for h in histories[variant])
        metrics[f"train_loss_{variant}"] = train_loss
        metrics[f"val_loss_{variant}"] = val_loss
        metrics[f"train_acc_{variant}"] = train_acc
        metrics[f"val_acc_{variant}"] = val_acc
        metrics[f"loss_gap_{variant}"] = round(val_loss - train_loss, 6)
        metrics[f"acc_gap_{variant}"] = round(train_acc - val_acc, 6)
    metrics["early_stopping_step"] = eval_steps[best]
    metrics["n_parameters"] = sum(v.numel() for v in init_state.values())
    metrics["n_train"] = params["n_train"]
    return DemoResult(metrics, series)


def _best_index(histories) -> int:
    """Early stopping: the plain run, stopped at its best validation loss (the index of that evaluation)."""
    return min(range(len(histories["none"][2])), key=lambda i: histories["none"][2][i])


def _series(histories, eval_steps, best_step):
    """The charts of the variants in ``histories``: those trained so far, all of them at the end."""
    steps = [float(s) for s in eval_steps]
    series = {}
    trained = [variant for variant in TRAINED_VARIANTS if variant in histories]
    for variant in trained:
        train_loss, _, val_loss, _ = histories[variant]
        lines = [
            {"label": "train loss", "x": steps, "y": train_loss},
            {"label": "validation loss", "x": steps, "y": val_loss},
        ]
        if variant == "none":
            low, high = min(val_loss + train_loss), max(val_loss + train_loss)
            lines.append({"label": "early stopping point", "x": [float(best_step)] * 2, "y": [low, high]})
        title = "No regularization (and where early stopping stops)" if variant == "none" else f"With {variant}"
        series[f"loss_{variant}"] = panel(title, STEP, "cross-entropy (nats)", lines, log_y=True, share_y="loss")
    accuracy_lines = [{"label": v, "x": steps, "y": histories[v][3]} for v in trained]
    series["val_accuracy"] = panel(
        f"Validation accuracy ({N_VALIDATION} points)", STEP, "validation accuracy (fraction correct)", accuracy_lines
    )
    return series


def _largest_gap(m):
    return max(VARIANTS, key=lambda v: m[f"loss_gap_{v}"])


def _claim(m):
    """The unregularized network has the largest generalization gap, and every regularizer lowers the validation
    loss."""
    lowered = all(m[f"val_loss_{v}"] < m["val_loss_none"] for v in VARIANTS[1:])
    gaps = ", ".join(f"{v.replace('_', ' ')} {pm(m, f'loss_gap_{v}', '.3f')}" for v in VARIANTS[1:])
    return _largest_gap(m) == "none" and lowered, (
        f"without regularization the gap between validation and training loss was the largest "
        f"({pm(m, 'loss_gap_none', '.3f')}; with {gaps}), and every regularizer ended with a lower validation loss "
        f"than the plain network's {pm(m, 'val_loss_none', '.3f')}."
    )


def _summary(m, params=None):
    gaps = ", ".join(f"{v.replace('_', ' ')} {m[f'loss_gap_{v}']:.3f}" for v in VARIANTS)
    text = (
        f"With {m['n_parameters']} parameters and only {m['n_train']} noisy training points, the unregularized MLP "
        f"reached training loss {m['train_loss_none']:.4f} (accuracy {m['train_acc_none']:.0%}) but validation loss "
        f"{m['val_loss_none']:.3f} (accuracy {m['val_acc_none']:.0%}). Generalization gaps (validation minus training "
        f"loss): {gaps}; early stopping kept step {m['early_stopping_step']}. "
    )
    narrowed = [v for v in VARIANTS[1:] if m[f"loss_gap_{v}"] < m["loss_gap_none"]]
    if len(narrowed) == len(VARIANTS) - 1:
        best = min(VARIANTS[1:], key=lambda v: m[f"val_loss_{v}"])
        return text + (
            f"Every regularizer narrowed the gap, trading a little training fit for a better validation loss; "
            f"the lowest validation loss came from {best.replace('_', ' ')} ({m[f'val_loss_{best}']:.3f})."
        )
    missed = ", ".join(v.replace("_", " ") for v in VARIANTS[1:] if v not in narrowed)
    return text + f"Not every regularizer helped at these settings: {missed} did not narrow the gap (try its strength)."


DEMO = Demo(
    name="regularization",
    title="Overfitting and four regularizers",
    concepts=("l2-regularization", "dropout", "early-stopping", "data-augmentation"),
    shows="a small training set overfit; L2, dropout, early stopping and augmentation; train vs validation curves",
    params=(
        Param("n_train", "int", 100, "Training points (validation always has 1000).", 10, 300),
        Param("noise", "float", 0.35, "Standard deviation of the noise on the moons' positions.", 0.0, 1.0),
        Param("width", "int", 128, "Units in each of the two hidden layers.", 8, 256),
        Param("steps", "int", 600, "Full-batch Adam steps.", 50, 1500),
        Param("lr", "float", 0.01, "Adam learning rate.", 1e-4, 0.1),
        Param("l2_strength", "float", 1e-3, "L2 penalty: lambda in loss + lambda * sum(w^2).", 0.0, 0.1),
        Param("dropout", "float", 0.5, "Dropout probability on the hidden units.", 0.0, 0.9),
        Param("jitter", "float", 0.2, "Augmentation: std of the Gaussian noise added to training inputs.", 0.0, 1.0),
        seed_param(),
    ),
    prediction=Prediction(
        question="Which variant ends with the LARGEST gap between validation loss and training loss?",
        choices={
            "none": "No regularization",
            "l2": "L2 penalty (weight decay)",
            "dropout": "Dropout",
            "augmentation": "Data augmentation (input jitter)",
            "early_stopping": "Early stopping",
        },
        answer=_largest_gap,
        explain=lambda m: (
            f"The plain network {'memorizes' if m['train_acc_none'] == 1 else 'fits'} the {m['n_train']} noisy "
            f"points: training loss {m['train_loss_none']:.4f}, "
            f"validation loss {m['val_loss_none']:.3f}, a gap of {m['loss_gap_none']:.3f}. The gaps with L2, dropout, "
            f"augmentation and early stopping were {m['loss_gap_l2']:.3f}, {m['loss_gap_dropout']:.3f}, "
            f"{m['loss_gap_augmentation']:.3f} and {m['loss_gap_early_stopping']:.3f}: each limits how closely the "
            f"network can fit the noise."
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
