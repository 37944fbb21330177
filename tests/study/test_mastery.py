"""Mastery per concept and per area (``study.mastery``): labels from the evidence, uncertainty that shrinks with
it, answers and cards together, one query per table."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cards.models import Card
from study import mastery
from study.mastery import estimate
from tests.study.helpers import answer, enroll, learn_well, rate


def width(result: dict) -> float:
    low, high = result["interval"]
    return high - low


@pytest.mark.parametrize(
    ("successes", "failures", "label"),
    [
        (0, 0, "new"),
        (1, 0, "learning"),  # one correct answer is not mastery
        (0, 1, "learning"),  # nor is one wrong answer proof of anything
        (4, 0, "learning"),
        (5, 0, "solid"),
        (13, 0, "mastered"),
        (0, 3, "shaky"),
        (1, 4, "shaky"),
        (5, 5, "learning"),
        (20, 20, "shaky"),  # half wrong over forty answers: known not to be held
    ],
)
def test_labels_follow_the_credible_interval(successes, failures, label):
    result = estimate(successes, failures)
    assert result["label"] == label
    if label != "new":
        low, high = result["interval"]
        assert 0 <= low < result["mastery"] < high <= 1


def test_a_new_concept_has_no_estimate():
    assert estimate(0, 0) == {"mastery": None, "sd": None, "interval": None, "label": "new", "label_display": "new"}


def test_the_interval_narrows_with_evidence_of_the_same_rate():
    widths = [width(estimate(3 * n, n)) for n in (1, 4, 16, 64)]
    assert widths == sorted(widths, reverse=True) and widths[-1] < widths[0] / 4
    sds = [estimate(3 * n, n)["sd"] for n in (1, 4, 16, 64)]
    assert sds == sorted(sds, reverse=True)


@pytest.mark.django_db
def test_one_correct_answer_reads_learning(learner):
    answer(learner, "relu", [1.0])
    relu = mastery.mastery(learner)["concepts"]["relu"]
    assert relu["label"] == "learning" and relu["mastery"] < 0.7
    assert relu["evidence"] == {"answers": 1, "correct": 1, "cards": 0, "reviews": 0}


@pytest.mark.django_db
def test_consistent_answers_and_well_retained_cards_reach_mastered(learner):
    answer(learner, "adam", [1.0] * 5)
    assert mastery.mastery(learner)["concepts"]["adam"]["label"] == "solid"
    cards = learn_well(learner, "adam")
    adam = mastery.mastery(learner)["concepts"]["adam"]
    assert adam["label"] == "mastered"
    assert adam["evidence"] == {"answers": 5, "correct": 5, "cards": len(cards), "reviews": 4 * len(cards)}
    assert adam["interval"][0] >= mastery.MASTERED_LOW


@pytest.mark.django_db
def test_mostly_wrong_answers_read_shaky_and_partial_credit_counts_as_a_fraction(learner):
    answer(learner, "softmax", [0.0, 0.0, 1.0, 0.0, 0.0])
    answer(learner, "tanh", [0.5, 0.5])
    known = mastery.mastery(learner)["concepts"]
    assert known["softmax"]["label"] == "shaky"
    assert known["softmax"]["evidence"]["correct"] == 1
    assert known["tanh"]["mastery"] == 0.5 and known["tanh"]["evidence"]["correct"] == 0


@pytest.mark.django_db
def test_old_answers_count_less_than_recent_ones(learner, other_api):
    answer(learner, "relu", [1.0] * 5, when=timezone.now() - timedelta(days=180))
    old = mastery.mastery(learner)["concepts"]["relu"]
    assert old["label"] == "learning"  # five correct answers half a year ago: no longer proof of "solid"
    answer(learner, "relu", [1.0] * 5)
    assert mastery.mastery(learner)["concepts"]["relu"]["label"] in ("solid", "mastered")


@pytest.mark.django_db
def test_forgotten_cards_weigh_less_even_right_after_their_review(learner, django_user_model):
    def history(owner, rating_now: int) -> dict:
        cards = enroll(owner, "dropout")
        for card in cards:
            rate(owner, card, 3, days_ago=80)
        before = mastery.mastery(owner)["concepts"]["dropout"]
        assert before["label"] == "learning" and before["evidence"] == {
            "answers": 0,
            "correct": 0,
            "cards": len(cards),
            "reviews": len(cards),
        }
        for card in cards:
            rate(owner, card, rating_now)
        return mastery.mastery(owner)["concepts"]["dropout"]

    # Just after a review every card is recalled (R = 1) whatever the rating: the estimate looks a week ahead.
    failed = history(learner, 1)
    recalled = history(django_user_model.objects.create_user("bob"), 4)
    assert failed["label"] == "learning"
    assert failed["mastery"] < recalled["mastery"] - 0.1


@pytest.mark.django_db
def test_a_cards_weight_grows_with_its_reviews_up_to_a_cap(learner):
    enroll(learner, "dropout")
    reviewed = {"last_review": timezone.now(), "state": 2, "stability": 30.0, "difficulty": 5.0, "step": None}
    intervals = {}
    for reps in (1, 2, 100, 1000):
        Card.objects.filter(owner=learner).update(reps=reps, **reviewed)
        intervals[reps] = mastery.mastery(learner)["concepts"]["dropout"]["interval"]
    assert intervals[2][1] - intervals[2][0] < intervals[1][1] - intervals[1][0]
    assert intervals[100] == intervals[1000]


@pytest.mark.django_db
def test_areas_average_their_studied_concepts_and_list_every_area(learner):
    answer(learner, "relu", [1.0] * 6)
    answer(learner, "tanh", [0.0] * 3)
    result = mastery.mastery(learner)
    areas = result["areas"]
    assert list(areas)[:3] == ["foundations", "activations", "optimizers"]  # teaching order, all ten
    assert len(areas) == 10
    activations = areas["activations"]
    relu, tanh = result["concepts"]["relu"], result["concepts"]["tanh"]
    assert activations["mastery"] == pytest.approx((relu["mastery"] + tanh["mastery"]) / 2, abs=1e-4)
    assert activations["studied"] == 2 and activations["concepts"] >= 2
    assert activations["labels"]["solid"] == 1 and activations["labels"]["shaky"] == 1
    assert activations["labels"]["new"] == activations["concepts"] - 2
    assert activations["interval"][0] < activations["mastery"] < activations["interval"][1]
    assert areas["cnn"] | {"title": None} == {
        "title": None,
        "mastery": None,
        "sd": None,
        "interval": None,
        "label": "new",
        "label_display": "new",
        "concepts": areas["cnn"]["concepts"],
        "studied": 0,
        "labels": {"new": areas["cnn"]["concepts"], "learning": 0, "shaky": 0, "solid": 0, "mastered": 0},
    }


@pytest.mark.django_db
def test_a_thousand_cards_are_read_in_one_query_per_table(learner, django_assert_max_num_queries):
    enroll(learner, "adam", "relu")
    card = Card.objects.filter(owner=learner).first()
    Card.objects.bulk_create(
        Card(
            owner=learner,
            concept_id=card.concept_id,
            key=f"bulk:{n}",
            kind=card.kind,
            front="f",
            back="b",
            state=2,
            stability=10.0,
            difficulty=5.0,
            due=timezone.now() + timedelta(days=3),
            last_review=timezone.now() - timedelta(days=2),
            reps=3,
        )
        for n in range(1000)
    )
    answer(learner, "relu", [1.0, 0.0])
    # concepts, prerequisites, quiz answers, settings, cards
    with django_assert_max_num_queries(5):
        result = mastery.mastery(learner)
    assert result["concepts"][card.concept.slug]["evidence"]["cards"] == 1000
