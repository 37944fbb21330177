"""Intersection over union and greedy non-max suppression, step by step.

A fake detector fires several jittered boxes around each object (better-aligned boxes score higher) plus a few
low-scoring clutter boxes. Greedy NMS drops boxes under the score threshold, then repeatedly keeps the
highest-scoring box left and suppresses every remaining box whose IoU with it is above the IoU threshold.
"""

from __future__ import annotations

import torch

from demos.trainings.base import Demo, DemoResult, Param, Prediction, panel, pm, seed_param, to_list

CANVAS = 100.0
SWEEP = [round(0.05 * i, 2) for i in range(1, 20)]
RAISE = 0.3  # the prediction compares NMS at the run's IoU threshold with NMS at a threshold this much higher


def iou_matrix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """IoU of every box in a (N, 4) with every box in b (M, 4); boxes are (x1, y1, x2, y2)."""
    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    intersection = (bottom_right - top_left).clamp(min=0).prod(dim=2)
    area_a = (a[:, 2:] - a[:, :2]).prod(dim=1)
    area_b = (b[:, 2:] - b[:, :2]).prod(dim=1)
    return intersection / (area_a[:, None] + area_b[None, :] - intersection)


def make_detections(params: dict, device: torch.device):
    """Objects, then jittered detections around each (score grows with IoU to the object), then clutter."""
    g = torch.Generator().manual_seed(params["seed"])
    n_obj, per_obj, n_clutter = params["num_objects"], params["boxes_per_object"], params["num_clutter"]
    sizes = 15 + 25 * torch.rand(n_obj, 2, generator=g)
    corners = torch.rand(n_obj, 2, generator=g) * (CANVAS - sizes)
    objects = torch.cat([corners, corners + sizes], dim=1)

    noise = torch.randn(n_obj, per_obj, 4, generator=g) * params["jitter"] * sizes.repeat(1, 2)[:, None, :]
    noise[:, 0] *= 0.3  # the detector's best guess for each object is close
    jittered = objects[:, None, :] + noise
    jittered = torch.cat([jittered[..., :2].minimum(jittered[..., 2:] - 2), jittered[..., 2:]], dim=2).reshape(-1, 4)
    owner = torch.arange(n_obj).repeat_interleave(per_obj)
    alignment = iou_matrix(jittered, objects)[torch.arange(len(jittered)), owner]
    scores = (0.35 + 0.6 * alignment + 0.04 * torch.randn(len(jittered), generator=g)).clamp(0.01, 0.99)

    clutter_size = 8 + 20 * torch.rand(n_clutter, 2, generator=g)
    clutter_corner = torch.rand(n_clutter, 2, generator=g) * (CANVAS - clutter_size)
    clutter = torch.cat([clutter_corner, clutter_corner + clutter_size], dim=1)
    clutter_scores = 0.05 + 0.3 * torch.rand(n_clutter, generator=g)

    boxes = torch.cat([jittered, clutter]).to(device)
    scores = torch.cat([scores, clutter_scores]).to(device)
    return objects.to(device), boxes, scores, owner.tolist() + [-1] * n_clutter


def greedy_nms(iou: torch.Tensor, scores: torch.Tensor, iou_threshold: float, score_threshold: float):
    """Greedy NMS on a precomputed IoU matrix. Returns [(kept box, [(suppressed box, IoU with the kept one)])]."""
    order = torch.argsort(scores, descending=True)
    candidates = order[scores[order] >= score_threshold]
    steps = []
    while len(candidates):
        best, rest = candidates[0], candidates[1:]
        overlap = iou[best, rest]
        suppress = overlap > iou_threshold
        steps.append((int(best), list(zip(rest[suppress].tolist(), overlap[suppress].tolist(), strict=True))))
        candidates = rest[~suppress]
    return steps


def rectangle(box: list[float]) -> tuple[list[float], list[float]]:
    x1, y1, x2, y2 = box
    return [x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1]


