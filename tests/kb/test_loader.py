"""load_kb (curriculum.services.load_curriculum): validation, idempotence, updates, removals, all-or-nothing."""

from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from curriculum.services import load_curriculum
from kb.content import ContentError
from kb.models import Concept

pytestmark = pytest.mark.django_db


def concept(slug, area="foundations", **overrides):
    data = {
        "slug": slug,
        "title": slug.replace("-", " ").title(),
        "title_zh": "概念" + slug,
        "area": area,
        "summary": f"What {slug} is. Why it matters.",
        "body": f"Body of {slug} with $x^2$.",
        "formulas": [{"latex": r"\frac{a}{b}", "caption": "A fraction"}],
        "sources": ["001"],
        "zh": {"summary": f"{slug} 是什么。", "body": f"{slug} 的正文，含 $x^2$。", "formulas": ["一个分数"]},
    }
    data.update(overrides)
    return data


def write(root: Path, *entries: dict) -> Path:
    for entry in entries:
        folder = root / entry.get("area", "foundations")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{entry['slug']}.yaml").write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    return root


def snapshot():
    return sorted(
        (c.slug, c.version, c.content_hash, tuple(c.prerequisites.values_list("slug", flat=True)))
        for c in Concept.objects.all()
    )


@pytest.fixture
def base(tmp_path, settings):
    """A small knowledge base of our own, with its own (empty) question folder."""
    from quizzes.models import Question

    Question.objects.all().delete()
    Concept.objects.all().delete()  # these tests own the whole knowledge base
    settings.QUIZ_CONTENT_DIR = tmp_path / "questions"
    settings.QUIZ_CONTENT_DIR.mkdir()
    return write(
        tmp_path,
        concept("alpha"),
        concept("beta", prerequisites=["alpha"]),
        concept("gamma", area="optimizers", prerequisites=["beta"], related=["alpha"]),
    )


def test_first_load_creates_everything_and_links(base):
    report = load_curriculum(base)
    assert sorted(report.created) == ["alpha", "beta", "gamma"]
    gamma = Concept.objects.get(slug="gamma")
    assert list(gamma.prerequisites.values_list("slug", flat=True)) == ["beta"]
    assert list(gamma.related.values_list("slug", flat=True)) == ["alpha"]
    assert gamma.formulas[0]["mathml"].startswith("<math")
    assert Concept.objects.count() == 3


def test_second_load_changes_nothing(base):
    load_curriculum(base)
    before = snapshot()
    stamps = dict(Concept.objects.values_list("slug", "updated_at"))
    report = load_curriculum(base)
    assert not report.changed
    assert sorted(report.unchanged) == ["alpha", "beta", "gamma"]
    assert snapshot() == before
    assert dict(Concept.objects.values_list("slug", "updated_at")) == stamps


def test_changed_entry_is_updated_and_versioned(base):
    load_curriculum(base)
    write(base, concept("beta", summary="A new summary. Still short.", prerequisites=[]))
    report = load_curriculum(base)
    assert report.updated == ["beta"]
    beta = Concept.objects.get(slug="beta")
    assert beta.summary == "A new summary. Still short."
    assert beta.version == 2
    assert not beta.prerequisites.exists()
    assert Concept.objects.get(slug="alpha").version == 1


def test_deleted_file_removes_concept(base):
    load_curriculum(base)
    (base / "optimizers" / "gamma.yaml").unlink()
    report = load_curriculum(base)
    assert report.removed == ["gamma"]
    assert not Concept.objects.filter(slug="gamma").exists()


