"""English and Simplified Chinese: the browser's language, the language switch, the catalogue."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import escape

from kb.models import Area, Concept
from tests.portal.helpers import parse

pytestmark = pytest.mark.django_db
CATALOGUE = Path(__file__).resolve().parents[2] / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES"


def html_lang(response) -> str:
    return next(attrs["lang"] for tag, attrs in parse(response).elements if tag == "html")


def nav_labels(response) -> list[str]:
    nav = response.content.decode().split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


def test_english_by_default(client):
    response = client.get("/concepts/")
    assert html_lang(response) == "en"
    assert nav_labels(response)[:2] == ["Home", "Concepts"]


def test_chinese_for_a_chinese_browser(client):
    response = client.get("/concepts/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert html_lang(response) == "zh-hans"
    assert nav_labels(response) == ["首页", "概念", "测验", "复习", "卡片", "演示", "运行记录", "设置"]
    assert "<h1>概念</h1>" in response.content.decode()
    assert "归一化" in response.content.decode()  # the area labels of kb are translated too


def test_the_language_switch_is_remembered(client):
    page = client.get("/concepts/?area=cnn")
    switch = page.content.decode().split('<form class="language"', 1)[1].split("</form>", 1)[0]
    assert 'action="/i18n/setlang/"' in switch
    assert '<input type="hidden" name="next" value="/concepts/?area=cnn">' in switch
    assert 'name="language" value="zh-hans" lang="zh-hans">简体中文</button>' in switch

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/concepts/?area=cnn"})
    assert response.status_code == 302
    assert response["Location"] == "/concepts/?area=cnn"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans"
    assert int(cookie["max-age"]) >= 30 * 24 * 3600  # kept after the browser closes

    chinese = client.get("/", headers={"Accept-Language": "en"})  # the choice beats the browser's language
    assert html_lang(chinese) == "zh-hans"
    assert "学会深度学习，并且记住它" in chinese.content.decode()
    assert 'name="language" value="en" lang="en">English</button>' in chinese.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert html_lang(client.get("/")) == "en"


def test_a_chinese_page_shows_the_chinese_version_of_an_entry(client):
    concept = Concept.objects.get(slug="batch-normalization")
    assert concept.zh.get("summary"), "the entry has a Chinese version"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/concepts/batch-normalization/").content.decode()
    assert f'<p class="lead" lang="zh-Hans">{concept.zh["summary"]}</p>' in html
    assert "就此测验我" in html
    english = client.get("/concepts/batch-normalization/", headers={"Cookie": "django_language=en"})
    assert escape(concept.summary) in english.content.decode()


def test_every_area_label_is_translated():
    with translation.override("zh-hans"):
        untranslated = [label for label in Area.labels if translation.gettext(label) == label]
    assert untranslated == []


def read_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) of a .po file (msgstr[0] for plural entries)."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        fields, current = {}, None
        for line in block.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(r'^(msgid_plural|msgid|msgstr\[0\]|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ""
                line = match.group(2)
            fields[current] += bytes(line[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode()
        if "msgid" in fields:
            entries[fields["msgid"]] = (fields.get("msgstr", fields.get("msgstr[0]", "")), fuzzy)
    return entries


def test_the_chinese_catalogue_is_complete_and_compiled():
    po = read_po(CATALOGUE / "django.po")
    messages = {msgid: value for msgid, value in po.items() if msgid}
    assert len(messages) > 50
    assert [msgid for msgid, (text, fuzzy) in messages.items() if not text or fuzzy] == []
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, (text, _fuzzy) in messages.items():
        assert compiled.gettext(msgid) == text, f"django.mo is older than django.po: {msgid!r}"
