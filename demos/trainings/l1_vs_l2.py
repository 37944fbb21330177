"""L1 vs L2: the L1 penalty sets weights exactly to zero, the L2 penalty only shrinks them.

Linear regression where only a few of the features matter. Loss: (1/2n) ||Xw - y||^2 plus
  L1: lambda1 * sum|w|       minimized with proximal gradient descent (ISTA: a gradient step, then soft-threshold)
  L2: lambda2/2 * sum w^2    minimized with plain gradient descent
and, for contrast, L1 minimized with plain subgradient descent (gradient + lambda1 * sign(w)), which hovers
around zero without landing on it.
"""

import torch

from demos.trainings.base import Demo, DemoResult, Param, Prediction, panel, pm, seed_param, thin, to_list

METHODS = ("l1", "l2", "l1_subgradient", "none")
HISTOGRAM_BINS = 41  # odd, so one bin is centred on zero
MANY = 0.2  # "many zeros" means at least this fraction of the weights


def make_data(n_samples, n_features, n_informative, noise, generator):
    """y = X w_true + noise, where only the first n_informative entries of w_true are non-zero."""
    x = torch.randn(n_samples, n_features, generator=generator)
    w_true = torch.zeros(n_features)
    signs = torch.randint(0, 2, (n_informative,), generator=generator) * 2 - 1
    w_true[:n_informative] = signs * (1 + 2 * torch.rand(n_informative, generator=generator))
    y = x @ w_true + noise * torch.randn(n_samples, generator=generator)
    return x, y, w_true


def soft_threshold(w, threshold):
    """The proximal step of threshold * |w|: shrink every weight by threshold, and clip at exactly zero."""
    return torch.sign(w) * (w.abs() - threshold).clamp(min=0)


def fit(method, x, y, lam1, lam2, lr, steps):
    """Gradient-based fit from w = 0; returns the weights and the count of exact zeros after each step."""
    n = len(x)
    w = torch.zeros(x.shape[1], device=x.device)
    zeros = torch.zeros(steps, device=x.device)
    for step in range(steps):
        grad = x.T @ (x @ w - y) / n
        if method == "l1":
            w = soft_threshold(w - lr * grad, lr * lam1)
        elif method == "l1_subgradient":
            w = w - lr * (grad + lam1 * torch.sign(w))
        elif method == "l2":
            w = w - lr * (grad + lam2 * w)
        else:
            w = w - lr * grad
        zeros[step] = (w == 0).sum()
    return w, zeros


def _check(params) -> dict[str, str]:
    if params["n_informative"] > params["n_features"]:
        return {"n_informative": f"must be at most n_features ({params['n_features']})"}
    return {}


def _train(params, device, progress):
    n_features, informative = params["n_features"], params["n_informative"]
    generator = torch.Generator().manual_seed(params["seed"])
    x, y, w_true = make_data(params["n_samples"], n_features, informative, params["noise"], generator)
    x, y = x.to(device), y.to(device)
    # step size 1/L, L = the largest curvature of the smooth part of the loss (data term + L2 penalty):
    # the usual safe choice for (proximal) gradient descent; every method uses the same step
    lr = 1.0 / (torch.linalg.eigvalsh(x.T @ x / len(x)).max() + params["l2_strength"])

    fitted, weights, zeros_over_time = {}, {}, {}
    for i, method in enumerate(METHODS):
        progress(0.1 + 0.8 * i / len(METHODS), f"fitting: {method}")
        w, zeros = fit(method, x, y, params["l1_strength"], params["l2_strength"], lr, params["steps"])
        fitted[method] = w.cpu()
        weights[method], zeros_over_time[method] = to_list(w, digits=9), to_list(zeros)
        series = _series(weights, zeros_over_time, to_list(w_true))  # the methods fitted so far
        progress(0.1 + 0.8 * (i + 1) / len(METHODS), f"fitted: {method}", series=series)

    metrics = {"n_features": n_features, "n_informative": informative}
    for method, w in fitted.items():
        metrics[f"zero_weights_{method}"] = int((w == 0).sum())
        metrics[f"fraction_zero_{method}"] = round(float((w == 0).float().mean()), 6)
        metrics[f"smallest_abs_weight_{method}"] = round(float(w.abs().min()), 9)
        metrics[f"l1_norm_{method}"] = round(float(w.abs().sum()), 6)
        metrics[f"l2_norm_{method}"] = round(float(w.norm()), 6)
        metrics[f"informative_kept_{method}"] = int((w[:informative] != 0).sum())
        irrelevant = w[informative:].abs()
        metrics[f"irrelevant_mean_abs_{method}"] = round(float(irrelevant.mean()), 6) if len(irrelevant) else 0.0
    metrics["true_l1_norm"] = round(float(w_true.abs().sum()), 6)
    metrics["step_size"] = round(float(lr), 6)
    return DemoResult(metrics, series)


