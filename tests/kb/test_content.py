"""The shipped knowledge base covers the whole syllabus, and every entry is complete and renders."""

import re
from pathlib import Path

import pytest

from kb.content import latex_to_mathml, read_content
from kb.models import Area

# The concept table of shared/SYLLABUS.md (68 rows), by area, in syllabus order.
SYLLABUS = {
    "foundations": [
        "linear-transformation",
        "matrix-rank-low-rank",
        "maximum-likelihood",
        "generalization",
        "underfitting-overfitting",
        "frequentist-vs-bayesian",
        "logistic-regression",
        "loss-functions",
        "backpropagation",
        "weight-initialization",
        "gradient-checking",
    ],
    "activations": [
        "sigmoid",
        "tanh",
        "relu",
        "leaky-relu",
        "softmax",
        "why-nonlinearity",
        "vanishing-exploding-gradients",
    ],
    "optimizers": [
        "mini-batch-gradient-descent",
        "exponentially-weighted-average",
        "momentum",
        "adagrad",
        "rmsprop",
        "adam",
        "learning-rate-decay",
        "learning-rate-warmup",
        "gradient-clipping",
        "saddle-points",
        "hyperparameter-search",
    ],
    "normalization": [
        "batch-normalization",
        "layer-normalization",
    ],
    "regularization": [
        "l2-regularization",
        "l1-regularization",
        "dropout",
        "early-stopping",
        "data-augmentation",
    ],
    "cnn": [
        "convolution-1d",
        "convolution-2d",
        "cross-correlation",
        "padding-stride",
        "multi-channel-convolution",
        "convolution-motivation",
        "pooling",
        "receptive-field",
        "transposed-convolution",
        "dilated-convolution",
        "one-by-one-convolution",
    ],
    "architectures": [
        "lenet-5",
        "alexnet",
        "zfnet",
        "vgg",
        "googlenet-inception",
        "resnet",
        "bert",
    ],
    "rnn": [
        "network-memory",
        "recurrent-neural-network",
        "sequence-task-types",
        "backpropagation-through-time",
        "long-term-dependencies",
        "lstm",
        "gru",
        "stacked-bidirectional-rnn",
    ],
    "detection": [
        "intersection-over-union",
        "non-max-suppression",
        "yolo",
    ],
    "practice": [
        "imbalanced-data",
        "training-loop",
        "shuffled-pixels-experiment",
    ],
}
SYLLABUS_FILE = Path(__file__).resolve().parents[3] / "shared" / "SYLLABUS.md"
# Concepts beyond the syllabus (issue 12): slug -> (area, the syllabus concept it is read just before).
BEYOND_SYLLABUS = {
    "forward-propagation": ("foundations", "loss-functions"),
    "self-attention": ("architectures", "bert"),
    "transformer": ("architectures", "bert"),
}


def reading_order() -> list[str]:
    """The syllabus order, with each concept beyond it inserted just before the concept it names."""
    order = [slug for slugs in SYLLABUS.values() for slug in slugs]
    for slug, (_, before) in BEYOND_SYLLABUS.items():
        order.insert(order.index(before), slug)
    return order


@pytest.fixture(scope="module")
def entries():
    from django.conf import settings

    return {entry.slug: entry for entry in read_content(settings.KB_CONTENT_DIR)}


@pytest.mark.skipif(not SYLLABUS_FILE.exists(), reason="shared/SYLLABUS.md is not beside this checkout")
def test_embedded_syllabus_matches_shared_syllabus():
    rows = re.findall(r"^\| ([a-z]+) \| ([a-z0-9-]+) \|", SYLLABUS_FILE.read_text(encoding="utf-8"), re.M)
    from_file: dict[str, list[str]] = {}
    for area, slug in rows:
        if area in Area.values:  # skips the header rows of both tables
            from_file.setdefault(area, []).append(slug)
    assert from_file == SYLLABUS


def test_every_syllabus_concept_is_present_in_its_area(entries):
    expected = {slug: area for area, slugs in SYLLABUS.items() for slug in slugs}
    missing = set(expected) - set(entries)
    assert not missing, f"syllabus concepts without an entry: {sorted(missing)}"
    assert {slug: entries[slug].area for slug in expected} == expected
    assert set(SYLLABUS) == set(Area.values)


def test_concepts_beyond_the_syllabus_are_present_in_their_area(entries):
    """Issue 12's concepts go beyond the syllabus (which the knowledge base may exceed)."""
    missing = set(BEYOND_SYLLABUS) - set(entries)
    assert not missing, f"concepts of issue 12 without an entry: {sorted(missing)}"
    assert {slug: entries[slug].area for slug in BEYOND_SYLLABUS} == {s: a for s, (a, _) in BEYOND_SYLLABUS.items()}


def test_every_entry_is_complete(entries):
    for slug, entry in entries.items():
        assert re.search(r"[\u4e00-\u9fff]", entry.title_zh), slug
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", entry.summary) if s]
        assert 2 <= len(sentences) <= 5, (slug, entry.summary)
        assert len(entry.body.split()) >= 120, (slug, len(entry.body.split()))
        assert entry.sources, slug


def test_prerequisites_point_earlier_in_the_syllabus(entries):
    order = {slug: i for i, slug in enumerate(reading_order())}
    for slug, entry in entries.items():
        for prerequisite in entry.prerequisites:
            assert {slug, prerequisite} <= set(order), (slug, prerequisite, "give it a place in BEYOND_SYLLABUS")
            assert order[prerequisite] < order[slug], (slug, prerequisite)


def test_every_formula_converts_to_mathml(entries):
    formulas = [(slug, f["latex"]) for slug, entry in entries.items() for f in entry.formulas]
    assert len(formulas) >= 150
    problems = [(slug, latex, problem) for slug, latex in formulas if (problem := latex_to_mathml(latex)[1])]
    assert not problems


INLINE_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)


def test_inline_maths_in_bodies_converts(entries):
    for slug, entry in entries.items():
        for display, inline in INLINE_MATH.findall(entry.body):
            problem = latex_to_mathml(display or inline)[1]
            assert problem is None, (slug, display or inline, problem)


@pytest.mark.parametrize(
    ("slug", "must_contain"),
    [
        ("padding-stride", [r"\left\lfloor"]),
        ("adam", [r"\hat{m}", r"1 - \beta_1^"]),
        ("softmax", ["e^{z_"]),
        ("dropout", ["keep"]),
        ("intersection-over-union", [r"\cap", r"\cup"]),
    ],
)
def test_key_formulas_are_there(entries, slug, must_contain):
    latex = " ".join(f["latex"] for f in entries[slug].formulas)
    for fragment in must_contain:
        assert fragment in latex, (slug, fragment, latex)
