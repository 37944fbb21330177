import pytest

from demos.trainings.base import ParamError
from demos.trainings.regularization import DEMO, VARIANTS

SMALL = {"steps": 200, "width": 48, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_unregularized_net_overfits_and_every_regularizer_narrows_the_gap(small_run):
    m = small_run.metrics
    assert m["train_acc_none"] > m["val_acc_none"] + 0.05
    assert m["loss_gap_none"] > 0.3
    for variant in VARIANTS[1:]:
        assert m[f"loss_gap_{variant}"] < 0.8 * m["loss_gap_none"], variant
        assert m[f"val_loss_{variant}"] < m["val_loss_none"], variant


def test_early_stopping_picks_the_best_validation_step(small_run):
    m = small_run.metrics
    assert m["val_loss_early_stopping"] == min(small_run.series["loss_none"]["lines"][1]["y"])
    assert 0 <= m["early_stopping_step"] < SMALL["steps"]


def test_deterministic():
    tiny = {"steps": 50, "width": 16}
    assert DEMO.run(tiny).metrics == DEMO.run(tiny).metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == max(VARIANTS, key=lambda v: m[f"loss_gap_{v}"]) == "none"
    assert DEMO.prediction.answer({**m, "loss_gap_dropout": 99.0}) == "dropout"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"dropout": 1.5})
