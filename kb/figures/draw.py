"""Draws the knowledge base's figures as SVG files in kb/static/kb/figures/.

``python -m kb.figures.draw`` regenerates every figure; ``python -m kb.figures.draw iou nms`` only those named. The
output is deterministic (a fixed SVG hash salt, no date, text kept as text), so an unchanged figure rewrites the
same bytes and a diff shows what a change did. Colours are the Okabe-Ito palette, safe for colour-blind readers;
labels are short English words, readable when the figure is shown 600 px wide.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kb.figures import convolution, geometry, networks  # noqa: F401  (importing them registers the figures)
from kb.figures.base import FIGURES, FIGURES_DIR, render, write

__all__ = ["FIGURES", "FIGURES_DIR", "main", "render", "write"]


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(FIGURES)
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        print(f"unknown figure(s): {', '.join(unknown)}; known: {', '.join(FIGURES)}", file=sys.stderr)
        return 2
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = write(name)
        print(
            f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} ({path.stat().st_size} bytes)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
