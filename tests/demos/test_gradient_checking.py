import pytest

from demos.trainings.base import ParamError
from demos.trainings.gradient_checking import DEMO


@pytest.fixture(scope="module")
def default_run():
    return DEMO.run()


def test_the_numbers_of_the_notes(default_run):
    m = default_run.metrics
    assert m["true_derivative"] == 3.0
    assert m["one_sided_estimate"] == 3.0301
    assert m["two_sided_estimate"] == 3.0001
    assert m["one_sided_error"] == 0.0301
    assert m["two_sided_error"] == 0.0001


def test_error_orders_in_eps(default_run):
    m = default_run.metrics
    assert m["one_sided_error_slope"] == pytest.approx(1.0, abs=0.05)
    assert m["two_sided_error_slope"] == pytest.approx(2.0, abs=0.05)


def test_network_check_passes_for_autograd_and_catches_the_bug(default_run):
    m = default_run.metrics
    assert m["relative_error_autograd"] < 1e-7
    assert m["relative_error_buggy_backward"] > 1e-2


def test_deterministic():
    assert DEMO.run({"seed": 3}).metrics == DEMO.run({"seed": 3}).metrics


def test_prediction_is_graded_from_the_metrics(default_run):
    assert DEMO.prediction.answer(default_run.metrics) == "hundreds"  # 0.0301 / 0.0001 = 301
    at_zero = DEMO.run({"x": 0.0}).metrics  # both errors are eps^2 there
    assert at_zero["one_sided_error"] == pytest.approx(at_zero["two_sided_error"])
    assert DEMO.prediction.answer(at_zero) == "same"
    assert DEMO.prediction.answer({**default_run.metrics, "error_ratio_one_to_two": 10.0}) == "ten"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"eps": 0})
