"""The demos that train pass their curves so far to ``progress(..., series=...)``, for the run page's live chart."""

import importlib
import json

import pytest

from demos.trainings import cnn_vs_mlp

SMALL = {
    "optimizers": {"steps_2d": 40, "steps_net": 20},
    "learning_rate_schedules": {"epochs": 4, "batch_size": 128},
    "weight_initialization": {"depth": 4, "width": 16, "steps": 12},
    "activation_gradients": {"depth": 4, "width": 16, "steps": 12},
    "imbalanced_data": {"steps": 20, "train_size": 400},
    "regularization": {"steps": 60, "width": 16},
    "l1_vs_l2": {"steps": 40},
    "normalization": {"depth": 3, "width": 16, "steps": 20},
    "residual_depth": {"blocks": 3, "width": 16, "steps": 20},
    "rnn_long_dependency": {"delay": 5, "steps": 10, "batch_size": 16, "hidden_size": 4},
    "cnn_vs_mlp": {},  # with the TINY preset below
    "batch_size": {"n_train": 256, "steps": 20, "noise_samples": 20},
    "attention_reverse": {"steps": 40, "dim": 8, "train_size": 100},
}
# These also pass the curve of the variant still training, not only those of the variants done.
WHILE_TRAINING = {"normalization", "residual_depth", "cnn_vs_mlp", "attention_reverse"}
TINY_CNN = {"num_samples": 500, "steps": 40, "channels": 8, "hidden": 32}
# Panels redrawn as a whole when a variant is added, rather than grown: their bins span the weights fitted so far.
REDRAWN = {"l1_vs_l2": {"weight_histogram"}}


def points(series: dict) -> int:
    return sum(len(line["y"]) for chart in series.values() for line in chart["lines"])


def is_prefix(short: list, long: list) -> bool:
    return short == long[: len(short)]


def prefix_of(partial: dict, final: dict) -> tuple[bool, bool]:
    """(every partial line is a prefix of the final line with its label in the same panel, one is a strict one)."""
    strict = False
    for panel_id, chart in partial.items():
        whole = final[panel_id]
        if {k: v for k, v in chart.items() if k != "lines"} != {k: v for k, v in whole.items() if k != "lines"}:
            return False, strict
        by_label = {line["label"]: line for line in whole["lines"]}
        for line in chart["lines"]:
            match = by_label.get(line["label"])
            if match is None or set(line) != set(match) or not all(is_prefix(line[k], match[k]) for k in ("x", "y")):
                return False, strict
            strict = strict or len(line["y"]) < len(match["y"])
    return True, strict


@pytest.mark.parametrize("name", sorted(SMALL))
def test_progress_carries_the_curves_so_far(name, monkeypatch):
    monkeypatch.setitem(cnn_vs_mlp.PRESETS, "quick", TINY_CNN)
    demo = importlib.import_module(f"demos.trainings.{name}").DEMO
    calls = []  # (the series passed, a snapshot of it taken at the call)

    def record(fraction, message, series=None):
        if series is not None:
            calls.append((series, json.dumps(series, sort_keys=True)))

    result = demo.run({**SMALL[name], "seed": 1}, progress=record)

    assert len(calls) >= 2, "progress should carry the curves several times"
    # what was passed is not changed afterwards (the service may store it later)
    assert all(json.dumps(series, sort_keys=True) == snapshot for series, snapshot in calls)
    partials = [json.loads(snapshot) for _, snapshot in calls]
    final = json.loads(json.dumps(result.series))
    assert any(set(series) == set(final) for series in partials)
    assert all(set(series) <= set(final) for series in partials)
    counts = [points(series) for series in partials]
    assert counts == sorted(counts) and counts[-1] > counts[0], counts
    assert prefix_of(partials[-1], final)[0]
    redrawn = REDRAWN.get(name, set())
    growing = [{k: v for k, v in series.items() if k not in redrawn} for series in partials]
    assert all(prefix_of(series, final)[0] for series in growing)  # at these small settings nothing is thinned
    if name in WHILE_TRAINING:  # some call showed a curve still growing
        assert any(prefix_of(series, final) == (True, True) for series in partials)
