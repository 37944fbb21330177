"""Reading and validating the knowledge-base content files (kb/content/<area>/<slug>.yaml).

Everything here is pure parsing: no database. ``read_content`` returns the parsed entries or raises
``ContentError`` listing every problem found, each with its file, field and what is wrong.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import latex2mathml.converter
import yaml

from kb.extras import parse_figures, parse_pytorch
from kb.models import Area

SOURCES = {
    "000": "Deep learning review (2): CNNs, RNNs, optimization and regularization",
    "001": "Deep learning (Andrew Ng) course summary",
    "002": "Mathematical foundations of neural networks, CNNs and hands-on training",
    "003": "Interview questions: backpropagation, activations, regularization, imbalanced data, BERT",
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CJK_RE = re.compile(r"[\u3400-\u9fff]")
UNKNOWN_COMMAND_RE = re.compile(r">(\\[A-Za-z]+)<")
REQUIRED = ("slug", "title", "title_zh", "area", "summary", "body", "sources", "zh")
OPTIONAL = (
    "formulas",
    "pros",
    "cons",
    "related",
    "prerequisites",
    "corrections",
    "zh",
    "aliases",
    "pytorch",
    "figures",
)
STRUCTURED = ("formulas", "zh", "pytorch", "figures")  # parsed by their own functions, not as lists of text
ZH_LISTS = ("formulas", "pros", "cons", "corrections")  # zh.formulas holds the captions only


@dataclass(frozen=True)
class Problem:
    path: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.field}: {self.message}" if self.field else f"{self.path}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class ConceptSource:
    slug: str
    title: str
    title_zh: str
    area: str
    summary: str
    body: str
    formulas: list[dict]
    pros: list[str]
    cons: list[str]
    related: list[str]
    prerequisites: list[str]
    sources: list[str]
    corrections: list[str]
    path: str
    zh: dict = dataclasses.field(default_factory=dict)  # Chinese prose: summary, body, formulas, pros, ...
    aliases: list[str] = dataclasses.field(default_factory=list)  # other names and abbreviations, any language
    pytorch: dict = dataclasses.field(default_factory=dict)  # {code, output}: a snippet and what it prints
    figures: list[dict] = dataclasses.field(default_factory=list)  # [{file, alt, alt_zh}] under FIGURES_DIR

    def content_hash(self) -> str:
        data = {key: value for key, value in asdict(self).items() if key != "path"}
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def read_content(content_dir: Path) -> list[ConceptSource]:
    """Parse and validate every concept file under ``content_dir``; raise ContentError on any problem."""
    problems: list[Problem] = []
    entries: list[ConceptSource] = []
    paths = sorted(Path(content_dir).glob("*/*.yaml"))
    if not paths:
        raise ContentError([Problem(str(content_dir), "", "no concept files (<area>/<slug>.yaml) found")])
    for path in paths:
        entry, file_problems = _parse_file(path)
        problems += file_problems
        if entry:
            entries.append(entry)
    problems += _check_links(entries)
    if problems:
        raise ContentError(problems)
    return entries


def _parse_file(path: Path) -> tuple[ConceptSource | None, list[Problem]]:
    shown = os.path.relpath(path)
    if shown.startswith(".."):
        shown = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [Problem(shown, "", f"not valid YAML: {exc}".replace("\n", " "))]
    if not isinstance(data, dict):
        return None, [Problem(shown, "", "must be a YAML mapping of fields")]
    problems = [Problem(shown, key, "unknown field") for key in data if key not in REQUIRED + OPTIONAL]
    problems += [Problem(shown, key, "is required") for key in REQUIRED if data.get(key) in (None, "", [])]
    if problems:
        return None, problems

    def fail(field: str, message: str) -> None:
        problems.append(Problem(shown, field, message))

    for key in ("slug", "title", "title_zh", "area", "summary", "body"):
        if not isinstance(data[key], str):
            fail(key, "must be text")
    if problems:
        return None, problems
    if not SLUG_RE.match(data["slug"]):
        fail("slug", "use lower-case letters, digits and single hyphens")
    elif data["slug"] != path.stem:
        fail("slug", f"'{data['slug']}' differs from the file name '{path.stem}'")
    if data["area"] not in Area.values:
        fail("area", f"'{data['area']}' is not one of {', '.join(Area.values)}")
    elif data["area"] != path.parent.name:
        fail("area", f"'{data['area']}' differs from the folder '{path.parent.name}'")
    if len(data["title"]) > 120:
        fail("title", "must be at most 120 characters")
    if not CJK_RE.search(data["title_zh"]):
        fail("title_zh", "must contain the Chinese term")
    lists = {key: _string_list(data.get(key, []), key, fail) for key in OPTIONAL if key not in STRUCTURED}
    sources = _string_list(data["sources"], "sources", fail)
    for source in sources:
        if source not in SOURCES:
            fail("sources", f"'{source}' is not a seed note id ({', '.join(SOURCES)})")
    formulas = _formulas(data.get("formulas", []), fail)
    zh = _chinese(data["zh"], {**lists, "formulas": formulas}, fail)
    pytorch = parse_pytorch(data["pytorch"], fail) if "pytorch" in data else {}
    figures = parse_figures(data.get("figures", []), fail)
    if problems:
        return None, problems
    entry = ConceptSource(
        slug=data["slug"],
        title=data["title"].strip(),
        title_zh=data["title_zh"].strip(),
        area=data["area"],
        summary=" ".join(data["summary"].split()),
        body=data["body"].strip() + "\n",
        formulas=formulas,
        sources=sources,
        path=shown,
        zh=zh,
        pytorch=pytorch,
        figures=figures,
        **lists,
    )
    return entry, []


def _chinese(value, english: dict, fail) -> dict:
    """The ``zh`` block: summary and body as text, and each list as long as its English counterpart."""
    if not isinstance(value, dict):
        fail("zh", "must be a mapping with summary, body and the translated lists")
        return {}
    for key in sorted(set(value) - {"summary", "body", *ZH_LISTS}):
        fail(f"zh.{key}", "unknown field")
    zh = {}
    for key in ("summary", "body"):
        text = value.get(key)
        if not isinstance(text, str) or not CJK_RE.search(text):
            fail(f"zh.{key}", "is required Chinese text")
        else:
            zh[key] = " ".join(text.split()) if key == "summary" else text.strip() + "\n"
    for key in ZH_LISTS:
        items = _string_list(value.get(key, []), f"zh.{key}", fail)
        if len(items) != len(english[key]):
            fail(f"zh.{key}", f"has {len(items)} items; the English {key} has {len(english[key])}")
        elif items:
            zh[key] = items
    return zh


def _string_list(value, field: str, fail) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str | int) and str(item).strip() for item in value):
        fail(field, "must be a list of non-empty texts")
        return []
    items = [str(item).strip() for item in value]
    if len(set(items)) != len(items):
        fail(field, "lists an item twice")
    return items


def _formulas(value, fail) -> list[dict]:
    if not isinstance(value, list):
        fail("formulas", "must be a list of {latex, caption}")
        return []
    formulas = []
    for index, item in enumerate(value):
        field = f"formulas[{index}]"
        if not isinstance(item, dict) or set(item) != {"latex", "caption"}:
            fail(field, "must have exactly the keys latex and caption")
            continue
        if not (isinstance(item["latex"], str) and item["latex"].strip()):
            fail(field, "latex must be non-empty text")
            continue
        if not (isinstance(item["caption"], str) and item["caption"].strip()):
            fail(field, "caption must be non-empty text")
            continue
        mathml, problem = latex_to_mathml(item["latex"])
        if problem:
            fail(field, problem)
            continue
        formulas.append({"latex": item["latex"].strip(), "caption": item["caption"].strip(), "mathml": mathml})
    return formulas


def latex_to_mathml(latex: str) -> tuple[str, str | None]:
    """Convert LaTeX to MathML; return (mathml, None) or ("", what is wrong).

    latex2mathml passes unknown commands through as text (``<mi>\\foo</mi>``), so those count as errors too.
    """
    try:
        mathml = latex2mathml.converter.convert(latex)
    except Exception as exc:  # noqa: BLE001 - the converter raises many kinds of errors
        return "", f"LaTeX does not convert to MathML ({type(exc).__name__}: {exc})"
    unknown = UNKNOWN_COMMAND_RE.findall(mathml)
    if unknown:
        return "", f"LaTeX uses commands latex2mathml does not know: {', '.join(sorted(set(unknown)))}"
    return mathml, None


def _check_links(entries: list[ConceptSource]) -> list[Problem]:
    problems = []
    by_slug: dict[str, ConceptSource] = {}
    for entry in entries:
        if entry.slug in by_slug:
            problems.append(Problem(entry.path, "slug", f"'{entry.slug}' is also used by {by_slug[entry.slug].path}"))
        by_slug.setdefault(entry.slug, entry)
    for entry in entries:
        for field in ("related", "prerequisites"):
            for target in getattr(entry, field):
                if target == entry.slug:
                    problems.append(Problem(entry.path, field, "a concept cannot link to itself"))
                elif target not in by_slug:
                    problems.append(Problem(entry.path, field, f"unknown concept '{target}'"))
    if not problems:
        cycle = find_cycle({entry.slug: entry.prerequisites for entry in entries})
        if cycle:
            first = by_slug[cycle[0]]
            problems.append(Problem(first.path, "prerequisites", f"cycle: {' -> '.join(cycle)}"))
    return problems


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """Return one cycle as [a, b, ..., a] if the directed graph has one, else None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None
