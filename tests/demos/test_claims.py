"""Every demo's lesson, stated as a claim on its own numbers, holds on seeds 0-9.

The runs use CI settings: the defaults, made smaller where a default run takes more than a fraction of a second
(CI below; cnn-vs-mlp's quick preset is shrunk the same way). The same claims were checked at the full defaults for
seeds 0-9 when they were written (see the report in the pull request); these settings keep the whole module at
about two minutes on one CPU thread.
"""

import time

import pytest

from demos.catalog import CATALOG
from demos.trainings import cnn_vs_mlp

SEEDS = range(10)
CI = {
    "activation-gradients": {"depth": 8, "width": 32, "steps": 60},
    "weight-initialization": {"depth": 8, "width": 32, "steps": 60},
    "gradient-checking": {},
    "optimizers": {"steps_net": 20},
    "learning-rate-schedules": {"epochs": 20, "batch_size": 64},
    "batch-size": {"n_train": 256, "steps": 60, "noise_samples": 100},
    "normalization": {"steps": 120, "width": 32},
    "regularization": {"steps": 200, "width": 48},
    "l1-vs-l2": {},
    "cnn-vs-mlp": {},  # with CNN_CI as the quick preset
    "conv-arithmetic": {},
    "rnn-long-dependency": {"delay": 20, "steps": 60, "hidden_size": 16, "batch_size": 64},
    "residual-depth": {"blocks": 10, "width": 32, "steps": 60, "shallow_baseline": False},
    "non-max-suppression": {},
    "imbalanced-data": {"steps": 150, "train_size": 1000},
}
CNN_CI = {"num_samples": 5000, "steps": 200, "channels": 8, "hidden": 32}


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
    assert not failures, "\n".join(failures)
    assert len(answers) == 1, f"the prediction's answer depends on the seed: {answers}"
    print(f"{name}: 10 seeds in {time.perf_counter() - started:.1f} s")
