"""The demo contract: the seeds parameter, the combination of several seeds, the claim and the summary."""

import statistics

import pytest
import torch

from demos.catalog import CATALOG
from demos.trainings import base, l1_vs_l2
from demos.trainings.base import Demo, DemoResult, Param, ParamError, Prediction, combine, panel, pm, seed_param


def toy_train(params, device, progress):
    """A seeded 'training': a noisy curve, a flag, a text and an example panel, all depending on the seed."""
    noise = torch.rand(5, generator=torch.Generator().manual_seed(params["seed"]))
    progress(0.5, "half way")
    curve = [round(float(v), 6) for v in torch.linspace(1, 0, 5) + 0.1 * noise]
    metrics = {
        "final": curve[-1],
        "constant": 3,
        "flag": params["seed"] % 2 == 0,
        "text": f"seed {params['seed']}",
        "fixed_text": "same",
    }
    series = {
        "curve": panel("Curve", "step (updates)", "loss (nats)", [{"label": "toy", "x": [0, 1, 2, 3, 4], "y": curve}]),
        "example": panel(
            "Example", "x (units)", "y (units)", [{"label": "a", "x": [0, 1], "y": curve[:2]}], aggregate="first"
        ),
        "moving": panel("Moving", "x (units)", "y (units)", [{"label": "m", "x": [params["seed"], 9], "y": [0, 1]}]),
    }
    return DemoResult(metrics, series)


TOY = Demo(
    name="toy",
    title="Toy",
    concepts=(),
    shows="",
    params=(Param("size", "int", 3, "A size.", 1, 5), seed_param()),
    prediction=Prediction(
        "Low?",
        {"low": "final < 0.05", "high": "otherwise"},
        lambda m: "low" if m["final"] < 0.05 else "high",
        lambda m: "",
    ),
    train=toy_train,
    claim=lambda m: (m["final"] < 0.1, f"final {pm(m, 'final')} is below 0.1"),
    summarize=lambda m, params: f"The toy ended at {m['final']:.3f}.",
)


def test_every_demo_has_the_seeds_parameter_in_its_schema():
    for demo in CATALOG.values():
        schema = demo.json_schema()["properties"]["seeds"]
        assert (schema["type"], schema["minimum"], schema["maximum"], schema["default"]) == ("integer", 1, 10, 1)
        assert demo.defaults()["seeds"] == 1


@pytest.mark.parametrize("seeds", [0, 11, 2.5, "many"])
def test_seeds_is_validated(seeds):
    with pytest.raises(ParamError) as error:
        TOY.validate({"seeds": seeds})
    assert set(error.value.errors) == {"seeds"}


def test_one_seed_adds_the_claim_to_metrics_and_summary():
    result = TOY.run({"seed": 4})
    assert result.metrics["seeds"] == 1 and "claim_held_on_seeds" not in result.metrics
    holds, sentence = TOY.claim(result.metrics)
    assert result.metrics["claim_holds"] is holds
    assert result.summary.startswith("The toy ended at") and result.summary.endswith(sentence)
    assert ("Lesson check, holds" in result.summary) == holds
    assert "±" not in result.summary


def test_several_seeds_give_means_spreads_and_bands():
    singles = [TOY.run({"seed": seed}) for seed in (3, 4, 5, 6)]
    result = TOY.run({"seed": 3, "seeds": 4})
    m = result.metrics
    finals = [r.metrics["final"] for r in singles]
    assert m["final"] == pytest.approx(statistics.mean(finals), rel=1e-5)
    assert m["final_std"] == pytest.approx(statistics.stdev(finals), rel=1e-5)
    assert m["constant"] == 3 and "constant_std" not in m  # the same on every seed: kept as it is
    assert m["flag"] == 0.5  # true on seeds 4 and 6: the fraction of seeds
    assert m["text"] == "seed 3: seed 3" and m["fixed_text"] == "same"
    assert m["seeds"] == 4
    assert m["claim_held_on_seeds"] == sum(r.metrics["claim_holds"] for r in singles)
    assert m["claim_holds"] == TOY.claim(m)[0]

    line = result.series["curve"]["lines"][0]
    curves = [r.series["curve"]["lines"][0]["y"] for r in singles]
    assert line["y"] == pytest.approx([statistics.mean(p) for p in zip(*curves, strict=True)], rel=1e-5)
    assert line["lo"] == [min(p) for p in zip(*curves, strict=True)]
    assert line["hi"] == [max(p) for p in zip(*curves, strict=True)]
    assert "mean of 4 seeds" in result.series["curve"]["note"]
    # an example panel shows the first seed; a line whose x moves between seeds keeps the first seed's
    assert result.series["example"]["lines"] == singles[0].series["example"]["lines"]
    assert "seed 3" in result.series["example"]["note"]
    moving = result.series["moving"]["lines"][0]
    assert moving["x"] == [3, 9] and moving["label"] == "m (seed 3)" and "lo" not in moving

    assert "Means over 4 seeds (3 to 6)" in result.summary
    assert f"final {m['final']:.3g} ± {m['final_std']:.3g} is below 0.1" in result.summary


def test_the_prediction_is_graded_on_the_mean():
    result = TOY.run({"seed": 0, "seeds": 10})
    assert TOY.prediction.answer(result.metrics) == ("low" if result.metrics["final"] < 0.05 else "high")


def test_progress_covers_all_seeds_in_order():
    seen = []
    TOY.run({"seed": 7, "seeds": 3}, progress=lambda fraction, message: seen.append((fraction, message)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert [f for f, m in seen if "half way" in m] == pytest.approx([0.5 / 3, 1.5 / 3, 2.5 / 3])
    assert any(m.startswith("seed 9 (3/3)") for _, m in seen)


def test_a_real_demo_over_three_seeds_is_deterministic_and_matches_its_single_runs():
    params = {"steps": 100, "n_features": 20}
    first = l1_vs_l2.DEMO.run({**params, "seed": 2, "seeds": 3})
    assert first.metrics == l1_vs_l2.DEMO.run({**params, "seed": 2, "seeds": 3}).metrics
    singles = [l1_vs_l2.DEMO.run({**params, "seed": s}).metrics["zero_weights_l1"] for s in (2, 3, 4)]
    assert first.metrics["zero_weights_l1"] == pytest.approx(statistics.mean(singles), abs=1e-4)
    assert first.metrics["seeds"] == 3


def test_pm_shows_the_spread_only_when_there_is_one():
    assert pm({"acc": 0.936}, "acc", ".1f", 100) == "93.6"
    assert pm({"acc": 0.936, "acc_std": 0.004}, "acc", ".1f", 100) == "93.6 ± 0.4"


def test_combine_keeps_a_single_seeds_series_unchanged_when_seeds_agree():
    result = DemoResult({"a": 1.0}, {"p": panel("P", "x (u)", "y (u)", [{"label": "l", "x": [0, 1], "y": [2.0, 3.0]}])})
    combined = combine([result, result], first_seed=0)
    assert combined.metrics == {"a": 1.0}
    assert combined.series["p"]["lines"] == [{"label": "l", "x": [0, 1], "y": [2.0, 3.0]}]  # no band: no spread


def test_max_seeds_is_ten():
    assert base.MAX_SEEDS == 10
