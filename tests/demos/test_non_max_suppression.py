import itertools

import pytest
import torch

from demos.trainings import non_max_suppression as nms
from demos.trainings.base import ParamError

DEMO = nms.DEMO


def python_iou(a, b):
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(width, 0) * max(height, 0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def python_nms(boxes, scores, iou_threshold, score_threshold):
    """Brute force: go down the list by score; keep a box unless it overlaps an already kept box too much."""
    kept = []
    for i in sorted(range(len(boxes)), key=lambda i: -scores[i]):
        if scores[i] >= score_threshold and all(python_iou(boxes[i], boxes[k]) <= iou_threshold for k in kept):
            kept.append(i)
    return kept


def test_iou_matches_python():
    _, boxes, _, _ = nms.make_detections({**DEMO.defaults(), "seed": 1}, torch.device("cpu"))
    iou = nms.iou_matrix(boxes, boxes)
    as_lists = boxes.tolist()
    for i in range(len(as_lists)):
        for j in range(len(as_lists)):
            assert float(iou[i, j]) == pytest.approx(python_iou(as_lists[i], as_lists[j]), abs=1e-5)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("iou_threshold", [0.1, 0.3, 0.5, 0.7])
def test_greedy_nms_matches_brute_force(seed, iou_threshold):
    params = {**DEMO.defaults(), "seed": seed, "num_objects": 4, "jitter": 0.2}
    _, boxes, scores, _ = nms.make_detections(params, torch.device("cpu"))
    # float64 so that an IoU sitting right at the threshold cannot round differently in the two implementations
    iou = nms.iou_matrix(boxes.double(), boxes.double())
    steps = nms.greedy_nms(iou, scores, iou_threshold, 0.3)
    kept = [best for best, _ in steps]
    assert kept == python_nms(boxes.double().tolist(), scores.tolist(), iou_threshold, 0.3)
    for best, group in steps:  # every suppressed box really overlaps the box that suppressed it
        assert all(value > iou_threshold and float(iou[best, j]) == value for j, value in group)


def test_nms_leaves_about_one_box_per_object():
    m = DEMO.run().metrics
    assert m["num_boxes"] == 3 * 6 + 4
    assert m["num_kept"] + m["num_suppressed"] + m["num_below_score_threshold"] == m["num_boxes"]
    assert m["objects_found"] == m["num_objects"]
    assert m["num_kept"] <= m["num_objects"] + 2
    assert m["num_suppressed"] >= 10
    assert m["max_iou_between_kept"] <= 0.5
    assert m["iou_two_best_boxes_object1"] > 0.5


def test_lower_threshold_keeps_fewer_boxes():
    series = DEMO.run().series["threshold_sweep"]["lines"][0]["y"]
    assert all(a <= b for a, b in itertools.pairwise(series))
    assert series[0] < series[-1]


def test_deterministic():
    first, second = DEMO.run({"seed": 9}), DEMO.run({"seed": 9})
    assert first.metrics == second.metrics
    assert first.series == second.series


def test_prediction_follows_the_metrics():
    for seed in range(4):
        m = DEMO.run({"seed": seed}).metrics
        sweep = DEMO.run({"seed": seed}).series["threshold_sweep"]["lines"][0]
        assert m["higher_iou_threshold"] == 0.8
        assert m["num_kept_higher_threshold"] == sweep["y"][sweep["x"].index(0.8)]
        at_run, higher = m["num_kept"], m["num_kept_higher_threshold"]
        expected = "fewer" if higher < at_run else "same" if higher == at_run else "more"
        assert DEMO.prediction.answer(m) == expected == "more"
    assert DEMO.prediction.answer({**m, "num_kept_higher_threshold": m["num_kept"]}) == "same"
    assert DEMO.prediction.answer({**m, "num_kept_higher_threshold": 0}) == "fewer"
    # one box per object without jitter: no duplicate for a higher threshold to spare
    m = DEMO.run({"num_objects": 2, "boxes_per_object": 1, "num_clutter": 0, "jitter": 0.0}).metrics
    assert DEMO.prediction.answer(m) == "same"
    assert DEMO.run({"iou_threshold": 0.9}).metrics["higher_iou_threshold"] == 0.95  # capped


def test_no_box_above_score_threshold():
    m = DEMO.run({"score_threshold": 1.0}).metrics
    assert m["num_kept"] == 0 and m["objects_found"] == 0


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.validate({"iou_threshold": 1.5})