def _series(weights, zeros_over_time, w_true):
    """The charts of the methods in ``weights``: those fitted so far (L1 first), all of them at the end."""
    largest = max(abs(v) for method in ("l1", "l2") if method in weights for v in weights[method])
    edges = torch.linspace(-largest, largest, HISTOGRAM_BINS + 1)
    centers = to_list((edges[1:] + edges[:-1]) / 2)
    features = [float(i) for i in range(len(w_true))]
    steps = [float(s + 1) for s in range(len(zeros_over_time["l1"]))]

    def histogram(values):
        return to_list(torch.histc(torch.tensor(values), bins=HISTOGRAM_BINS, min=-largest, max=largest))

    return {
        "weight_histogram": panel(
            "Histogram of the fitted weights",
            "weight value (unitless)",
            "number of weights (count)",
            [
                {"label": label, "x": centers, "y": histogram(weights[m])}
                for m, label in (("l1", "L1 (ISTA)"), ("l2", "L2"))
                if m in weights
            ],
            aggregate="first",
        ),
        "weights": panel(
            "Weight of every feature (the first few are the informative ones)",
            "feature (index)",
            "weight (unitless)",
            [{"label": "true", "x": features, "y": w_true}]
            + [
                {"label": label, "x": features, "y": weights[m]}
                for m, label in (
                    ("l1", "L1 (ISTA)"),
                    ("l2", "L2"),
                    ("l1_subgradient", "L1 (subgradient)"),
                    ("none", "no penalty"),
                )
                if m in weights
            ],
            aggregate="first",
        ),
        "zeros_over_time": panel(
            "Number of weights exactly equal to zero",
            "step (gradient steps)",
            "exact zeros (count of weights)",
            [
                {"label": label, **thin(zeros_over_time[m], steps)}
                for m, label in (("l1", "L1 (ISTA)"), ("l2", "L2"), ("l1_subgradient", "L1 (subgradient)"))
                if m in zeros_over_time
            ],
        ),
    }


def _summary(m, params):
    n = m["n_features"]
    text = (
        f"Of {n} features only {m['n_informative']} matter. With L1 (lambda {params['l1_strength']:g}, fitted by "
        f"proximal gradient descent) {m['zero_weights_l1']} of the {n} weights ended exactly at zero "
        f"({m['informative_kept_l1']} of the {m['n_informative']} informative ones survived); with L2 "
        f"(lambda {params['l2_strength']:g}) {m['zero_weights_l2']} did, its smallest weight being "
        f"{m['smallest_abs_weight_l2']:.2g} and the irrelevant weights averaging {m['irrelevant_mean_abs_l2']:.3f} in "
        f"size (vs {m['irrelevant_mean_abs_none']:.3f} with no penalty). L2 norms: L1 {m['l2_norm_l1']:.3f}, "
        f"L2 {m['l2_norm_l2']:.3f}, no penalty {m['l2_norm_none']:.3f}. "
    )
    if m["fraction_zero_l1"] < MANY:
        text += "At this L1 strength few weights reached zero; a larger lambda would prune more. "
    return text + (
        f"The exact zeros come from the soft-threshold step, which sets a weight to exactly 0.0 whenever the gradient "
        f"step leaves it within lr*lambda of zero; the L2 gradient lambda*w shrinks a weight in proportion to its "
        f"size, so it never quite gets there. "
        f"Plain subgradient descent on the same L1 loss ended with {m['zero_weights_l1_subgradient']} exact zeros: "
        f"its fixed step lambda*sign(w) jumps back and forth across zero instead of stopping on it."
    )


