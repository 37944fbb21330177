import pytest

from demos.trainings.base import ParamError
from demos.trainings.l1_vs_l2 import DEMO

SMALL = {"steps": 300, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_l1_gives_exact_zeros_and_l2_only_shrinks(small_run):
    m = small_run.metrics
    irrelevant = m["n_features"] - m["n_informative"]
    assert m["zero_weights_l1"] >= 0.6 * irrelevant
    assert m["informative_kept_l1"] == m["n_informative"]
    assert m["zero_weights_l2"] == 0
    assert m["smallest_abs_weight_l2"] > 0
    assert m["l2_norm_l2"] < m["l2_norm_none"]  # L2 shrinks
    assert m["zero_weights_l1_subgradient"] == 0  # plain subgradient descent never lands on zero


def test_histogram_counts_every_weight(small_run):
    for line in small_run.series["weight_histogram"]["lines"]:
        assert sum(line["y"]) == small_run.metrics["n_features"]


def test_deterministic(small_run):
    assert DEMO.run(SMALL).metrics == small_run.metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == "l1"
    assert DEMO.prediction.answer({**m, "fraction_zero_l1": 0.0}) == "neither"
    assert DEMO.prediction.answer({**m, "fraction_zero_l2": 0.5}) == "both"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"n_features": 5, "n_informative": 10})
    with pytest.raises(ParamError):
        DEMO.run({"steps": -1})
