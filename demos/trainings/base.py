"""The contract every demo module follows. Pure Python + torch/numpy: no Django here.

A demo module defines ``DEMO = Demo(...)`` whose ``run(params, device, progress)`` trains or computes
something small, seeded and deterministic, and returns a ``DemoResult``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

ProgressCallback = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """Default callback for callers that do not watch progress."""


class ParamError(ValueError):
    """Raised by ``Demo.validate`` with one message per offending parameter."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {msg}" for name, msg in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Param:
    """One tunable parameter. ``kind`` is ``int``, ``float``, ``bool`` or ``choice``."""

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: Sequence[str] = ()

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"description": self.help, "default": self.default}
        if self.kind == "choice":
            schema.update(type="string", enum=list(self.choices))
        elif self.kind == "bool":
            schema["type"] = "boolean"
        else:
            schema["type"] = "integer" if self.kind == "int" else "number"
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
        return schema

    def clean(self, value: Any) -> Any:
        """Coerce ``value`` (JSON or command-line text) to this parameter's type, or raise ValueError."""
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"must be one of {', '.join(self.choices)}")
            return value
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
                return value.lower() in {"true", "1"}
            raise ValueError("must be true or false")
        number = self._to_number(value)
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"must be at least {self.minimum}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"must be at most {self.maximum}")
        return number

    def _to_number(self, value: Any) -> int | float:
        if isinstance(value, bool):
            raise ValueError(f"must be {'an integer' if self.kind == 'int' else 'a number'}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"must be {'an integer' if self.kind == 'int' else 'a number'}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        if self.kind == "int":
            if not number.is_integer():
                raise ValueError("must be an integer")
            return int(number)
        return number


@dataclass(frozen=True)
class Prediction:
    """A question the learner answers before the run; graded from the run's own metrics.

    ``answer(metrics)`` returns the key of the correct choice; ``explain(metrics)`` says why, with numbers.
    """

    question: str
    choices: dict[str, str]
    answer: Callable[[dict[str, Any]], str]
    explain: Callable[[dict[str, Any]], str]


@dataclass
class DemoResult:
    """What a run returns.

    ``metrics``: flat JSON-serialisable final numbers (and short strings), e.g. ``{"final_loss_adam": 0.01}``.
    ``series``: panels to plot, ``{panel_id: {"title", "x_label", "y_label", "log_y", "lines": [
    {"label", "x": [...], "y": [...], "group" (optional)}]}}``; lists of plain floats, a few hundred points at
    most per line. Lines of one ``group`` share a colour and one legend entry (e.g. "kept" vs "suppressed" boxes).
    ``summary``: one paragraph stating what this run showed, built from the numbers.
    """

    metrics: dict[str, Any]
    series: dict[str, dict[str, Any]]
    summary: str


@dataclass(frozen=True)
class Demo:
    name: str
    title: str
    concepts: tuple[str, ...]
    shows: str
    params: tuple[Param, ...]
    prediction: Prediction
    train: Callable[[dict[str, Any], torch.device, ProgressCallback], DemoResult]
    # Rules that span several parameters: returns {param: message} for each violation, {} when all is well.
    check: Callable[[dict[str, Any]], dict[str, str]] = lambda params: {}

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {p.name: p.json_schema() for p in self.params},
        }

    def validate(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        """Return the full parameter set (defaults filled in), or raise ParamError naming each bad key."""
        raw = dict(raw or {})
        by_name = {p.name: p for p in self.params}
        errors = {key: "unknown parameter" for key in raw if key not in by_name}
        cleaned = self.defaults()
        for key, value in raw.items():
            if key in by_name:
                try:
                    cleaned[key] = by_name[key].clean(value)
                except ValueError as exc:
                    errors[key] = str(exc)
        if not errors:
            errors = self.check(cleaned)
        if errors:
            raise ParamError(errors)
        return cleaned

    def run(
        self,
        params: dict[str, Any] | None = None,
        device: str | torch.device = "cpu",
        progress: ProgressCallback = no_progress,
    ) -> DemoResult:
        cleaned = self.validate(params)
        seed_everything(int(cleaned.get("seed", 0)))
        result = self.train(cleaned, torch.device(device), progress)
        progress(1.0, "done")
        return result


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def seed_param(default: int = 0) -> Param:
    return Param("seed", "int", default, "Random seed; the same seed gives the same numbers.", 0, 2**31 - 1)


def preset_param() -> Param:
    return Param(
        "preset",
        "choice",
        "quick",
        "quick: a few seconds on a CPU; full: longer, closer to published numbers.",
        choices=("quick", "full"),
    )


def to_list(values: torch.Tensor | np.ndarray | Sequence[float], digits: int = 6) -> list[float]:
    """Plain rounded floats for JSON series (moves tensors to the host once, at the end)."""
    if isinstance(values, torch.Tensor):
        values = values.detach().float().cpu().numpy()
    return [round(float(v), digits) for v in np.asarray(values, dtype=float).ravel()]


def significant(values: torch.Tensor | np.ndarray | Sequence[float], digits: int = 6) -> list[float]:
    """Like ``to_list``, but rounded to significant digits, so that a 1e-12 survives for a log plot."""
    if isinstance(values, torch.Tensor):
        values = values.detach().double().cpu().numpy()
    return [float(f"{v:.{digits}g}") for v in np.asarray(values, dtype=float).ravel().tolist()]


def cap_losses(values: torch.Tensor, cap: float) -> torch.Tensor:
    """A diverged run's nan and inf (and anything above ``cap``) become ``cap``, so its curve still plots."""
    return torch.nan_to_num(values, nan=cap, posinf=cap).clamp(max=cap)


def downsample(values: Sequence, max_points: int = 200, keep_last: bool = True) -> tuple[list[int], list]:
    """Every k-th value with its index, k = ceil(len / max_points), so a plotted line has at most ``max_points``.

    With ``keep_last`` the last value is added if the stride skipped it: the line ends where the run ended.
    """
    idx = list(range(0, len(values), max(1, math.ceil(len(values) / max_points))))
    if keep_last and idx[-1] != len(values) - 1:
        idx.append(len(values) - 1)
    return idx, [values[i] for i in idx]


def thin(values: Sequence, x: Sequence | None = None, min_points: int = 200) -> dict[str, list]:
    """The ``x`` and ``y`` of a series line: every k-th value, k = len // min_points (so ``min_points`` to twice as
    many points), against ``x`` (default: the 1-based step)."""
    stride = max(1, len(values) // min_points)
    steps = list(range(1, len(values) + 1, stride)) if x is None else x[::stride]
    return {"x": steps, "y": values[::stride]}


def smooth(values: torch.Tensor, max_points: int = 200) -> tuple[list[float], torch.Tensor]:
    """Means of consecutive windows of a per-step curve, at most ``max_points`` of them: (window centres, means).

    A last, partial window is dropped.
    """
    window = max(1, math.ceil(len(values) / max_points))
    means = values[: len(values) // window * window].reshape(-1, window).mean(dim=1)
    return [float(i * window + (window - 1) / 2) for i in range(len(means))], means


def panel(title: str, x_label: str, y_label: str, lines: list[dict[str, Any]], log_y: bool = False) -> dict[str, Any]:
    """One plot of ``DemoResult.series``."""
    return {"title": title, "x_label": x_label, "y_label": y_label, "log_y": log_y, "lines": lines}


def teacher_classification(
    n: int,
    dim: int,
    classes: int,
    generator: torch.Generator,
    hidden: int = 32,
    scale: float = 1.0,
    device: str | torch.device = "cpu",
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` inputs x ~ N(0, 1) in ``dim`` dimensions, labelled by a random two-layer teacher network.

    y = argmax(tanh(scale * x @ W1) @ W2), W1 ~ N(0, 1/dim), W2 ~ N(0, 1): learnable but nonlinear (a larger
    ``scale`` saturates the tanh more). x, W1 and W2 are drawn in that order from ``generator`` on the CPU.
    """
    x = torch.randn(n, dim, generator=generator)
    w1 = torch.randn(dim, hidden, generator=generator) / math.sqrt(dim)
    w2 = torch.randn(hidden, classes, generator=generator)
    y = (torch.tanh(scale * x @ w1) @ w2).argmax(dim=1)
    return x.to(device), y.to(device)
