"""The knowledge base's figures: drawn by kb/figures/draw.py, stored as static SVG files, linked from the concept
files, served by the API and shown on the concept pages."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils.html import escape
from rest_framework.test import APIClient

from kb.content import read_content
from kb.figures import draw
from kb.models import Concept
from tests.portal.helpers import parse

CONTENT_DIR = Path(__file__).resolve().parents[2] / "kb" / "content"
SVG = "{http://www.w3.org/2000/svg}"
# The concepts the issue asks a figure for, and the file each one shows.
EXPECTED = {
    "convolution-2d": "conv-sliding-window.svg",
    "padding-stride": "padding-stride.svg",
    "pooling": "pooling-max-average.svg",
    "dilated-convolution": "dilated-convolution.svg",
    "transposed-convolution": "transposed-convolution.svg",
    "lstm": "lstm-cell.svg",
    "gru": "gru-cell.svg",
    "resnet": "residual-block.svg",
    "dropout": "dropout.svg",
    "batch-normalization": "batch-vs-layer-norm.svg",
    "layer-normalization": "batch-vs-layer-norm.svg",
    "intersection-over-union": "iou.svg",
    "non-max-suppression": "nms.svg",
    "self-attention": "attention.svg",
}


@pytest.fixture(scope="module")
def entries():
    return {entry.slug: entry for entry in read_content(CONTENT_DIR)}


def test_drawing_is_deterministic(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    a, b = draw.write("lstm-cell", first), draw.write("lstm-cell", second)
    assert a.read_bytes() == b.read_bytes()
    assert b"<dc:date>" not in a.read_bytes()  # no timestamp in the metadata


def labels(svg: bytes) -> list[str]:
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter(f"{SVG}text")]


def creator(svg: bytes) -> str:
    return "".join(ET.fromstring(svg).find(".//{http://purl.org/dc/elements/1.1/}creator").itertext()).strip()


def test_stored_figures_are_what_the_script_draws():
    """Every stored SVG is one the script draws, and is up to date: run ``python -m kb.figures.draw`` after a
    change to the script. Under the matplotlib version that drew them the bytes are the same; under another one
    (whose SVG writer may differ) the labels are."""
    stored = {path.stem for path in draw.FIGURES_DIR.glob("*.svg")}
    assert stored == set(draw.FIGURES)
    for name in draw.FIGURES:
        old, new = (draw.FIGURES_DIR / f"{name}.svg").read_bytes(), draw.render(name)
        assert creator(old).startswith("Matplotlib v"), name
        if creator(old) == creator(new):
            assert old == new, f"{name}: regenerate with python -m kb.figures.draw"
        else:
            assert labels(old) == labels(new), f"{name}: regenerate with python -m kb.figures.draw"


def test_every_figure_is_valid_small_svg_with_text_kept_as_text():
    assert len(draw.FIGURES) >= 12
    for name in draw.FIGURES:
        path = draw.FIGURES_DIR / f"{name}.svg"
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG}svg", name
        assert root.get("viewBox"), name
        texts = ["".join(node.itertext()).strip() for node in root.iter(f"{SVG}text")]
        assert len([text for text in texts if text]) >= 3, name  # labelled, and the labels are real text
        assert path.stat().st_size < 80_000, name


def test_at_least_twelve_concepts_show_figures_that_exist(entries):
    with_figures = {slug: entry.figures for slug, entry in entries.items() if entry.figures}
    assert len(with_figures) >= 12
    for slug, file in EXPECTED.items():
        assert file in [figure["file"] for figure in entries[slug].figures], slug
    referenced = set()
    for slug, figures in with_figures.items():
        for figure in figures:
            path = draw.FIGURES_DIR / figure["file"]
            assert path.is_file(), (slug, figure["file"])
            assert ET.parse(path).getroot().tag == f"{SVG}svg"
            assert len(figure["alt"]) >= 40 and len(figure["alt_zh"]) >= 20, slug  # describes what it shows
            assert any("\u4e00" <= char <= "\u9fff" for char in figure["alt_zh"]), slug
            referenced.add(figure["file"])
    assert referenced == {f"{name}.svg" for name in draw.FIGURES}  # no figure is drawn for nobody


@pytest.mark.django_db
def test_the_api_links_the_figures_and_the_files_are_static_files(entries):
    assert Concept.objects.exclude(figures=[]).count() >= 12
    body = APIClient().get("/api/concepts/intersection-over-union/").json()
    figure = entries["intersection-over-union"].figures[0]
    assert body["figures"] == [
        {"url": "http://testserver/static/kb/figures/iou.svg", "alt": figure["alt"], "alt_zh": figure["alt_zh"]}
    ]
    assert APIClient().get("/api/concepts/adam/").json()["figures"] == []
    found = finders.find("kb/figures/iou.svg")  # what collectstatic copies and the web server then serves
    assert found and Path(found).read_bytes() == (draw.FIGURES_DIR / "iou.svg").read_bytes()


@pytest.mark.django_db
def test_the_concept_page_shows_each_figure_with_its_alt_text(entries):
    figure = entries["non-max-suppression"].figures[0]
    response = Client().get("/concepts/non-max-suppression/")
    images = [attrs for tag, attrs in parse(response).elements if tag == "img" and "kb/figures" in attrs["src"]]
    assert images == [
        {
            "src": "/static/kb/figures/nms.svg",
            "alt": figure["alt"],
            "lang": "en",
            "width": "576",
            "loading": "lazy",
        }
    ]
    assert f'<figcaption lang="en">{escape(figure["alt"])}</figcaption>' in response.content.decode()
    chinese = Client().get("/concepts/non-max-suppression/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    images = [attrs for tag, attrs in parse(chinese).elements if tag == "img" and "kb/figures" in attrs["src"]]
    assert [(image["alt"], image["lang"]) for image in images] == [(figure["alt_zh"], "zh-Hans")]
    plain = Client().get("/concepts/adam/")
    assert "kb/figures" not in plain.content.decode()