def _train(params, device, progress):
    objects, boxes, scores, owner = make_detections(params, device)
    progress(0.3, "computing IoU")
    iou = iou_matrix(boxes, boxes).cpu()  # one transfer; the greedy loop below is sequential by nature
    host_scores = scores.cpu()
    steps = greedy_nms(iou, host_scores, params["iou_threshold"], params["score_threshold"])
    progress(0.6, "sweeping the IoU threshold")
    sweep = [len(greedy_nms(iou, host_scores, t, params["score_threshold"])) for t in SWEEP]
    higher = higher_threshold(params)
    kept_higher = len(greedy_nms(iou, host_scores, higher, params["score_threshold"]))

    kept = [best for best, _ in steps]
    suppressed = {j: (best, value) for best, group in steps for j, value in group}
    object_iou = iou_matrix(boxes, objects).cpu()
    found = {o for o in range(len(objects)) if len(kept) and object_iou[kept, o].max() >= 0.5}
    per_object = [sum(1 for k in kept if owner[k] == o) for o in range(len(objects))]
    m = {
        "num_boxes": len(boxes),
        "num_objects": len(objects),
        "num_below_score_threshold": int((host_scores < params["score_threshold"]).sum()),
        "num_kept": len(kept),
        "iou_threshold": params["iou_threshold"],
        "higher_iou_threshold": higher,
        "num_kept_higher_threshold": kept_higher,
        "num_suppressed": len(suppressed),
        "objects_found": len(found),
        "duplicates_left": sum(max(count - 1, 0) for count in per_object),
        "clutter_kept": sum(1 for k in kept if owner[k] == -1),
        "max_iou_between_kept": round(float(iou[kept][:, kept].fill_diagonal_(0).max()), 6) if len(kept) > 1 else 0.0,
        "max_iou_between_objects": round(float(iou_matrix(objects, objects).fill_diagonal_(0).max()), 6)
        if len(objects) > 1
        else 0.0,
    }
    if params["boxes_per_object"] > 1:
        m["iou_two_best_boxes_object1"] = round(float(iou[_two_best(host_scores, owner)]), 6)
    for i, (best, group) in enumerate(steps, start=1):
        gone = ", ".join(f"{j} (IoU {value:.2f})" for j, value in group[:8]) or "nothing"
        gone += f" and {len(group) - 8} more" if len(group) > 8 else ""
        m[f"step{i}"] = f"keep box {best} (score {host_scores[best]:.2f}); suppress {gone}"

    series = {
        "boxes": panel(
            f"Boxes after NMS (IoU threshold {params['iou_threshold']}, score threshold {params['score_threshold']})",
            "x (pixels)",
            "y (pixels)",
            [_box_line(i, boxes, host_scores, kept, suppressed) for i in range(len(boxes))],
            aggregate="first",
        ),
        "threshold_sweep": panel(
            "Boxes kept vs IoU threshold (higher threshold: less suppression)",
            "IoU threshold (overlap above which a box is suppressed)",
            "boxes kept (count)",
            [
                {"label": "boxes kept", "x": SWEEP, "y": [float(n) for n in sweep]},
                {"label": "objects", "x": SWEEP, "y": [float(len(objects))] * len(SWEEP)},
            ],
        ),
    }
    return DemoResult(m, series)


def higher_threshold(params: dict) -> float:
    return round(min(params["iou_threshold"] + RAISE, 0.95), 2)


def _two_best(scores: torch.Tensor, owner: list[int]) -> tuple[int, int]:
    mine = [i for i, o in enumerate(owner) if o == 0]
    first, second = sorted(mine, key=lambda i: -float(scores[i]))[:2]
    return first, second


def _box_line(i, boxes, scores, kept, suppressed) -> dict:
    x, y = rectangle(to_list(boxes[i]))
    if i in kept:
        label = f"kept: box {i} (score {scores[i]:.2f})"
    elif i in suppressed:
        label = f"suppressed: box {i} by box {suppressed[i][0]} (IoU {suppressed[i][1]:.2f})"
    else:
        label = f"below score threshold: box {i} (score {scores[i]:.2f})"
    return {"label": label, "group": label.split(":")[0], "x": x, "y": y}


