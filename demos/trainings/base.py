"""The contract every demo module follows. Pure Python + torch/numpy: no Django here.

A demo module defines ``DEMO = Demo(...)``. Its ``train(params, device, progress)`` trains or computes something
small, seeded and deterministic for ONE seed, and returns the metrics and series. ``Demo.run`` adds what every demo
shares: parameter validation, the ``seeds`` parameter (the single-seed training repeated for seed, seed + 1, ...,
averaged into mean metrics and mean curves with a min-max band), the summary and the lesson's claim, checked on the
run's own (mean) numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

# progress(fraction, message, series=None): a demo may pass the curves so far (the shape of DemoResult.series), so
# that a live chart can draw them while it trains; the service stores the latest ones with the progress.
ProgressCallback = Callable[..., None]


def no_progress(fraction: float, message: str, series: dict | None = None) -> None:
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
    ``Demo.run`` adds to every result:
      ``seeds`` (how many seeds were run) and ``claim_holds`` (whether the lesson's claim held on these metrics);
      with several seeds, every number is the mean over the seeds, ``<key>_std`` is its standard deviation
      (only for numbers that differed between seeds) and ``claim_held_on_seeds`` counts the seeds on which the
      claim held on their own. A flag that differed between seeds becomes the fraction of seeds where it was true;
      a text that differed keeps the first seed's, prefixed with "seed N: ".
    ``series``: panels to plot, ``{panel_id: {"title", "x_label", "y_label", "log_y", "lines": [
    {"label", "x": [...], "y": [...], "group" (optional), "lo", "hi" (optional)}]}}``; lists of plain floats,
    a few hundred points at most per line. Axis labels name their unit in parentheses, e.g. "loss (nats)".
    Lines of one ``group`` share a colour and one legend entry (e.g. "kept" vs "suppressed" boxes).
    Optional panel keys:
      ``contour``: ``{"x": [...], "y": [...], "z": [[...] per y], "levels": [...], "label"}``, a function's level
      lines drawn under the lines (e.g. a 2D loss surface under optimizer paths; the axes span the grid);
      ``aggregate``: ``"first"`` for a panel that shows one example (a drawing of one seed's data) rather than a
      curve, so that a multi-seed run shows the first seed's panel instead of averaging it;
      ``note``: a short remark under the title (a multi-seed run says what the line and the band are);
      ``share_y``: panels with the same value are drawn with the same y range, so that they compare at a glance.
    With several seeds a line's ``y`` is the mean over the seeds and ``lo``/``hi`` the per-point min and max
    (the band); a line that differs in its x values or label between seeds keeps the first seed's, labelled so.
    ``summary``: one paragraph stating what this run showed, built from the numbers; ``Demo.run`` writes it
    (the demo's ``summarize`` plus the claim).
    """

    metrics: dict[str, Any]
    series: dict[str, dict[str, Any]]
    summary: str = ""


MAX_SEEDS = 10


@dataclass(frozen=True)
class Demo:
    """A demo. ``train`` runs one seed and returns a ``DemoResult`` (its ``summary`` may stay empty).

    ``claim(metrics)`` is the lesson as a check on the run's own numbers: it returns ``(holds, sentence)``, the
    sentence stating the evidence (use ``pm`` for numbers, so a multi-seed run shows their spread). The prediction's
    answer is one such claim. ``summarize(metrics, params)`` writes the paragraph that describes the run; it must
    work from the metrics alone, because a multi-seed run calls it on the mean metrics.
    ``seeds`` is added to every demo's parameters.
    """

    name: str
    title: str
    concepts: tuple[str, ...]
    shows: str
    params: tuple[Param, ...]
    prediction: Prediction
    train: Callable[[dict[str, Any], torch.device, ProgressCallback], DemoResult]
    claim: Callable[[dict[str, Any]], tuple[bool, str]]
    summarize: Callable[[dict[str, Any], dict[str, Any]], str]
    # Rules that span several parameters: returns {param: message} for each violation, {} when all is well.
    check: Callable[[dict[str, Any]], dict[str, str]] = lambda params: {}
    # Work that no parameter changes (generating a fixed data set into a cache): a worker does it once, before it
    # forks the processes that run the demos, so that no run pays for it; the folder keeps what is worth keeping
    # between worker starts. CPU only: CUDA does not survive a fork.
    prepare: Callable[[Path], None] = lambda folder: None

    def __post_init__(self):
        if not any(p.name == "seeds" for p in self.params):
            object.__setattr__(self, "params", (*self.params, seeds_param()))

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
        """Validate, train once per seed (seed, seed + 1, ...), combine the seeds, then summarize and check the claim.

        Progress runs from 0 to 1 over all the seeds together.
        """
        cleaned = self.validate(params)
        first, count = int(cleaned.get("seed", 0)), int(cleaned["seeds"])
        results = []
        for k in range(count):
            seed = first + k

            def report(fraction: float, message: str, series: dict | None = None, k: int = k, seed: int = seed) -> None:
                prefix = f"seed {seed} ({k + 1}/{count}): " if count > 1 else ""
                extra = {} if series is None else {"series": series}  # callbacks that take no curves still work
                progress((k + min(max(fraction, 0.0), 1.0)) / count, prefix + message, **extra)

            seed_everything(seed)
            results.append(self.train({**cleaned, "seed": seed}, torch.device(device), report))
        result = results[0] if count == 1 else combine(results, first)
        holds, evidence = self.claim(result.metrics)
        result.metrics["seeds"] = count
        result.metrics["claim_holds"] = bool(holds)
        text = self.summarize(result.metrics, cleaned)
        if count > 1:
            held = sum(bool(self.claim(r.metrics)[0]) for r in results)
            result.metrics["claim_held_on_seeds"] = held
            text = (
                f"Means over {count} seeds ({first} to {first + count - 1}); ± is one standard deviation across the "
                f"seeds, and the charts show the mean with a band from the lowest to the highest seed. {text} "
                f"The claim held on {held} of the {count} seeds on their own."
            )
        verdict = "Lesson check, holds" if holds else "Lesson check, does NOT hold in this run"
        result.summary = f"{text} {verdict}: {evidence}"
        progress(1.0, "done")
        return result


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def seed_param(default: int = 0) -> Param:
    return Param("seed", "int", default, "Random seed; the same seed gives the same numbers.", 0, 2**31 - 1)