def test_dry_run_writes_nothing(base):
    load_curriculum(base)
    write(base, concept("delta"))
    before = snapshot()
    report = load_curriculum(base, dry_run=True)
    assert report.created == ["delta"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (
            lambda root: (root / "foundations" / "alpha.yaml").write_text("slug: [unclosed"),
            "alpha.yaml: not valid YAML",
        ),
        (lambda root: write(root, concept("beta", area="nowhere")), "area: 'nowhere' is not one of"),
        (lambda root: write(root, concept("beta", title_zh="no chinese")), "title_zh: must contain the Chinese term"),
        (lambda root: write(root, concept("beta", summary="")), "beta.yaml: summary: is required"),
        (lambda root: write(root, concept("beta", sources=["009"])), "sources: '009' is not a seed note id"),
        (lambda root: write(root, concept("beta", colour="red")), "beta.yaml: colour: unknown field"),
        (
            lambda root: write(root, concept("beta", formulas=[{"latex": r"\frac{a}{", "caption": "broken"}])),
            "formulas[0]: LaTeX does not convert to MathML",
        ),
        (lambda root: write(root, concept("beta", prerequisites=["nope"])), "prerequisites: unknown concept 'nope'"),
        (lambda root: write(root, concept("beta", related=["ghost"])), "related: unknown concept 'ghost'"),
        (
            lambda root: write(root, concept("alpha", prerequisites=["gamma"])),
            "prerequisites: cycle: alpha -> gamma -> beta -> alpha",
        ),
        (
            lambda root: write(root, concept("beta", pros=["fast"], zh={"summary": "摘要。", "body": "正文。"})),
            "beta.yaml: zh.pros: has 0 items; the English pros has 1",
        ),
        (
            lambda root: write(root, concept("beta", zh={"summary": "English only.", "body": "正文。"})),
            "beta.yaml: zh.summary: is required Chinese text",
        ),
        (lambda root: write(root, concept("beta", zh=None)), "beta.yaml: zh: is required"),
    ],
    ids=[
        "yaml",
        "area",
        "title_zh",
        "missing",
        "source",
        "unknown-field",
        "latex",
        "prerequisite",
        "related",
        "cycle",
        "zh-list-length",
        "zh-not-chinese",
        "zh-missing",
    ],
)
def test_bad_content_is_rejected_and_database_is_unchanged(base, mutation, expected):
    load_curriculum(base)
    before = snapshot()
    write(base, concept("delta"))  # a valid new file that must not be created either
    mutation(base)
    with pytest.raises(ContentError) as caught:
        load_curriculum(base)
    assert expected in str(caught.value)
    assert snapshot() == before


def test_command_reports_counts_and_problems(base, capsys):
    call_command("load_kb", path=str(base))
    assert "3 created, 0 updated, 0 removed, 0 unchanged;" in capsys.readouterr().out
    call_command("load_kb", path=str(base))
    assert "0 created, 0 updated, 0 removed, 3 unchanged;" in capsys.readouterr().out
    write(base, concept("beta", prerequisites=["missing-one"]))
    with pytest.raises(
        CommandError, match=r"1 problem in the content; nothing was loaded:\n.*beta.yaml: prerequisites"
    ):
        call_command("load_kb", path=str(base))


def write_questions(root: Path, concept_slug: str, *questions: dict, area: str = "foundations") -> None:
    folder = root / "questions" / area
    folder.mkdir(parents=True, exist_ok=True)
    body = {"concept": concept_slug, "questions": list(questions)}
    (folder / f"{concept_slug}.yaml").write_text(yaml.safe_dump(body), encoding="utf-8")


def single(qid, **overrides):
    question = {
        "id": qid,
        "type": "single",
        "prompt": "Which?",
        "explanation": "Because.",
        "choices": [{"key": "a", "text": "yes", "correct": True}, {"key": "b", "text": "no"}],
        "zh": {"prompt": "哪个？", "explanation": "因为。", "choices": {"a": {"text": "是"}, "b": {"text": "否"}}},
    }
    return {**question, **overrides}


def question_snapshot():
    from quizzes.models import Question

    return sorted(Question.objects.values_list("id", "content_hash", "retired"))


