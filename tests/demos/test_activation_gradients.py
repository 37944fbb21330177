import pytest

from demos.trainings.activation_gradients import ACTIVATIONS, DEMO, LABELS, make_mlp
from demos.trainings.base import ParamError

SMALL = {"depth": 8, "width": 32, "steps": 60, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_sigmoid_gradient_vanishes_toward_the_input(small_run):
    m = small_run.metrics
    assert m["first_to_last_grad_ratio_sigmoid"] < 1e-3
    assert m["first_layer_grad_sigmoid"] < 0.01 * m["first_layer_grad_relu"]
    assert m["first_layer_grad_sigmoid"] < 0.01 * m["first_layer_grad_tanh"]
    assert m["grad_shrink_per_layer_sigmoid"] < 0.4  # sigmoid' <= 0.25 at every layer


def test_relu_and_leaky_relu_do_not_vanish(small_run):
    m = small_run.metrics
    for activation in ("relu", "leaky_relu", "tanh"):
        assert m[f"first_to_last_grad_ratio_{activation}"] > 0.02
        assert m[f"grad_shrink_per_layer_{activation}"] > 0.6


def test_sigmoid_barely_trains_while_the_others_do(small_run):
    m = small_run.metrics
    assert m["final_loss_sigmoid"] > 1.3  # ln(4) = 1.386 at chance
    for activation in ("tanh", "relu", "leaky_relu"):
        assert m[f"final_loss_{activation}"] < 0.8 * m["final_loss_sigmoid"]


def test_series_cover_every_layer_and_activation(small_run):
    lines = small_run.series["grad_first_step"]["lines"]
    assert [line["label"] for line in lines] == [LABELS[a] for a in ACTIVATIONS]
    assert all(len(line["y"]) == SMALL["depth"] for line in lines)


@pytest.mark.parametrize(
    ("init", "variance"),
    [
        ("he", lambda n_in, n_out: 2 / n_in),
        ("lecun", lambda n_in, n_out: 1 / n_in),
        ("xavier", lambda n_in, n_out: 2 / (n_in + n_out)),
    ],
)
def test_init_schemes_have_their_textbook_variance(init, variance):
    import torch

    model = make_mlp("relu", depth=3, width=512, init=init, generator=torch.Generator().manual_seed(0))
    for layer in (m for m in model if isinstance(m, torch.nn.Linear)):
        n_out, n_in = layer.weight.shape
        assert float(layer.weight.detach().var()) == pytest.approx(variance(n_in, n_out), rel=0.1)


def test_deterministic():
    tiny = {"depth": 4, "width": 16, "steps": 5}
    assert DEMO.run(tiny).metrics == DEMO.run(tiny).metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    smallest = min(ACTIVATIONS, key=lambda a: m[f"first_layer_grad_{a}"])
    assert DEMO.prediction.answer(m) == smallest == "sigmoid"
    assert DEMO.prediction.answer({**m, "first_layer_grad_relu": 0.0}) == "relu"
    assert "sigmoid" in DEMO.prediction.explain(m)


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"depth": 100})
