"""Draws a run's series as an SVG chart: one panel per series entry, with axes, labels, legends and bands.

The look is defined once here, as data (``CHART_STYLE`` and ``styled_series``), so that the portal's live charts can
draw the same thing: the Okabe-Ito palette (safe for colour-blind readers), and a dash pattern, a marker and a line
width per line, so that lines lying on top of each other stay distinguishable. Importing this module does not
import matplotlib; ``render_svg`` does.
"""

from __future__ import annotations

import io
import math
import textwrap
from typing import Any

# Okabe & Ito (2008), ordered so that the first lines get the strongest contrasts; yellow comes last.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
# Matplotlib dash tuples (offset, on-off pattern in line widths); the portal can use the on-off list as an SVG
# stroke-dasharray in pixels (multiplied by the line width).
DASHES = ((0, ()), (0, (5, 2)), (0, (1, 1.5)), (0, (6, 1.5, 1, 1.5)), (0, (3, 1.5)), (0, (6, 1.5, 1, 1.5, 1, 1.5)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
KNOWN_GROUPS = ("kept", "suppressed", "below score threshold")  # known groups, in style order
INSIDE_LEGEND_ENTRIES = 4  # a legend with more entries goes under its panel
MAX_LEGEND_ENTRIES = 12  # beyond this a legend hides the plot; such panels label their lines by colour groups
MARKERS_PER_LINE = 8
TITLE_WIDTH = 62  # characters per line of a panel title; a note goes on the lines under it
CHART_STYLE = {
    "palette": list(PALETTE),
    "dashes": [list(pattern) for _, pattern in DASHES],
    "markers": list(MARKERS),
    "markers_per_line": MARKERS_PER_LINE,
    "band_opacity": 0.18,
    "contour_colour": "#9a9a9a",
}


def line_styles(panel: dict[str, Any]) -> list[dict[str, Any]]:
    """The style of each line of a panel (lines of one group share one): ``color``; ``dash`` (on-off lengths in line
    widths, [] for solid); ``marker`` (a matplotlib marker code, None for none), ``marker_size`` (points),
    ``hollow``, ``marker_every`` and ``marker_offset`` (mark points offset, offset + every, ...); ``width``
    (points); ``layer`` (higher is drawn on top)."""
    lines = panel.get("lines", [])
    known = [group for group in KNOWN_GROUPS if any(line.get("group") == group for line in lines)]
    groups = known + [g for g in dict.fromkeys(line.get("group") for line in lines) if g and g not in known]
    styles = []
    for index, line in enumerate(lines):
        group = line.get("group")
        slot = groups.index(group) if group else index
        points = len(line.get("x", []))
        few = points <= 12
        every = 1 if few else max(1, points // MARKERS_PER_LINE)
        styles.append(
            {
                "color": PALETTE[slot % len(PALETTE)],
                "dash": list(DASHES[slot % len(DASHES)][1]),
                # groups draw shapes (e.g. boxes): no markers, and the first group is drawn strongest, on top
                "marker": None if group else MARKERS[slot % len(MARKERS)],
                # on short lines every point is marked: earlier lines get larger markers, odd lines hollow ones,
                # so markers on the same point nest instead of hiding each other
                "marker_size": max(3.5, 7.5 - 0.8 * index) if few else 4.5,
                "hollow": bool(index % 2),
                "marker_every": every,
                "marker_offset": 0 if few else index % every,
                "width": (2.2 if slot == 0 else 1.2) if group else max(1.5, 2.6 - 0.2 * slot),
                "layer": len(groups) - slot if group else index,
            }
        )
    return styles


def styled_series(series: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The series with a ``style`` on every line (see ``line_styles``): what the portal's live charts draw."""
    styled = {}
    for key, panel in series.items():
        lines = [{**line, "style": style} for line, style in zip(panel["lines"], line_styles(panel), strict=True)]
        styled[key] = {**panel, "lines": lines}
    return styled


def grid_shape(count: int) -> tuple[int, int]:
    """(rows, columns) with no empty cell left over: one row up to three panels, then rows of two or three."""
    if count <= 3:
        return 1, max(count, 1)
    columns = 2 if count % 2 == 0 and count % 3 != 0 else 3
    return math.ceil(count / columns), columns


def render_svg(title: str, series: dict[str, dict]) -> str:
    """The whole chart as SVG text."""
    buffer = io.StringIO()
    render_figure(title, series).savefig(buffer, format="svg")
    return buffer.getvalue()


def render_figure(title: str, series: dict[str, dict]):
    """The chart as a matplotlib Figure (no pyplot state). A last row with fewer panels spreads over the width."""
    from matplotlib.figure import Figure

    panels = list(series.values())
    rows, columns = grid_shape(len(panels))
    last_row = len(panels) - (rows - 1) * columns
    width = math.lcm(columns, last_row)  # the grid's width in cells: full rows and the last row both divide it
    figure = Figure(figsize=(5.6 * columns, 4.4 * rows), layout="constrained")
    figure.suptitle(title, fontsize="large")
    grid = figure.add_gridspec(rows, width)
    drawn = []
    for index, panel in enumerate(panels):
        row, column = divmod(index, columns)
        span = width // (last_row if row == rows - 1 else columns)
        axes = figure.add_subplot(grid[row, column * span : (column + 1) * span])
        drawn.append((axes, _draw_panel(axes, panel)))
    _add_legends(figure, drawn)
    _share_y(panels, [axes for axes, _ in drawn])
    return figure


def _share_y(panels: list[dict], axes_list: list) -> None:
    """Panels with the same ``share_y`` value get the same y range, so that their curves compare at a glance."""
    groups: dict[str, list] = {}
    for panel, axes in zip(panels, axes_list, strict=True):
        if panel.get("share_y"):
            groups.setdefault(panel["share_y"], []).append(axes)
    for members in groups.values():
        limits = [axes.get_ylim() for axes in members]
        low, high = min(lo for lo, _ in limits), max(hi for _, hi in limits)
        for axes in members:
            axes.set_ylim(low, high)


def _draw_panel(axes, panel: dict) -> dict:
    """Draws one panel; returns its legend entries, {label: line}."""
    lines = panel.get("lines", [])
    contour = panel.get("contour")
    if contour:
        _draw_contour(axes, contour)
    for line, style in zip(lines, line_styles(panel), strict=True):
        group = line.get("group")
        x, y = line["x"], line["y"]
        if "lo" in line and "hi" in line:
            axes.fill_between(x, line["lo"], line["hi"], color=style["color"], alpha=CHART_STYLE["band_opacity"], lw=0)
        axes.plot(
            x,
            y,
            label=group or line.get("label", ""),
            color=style["color"],
            linestyle=(0, tuple(style["dash"])) if style["dash"] else "solid",
            linewidth=style["width"],
            marker=style["marker"],
            markersize=style["marker_size"],
            markevery=(style["marker_offset"], style["marker_every"]),
            markerfacecolor="none" if style["hollow"] else style["color"],
            zorder=3 + style["layer"] * 0.01,
        )
    if panel.get("log_y") and any(y is not None and y > 0 for line in lines for y in line["y"]):
        axes.set_yscale("log")
    title = textwrap.fill(panel.get("title", ""), TITLE_WIDTH)
    if panel.get("note"):
        title += "\n" + textwrap.fill(panel["note"], TITLE_WIDTH + 10)
    axes.set_title(title, fontsize="medium")
    axes.set_xlabel(panel.get("x_label", ""))
    axes.set_ylabel(panel.get("y_label", ""))
    axes.grid(True, alpha=0.3)
    return {h.get_label(): h for h in axes.get_lines() if h.get_label() and not h.get_label().startswith("_")}


def _add_legends(figure, panels: list[tuple[Any, dict]]) -> None:
    """A short legend goes inside its panel. Long legends (more than INSIDE_LEGEND_ENTRIES entries) that list the same
    lines in every panel become one legend under the whole figure, where it covers no data."""
    long = [handles for _, handles in panels if len(handles) > INSIDE_LEGEND_ENTRIES]
    shared = long and all(list(handles) == list(long[0]) for handles in long)
    for axes, handles in panels:
        if handles and (len(handles) <= INSIDE_LEGEND_ENTRIES or (not shared and len(handles) <= MAX_LEGEND_ENTRIES)):
            axes.legend(handles.values(), handles.keys(), fontsize="small", framealpha=0.85)
    if shared and len(long[0]) <= MAX_LEGEND_ENTRIES:
        widest = max(len(label) for label in long[0])
        columns = max(1, min(len(long[0]), 4 if widest < 30 else 2 if widest < 60 else 1))
        figure.legend(long[0].values(), long[0].keys(), loc="outside lower center", ncols=columns, frameon=False)
        width, height = figure.get_size_inches()
        figure.set_size_inches(width, height + 0.25 * math.ceil(len(long[0]) / columns) + 0.2)


def _draw_contour(axes, contour: dict) -> None:
    """Level lines of a function on a grid (z[i][j] at x[j], y[i]), labelled with their values."""
    levels = sorted(contour["levels"])
    drawn = axes.contour(
        contour["x"], contour["y"], contour["z"], levels=levels, colors=CHART_STYLE["contour_colour"], linewidths=0.8
    )
    axes.clabel(drawn, fontsize="x-small", fmt=lambda v: f"{v:g}")
    axes.set_xlim(min(contour["x"]), max(contour["x"]))
    axes.set_ylim(min(contour["y"]), max(contour["y"]))
    if contour.get("label"):
        axes.plot([], [], color=CHART_STYLE["contour_colour"], linewidth=0.8, label=contour["label"])
