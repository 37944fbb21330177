"""Gradient checking: numerical vs analytic gradients.

Part 1: f(x) = x^3, whose derivative is 3x^2. The one-sided difference (f(x+eps) - f(x)) / eps is off by
3x*eps + eps^2 (error O(eps)); the two-sided difference (f(x+eps) - f(x-eps)) / (2 eps) is off by exactly eps^2
(error O(eps^2)). At x = 1, eps = 0.01 that is 3.0301 vs 3.0001.

Part 2: a small network in float64. Two-sided numerical gradients of every parameter are compared with autograd
through the relative error ||g_num - g|| / (||g_num|| + ||g||), and with a deliberately buggy backward pass.
"""

from __future__ import annotations

import math

import torch

from demos.trainings.base import Demo, DemoResult, Param, Prediction, panel, pm, seed_param, significant

SWEEP_EPS = [10 ** (-k / 5) for k in range(21)]  # 1 down to 1e-4, five points per decade
N_IN, N_HIDDEN, N_CLASSES, BATCH = 4, 5, 3, 8
PARAM_SHAPES = [(N_HIDDEN, N_IN), (N_HIDDEN,), (N_CLASSES, N_HIDDEN), (N_CLASSES,)]  # W1, b1, W2, b2
N_PARAMS = sum(math.prod(shape) for shape in PARAM_SHAPES)


def cube(x: float) -> float:
    return x**3


def one_sided(f, x: float, eps: float) -> float:
    return (f(x + eps) - f(x)) / eps


def two_sided(f, x: float, eps: float) -> float:
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def loglog_slope(eps: list[float], errors: list[float]) -> float:
    """Least-squares slope of log(error) against log(eps): 1 means error ~ eps, 2 means error ~ eps^2."""
    points = [(math.log(e), math.log(err)) for e, err in zip(eps, errors, strict=True) if err > 0]
    mean_x = sum(p[0] for p in points) / len(points)
    mean_y = sum(p[1] for p in points) / len(points)
    cov = sum((px - mean_x) * (py - mean_y) for px, py in points)
    return cov / sum((px - mean_x) ** 2 for px, _ in points)


class BuggyTanh(torch.autograd.Function):
    """tanh with a wrong backward: uses 1 - tanh(z) instead of the correct 1 - tanh(z)^2."""

    @staticmethod
    def forward(ctx, z):
        out = torch.tanh(z)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved_tensors
        return grad_out * (1 - out)


def unpack(theta: torch.Tensor) -> list[torch.Tensor]:
    """Split the flat parameter vector into W1, b1, W2, b2."""
    chunks = theta.split([math.prod(shape) for shape in PARAM_SHAPES])
    return [chunk.view(shape) for chunk, shape in zip(chunks, PARAM_SHAPES, strict=True)]


def network_loss(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor, tanh=torch.tanh) -> torch.Tensor:
    w1, b1, w2, b2 = unpack(theta)
    logits = tanh(x @ w1.T + b1) @ w2.T + b2
    return torch.nn.functional.cross_entropy(logits, y)


def analytic_grad(theta, x, y, tanh=torch.tanh) -> torch.Tensor:
    theta = theta.detach().clone().requires_grad_(True)
    network_loss(theta, x, y, tanh).backward()
    return theta.grad


@torch.no_grad()
def numerical_grad(theta, x, y, eps: float) -> torch.Tensor:
    """Two-sided difference for every parameter, one at a time: (J(theta + eps e_i) - J(theta - eps e_i)) / 2 eps."""
    grad = torch.zeros_like(theta)
    for i in range(theta.numel()):
        step = torch.zeros_like(theta)
        step[i] = eps
        grad[i] = (network_loss(theta + step, x, y) - network_loss(theta - step, x, y)) / (2 * eps)
    return grad


def abs_differences(g: torch.Tensor, g_num: torch.Tensor) -> list[float]:
    """|g - g_num| per parameter as plain floats (floored at 1e-20 so that the log plot has no zeros)."""
    return significant((g - g_num).abs().clamp(min=1e-20), digits=4)


