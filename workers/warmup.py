"""Torch's one-time costs, paid in the worker's parent process before it forks the children that run the demos.

Each run gets a fresh child (CELERY_WORKER_MAX_TASKS_PER_CHILD = 1, so its memory goes back when it exits); a
child forked from a warm parent starts with torch imported and initialised instead of paying seconds for it.
What survives a fork decides what may run here:
- no CUDA call at all, not even a device count: a driver initialised in the parent fails in every child;
- no backward pass: autograd's first one counts the devices (CUDA with a CUDA build) and starts threads, and
  torch then refuses autograd in forked children;
- one torch thread: a CPU thread pool started here would not exist in the children.
Autograd's first backward pass is paid in each child as it starts (``warm_up_autograd``): children are forked
ahead of their runs (see workers/pool.py), so it is done while the child waits, not inside a run.
"""

import torch
import torch.nn.functional as F
from torch import nn


def warm_up_torch() -> None:
    """Import and initialise, on the CPU, what the demos use: layers, losses, and each optimizer's first step
    (the first one imports torch's compiler machinery, the largest one-time cost)."""
    torch.set_num_threads(1)
    layers = _layers()
    parameters = [p for layer in layers.values() for p in layer.parameters()]
    with torch.no_grad():
        _forward(layers)
        for p in parameters:
            p.grad = torch.zeros_like(p)
    for optimizer in (
        torch.optim.SGD(parameters, lr=0.01, momentum=0.9),
        torch.optim.Adam(parameters, lr=0.01),
        torch.optim.Adam(parameters, lr=0.01, fused=True),
        torch.optim.RMSprop(parameters, lr=0.01),
        torch.optim.Adagrad(parameters, lr=0.01),
    ):
        optimizer.step()
        optimizer.zero_grad(set_to_none=False)


def warm_up_autograd() -> None:
    """In a freshly forked child: one backward pass through the layers the demos use, so that a run's first one
    does not pay for starting autograd's engine and its backward kernels."""
    _forward(_layers()).backward()


def _layers() -> dict[str, nn.Module]:
    return {
        "image": nn.Sequential(
            nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(2), nn.Conv2d(2, 2, 3, padding=1), nn.AvgPool2d(2)
        ),
        "signal": nn.Conv1d(1, 2, 3, stride=2, padding=1),
        "dense": nn.Sequential(
            nn.Linear(8, 8), nn.BatchNorm1d(8), nn.LayerNorm(8), nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Dropout(0.1)
        ),
        "rnn": nn.RNN(3, 4, batch_first=True),
        "lstm": nn.LSTM(3, 4, batch_first=True),
        "gru": nn.GRU(3, 4, batch_first=True),
        "embedding": nn.Embedding(5, 3),
    }


def _forward(layers: dict[str, nn.Module]) -> torch.Tensor:
    """A pass through every layer and loss; returns their sum."""
    images = torch.randn(4, 1, 8, 8)
    features = layers["image"](images).flatten(1)
    logits = layers["dense"](torch.cat([features, layers["signal"](images[:, :, 0]).flatten(1)], 1)[:, :8])
    total = F.cross_entropy(logits, torch.tensor([0, 1, 2, 3]))
    total = total + F.binary_cross_entropy_with_logits(logits, torch.rand(4, 8))
    total = total + F.leaky_relu(logits).softmax(1).max(1).values.sum()
    sequences = layers["embedding"](torch.randint(0, 5, (4, 6)))
    for name in ("rnn", "lstm", "gru"):
        total = total + layers[name](sequences)[0].sum()
    return total
