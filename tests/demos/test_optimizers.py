import pytest

from demos.trainings.base import ParamError
from demos.trainings.optimizers import DEMO, OPTIMIZERS

SMALL = {"steps_2d": 150, "steps_net": 40, "seed": 0}


@pytest.fixture(scope="module")
def small_run():
    return DEMO.run(SMALL)


def test_momentum_and_adam_beat_sgd_on_the_valley(small_run):
    m = small_run.metrics
    for name in ("momentum", "adam"):
        assert m[f"final_loss_2d_{name}"] < 0.01 * m["final_loss_2d_sgd"]
        assert m[f"distance_to_minimum_{name}"] < 0.1
    assert m["distance_to_minimum_sgd"] > 0.5
    assert not any(m[f"diverged_2d_{name}"] for name in OPTIMIZERS)


def test_paths_start_at_the_same_point(small_run):
    paths = [line for line in small_run.series["paths_2d"]["lines"] if "(lr " in line["label"]]
    assert len(paths) == len(OPTIMIZERS)
    for line in paths:
        assert (line["x"][0], line["y"][0]) == (-1.5, 2.0)


def test_paths_are_drawn_over_the_contours_of_the_valley(small_run):
    contour = small_run.series["paths_2d"]["contour"]
    assert len(contour["z"]) == len(contour["y"]) and all(len(row) == len(contour["x"]) for row in contour["z"])
    # z[i][j] is f at (x[j], y[i]): check it against the formula at a few grid points
    for i, j in ((0, 0), (10, 40), (60, 60)):
        x, y = contour["x"][j], contour["y"][i]
        assert contour["z"][i][j] == pytest.approx((y - x**2) ** 2 + 0.1 * (1 - x) ** 2, rel=1e-3)
    assert min(contour["x"]) < -1.5 and max(contour["x"]) > 1 and min(contour["y"]) < 1 and max(contour["y"]) > 2


def test_network_losses_go_down(small_run):
    for line in small_run.series["loss_net"]["lines"]:
        assert line["y"][-1] < line["y"][0]


def test_too_large_sgd_learning_rate_diverges_and_changes_the_ranking():
    m = DEMO.run({**SMALL, "lr_sgd": 0.5, "lr_momentum": 0.5, "steps_net": 1}).metrics
    assert m["diverged_2d_sgd"]
    assert m["diverged_2d_momentum"]
    assert DEMO.prediction.answer(m) not in ("sgd", "momentum")


def test_deterministic():
    tiny = {"steps_2d": 20, "steps_net": 5}
    assert DEMO.run(tiny).metrics == DEMO.run(tiny).metrics


def test_prediction_is_graded_from_the_metrics(small_run):
    m = small_run.metrics
    assert DEMO.prediction.answer(m) == min(OPTIMIZERS, key=lambda n: m[f"final_loss_2d_{n}"])
    assert DEMO.prediction.answer({**m, "final_loss_2d_adagrad": 0.0}) == "adagrad"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.run({"lr_adam": -1})