def relative_error(g_num: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    return (g_num - g).norm() / (g_num.norm() + g.norm())


def _train(params, device, progress) -> DemoResult:
    x0, eps = params["x"], params["eps"]
    true_derivative = 3 * x0**2
    one, two = one_sided(cube, x0, eps), two_sided(cube, x0, eps)
    err_one, err_two = abs(one - true_derivative), abs(two - true_derivative)
    sweep_one = [abs(one_sided(cube, x0, e) - true_derivative) for e in SWEEP_EPS]
    sweep_two = [abs(two_sided(cube, x0, e) - true_derivative) for e in SWEEP_EPS]
    small = [i for i, e in enumerate(SWEEP_EPS) if e <= 0.1]  # fit the slope where the leading term dominates
    progress(0.3, "finite differences of x^3 done")

    generator = torch.Generator().manual_seed(params["seed"])
    theta = torch.randn(N_PARAMS, generator=generator, dtype=torch.float64).to(device)
    x = torch.randn(BATCH, N_IN, generator=generator, dtype=torch.float64).to(device)
    y = torch.randint(0, N_CLASSES, (BATCH,), generator=generator).to(device)
    g_num = numerical_grad(theta, x, y, params["net_eps"])
    g_autograd = analytic_grad(theta, x, y)
    g_buggy = analytic_grad(theta, x, y, tanh=BuggyTanh.apply)
    rel_autograd, rel_buggy = relative_error(g_num, g_autograd).item(), relative_error(g_num, g_buggy).item()
    progress(0.9, "network gradient check done")

    metrics = {
        "x": x0,
        "eps": eps,
        "true_derivative": round(true_derivative, 10),
        "one_sided_estimate": round(one, 10),
        "two_sided_estimate": round(two, 10),
        "one_sided_error": float(f"{err_one:.6g}"),
        "two_sided_error": float(f"{err_two:.6g}"),
        "error_ratio_one_to_two": float(f"{err_one / err_two:.6g}") if err_two > 0 else None,
        "one_sided_error_slope": round(loglog_slope([SWEEP_EPS[i] for i in small], [sweep_one[i] for i in small]), 4),
        "two_sided_error_slope": round(loglog_slope([SWEEP_EPS[i] for i in small], [sweep_two[i] for i in small]), 4),
        "network_parameters": N_PARAMS,
        "relative_error_autograd": float(f"{rel_autograd:.4g}"),
        "relative_error_buggy_backward": float(f"{rel_buggy:.4g}"),
    }
    log_eps = [round(math.log10(e), 3) for e in SWEEP_EPS]
    series = {
        "eps_sweep": panel(
            f"Error of the finite-difference derivative of x^3 at x = {x0:g}",
            "log10(eps) (decades)",
            "|estimate - 3x^2| (absolute error)",
            [
                {"label": "one-sided (f(x+eps) - f(x)) / eps: O(eps)", "x": log_eps, "y": significant(sweep_one)},
                {
                    "label": "two-sided (f(x+eps) - f(x-eps)) / (2 eps): O(eps^2)",
                    "x": log_eps,
                    "y": significant(sweep_two),
                },
            ],
            log_y=True,
        ),
        "network_check": panel(
            "Per-parameter |analytic - numerical| gradient on a small float64 network",
            "parameter (index in the flat vector)",
            "|analytic - numerical| (nats per unit)",
            [
                {"label": "autograd", "x": list(range(N_PARAMS)), "y": abs_differences(g_autograd, g_num)},
                {
                    "label": "buggy backward (1 - tanh instead of 1 - tanh^2)",
                    "x": list(range(N_PARAMS)),
                    "y": abs_differences(g_buggy, g_num),
                },
            ],
            log_y=True,
        ),
    }
    return DemoResult(metrics, series)


def _verdict(rel: float) -> str:
    if rel < 1e-7:
        return "great (below 1e-7)"
    if rel < 1e-5:
        return "probably fine (below 1e-5)"
    if rel < 1e-3:
        return "suspicious (between 1e-5 and 1e-3)"
    return "a bug (above 1e-3)"


def _claim(m) -> tuple[bool, str]:
    """The two-sided error is over 30x smaller and falls like eps^2 (slope near 2, the one-sided near 1); the
    gradient check passes autograd and flags the buggy backward pass."""
    holds = (
        _ratio_bucket(m) == "hundreds"
        and abs(m["one_sided_error_slope"] - 1) < 0.2
        and abs(m["two_sided_error_slope"] - 2) < 0.2
        and m["relative_error_autograd"] < 1e-7
        and m["relative_error_buggy_backward"] > 1e-3
    )
    ratio = m["error_ratio_one_to_two"]
    return holds, (
        f"the two-sided error was {'infinitely' if ratio is None else f'{ratio:.3g} times'} smaller than the "
        f"one-sided one, with log-log slopes {m['one_sided_error_slope']:.2f} and {m['two_sided_error_slope']:.2f} "
        f"(1 and 2 expected); on the network the relative error was {pm(m, 'relative_error_autograd', '.2g')} for "
        f"autograd (below 1e-7: correct) and {pm(m, 'relative_error_buggy_backward', '.2g')} for the buggy backward "
        "pass (above 1e-3: a bug)."
    )


def _summary(m, params=None) -> str:
    ratio = m["error_ratio_one_to_two"]
    if ratio is None:
        comparison = "the two-sided estimate is exact here"
    elif ratio < 1.5:
        comparison = "the two errors are about the same (at x = 0 the one-sided error's 3x * eps term vanishes)"
    else:
        comparison = f"the two-sided error is {ratio:.3g} times smaller"
    return (
        f"For f(x) = x^3 at x = {m['x']:g} with eps = {m['eps']:g}, the true derivative is {m['true_derivative']:g}; "
        f"the one-sided estimate is {m['one_sided_estimate']:.10g} (error {m['one_sided_error']:.4g}) and the "
        f"two-sided one {m['two_sided_estimate']:.10g} (error {m['two_sided_error']:.4g}): {comparison}. Over the eps "
        f"sweep the errors fall with log-log slopes {m['one_sided_error_slope']:.2f} (one-sided) and "
        f"{m['two_sided_error_slope']:.2f} (two-sided): slope 1 means error ~ eps, slope 2 means error ~ eps^2. On a "
        f"small float64 network with {m['network_parameters']} parameters, the relative error between two-sided "
        f"numerical gradients and autograd is {m['relative_error_autograd']:.3g}, "
        f"{_verdict(m['relative_error_autograd'])}; with a backward pass that uses 1 - tanh instead of 1 - tanh^2 it "
        f"is {m['relative_error_buggy_backward']:.3g}, {_verdict(m['relative_error_buggy_backward'])}."
    )


def _ratio_bucket(m) -> str:
    ratio = m["error_ratio_one_to_two"]
    if ratio is None or ratio > 30:
        return "hundreds"
    return "ten" if ratio >= 3 else "same"


def _explain(m) -> str:
    return (
        f"One-sided error {m['one_sided_error']:.4g}, two-sided error {m['two_sided_error']:.4g}. Taylor expansion: "
        "the one-sided difference keeps the f''(x) eps / 2 term (3x eps + eps^2 for x^3), the two-sided one cancels "
        "it and is off by only eps^2, so their ratio is about 3x / eps + 1."
    )


DEMO = Demo(
    name="gradient-checking",
    title="Gradient checking: one-sided vs two-sided differences",
    concepts=("gradient-checking", "backpropagation"),
    shows="numerical vs analytic gradients: for f(x)=x^3 at x=1, eps=0.01 the one-sided estimate is 3.0301 "
    "(error 0.0301) and the two-sided 3.0001 (error 0.0001); relative error on a small network",
    params=(
        Param("x", "float", 1.0, "Point at which the derivative of x^3 is estimated.", -5.0, 5.0),
        Param("eps", "float", 0.01, "Step of the finite difference for x^3.", 1e-6, 1.0),
        Param("net_eps", "float", 1e-6, "Step of the two-sided difference on the network.", 1e-9, 0.1),
        seed_param(),
    ),
    prediction=Prediction(
        question="At these settings, how many times smaller is the two-sided error than the one-sided error?",
        choices={"same": "about the same (less than 3x)", "ten": "about 3x to 30x", "hundreds": "more than 30x"},
        answer=_ratio_bucket,
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
