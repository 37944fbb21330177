"""The knowledge-base pages: the landing page, /concepts/ with its search, and each concept."""

import re

import pytest
from django.utils.html import escape

from demos.catalog import demos_for_concept
from kb import selectors
from kb.models import Area, Concept
from tests.portal.helpers import assert_csp_ready, parse

pytestmark = pytest.mark.django_db

ISSUE_PAGES = ("/", "/concepts/", "/quiz/", "/review/", "/cards/", "/demos/", "/runs/", "/settings/")


def links(response) -> list[str]:
    return [attrs["href"] for tag, attrs in parse(response).elements if tag == "a" and "href" in attrs]


def slugs_in_order(response) -> list[str]:
    return re.findall(r'class="concept-item__link" href="/concepts/([a-z0-9-]+)/"', response.content.decode())


def test_landing_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    assert "Learn deep learning, and keep it" in html
    assert {"/accounts/signup/", "/accounts/login/"} <= set(links(response))
    assert '<form class="search" method="get" action="/concepts/" role="search">' in html
    for area in selectors.areas_with_counts():
        assert f'href="/concepts/?area={area["slug"]}"' in html
        assert area["title"] in html
        assert f"{area['concept_count']} concepts" in html
    assert "Dashboard" not in html


def test_home_is_the_dashboard_for_a_learner(learner_client):
    response = learner_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Dashboard</h1>" in html
    assert "Welcome back, ada." in html
    assert "/accounts/signup/" not in links(response)
    assert '<form method="post" action="/accounts/logout/">' in html


@pytest.mark.parametrize("path", ["/", "/concepts/", "/concepts/adam/", "/accounts/login/", "/accounts/signup/"])
def test_every_page_links_to_every_page_of_the_portal(client, path):
    response = client.get(path)
    nav = response.content.decode().split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)"', nav) == list(ISSUE_PAGES)
    current = re.findall(r'href="([^"]+)" aria-current="page"', nav)
    assert current == ([] if path.startswith("/accounts/") else ["/" if path == "/" else "/concepts/"])


def test_concept_list_shows_every_concept_by_area(client):
    response = client.get("/concepts/")
    assert response.status_code == 200
    assert_csp_ready(response)
    assert sorted(slugs_in_order(response)) == sorted(Concept.objects.values_list("slug", flat=True))
    html = response.content.decode()
    headings = re.findall(r'<h2 id="area-([a-z]+)">', html)
    assert headings == [area.value for area in Area]


@pytest.mark.parametrize(
    ("query", "first"),
    [("批量归一化", "batch-normalization"), ("Adam", "adam"), ("非极大值抑制", "non-max-suppression")],
)
def test_search_finds_english_and_chinese_terms(client, query, first):
    response = client.get("/concepts/", {"q": query})
    assert response.status_code == 200
    assert slugs_in_order(response)[0] == first


@pytest.mark.parametrize("query", ["批量归一化", "bias correction", "normalization", "gradient", "卷积"])
def test_search_is_the_apis_search(client, query):
    """Same matches in the same order as GET /api/concepts/?search= (one search function for both)."""
    api = client.get("/api/concepts/", {"search": query, "page_size": 100}).json()
    assert api["count"] > 0
    assert slugs_in_order(client.get("/concepts/", {"q": query})) == [c["slug"] for c in api["results"]]


def test_search_within_an_area_and_without_matches(client):
    in_area = client.get("/concepts/", {"q": "normalization", "area": "normalization"})
    expected = set(Concept.objects.filter(area="normalization").values_list("slug", flat=True))
    assert set(slugs_in_order(in_area)) == expected
    nothing = client.get("/concepts/", {"q": "zzzunknownword"})
    assert nothing.status_code == 200
    assert slugs_in_order(nothing) == []
    assert "0 concepts match “zzzunknownword”" in nothing.content.decode()


def test_area_filter(client):
    response = client.get("/concepts/", {"area": "optimizers"})
    expected = set(Concept.objects.filter(area="optimizers").values_list("slug", flat=True))
    assert set(slugs_in_order(response)) == expected
    assert 'href="/concepts/?area=optimizers" aria-current="page"' in response.content.decode()


def test_an_unknown_area_is_a_400_naming_the_field(client):
    response = client.get("/concepts/", {"area": "astrology"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="errorlist" id="id_area_error">' in html
    select = next(attrs for tag, attrs in parse(response).elements if tag == "select" and attrs.get("name") == "area")
    assert select["aria-invalid"] == "true"
    assert "id_area_error" in select["aria-describedby"]
    assert slugs_in_order(response) == []


def test_concept_page_has_the_whole_entry(client):
    concept = Concept.objects.get(slug="batch-normalization")
    response = client.get("/concepts/batch-normalization/")
    assert response.status_code == 200
    assert_csp_ready(response)
    html = response.content.decode()
    assert "Batch Normalization" in html
    assert '<span class="concept__zh" lang="zh-Hans">批量归一化</span>' in html
    # Every formula as MathML with its caption, and maths in the body.
    figures = re.findall(r'<figure class="formula">(.*?)</figure>', html, re.S)
    assert len(figures) == len(concept.formulas) > 0
    for figure, formula in zip(figures, concept.formulas, strict=True):
        assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in figure
        assert escape(formula["caption"]) in figure
    assert '<span class="math inline"><math' in html
    for item in concept.pros + concept.cons + concept.corrections:
        assert escape(item) in html
    hrefs = links(response)
    for other in [*concept.prerequisites.all(), *concept.related.all()]:
        assert f"/concepts/{other.slug}/" in hrefs
    assert "/quiz/?concepts=batch-normalization" in hrefs
    assert '<form method="post" action="/cards/enroll/">' in html
    assert '<input type="hidden" name="concepts" value="batch-normalization">' in html
    assert "csrfmiddlewaretoken" in html.split('action="/cards/enroll/"', 1)[1].split("</form>", 1)[0]
    for demo in demos_for_concept("batch-normalization"):
        assert f"/demos/{demo.name}/" in hrefs


def test_learning_path_puts_prerequisites_first(client):
    response = client.get("/concepts/batch-normalization/")
    path = selectors.learning_path(Concept.objects.get(slug="batch-normalization"))["path"]
    html = response.content.decode().split('<ol class="path">', 1)[1].split("</ol>", 1)[0]
    shown = re.findall(r'href="/concepts/([a-z0-9-]+)/"|aria-current="step"', html)
    assert [slug or "batch-normalization" for slug in shown] == [step["slug"] for step in path]
    assert len(path) > 3
    assert path[-1]["slug"] == "batch-normalization"


def test_every_concept_page_renders_its_maths(client):
    """All 68 entries: 200, MathML for every formula and every $...$ of the body, nothing the CSP would block."""
    for concept in Concept.objects.all():
        response = client.get(f"/concepts/{concept.slug}/")
        assert response.status_code == 200, concept.slug
        assert_csp_ready(response)
        html = response.content.decode()
        assert "math-error" not in html, f"{concept.slug}: LaTeX in the body that does not convert"
        formulas = re.findall(r'<figure class="formula">\s*<div class="scroll-x"><math ', html)
        assert len(formulas) == len(concept.formulas), concept.slug
        if "$" in concept.body:
            assert '<span class="math inline"><math ' in html or '<div class="math block">' in html, concept.slug


def test_unknown_concept_is_an_html_404(client):
    response = client.get("/concepts/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "There is no concept “no-such-thing”." in response.content.decode()


def test_knowledge_base_pages_need_no_account(client):
    for path in ("/", "/concepts/", "/concepts/?q=adam", "/concepts/adam/"):
        assert client.get(path).status_code == 200