def _claim(m):
    """L1 sets many weights to exactly zero but keeps every informative one; L2 and the L1 subgradient set none."""
    holds = (
        _answer(m) == "l1"
        and m["informative_kept_l1"] == m["n_informative"]
        and m["zero_weights_l2"] == 0
        and m["zero_weights_l1_subgradient"] == 0
    )
    return holds, (
        f"L1 (ISTA) left {pm(m, 'zero_weights_l1', '.3g')} of {m['n_features']} weights at exactly zero while keeping "
        f"{pm(m, 'informative_kept_l1', '.3g')} of the {m['n_informative']} informative ones; L2 left "
        f"{pm(m, 'zero_weights_l2', '.3g')} and L1 by plain subgradient descent "
        f"{pm(m, 'zero_weights_l1_subgradient', '.3g')}."
    )


def _answer(m):
    l1_many, l2_many = m["fraction_zero_l1"] >= MANY, m["fraction_zero_l2"] >= MANY
    return {(True, False): "l1", (False, True): "l2", (True, True): "both", (False, False): "neither"}[
        (l1_many, l2_many)
    ]


DEMO = Demo(
    name="l1-vs-l2",
    title="L1 vs L2: exact zeros vs shrinkage",
    concepts=("l1-regularization", "l2-regularization"),
    shows="weight histograms: L1 drives weights to exactly zero, L2 shrinks them",
    params=(
        Param("n_samples", "int", 100, "Training examples.", 10, 2000),
        Param("n_features", "int", 50, "Features (weights).", 5, 500),
        Param("n_informative", "int", 5, "Features that actually affect y (at most n_features).", 1, 500),
        Param("noise", "float", 0.5, "Standard deviation of the noise on y.", 0.0, 5.0),
        Param("l1_strength", "float", 0.1, "lambda1 in lambda1 * sum|w|.", 0.0, 5.0),
        Param("l2_strength", "float", 0.1, "lambda2 in lambda2/2 * sum w^2.", 0.0, 5.0),
        Param("steps", "int", 500, "Gradient steps for every method.", 10, 5000),
        seed_param(),
    ),
    prediction=Prediction(
        question="Penalties of similar strength are added to a linear regression where most features are "
        f"useless. Which penalty leaves many (at least {MANY:.0%}) of the weights EXACTLY zero?",
        choices={"l1": "Only L1", "l2": "Only L2", "both": "Both", "neither": "Neither"},
        answer=_answer,
        explain=lambda m: (
            f"L1 left {m['zero_weights_l1']} of {m['n_features']} weights at exactly 0 and L2 left "
            f"{m['zero_weights_l2']}. The L1 penalty pulls every weight toward zero with the same force lambda "
            f"whatever its size, so small weights are pulled all the way (ISTA's soft-threshold sets them to 0.0); "
            f"the L2 pull lambda*w fades as the weight shrinks (smallest L2 weight: "
            f"{m['smallest_abs_weight_l2']:.2g})."
        ),
    ),
    train=_train,
    claim=_claim,
    summarize=_summary,
    check=_check,
)

if __name__ == "__main__":
    result = DEMO.run()
    print(result.metrics)
    print(result.summary)