def _summary(m: dict, params: dict) -> str:
    text = (
        f"Of {m['num_boxes']} detections, {m['num_below_score_threshold']} fell below the score threshold "
        f"{params['score_threshold']}; greedy NMS at IoU threshold {params['iou_threshold']} then kept "
        f"{m['num_kept']} and suppressed {m['num_suppressed']} in {m['num_kept']} steps. "
        f"The kept boxes cover {m['objects_found']} of {m['num_objects']} objects"
    )
    if m["duplicates_left"]:
        text += f", but {m['duplicates_left']} duplicate(s) survived because they overlap the kept box too little"
    else:
        text += " with no duplicates left"
    if m["clutter_kept"]:
        text += f", and {m['clutter_kept']} clutter box(es) passed the score threshold"
    text += f". No two kept boxes overlap by more than the threshold (max IoU {m['max_iou_between_kept']:.2f}). "
    closest = m["max_iou_between_objects"]
    if closest == 0:
        text += "The real objects do not overlap at all, so no threshold makes NMS confuse one for another."
    elif closest > params["iou_threshold"]:
        text += (
            f"The closest pair of real objects overlaps with IoU {closest:.2f}, above the threshold, so a box of one "
            "can suppress the other as if it were a duplicate."
        )
    else:
        text += (
            f"The closest pair of real objects overlaps with IoU {closest:.2f}, so a threshold below that could also "
            "delete a real object."
        )
    return text


def _higher_bin(metrics: dict) -> str:
    at_run, higher = metrics["num_kept"], metrics["num_kept_higher_threshold"]
    return "fewer" if higher < at_run else "same" if higher == at_run else "more"


def _claim(metrics: dict) -> tuple[bool, str]:
    """A higher IoU threshold keeps more boxes; no two kept boxes overlap above the threshold; every object found."""
    m = metrics
    holds = (
        _higher_bin(m) == "more"
        and m["max_iou_between_kept"] <= m["iou_threshold"]
        and m["objects_found"] == m["num_objects"]
    )
    return holds, (
        f"raising the IoU threshold to {m['higher_iou_threshold']:g} kept {pm(m, 'num_kept_higher_threshold', '.3g')} "
        f"boxes instead of {pm(m, 'num_kept', '.3g')}: a higher threshold suppresses less, so more duplicates "
        f"survive. At the run's threshold no two kept boxes overlapped above it (largest IoU "
        f"{pm(m, 'max_iou_between_kept', '.2f')}), and the kept boxes found {pm(m, 'objects_found', '.3g')} of the "
        f"{m['num_objects']} objects."
    )


def _explain(metrics: dict) -> str:
    return (
        f"At the run's IoU threshold NMS kept {metrics['num_kept']:.3g} boxes ({metrics['duplicates_left']:.3g} "
        f"duplicates and {metrics['clutter_kept']:.3g} clutter boxes among them) for {metrics['num_objects']} objects; "
        f"at {metrics['higher_iou_threshold']:g} it kept {metrics['num_kept_higher_threshold']:.3g}. Each step keeps "
        "the best remaining box and removes the boxes that overlap it by MORE than the threshold: the higher the "
        "threshold, the fewer boxes count as duplicates, so more survive. A low threshold can instead remove a "
        "neighbouring object's box."
    )


DEMO = Demo(
    name="non-max-suppression",
    title="IoU and non-max suppression, step by step",
    concepts=("intersection-over-union", "non-max-suppression"),
    shows="IoU and greedy NMS on overlapping boxes, step by step: which box is kept and which are suppressed.",
    params=(
        Param("num_objects", "int", 3, "Objects in the scene.", 1, 6),
        Param("boxes_per_object", "int", 6, "Detections fired around each object.", 1, 10),
        Param("jitter", "float", 0.12, "Spread of the detections, as a fraction of the object's size.", 0.0, 0.5),
        Param("num_clutter", "int", 4, "Low-scoring boxes at random places.", 0, 10),
        Param("iou_threshold", "float", 0.5, "Suppress boxes whose IoU with a kept box is above this.", 0.05, 0.95),
        Param("score_threshold", "float", 0.3, "Drop boxes scoring below this before NMS.", 0.0, 1.0),
        seed_param(),
    ),
    prediction=Prediction(
        question=f"NMS runs at your IoU threshold (0.5 by default) and again at a threshold {RAISE} higher. "
        "How many boxes does the higher threshold keep?",
        choices={
            "fewer": "Fewer boxes",
            "same": "The same number",
            "more": "More boxes",
        },
        answer=_higher_bin,
        explain=_explain,
    ),
    train=_train,
    claim=_claim,
    summarize=_summary,
)

if __name__ == "__main__":
    result = DEMO.run()
    print(result.metrics)
    print(result.summary)
