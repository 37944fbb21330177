"""The knowledge-base pages and the accounts in a real browser, at desktop and phone width."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from kb.models import Concept
from tests.browser.helpers import assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long passphrase 42"


def test_sign_up(page, inspect):
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill("a different passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_password2_error")).to_have_text("The two passwords differ.")
    expect(page.get_by_label("Password again")).to_have_attribute("aria-invalid", "true")
    inspect(page, "errors")
    assert not get_user_model().objects.exists()

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome, ada.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    inspect(page, "dashboard")
    assert get_user_model().objects.filter(username="ada").exists()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn deep learning, and keep it")
    page.goto("/concepts/adam/")
    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/concepts/adam/$"))  # back where the visitor was
    expect(page.get_by_text("ada", exact=True)).to_be_visible()


def test_search_a_chinese_term_and_read_the_formulas(page, inspect):
    page.goto("/")
    page.get_by_role("searchbox", name="Search concepts").fill("批量归一化")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/concepts/\?q=%E6%89%B9"))
    first = page.locator(".concept-item__link").first
    expect(first).to_contain_text("Batch Normalization")
    inspect(page, "results")

    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Batch Normalization")
    formulas = page.locator("figure.formula math")
    expect(formulas).to_have_count(len(Concept.objects.get(slug="batch-normalization").formulas))
    # Native MathML: the browser lays it out as maths (a fraction is taller than a line of text).
    layout = formulas.nth(2).evaluate(
        """math => ({
            display: getComputedStyle(math).display,
            height: math.getBoundingClientRect().height,
            line: parseFloat(getComputedStyle(math.closest("figure")).lineHeight),
            fraction: Boolean(math.querySelector("mfrac")),
        })"""
    )
    assert layout["display"] == "block math"
    assert layout["fraction"]
    assert layout["height"] > 1.5 * layout["line"]
    expect(page.locator(".prose math").first).to_be_visible()
    expect(page.get_by_role("link", name="Quiz me on this")).to_have_attribute(
        "href", "/quiz/?concepts=batch-normalization"
    )
    expect(page.get_by_role("button", name="Add to my cards")).to_be_visible()
    inspect(page, "concept")


def test_keyboard_alone_reaches_the_search_and_submits(page, screenshot):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_visible()  # the skip link appears when focused
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        stops.append(focused)
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"no visible focus on {focused!r}"
        if focused == "id_q":
            break
    assert stops[-1] == "id_q", f"the search box was not reached: {stops}"
    page.keyboard.type("dropout")
    screenshot(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/concepts/\?q=dropout$"))
    expect(page.locator(".concept-item__link").first).to_contain_text("Dropout")


def test_accessibility_and_layout_of_every_page(page, new_page, problems, inspect, live_server):
    problems.allow_status(400, 404)  # the error pages below answer with these statuses on purpose
    pages = {
        "landing": "/",
        "concepts": "/concepts/",
        "area": "/concepts/?area=normalization",
        "search": "/concepts/?q=gradient",
        "concept": "/concepts/batch-normalization/",
        "table": "/concepts/lenet-5/",
        "login": "/accounts/login/?next=/concepts/",
        "signup": "/accounts/signup/",
        "bad-area": "/concepts/?area=astrology",
        "not-found": "/concepts/no-such-concept/",
    }
    for name, path in pages.items():
        page.goto(path)
        inspect(page, name)

    chinese = new_page(locale="zh-CN")
    chinese.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    for name in ("landing", "concept"):
        chinese.goto(pages[name])
        expect(chinese.locator("html")).to_have_attribute("lang", "zh-hans")
        inspect(chinese, f"{name}-zh")


def test_the_language_switch_is_remembered(page):
    page.goto("/concepts/?area=cnn")
    page.get_by_role("button", name="简体中文").click()
    expect(page).to_have_url(re.compile(r"/concepts/\?area=cnn$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("概念")
    page.goto("/")
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="复习")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn deep learning, and keep it")


def test_the_knowledge_base_reads_without_javascript(new_page, screenshot):
    page = new_page(javascript=False)
    page.goto("/")
    page.get_by_role("searchbox", name="Search concepts").fill("交并比")
    page.get_by_role("button", name="Search").click()
    page.locator(".concept-item__link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Intersection over Union")
    expect(page.locator("figure.formula math").first).to_be_visible()
    assert page.evaluate("typeof window.htmx") == "undefined"  # really without scripts
    screenshot(page)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_every_concept_page_fits_a_phone(page):
    for slug in Concept.objects.order_by("slug").values_list("slug", flat=True):
        page.goto(f"/concepts/{slug}/")
        assert_no_horizontal_scroll(page)
