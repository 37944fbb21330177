import pytest
import torch

from demos.trainings import imbalanced_data
from demos.trainings.base import ParamError

DEMO = imbalanced_data.DEMO


def brute_force_auc(scores, labels):
    pos = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def test_plain_training_ignores_the_minority_and_rebalancing_finds_it():
    m = DEMO.run({"steps": 150}).metrics
    assert m["accuracy_plain"] >= m["majority_baseline_accuracy"] - 0.01
    assert m["recall_plain"] < 0.1
    for variant in ("weighted", "oversampled"):
        assert m[f"recall_{variant}"] > 0.5
        assert m[f"f1_{variant}"] > 2 * m["f1_plain"] + 0.05
        assert m[f"accuracy_{variant}"] < m["accuracy_plain"]
        assert abs(m[f"roc_auc_{variant}"] - m["roc_auc_plain"]) < 0.02


def test_auc_from_ranks_matches_pairwise_count_with_ties():
    g = torch.Generator().manual_seed(0)
    scores = torch.randint(0, 8, (300,), generator=g).float()  # many ties
    labels = (torch.rand(300, generator=g) < 0.2).float()
    expected = brute_force_auc(scores.tolist(), labels.tolist())
    assert float(imbalanced_data.roc_auc(scores, labels)) == pytest.approx(expected, abs=1e-9)


def test_oversampling_balances_the_classes():
    g = torch.Generator().manual_seed(0)
    x, y = imbalanced_data.make_data(1000, 0.05, 1.0, g)
    _, y_over = imbalanced_data.oversample(x, y, g)
    assert int(y_over.sum()) == int((y_over == 0).sum()) == int((y == 0).sum())


def test_deterministic():
    params = {"steps": 20, "train_size": 400, "seed": 7}
    first, second = DEMO.run(params), DEMO.run(params)
    assert first.metrics == second.metrics
    assert first.series == second.series


def test_prediction_follows_the_metrics():
    m = DEMO.run({"steps": 20, "train_size": 400}).metrics
    recall = m["recall_plain"]
    assert DEMO.prediction.answer(m) == ("low" if recall < 0.1 else "medium" if recall <= 0.5 else "high")
    assert DEMO.prediction.answer({**m, "recall_plain": 0.3}) == "medium"
    assert DEMO.prediction.answer({**m, "recall_plain": 0.8}) == "high"


def test_bad_params_raise():
    with pytest.raises(ParamError):
        DEMO.validate({"minority_fraction": 0.9})
