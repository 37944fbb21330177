import pytest

from demos.trainings.base import ParamError
from demos.trainings.normalization import DEMO

SMALL = {"steps": 120, "width": 32, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_normalization_trains_the_deep_net_that_plain_sgd_cannot(small_run):
    m = small_run.metrics
    assert m["final_train_loss_none"] > 0.9 * m["initial_train_loss_none"]  # barely moved
    for variant in ("batchnorm", "layernorm"):
        assert m[f"final_train_loss_{variant}"] < 0.8 * m["final_train_loss_none"]
        assert m[f"final_test_acc_{variant}"] > m["final_test_acc_none"] + 0.15


def test_batchnorm_modes_are_reported(small_run):
    m = small_run.metrics
    assert 0 <= m["bn_test_acc_eval_mode"] <= 1
    assert m["bn_mode_acc_difference"] == pytest.approx(m["bn_test_acc_train_mode"] - m["bn_test_acc_eval_mode"])
    batchnorm = small_run.series["test_accuracy"]["lines"][1]
    assert batchnorm["label"] == "batchnorm"
    assert m["bn_test_acc_eval_mode"] == batchnorm["y"][-1]  # the last evaluation is in eval mode too
    # the final figure is the mean of the last three evaluations, not the last one alone
    assert m["final_test_acc_batchnorm"] == pytest.approx(sum(batchnorm["y"][-3:]) / 3, abs=1e-5)


def test_deterministic():
    tiny = {"depth": 3, "width": 16, "steps": 20}
    assert DEMO.run(tiny).metrics == DEMO.run(tiny).metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == "both"
    base = {"final_test_acc_none": 0.25, "final_test_acc_batchnorm": 0.7, "final_test_acc_layernorm": 0.7}
    assert DEMO.prediction.answer(base) == "both"
    assert DEMO.prediction.answer({**base, "final_test_acc_layernorm": 0.39}) == "batchnorm"
    assert DEMO.prediction.answer({**base, "final_test_acc_batchnorm": 0.3}) == "layernorm"
    assert DEMO.prediction.answer({**base, "final_test_acc_none": 0.6}) == "neither"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"depth": 100})
