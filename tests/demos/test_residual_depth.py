import pytest

from demos.trainings.base import ParamError
from demos.trainings.residual_depth import DEMO

SMALL = {"blocks": 10, "width": 32, "steps": 60, "shallow_baseline": False, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_plain_deep_net_does_not_train_and_residual_does(small_run):
    m = small_run.metrics
    assert m["first_layer_grad_norm_init_plain"] < 1e-4 * m["first_layer_grad_norm_init_residual"]
    assert m["final_train_loss_plain"] > 0.9 * m["initial_train_loss_plain"]
    assert m["final_train_loss_residual"] < 0.6 * m["final_train_loss_plain"]
    assert m["final_test_acc_residual"] > m["final_test_acc_plain"] + 0.2
    assert "final_train_loss_shallow" not in m


def test_deterministic():
    tiny = {"blocks": 3, "width": 16, "steps": 20}
    first, second = DEMO.run(tiny), DEMO.run(tiny)
    assert first.metrics == second.metrics
    assert "final_train_loss_shallow" in first.metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == "residual"
    assert DEMO.prediction.answer({**m, "final_train_loss_plain": 0.0}) == "plain"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"blocks": 0})
