"""Shared pieces of the figures: the registry, the canvas, the deterministic SVG writer, the palette and the
drawing primitives. The figures themselves live in the topic modules; ``kb.figures.draw`` is the command."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np

FIGURES_DIR = Path(__file__).resolve().parent.parent / "static" / "kb" / "figures"

# Okabe & Ito (2008).
BLUE, ORANGE, GREEN, PINK, AMBER, SKY, BLACK, YELLOW = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
GREY, LIGHT = "#999999", "#f2f2f2"
SIGMA, TIMES = "\u03c3", "\u00d7"  # the logistic sigmoid and an element-wise product, as drawn
WIDTH = 8.0  # inches; 576 pt, shown at 600 px the text stays at about its nominal size
RC = {
    "svg.hashsalt": "deeprecall-kb-figures",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 12,
    "path.simplify": False,
}

FIGURES: dict[str, Callable] = {}


def figure(name: str):
    """Register a drawing function under the file name it is saved as (``<name>.svg``)."""

    def register(function):
        FIGURES[name] = function
        return function

    return register


def canvas(height: float, xlim: tuple[float, float], ylim: tuple[float, float]):
    """A figure WIDTH inches wide with one axes-free drawing area in data coordinates (y upwards, equal aspect)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def render(name: str) -> bytes:
    """The SVG bytes of one figure."""
    import matplotlib

    with matplotlib.rc_context(RC):
        fig = FIGURES[name]()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})  # Creator: the matplotlib version
    return buffer.getvalue()


def write(name: str, folder: Path = FIGURES_DIR) -> Path:
    path = folder / f"{name}.svg"
    path.write_bytes(render(name))
    return path


# --- drawing helpers -----------------------------------------------------------------------------------------


def grid(ax, x0, y0, values, *, cell=1.0, fill=None, fontsize=12, text=True, lw=1.0, edge=BLACK, fmt="{:g}"):
    """A table of cells with its top-left corner at (x0, y0); ``fill`` maps (row, col) to a colour."""
    from matplotlib.patches import Rectangle

    values = np.asarray(values)
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            colour = (fill or {}).get((r, c), "white")
            ax.add_patch(Rectangle((x0 + c * cell, y0 - (r + 1) * cell), cell, cell, fc=colour, ec=edge, lw=lw))
            if text and values[r, c] == values[r, c]:  # NaN: an empty cell
                ax.text(
                    x0 + (c + 0.5) * cell,
                    y0 - (r + 0.5) * cell,
                    fmt.format(values[r, c]),
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                )


def outline(ax, x, y, w, h, colour, lw=3.0, ls="-", fill="none", alpha=1.0, zorder=3):
    """A rectangle with its top-left corner at (x, y)."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y - h), w, h, fc=fill, ec=colour, lw=lw, ls=ls, alpha=alpha, zorder=zorder))


def arrow(ax, start, end, colour=BLACK, lw=1.6, style="-|>", rad=0.0, shrink=0.0):
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=14,
            color=colour,
            lw=lw,
            shrinkA=shrink,
            shrinkB=shrink,
            connectionstyle=f"arc3,rad={rad}",
            zorder=4,
        )
    )


def box(ax, x, y, w, h, label, fc="white", ec=BLACK, fontsize=12, colour=BLACK, round_=0.15, zorder=5, lw=1.5):
    """A rounded box centred on (x, y) with a label."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle=f"round,pad=0,rounding_size={round_}",
            fc=fc,
            ec=ec,
            lw=lw,
            zorder=zorder,
        )
    )
    ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, color=colour, zorder=zorder + 1)


def node(ax, x, y, label, r=0.28, fc="white", ec=BLACK, fontsize=13, zorder=6):
    """A small circle with an operator in it (x, +, tanh)."""
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), r, fc=fc, ec=ec, lw=1.5, zorder=zorder))
    ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, zorder=zorder + 1)


def dot(ax, x, y, colour=BLACK):
    """A junction: lines that meet at a dot are joined (lines that cross without one are not)."""
    ax.plot([x], [y], marker="o", ms=5, color=colour, zorder=7)


def line(ax, xs, ys, colour=BLACK, lw=1.6, ls="-", zorder=2):
    ax.plot(xs, ys, color=colour, lw=lw, ls=ls, zorder=zorder, solid_capstyle="butt")


def label(ax, x, y, text, fontsize=12, colour=BLACK, ha="center", va="center", weight="normal", **kwargs):
    ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, color=colour, weight=weight, **kwargs)


def tint(colour: str, amount: float = 0.3) -> str:
    """A light version of a colour (mixed with white), for fills under black text."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    mixed = 255 - (255 - rgb) * amount
    return "#" + "".join(f"{round(v):02x}" for v in mixed)


# --- convolution ----------------------------------------------------------------------------------------------
