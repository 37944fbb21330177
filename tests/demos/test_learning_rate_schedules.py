import math

import pytest

from demos.trainings.base import ParamError
from demos.trainings.learning_rate_schedules import DEMO, SCHEDULES, make_schedules

SMALL = {"epochs": 30, "seed": 0}  # the defaults: about a second


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_formulas_of_the_notes():
    params = {**DEMO.defaults(), "lr0": 0.2, "decay_rate": 1.0, "k": 2.0, "epochs": 10}
    schedules = {name: fn for name, (_, fn) in make_schedules(params, steps_per_epoch=4).items()}
    step_in_epoch_3 = 9  # epochs count from 1: steps 8..11 are epoch 3
    assert schedules["inverse_time"](step_in_epoch_3) == pytest.approx(0.2 / (1 + 3))
    assert schedules["exponential"](step_in_epoch_3) == pytest.approx(0.95**3 * 0.2)
    assert schedules["sqrt_epoch"](step_in_epoch_3) == pytest.approx(2 / math.sqrt(3) * 0.2)
    assert schedules["sqrt_step"](step_in_epoch_3) == pytest.approx(2 / math.sqrt(10) * 0.2)  # t = 10
    assert schedules["constant"](step_in_epoch_3) == 0.2
    assert schedules["step"](39) == pytest.approx(0.002)
    assert schedules["warmup_cosine"](7) == pytest.approx(0.2)  # end of the 2 warmup epochs
    assert schedules["warmup_cosine"](39) < 0.001
    assert schedules["cyclic"](0) == pytest.approx(0.02)
    assert schedules["cyclic"](8) == pytest.approx(0.2)  # peak after half a 4-epoch cycle


def test_decay_beats_a_large_constant_rate(small_run):
    m = small_run.metrics
    for name in ("exponential", "step", "warmup_cosine"):
        assert m[f"final_excess_loss_{name}"] < 0.2 * m["final_excess_loss_constant"]
    assert m["final_excess_loss_inverse_time"] < 0.5 * m["final_excess_loss_constant"]


def test_a_small_constant_rate_is_not_beaten_by_fast_decay():
    m = DEMO.run({"epochs": 15, "lr0": 0.05}).metrics
    assert m["final_excess_loss_constant"] < m["final_excess_loss_sqrt_step"]
    assert m["final_excess_loss_constant"] < m["final_excess_loss_inverse_time"]


def test_series_have_one_line_per_schedule(small_run):
    assert len(small_run.series["learning_rates"]["lines"]) == len(SCHEDULES)
    assert all(len(line["y"]) == SMALL["epochs"] for line in small_run.series["excess_loss"]["lines"])


def test_deterministic():
    tiny = {"epochs": 3, "batch_size": 128}
    assert DEMO.run(tiny).metrics == DEMO.run(tiny).metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == min(SCHEDULES, key=lambda n: m[f"final_excess_loss_{n}"])
    assert DEMO.prediction.answer({**m, "final_excess_loss_cyclic": 0.0}) == "cyclic"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"epochs": 1000})
