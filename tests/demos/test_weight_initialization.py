import pytest

from demos.trainings.base import ParamError
from demos.trainings.weight_initialization import DEMO, INITS

SMALL = {"depth": 8, "width": 32, "steps": 60, "seed": 0}


@pytest.fixture(scope="module")
def tanh_run():
    return DEMO.run({**SMALL, "activation": "tanh"})


@pytest.fixture(scope="module")
def relu_run():
    return DEMO.run({**SMALL, "activation": "relu"})


def test_small_init_collapses_activations(tanh_run, relu_run):
    for run in (tanh_run, relu_run):
        m = run.metrics
        assert m["last_layer_activation_std_small"] < 1e-4 * m["first_layer_activation_std_small"]


def test_large_init_saturates_tanh_and_explodes_relu(tanh_run, relu_run):
    assert tanh_run.metrics["saturated_fraction_standard"] > 0.5
    assert tanh_run.metrics["saturated_fraction_lecun"] < 0.05
    assert tanh_run.metrics["saturated_fraction_xavier"] < 0.05
    assert relu_run.metrics["last_layer_activation_std_standard"] > 1e3


def test_lecun_suits_tanh_and_he_suits_relu(tanh_run, relu_run):
    t, r = tanh_run.metrics, relu_run.metrics
    assert 0.1 < t["last_layer_activation_std_lecun"] < 1
    assert 0.5 < r["last_layer_activation_std_he"] / r["first_layer_activation_std_he"] < 2
    assert r["last_layer_activation_std_lecun"] < 0.2 * r["first_layer_activation_std_lecun"]  # 1/sqrt(2) per layer


def test_init_names_follow_the_papers():
    """Var(w) = 1/n_in is LeCun's, 2/(n_in + n_out) Glorot and Bengio's (Xavier), 2/n_in He's."""
    for name, variance in (("lecun", 1 / 64), ("xavier", 2 / (64 + 4)), ("he", 2 / 64)):
        assert INITS[name][1](64, 4) ** 2 == pytest.approx(variance)
    assert "LeCun" in INITS["lecun"][0] and "Glorot" in INITS["xavier"][0]


def test_training_follows_the_statistics(tanh_run, relu_run):
    for run, good in ((tanh_run, "lecun"), (relu_run, "he")):
        m = run.metrics
        assert m["final_loss_small"] > 1.3  # stuck near ln(4) = 1.386
        assert m[f"final_loss_{good}"] < 0.5 * m["final_loss_small"]
        assert m[f"final_loss_{good}"] < m["final_loss_standard"]


def test_deterministic():
    tiny = {"depth": 4, "width": 16, "steps": 5}
    assert DEMO.run(tiny).metrics == DEMO.run(tiny).metrics


def test_prediction_is_graded_from_the_metrics(tanh_run):
    m = tanh_run.metrics
    assert DEMO.prediction.answer(m) == min(INITS, key=lambda init: m[f"final_loss_{init}"])
    assert DEMO.prediction.answer({**m, "final_loss_small": 0.0}) == "small"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"activation": "sigmoid"})
