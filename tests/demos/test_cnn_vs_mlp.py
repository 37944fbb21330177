import pytest
import torch
from torch import nn

from demos.trainings import cnn_vs_mlp
from demos.trainings.base import ParamError

SMALL = {"num_samples": 1500, "steps": 250, "channels": 16, "hidden": 100}
TINY = {"num_samples": 500, "steps": 20, "channels": 8, "hidden": 32}


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setitem(cnn_vs_mlp.PRESETS, "quick", SMALL)


def test_cnn_wins_on_normal_data_and_loses_its_advantage_when_shuffled(small):
    m = cnn_vs_mlp.DEMO.run({"seed": 0}).metrics
    assert m["cnn_advantage_normal"] > 0.08
    assert m["cnn_drop_from_shuffling"] > 0.08
    assert m["cnn_advantage_shuffled"] < 0.05
    assert abs(m["mlp_drop_from_shuffling"]) < 0.05
    assert cnn_vs_mlp.DEMO.prediction.answer(m) in {"medium", "large"}


def test_deterministic(monkeypatch):
    monkeypatch.setitem(cnn_vs_mlp.PRESETS, "quick", TINY)
    first = cnn_vs_mlp.DEMO.run({"seed": 3})
    second = cnn_vs_mlp.DEMO.run({"seed": 3})
    assert first.metrics == second.metrics
    assert first.series == second.series


@pytest.mark.parametrize("preset", ["quick", "full"])  # a constant learning rate, and the one-cycle schedule
def test_the_shuffled_mlp_is_the_normal_mlp_with_relabelled_inputs(monkeypatch, preset):
    """Its first layer's columns follow the pixels, so both compute the same function up to rounding."""
    monkeypatch.setitem(cnn_vs_mlp.PRESETS, preset, TINY)
    m = cnn_vs_mlp.DEMO.run({"preset": preset, "seed": 1}).metrics
    assert abs(m["test_accuracy_mlp_shuffled"] - m["test_accuracy_mlp"]) < 0.01
    assert abs(m["train_accuracy_mlp_shuffled"] - m["train_accuracy_mlp"]) < 0.01


@pytest.mark.parametrize(("kernel", "stride", "padding", "length"), [(5, 2, 1, 40), (3, 2, 1, 19), (3, 1, 0, 7)])
def test_channels_last_conv_computes_conv1d(kernel, stride, padding, length):
    conv = cnn_vs_mlp.ChannelsLastConv1d(3, 4, kernel, stride=stride, padding=padding)
    x = torch.randn(2, 3, length)
    expected = nn.Conv1d.forward(conv, x)  # the convolution on (batch, channels, positions) inputs
    assert torch.allclose(conv(x.transpose(1, 2)).transpose(1, 2), expected, atol=1e-6)


def test_full_preset_limits_the_seeds():
    assert cnn_vs_mlp.DEMO.validate({"preset": "full", "seeds": 3})["seeds"] == 3
    with pytest.raises(ParamError) as error:
        cnn_vs_mlp.DEMO.validate({"preset": "full", "seeds": 4})
    assert "seeds" in error.value.errors


def test_prediction_follows_the_metrics():
    answer = cnn_vs_mlp.DEMO.prediction.answer
    base = {"test_accuracy_cnn": 0.8, "test_accuracy_mlp": 0.6, "test_accuracy_cnn_shuffled": 0.5}
    assert answer({**base, "cnn_drop_from_shuffling": 0.01}) == "small"
    assert answer({**base, "cnn_drop_from_shuffling": 0.10}) == "medium"
    assert answer({**base, "cnn_drop_from_shuffling": 0.30}) == "large"
    assert "drop" in cnn_vs_mlp.DEMO.prediction.explain(
        {**base, "cnn_drop_from_shuffling": 0.3, "test_accuracy_mlp_shuffled": 0.6}
    )


def test_bad_params_raise():
    with pytest.raises(ParamError):
        cnn_vs_mlp.DEMO.validate({"learning_rate": 5.0})
    with pytest.raises(ParamError):
        cnn_vs_mlp.DEMO.validate({"preset": "huge"})
