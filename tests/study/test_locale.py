"""The study app's Chinese catalogue (study/locale): every message translated, compiled, and used."""

import ast
import gettext
from pathlib import Path

import pytest
from django.utils import translation

from kb.models import Concept
from study import mastery
from study import selectors as study

FOLDER = Path(study.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: ``{"msgctxt", "msgid", "msgstr", "fuzzy"}`` (``msgstr[0]`` for plurals)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, current = {"fuzzy": False}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                fields["fuzzy"] = fields["fuzzy"] or "fuzzy" in line
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                keyword, text = line.split(" ", 1)
                current = {"msgstr[0]": "msgstr"}.get(keyword, keyword)
                fields[current] = ast.literal_eval(text)
        if fields.get("msgid"):
            entries.append(fields)
    return entries


def test_every_message_is_translated_and_compiled():
    entries = po_entries(FOLDER / "django.po")
    assert len(entries) >= 11
    assert [entry["msgid"] for entry in entries if not entry["msgstr"] or entry["fuzzy"]] == []
    with open(FOLDER / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        if "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        elif "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"]


@pytest.mark.django_db
def test_labels_and_reasons_come_out_in_chinese(learner):
    with translation.override("zh-hans"):
        assert [mastery.label_display(label) for label in mastery.LABELS] == [
            "未学",
            "学习中",
            "不牢固",
            "扎实",
            "已掌握",
        ]
        step = study.next_step(learner)
    title = Concept.objects.get(slug=step["concept"]["slug"]).title_zh
    assert step["reason"] == f"还没有需要复习的内容：先做一次关于“{title}”的测验，或者从概念页面添加卡片。"