def test_questions_load_with_concepts_and_reload_changes_nothing(base):
    write_questions(
        base,
        "alpha",
        single("alpha-one"),
        {"id": "alpha-two", "type": "parametric", "generator": "iou", "also_concepts": ["beta"]},
    )
    report = load_curriculum(base)
    assert sorted(report.questions_created) == ["alpha-one", "alpha-two"]
    before = question_snapshot()
    assert not load_curriculum(base).changed
    assert question_snapshot() == before


def test_chinese_versions_are_loaded_with_the_english(base):
    from kb.models import Concept
    from quizzes.models import Question

    zh_concept = {"summary": "一个 概念。", "body": "正文 $x$。\n", "formulas": ["一个分数"], "pros": ["快"]}
    write(base, concept("delta", pros=["fast"], zh=zh_concept))
    zh_question = {"prompt": "哪个？", "explanation": "因为。", "choices": {"a": {"text": "是"}, "b": {"text": "否"}}}
    write_questions(base, "delta", single("delta-one", zh=zh_question))
    load_curriculum(base)
    assert Concept.objects.get(slug="delta").zh == zh_concept
    assert Question.objects.get(id="delta-one").zh == zh_question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (single("alpha-bad", choices=[{"key": "a", "text": "x"}, {"key": "b", "text": "y"}]), "exactly one correct"),
        ({"id": "alpha-bad", "type": "essay", "prompt": "?", "explanation": "."}, "type must be one of"),
        ({"id": "alpha-bad", "type": "parametric", "generator": "nope"}, "generator must be one of"),
        (
            {"id": "alpha-bad", "type": "cloze", "prompt": "no blank", "blanks": [["x"]], "explanation": "."},
            "the prompt must contain ___ once per blank",
        ),
        (single("alpha-bad", also_concepts=["ghost"]), "also_concepts must list known concept slugs"),
        (single("alpha-one"), "id is also used in"),
        (
            single("alpha-bad", zh={"prompt": "哪个？", "explanation": "因为。", "choices": {"a": {"text": "是"}}}),
            "zh.choices must translate exactly the choices a, b",
        ),
        ({"id": "alpha-bad", "type": "parametric", "generator": "iou", "zh": {}}, "zh: parametric questions"),
        ({k: v for k, v in single("alpha-bad").items() if k != "zh"}, "zh is required"),
    ],
)
def test_bad_question_is_rejected_with_file_and_id_and_nothing_changes(base, question, expected):
    write_questions(base, "alpha", single("alpha-one"))
    load_curriculum(base)
    before = (snapshot(), question_snapshot())
    write_questions(base, "beta", single("beta-one"), question)
    with pytest.raises(ContentError) as caught:
        load_curriculum(base)
    assert expected in str(caught.value)
    assert "beta.yaml" in str(caught.value)
    assert (snapshot(), question_snapshot()) == before


def test_removed_question_is_deleted_unless_answered_then_retired(base, django_user_model):
    from quizzes.models import Question, Quiz, QuizItem

    write_questions(base, "alpha", single("alpha-one"), single("alpha-two"))
    load_curriculum(base)
    quiz = Quiz.objects.create(owner=django_user_model.objects.create_user("u"), mode="random", scope={})
    QuizItem.objects.create(quiz=quiz, question_id="alpha-two", position=0)
    write_questions(base, "alpha", single("alpha-three"))
    report = load_curriculum(base)
    assert sorted(report.questions_retired) == ["alpha-one", "alpha-two"]
    assert not Question.objects.filter(pk="alpha-one").exists()
    assert Question.objects.get(pk="alpha-two").retired
    (base / "questions" / "foundations" / "alpha.yaml").unlink()
    (base / "foundations" / "alpha.yaml").unlink()
    write(base, concept("beta"), concept("gamma", area="optimizers"))  # drop the links to alpha
    with pytest.raises(ContentError, match="alpha: cannot be removed: learners answered its questions"):
        load_curriculum(base)
    assert Concept.objects.filter(slug="alpha").exists()
