"""Attention learns an alignment: one attention layer reverses a sequence of random symbols.

The input is n random symbols x_0..x_{n-1} (a vocabulary of V); the target at output position i is x_{n-1-i}.
One attention layer, no recurrence, no feed-forward block:
  query of output position i:   q_i, a learned vector (one per output position)
  key of input position j:      k_j = p_j + W_k e(x_j)   (a learned positional embedding plus the content)
  value of input position j:    v_j = W_v e(x_j)         (the content only)
  output i:                     logits_i = W_o sum_j softmax_j(q_i . k_j / sqrt(d)) v_j
Nothing tells output i where to look: the alignment "i reads n-1-i" has to be learned from the loss, and the
attention weights show it.
"""

import math

import torch
from torch import nn

from demos.trainings.base import Demo, DemoResult, Param, Prediction, panel, pm, seed_param, to_list

N_EVALS = 30
N_TEST = 512
PROGRESS_CALLS = 4


class ReverseAttention(nn.Module):
    def __init__(self, seq_len, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.queries = nn.Parameter(torch.randn(seq_len, dim) / math.sqrt(dim))
        self.positions = nn.Parameter(torch.randn(seq_len, dim) / math.sqrt(dim))
        self.key = nn.Linear(dim, dim, bias=False)
        self.value = nn.Linear(dim, dim, bias=False)
        self.out = nn.Linear(dim, vocab)

    def forward(self, x):
        """Logits (batch, n, vocab) and attention weights (batch, n outputs, n inputs)."""
        e = self.embed(x)
        keys = self.positions + self.key(e)
        scores = torch.einsum("id,bjd->bij", self.queries, keys) / math.sqrt(self.queries.shape[1])
        weights = scores.softmax(dim=-1)
        return self.out(weights @ self.value(e)), weights


def attention_stats(weights):
    """Per output position i, averaged over the batch: the attention on the mirrored input n-1-i, on the same
    input i (positions where the two coincide are left out) and the attention-weighted mean input position."""
    n = weights.shape[-1]
    mean = weights.mean(dim=0)  # (n outputs, n inputs)
    idx = torch.arange(n, device=weights.device)
    mirrored = mean[idx, n - 1 - idx]
    distinct = idx != n - 1 - idx
    same = mean[idx[distinct], idx[distinct]]
    mean_position = mean @ idx.to(mean.dtype)
    return mirrored, same, mean_position


def evaluate(model, x):
    with torch.no_grad():
        logits, weights = model(x)
        accuracy = (logits.argmax(dim=-1) == x.flip(1)).float().mean()
        return accuracy, weights


def _train(params, device, progress):
    n, vocab, steps = params["seq_len"], params["vocab"], params["steps"]
    generator = torch.Generator().manual_seed(params["seed"])
    x_train = torch.randint(0, vocab, (params["train_size"], n), generator=generator)
    x_test = torch.randint(0, vocab, (N_TEST, n), generator=generator)
    batches = torch.randint(0, params["train_size"], (steps, params["batch_size"]), generator=generator)
    x_train, x_test, batches = x_train.to(device), x_test.to(device), batches.to(device)
    model = ReverseAttention(n, vocab, params["dim"]).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params["lr"])
    eval_every = max(1, steps // N_EVALS)
    curves = {"step": [], "train": [], "test": [], "mirrored": []}
    for step in range(steps + 1):
        if step % eval_every == 0 or step == steps:
            train_acc, _ = evaluate(model, x_train)
            test_acc, weights = evaluate(model, x_test)
            curves["step"].append(float(step))
            curves["train"].append(round(float(train_acc), 6))
            curves["test"].append(round(float(test_acc), 6))
            curves["mirrored"].append(round(float(attention_stats(weights)[0].mean()), 6))
        if step == steps:
            break
        x = x_train[batches[step]]
        logits, _ = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), x.flip(1).reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % max(1, steps // PROGRESS_CALLS) == 0:
            progress(step / steps, f"step {step}/{steps}", series=_series(curves, n))

    mirrored, same, mean_position = attention_stats(weights)
    ideal = torch.arange(n - 1, -1, -1, device=mean_position.device, dtype=mean_position.dtype)
    alignment = {"position": [float(i) for i in range(n)], "mean": to_list(mean_position), "ideal": to_list(ideal)}
    series = _series(curves, n, alignment)
    metrics = {
        "final_test_accuracy": curves["test"][-1],
        "final_train_accuracy": curves["train"][-1],
        "attention_on_mirrored": round(float(mirrored.mean()), 6),
        "attention_on_same": round(float(same.mean()), 6) if len(same) else 0.0,
        "alignment_error": round(float((mean_position - ideal).abs().mean()), 6),
        "min_attention_on_mirrored": round(float(mirrored.min()), 6),
        "uniform_attention": round(1 / n, 6),
        "chance_accuracy": round(1 / vocab, 6),
        "seq_len": n,
    }
    progress(1.0, "trained", series=series)
    return DemoResult(metrics, series)


def _series(curves, n, alignment=None):
    """The curves so far; the alignment panel once training is over."""
    step, xs = "step (Adam updates)", list(curves["step"])
    series = {
        "accuracy": panel(
            f"Accuracy: symbols put in the right place (test: {N_TEST} new sequences)",
            step,
            "accuracy (fraction of symbols right)",
            [
                {"label": "train", "x": xs, "y": list(curves["train"])},
                {"label": "test", "x": xs, "y": list(curves["test"])},
            ],
        ),
        "attention_on_mirrored": panel(
            "Attention weight on the mirrored input position n-1-i (mean over outputs, test set)",
            step,
            "attention weight (fraction of the total)",
            [
                {"label": "on position n-1-i", "x": xs, "y": list(curves["mirrored"])},
                {"label": f"uniform (1/{n})", "x": xs, "y": [round(1 / n, 6)] * len(xs)},
            ],
        ),
    }
    if alignment is not None:
        series["alignment"] = panel(
            "Which input position each output position attends to, after training",
            "output position i (index)",
            "attended input position (attention-weighted mean index)",
            [
                {"label": "learned attention", "x": alignment["position"], "y": alignment["mean"]},
                {"label": "ideal: n-1-i", "x": alignment["position"], "y": alignment["ideal"]},
            ],
        )
    return series


def _where(m):
    if m["attention_on_mirrored"] > 0.5:
        return "mirrored"
    if m["attention_on_same"] > 0.5:
        return "same"
    return "spread"


def _claim(m):
    """Attention concentrates on the mirrored position, and the layer reverses far better than chance."""
    holds = m["attention_on_mirrored"] > 0.5 and m["final_test_accuracy"] > max(0.5, 3 * m["chance_accuracy"])
    return holds, (
        f"after training, output position i put on average {pm(m, 'attention_on_mirrored', '.2f')} of its attention "
        f"on input position n-1-i (uniform attention would give {m['uniform_attention']:.2f}; the attended position "
        f"was off the ideal by {pm(m, 'alignment_error', '.2f')} positions on average), and test accuracy reached "
        f"{pm(m, 'final_test_accuracy', '.1f', 100)}% against {m['chance_accuracy']:.0%} by chance."
    )


def _summary(m, params):
    text = (
        f"One attention layer learned to reverse {m['seq_len']} symbols from a vocabulary of {params['vocab']}: "
        f"test accuracy {m['final_test_accuracy']:.1%} (train {m['final_train_accuracy']:.1%}, chance "
        f"{m['chance_accuracy']:.0%}). Each output position put {m['attention_on_mirrored']:.2f} of its attention on "
        f"the mirrored input on average (the lowest: {m['min_attention_on_mirrored']:.2f}) and "
        f"{m['attention_on_same']:.2f} on its own position. "
    )
    if m["attention_on_mirrored"] > 0.5:
        return text + (
            "No rule told position i where to look: the learned queries and positional keys found the alignment "
            "i -> n-1-i because only that choice lowers the loss, and the attention map reads as the alignment."
        )
    return text + "The alignment is not learned yet here: try more steps or a larger learning rate."


DEMO = Demo(
    name="attention-reverse",
    title="Attention learns to reverse a sequence",
    concepts=("self-attention", "transformer"),
    shows="one attention layer learning where to look: output i reads input n-1-i",
    params=(
        Param("seq_len", "int", 8, "Symbols per sequence (n).", 3, 16),
        Param("vocab", "int", 10, "Distinct symbols (V).", 2, 50),
        Param("dim", "int", 32, "Width of the embeddings, queries, keys and values.", 4, 128),
        Param("steps", "int", 300, "Adam steps.", 10, 2000),
        Param("batch_size", "int", 64, "Sequences per step.", 8, 512),
        Param("train_size", "int", 1000, "Training sequences.", 50, 10000),
        Param("lr", "float", 0.03, "Adam learning rate.", 1e-4, 0.5),
        seed_param(),
    ),
    prediction=Prediction(
        question="A single attention layer learns to reverse a sequence of n symbols. After training, where does "
        "output position i put most of its attention?",
        choices={
            "same": "On the same input position i",
            "mirrored": "On the mirrored input position n-1-i",
            "spread": "Spread evenly over all the inputs",
        },
        answer=_where,
        explain=lambda m: (
            f"Attention on input n-1-i: {m['attention_on_mirrored']:.2f} on average; on input i: "
            f"{m['attention_on_same']:.2f}; evenly spread would be {m['uniform_attention']:.2f} each. Output i must "
            f"emit x[n-1-i], so the loss pulls its query towards that input's positional key."
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
