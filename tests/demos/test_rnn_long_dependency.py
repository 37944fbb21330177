import pytest
import torch

from demos.trainings import rnn_long_dependency as rnn
from demos.trainings.base import ParamError

DEMO = rnn.DEMO
CPU = torch.device("cpu")
TINY = {"delay": 5, "steps": 10, "batch_size": 16, "hidden_size": 4}


def final_accuracy(cell, params):
    test_set = rnn.make_batch(300, params["delay"], torch.Generator().manual_seed(123))
    model = rnn.build(cell, params, CPU)
    return rnn.train_one(model, params, params["clip_norm"], test_set, CPU, lambda fraction: None)["final_accuracy"]


def test_gated_cells_bridge_the_delay_and_the_vanilla_rnn_does_not():
    params = DEMO.validate({})  # delay 40, 100 steps, clipping at 1.0
    accuracy = {cell: final_accuracy(cell, params) for cell in rnn.CELLS}
    assert accuracy["rnn"] < 0.35  # chance is 0.25
    assert accuracy["lstm"] > 0.6
    assert accuracy["gru"] > 0.7


def test_gradient_norms_are_recorded_before_clipping():
    params = DEMO.validate({**TINY, "clip_norm": 0.01})
    test_set = rnn.make_batch(50, params["delay"], torch.Generator().manual_seed(0))
    run = rnn.train_one(rnn.build("lstm", params, CPU), params, 0.01, test_set, CPU, lambda fraction: None)
    assert run["max_grad_norm"] == max(run["grad_norms"]) > 0.01  # the norm before clipping, not the clipped one


def test_deterministic():
    first, second = DEMO.run({**TINY, "seed": 4}), DEMO.run({**TINY, "seed": 4})
    assert first.metrics == second.metrics
    assert first.series == second.series


def test_prediction_follows_the_metrics():
    m = DEMO.run(TINY).metrics
    solved = {cell for cell in rnn.CELLS if m[f"final_accuracy_{cell}_clipped"] >= 0.5}
    expected = {frozenset(rnn.CELLS): "all", frozenset({"lstm", "gru"}): "gated", frozenset(): "none"}
    assert DEMO.prediction.answer(m) == expected.get(frozenset(solved), "other")
    accuracies = {
        "final_accuracy_rnn_clipped": 0.25,
        "final_accuracy_lstm_clipped": 0.9,
        "final_accuracy_gru_clipped": 1,
    }
    assert DEMO.prediction.answer(accuracies) == "gated"
    assert DEMO.prediction.answer({**accuracies, "final_accuracy_rnn_clipped": 0.6}) == "all"
    assert DEMO.prediction.answer({**accuracies, "final_accuracy_lstm_clipped": 0.3}) == "other"
    assert DEMO.prediction.answer({key: 0.2 for key in accuracies}) == "none"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.validate({"delay": 1000})
