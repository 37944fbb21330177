import pytest

from demos.trainings.base import ParamError
from demos.trainings.batch_size import DEMO

SMALL = {"n_train": 256, "steps": 60, "noise_samples": 100, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_gradient_noise_falls_like_one_over_batch_size(small_run):
    m = small_run.metrics
    assert m["grad_variance_batch_1"] > m["grad_variance_batch_8"] > m["grad_variance_batch_64"] > 0
    assert m["grad_variance_full_batch"] == 0
    # 1/B with the finite-sample correction predicts 8 * (256 - 8) / (256 - 64) = 10.33 for n = 256
    assert m["theory_ratio_8_to_64"] == pytest.approx(10.33, abs=0.01)
    assert 0.75 < m["variance_ratio_8_to_64"] / m["theory_ratio_8_to_64"] < 1.33
    assert 5 < m["grad_variance_batch_1"] / m["grad_variance_batch_8"] < 12
    measured, theory = (line["y"] for line in small_run.series["gradient_noise"]["lines"])
    assert all(0.6 < a / b < 1.6 for a, b in zip(measured, theory, strict=True))


def test_large_batches_win_per_step_small_batches_win_per_example(small_run):
    m = small_run.metrics
    assert m["final_loss_batch_full"] < 0.5 * m["final_loss_batch_1"]
    assert m["loss_at_equal_examples_batch_1"] < m["loss_at_equal_examples_batch_full"] - 0.03
    assert m["examples_seen_batch_full"] == 256 * 60


def test_deterministic(small_run):
    assert DEMO.run(SMALL).metrics == small_run.metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == "eight"
    assert DEMO.prediction.answer({**m, "variance_ratio_8_to_64": 55.0}) == "sixtyfour"
    assert DEMO.prediction.answer({**m, "variance_ratio_8_to_64": 1.1}) == "same"
    assert str(m["variance_ratio_8_to_64"])[:3] in DEMO.prediction.explain(m)


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"lr_scaling": "cubic"})
    with pytest.raises(ParamError):
        DEMO.run({"n_train": 10**7})
