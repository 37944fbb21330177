import random

import pytest

from demos.trainings import conv_arithmetic
from demos.trainings.base import ParamError

DEMO = conv_arithmetic.DEMO


def all_checks_pass(m):
    return m["shapes_match_torch"] and m["params_match_torch"] and m["receptive_fields_match_gradient"]


@pytest.mark.parametrize(
    ("stack", "receptive_field", "output_shape"),
    [("vgg", 16, "32x8x8"), ("resnet-stem", 27, "64x8x8"), ("dilated", 31, "16x32x32"), ("valid", 13, "8x20x20")],
)
def test_presets_match_hand_computed_values_and_torch(stack, receptive_field, output_shape):
    m = DEMO.run({"stack": stack}).metrics
    assert m["receptive_field"] == receptive_field
    assert m["output_shape"] == output_shape
    assert all_checks_pass(m)


def test_vgg_layer_table():
    m = DEMO.run().metrics
    assert m["layer1_params"] == (3 * 3 * 3 + 1) * 16
    assert m["layer2_params"] == (3 * 3 * 16 + 1) * 16
    assert m["layer3_params"] == 0
    assert [m[f"layer{i}_receptive_field"] for i in range(1, 7)] == [3, 5, 6, 10, 14, 16]
    assert [m[f"layer{i}_jump"] for i in range(1, 7)] == [1, 1, 2, 2, 2, 4]
    assert m["receptive_field_fits_input"]
    assert m["receptive_field_measured"] == 16


def test_receptive_field_in_padding_is_cut_by_the_border():
    m = DEMO.run({"stack": "resnet-stem"}).metrics
    assert not m["receptive_field_fits_input"]
    assert m["receptive_field_measured"] < m["receptive_field"]
    assert all_checks_pass(m)


def test_random_custom_stacks_agree_with_torch():
    rng = random.Random(0)
    checked = 0
    while checked < 25:
        params = {
            "stack": "custom",
            "input_size": rng.randint(8, 48),
            "in_channels": rng.randint(1, 3),
            "num_layers": rng.randint(1, 4),
            "kernel": rng.randint(1, 6),
            "stride": rng.randint(1, 3),
            "padding": rng.randint(0, 3),
            "dilation": rng.randint(1, 3),
            "channels": rng.randint(1, 6),
            "pool_every": rng.randint(0, 2),
        }
        try:
            m = DEMO.run(params).metrics
        except ParamError:
            continue
        assert all_checks_pass(m), params
        checked += 1


def test_deterministic():
    first, second = DEMO.run({"seed": 5}), DEMO.run({"seed": 5})
    assert first.metrics == second.metrics
    assert first.series == second.series


def test_prediction_follows_the_metrics():
    for stack in ("vgg", "resnet-stem", "dilated", "valid"):
        m = DEMO.run({"stack": stack}).metrics
        rf = m["receptive_field"]
        expected = "lt10" if rf < 10 else "10to19" if rf < 20 else "20to29" if rf < 30 else "30plus"
        assert DEMO.prediction.answer(m) == expected
        assert str(rf) in DEMO.prediction.explain(m)


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.validate({"kernel": 0})
    with pytest.raises(ParamError):
        DEMO.run({"stack": "custom", "input_size": 4, "kernel": 5, "padding": 0, "num_layers": 2})
