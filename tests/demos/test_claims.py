"""Every demo's lesson, stated as a claim on its own numbers, holds on seeds 0-9, and its chart is drawn.

The runs use CI settings: the defaults, made smaller where that keeps the lesson (CI below: fewer steps, smaller
networks, larger batches; cnn-vs-mlp's quick preset is shrunk to CNN_CI with a learning rate of 0.02). Where a
smaller run blurs the lesson the defaults stay: rnn-long-dependency needs its 40-step delay and 100 steps (at a
30-step delay the vanilla RNN sometimes bridges the gap). The same claims hold at the full defaults for seeds 0-9.
"""

import re
import time

import pytest

from demos.catalog import CATALOG
from demos.plots import render_svg
from demos.trainings import cnn_vs_mlp

SEEDS = range(10)
CI = {
    "activation-gradients": {"depth": 8, "width": 32, "steps": 60},
    "weight-initialization": {"steps": 60},
    "gradient-checking": {},
    "optimizers": {"steps_net": 20},
    "learning-rate-schedules": {"batch_size": 64},
    "batch-size": {"n_train": 256, "steps": 60, "noise_samples": 100},
    "normalization": {"steps": 120, "width": 32},
    "regularization": {"steps": 200, "width": 48},
    "l1-vs-l2": {},
    "cnn-vs-mlp": {"learning_rate": 0.02},  # with CNN_CI as the quick preset
    "conv-arithmetic": {},
    "rnn-long-dependency": {},
    "attention-reverse": {"steps": 100, "dim": 16, "train_size": 500},
    "residual-depth": {"blocks": 10, "width": 32, "steps": 60, "shallow_baseline": False},
    "non-max-suppression": {},
    "imbalanced-data": {"steps": 150, "train_size": 1000},
}
CNN_CI = {"num_samples": 5000, "steps": 250, "channels": 16, "hidden": 64}
UNIT = re.compile(r"\S \(.+\)$")  # an axis label ends with its unit in parentheses: "loss (nats)"


@pytest.fixture
def ci_presets(monkeypatch):
    monkeypatch.setitem(cnn_vs_mlp.PRESETS, "quick", CNN_CI)


def test_every_demo_has_ci_settings():
    assert set(CI) == set(CATALOG)


@pytest.mark.parametrize("name", list(CATALOG))
def test_claim_holds_on_seeds_0_to_9(name, ci_presets):
    demo = CATALOG[name]
    started = time.perf_counter()
    failures, answers = [], set()
    for seed in SEEDS:
        result = demo.run({**CI[name], "seed": seed})
        holds, sentence = demo.claim(result.metrics)
        assert result.metrics["claim_holds"] is holds
        assert sentence in result.summary
        if not holds:
            failures.append(f"seed {seed}: {sentence}")
        answers.add(demo.prediction.answer(result.metrics))
        if seed == 0:
            check_chart(demo, result)
    assert not failures, "\n".join(failures)
    assert len(answers) == 1, f"the prediction's answer depends on the seed: {answers}"
    print(f"{name}: 10 seeds in {time.perf_counter() - started:.1f} s")


def check_chart(demo, result):
    """Every axis names its unit, and the SVG chart is drawn with one set of axes per panel."""
    for panel_id, panel in result.series.items():
        for axis in ("x_label", "y_label"):
            assert UNIT.search(panel[axis]), f"{demo.name}/{panel_id} {axis} has no unit: {panel[axis]!r}"
    svg = render_svg(demo.title, result.series)
    assert svg.startswith("<?xml") and svg.count('id="axes_') == len(result.series)