def seeds_param() -> Param:
    return Param(
        "seeds",
        "int",
        1,
        f"Seeds to run (seed, seed + 1, ...; 1 to {MAX_SEEDS}): metrics become means with their spread, curves "
        "means with a min-max band, and the prediction is graded on the means.",
        1,
        MAX_SEEDS,
    )


def pm(metrics: dict[str, Any], key: str, spec: str = ".3g", scale: float = 1.0) -> str:
    """``metrics[key] * scale`` formatted with ``spec``, then "± std" when a multi-seed run measured its spread.

    E.g. ``pm(m, "test_accuracy_cnn", ".1f", 100)`` gives "93.6 ± 0.4" over several seeds and "93.6" over one.
    """
    text = format(metrics[key] * scale, spec)
    std = metrics.get(f"{key}_std")
    return f"{text} ± {format(std * scale, spec)}" if std is not None else text


def _rounded(value: float) -> float | int:
    return float(f"{value:.6g}")


def _combine_metrics(runs: list[dict[str, Any]], first_seed: int) -> dict[str, Any]:
    """Mean (and ``<key>_std``) of numbers that differ between seeds; see ``DemoResult`` for flags and texts."""
    combined: dict[str, Any] = {}
    for key, value in runs[0].items():
        values = [run.get(key) for run in runs]
        if all(v == value and type(v) is type(value) for v in values):
            combined[key] = value
        elif all(isinstance(v, bool) for v in values):
            combined[key] = _rounded(sum(values) / len(values))
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            array = np.asarray(values, dtype=float)
            combined[key] = _rounded(array.mean())
            combined[f"{key}_std"] = _rounded(array.std(ddof=1))
        else:
            combined[key] = f"seed {first_seed}: {value}"
    return combined


def _combine_panel(panels: list[dict[str, Any]], first_seed: int) -> dict[str, Any]:
    head, count = panels[0], len(panels)
    remark = f"{head['note']}; " if head.get("note") else ""
    if head.get("aggregate") == "first":
        return {**head, "note": f"{remark}one example: seed {first_seed} of the {count} seeds"}
    lines = []
    for i, line in enumerate(head["lines"]):
        same = [
            p["lines"][i]
            for p in panels
            if i < len(p["lines"])
            and p["lines"][i].get("label") == line.get("label")
            and p["lines"][i]["x"] == line["x"]
            and len(p["lines"][i]["y"]) == len(line["y"])
            and all(isinstance(v, int | float) for v in p["lines"][i]["y"])
        ]
        if len(same) < count:
            lines.append({**line, "label": f"{line.get('label', '')} (seed {first_seed})"})
            continue
        ys = np.asarray([other["y"] for other in same], dtype=float)
        mean, lo, hi = ys.mean(axis=0), ys.min(axis=0), ys.max(axis=0)
        combined = {**line, "y": [_rounded(v) for v in mean]}
        if (hi > lo).any():
            combined.update(lo=[float(v) for v in lo], hi=[float(v) for v in hi])  # values of the seeds themselves
        lines.append(combined)
    return {**head, "lines": lines, "note": f"{remark}lines: mean of {count} seeds; bands: lowest to highest seed"}


def combine(results: list[DemoResult], first_seed: int) -> DemoResult:
    """One result from several seeds' results: mean metrics with their spread, mean curves with a min-max band."""
    metrics = _combine_metrics([r.metrics for r in results], first_seed)
    series = {
        panel_id: _combine_panel([r.series.get(panel_id, panel) for r in results], first_seed)
        for panel_id, panel in results[0].series.items()
    }
    return DemoResult(metrics, series)


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


def panel(
    title: str, x_label: str, y_label: str, lines: list[dict[str, Any]], log_y: bool = False, **extra: Any
) -> dict[str, Any]:
    """One plot of ``DemoResult.series``; ``extra`` holds the optional keys (``contour``, ``aggregate``, ``note``,
    ``share_y``)."""
    return {"title": title, "x_label": x_label, "y_label": y_label, "log_y": log_y, "lines": lines, **extra}


def tail_mean(values: torch.Tensor, count: int = 5) -> torch.Tensor:
    """Mean of the last ``count`` entries (rows): a final figure that one noisy evaluation does not decide."""
    return values[-count:].mean(dim=0)


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
