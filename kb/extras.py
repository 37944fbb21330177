"""The optional extras of a concept file: an "In PyTorch" snippet and figures. Pure parsing, no database."""

from __future__ import annotations

import re
from pathlib import Path

FIGURES_DIR = Path(__file__).resolve().parent / "static" / "kb" / "figures"
FIGURE_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.svg$")


def parse_pytorch(value, fail) -> dict:
    """``pytorch: {code, output}``: code that runs on the CPU in well under a second, and exactly what it prints."""
    if not isinstance(value, dict) or set(value) != {"code", "output"}:
        fail("pytorch", "must have exactly the keys code and output")
        return {}
    if not all(isinstance(value[key], str) and value[key].strip() for key in ("code", "output")):
        fail("pytorch", "code and output must be non-empty text")
        return {}
    return {"code": value["code"].strip() + "\n", "output": value["output"].strip() + "\n"}


def parse_figures(value, fail) -> list[dict]:
    """``figures: [{file, alt, alt_zh}]``: SVG files in kb/static/kb/figures/, each with alt text in both languages."""
    if not isinstance(value, list):
        fail("figures", "must be a list of {file, alt, alt_zh}")
        return []
    figures = []
    for index, item in enumerate(value):
        field = f"figures[{index}]"
        if not isinstance(item, dict) or set(item) != {"file", "alt", "alt_zh"}:
            fail(field, "must have exactly the keys file, alt and alt_zh")
        elif not all(isinstance(item[key], str) and item[key].strip() for key in item):
            fail(field, "file, alt and alt_zh must be non-empty text")
        elif not FIGURE_NAME_RE.match(item["file"]) or not (FIGURES_DIR / item["file"]).is_file():
            fail(field, f"'{item['file']}' is not an .svg file in kb/static/kb/figures/")
        else:
            figures.append({key: item[key].strip() for key in ("file", "alt", "alt_zh")})
    return figures
