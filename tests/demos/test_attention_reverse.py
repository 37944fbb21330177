import pytest

from demos.trainings.attention_reverse import DEMO
from demos.trainings.base import ParamError

SMALL = {"steps": 100, "dim": 16, "train_size": 500, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_attention_learns_the_mirrored_alignment(small_run):
    m = small_run.metrics
    assert m["claim_holds"] is True
    assert m["final_test_accuracy"] > 0.9 > 3 * m["chance_accuracy"]
    assert m["attention_on_mirrored"] > 0.5 > m["attention_on_same"]
    assert m["min_attention_on_mirrored"] > m["uniform_attention"]
    assert m["alignment_error"] < 1.0


def test_the_alignment_panel_follows_the_ideal_line(small_run):
    lines = {line["label"]: line for line in small_run.series["alignment"]["lines"]}
    learned, ideal = lines["learned attention"], lines["ideal: n-1-i"]
    assert learned["x"] == ideal["x"] == [float(i) for i in range(8)]
    assert ideal["y"] == [float(7 - i) for i in range(8)]
    assert all(abs(a - b) < 2.0 for a, b in zip(learned["y"], ideal["y"], strict=True))
    assert learned["y"] == sorted(learned["y"], reverse=True)  # later outputs look further left


def test_untrained_attention_is_spread_and_the_claim_fails():
    m = DEMO.run({"steps": 10, "lr": 1e-4, "dim": 8, "train_size": 100}).metrics
    assert m["claim_holds"] is False
    assert m["attention_on_mirrored"] < 0.3
    assert DEMO.prediction.answer(m) == "spread"
    assert DEMO.claim(m)[0] is False


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == "mirrored"
    assert DEMO.prediction.answer({**m, "attention_on_mirrored": 0.1, "attention_on_same": 0.8}) == "same"
    assert str(round(m["attention_on_mirrored"], 2)) in DEMO.prediction.explain(m)


def test_deterministic():
    tiny = {"steps": 30, "dim": 8, "train_size": 100, "seed": 3}
    first, second = DEMO.run(tiny), DEMO.run(tiny)
    assert first.metrics == second.metrics
    assert first.series == second.series
    assert DEMO.run({**tiny, "seed": 4}).series != first.series


def test_params_are_validated():
    params = DEMO.validate({"seq_len": "6", "lr": "0.05"})
    assert params["seq_len"] == 6 and params["lr"] == 0.05
    assert params["vocab"] == 10 and params["seeds"] == 1
    result = DEMO.run({"seq_len": 5, "vocab": 4, "steps": 20, "dim": 8, "train_size": 100})
    assert result.metrics["seq_len"] == 5 and result.metrics["chance_accuracy"] == 0.25
    assert len(result.series["alignment"]["lines"][0]["y"]) == 5


@pytest.mark.parametrize("bad", [{"seq_len": 1}, {"vocab": 1}, {"steps": 0}, {"lr": -1}, {"heads": 2}])
def test_bad_params_raise(bad):
    with pytest.raises(ParamError) as caught:
        DEMO.run(bad)
    assert set(caught.value.errors) == set(bad)
