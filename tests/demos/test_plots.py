"""The SVG charts and the line styles the portal shares with them."""

import itertools
import math

import pytest

from demos import plots
from demos.trainings.base import panel

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


def lines(count, points=5):
    return [{"label": f"line {i}", "x": list(range(points)), "y": [1.0] * points} for i in range(count)]


@pytest.mark.parametrize("count", range(1, 11))
def test_grid_leaves_no_empty_cell(count):
    rows, columns = plots.grid_shape(count)
    last_row = count - (rows - 1) * columns
    assert 1 <= last_row <= columns
    assert rows == 1 or columns in (2, 3)
    if count == 3:
        assert (rows, columns) == (1, 3)  # three panels in one row, not two rows with an empty quadrant
    figure = plots.render_figure("t", {str(i): panel("p", "x (u)", "y (u)", lines(1)) for i in range(count)})
    figure.draw_without_rendering()  # runs the layout
    boxes = [axes.get_position() for axes in figure.axes]
    assert len(boxes) == count
    first_row, last_row_boxes = boxes[:columns], boxes[-last_row:]
    assert len({round(box.width, 2) for box in first_row}) == 1
    # the last row spans the same width as a full row
    assert last_row_boxes[0].x0 == pytest.approx(first_row[0].x0, abs=0.03)
    assert last_row_boxes[-1].x1 == pytest.approx(first_row[-1].x1, abs=0.03)


def test_lines_that_lie_on_each_other_stay_distinguishable():
    styles = plots.line_styles(panel("p", "x (u)", "y (u)", lines(8)))
    assert {s["color"] for s in styles} == OKABE_ITO
    for a, b in itertools.pairwise(styles):
        assert a["dash"] != b["dash"] and a["marker"] != b["marker"]
        assert (
            a["width"] >= b["width"] and a["marker_size"] >= b["marker_size"]
        )  # a later line leaves the earlier visible
        assert a["hollow"] != b["hollow"]


def test_groups_share_one_style_and_kept_is_drawn_on_top():
    boxes = [
        {"label": f"{g}: box {i}", "group": g, "x": [0, 1], "y": [0, 1]}
        for i, g in enumerate(["suppressed", "kept", "suppressed", "below score threshold"])
    ]
    styles = plots.line_styles(panel("p", "x (u)", "y (u)", boxes))
    shared = ("color", "dash", "marker", "width", "layer")
    assert [styles[0][key] for key in shared] == [styles[2][key] for key in shared]
    assert styles[1]["layer"] > styles[0]["layer"] > styles[3]["layer"]
    assert all(style["marker"] is None for style in styles)


def test_styled_series_sends_each_line_its_style():
    series = {"p": panel("p", "x (u)", "y (u)", lines(3))}
    styled = plots.styled_series(series)
    assert [line["style"] for line in styled["p"]["lines"]] == plots.line_styles(series["p"])
    assert "style" not in series["p"]["lines"][0]  # the input is left alone


def test_bands_contours_and_shared_ranges_are_drawn():
    xs = [0.0, 1.0, 2.0]
    contour = {"x": xs, "y": xs, "z": [[x + y for x in xs] for y in xs], "levels": [1, 2, 3], "label": "level lines"}
    band = {"label": "mean", "x": xs, "y": [1.0, 2.0, 3.0], "lo": [0.5, 1.5, 2.5], "hi": [1.5, 2.5, 3.5]}
    series = {
        "paths": panel("Paths", "x (u)", "y (u)", [{"label": "path", "x": xs, "y": xs}], contour=contour),
        "a": panel("A", "x (u)", "y (u)", [band], share_y="s", note="a note"),
        "b": panel("B", "x (u)", "y (u)", [{"label": "small", "x": xs, "y": [0.0, 0.1, 0.2]}], share_y="s"),
    }
    figure = plots.render_figure("t", series)
    paths, a, b = figure.axes
    assert paths.get_xlim() == (0.0, 2.0)  # the axes span the contour grid
    assert len(paths.collections) >= 1 and "level lines" in [t.get_text() for t in paths.get_legend().get_texts()]
    assert any(type(c).__name__ == "FillBetweenPolyCollection" or "Poly" in type(c).__name__ for c in a.collections)
    assert a.get_ylim() == b.get_ylim() and a.get_ylim()[1] >= 3.5
    assert "a note" in a.get_title()
    svg = plots.render_svg("t", series)
    assert svg.startswith("<?xml") and "</svg>" in svg


def test_a_long_legend_shared_by_every_panel_goes_under_the_figure():
    series = {k: panel(k, "x (u)", "y (u)", lines(6)) for k in ("a", "b")}
    figure = plots.render_figure("t", series)
    assert all(axes.get_legend() is None for axes in figure.axes)
    assert len(figure.legends) == 1 and len(figure.legends[0].get_texts()) == 6


def test_log_axis_and_many_box_lines_do_not_break_the_legend():
    boxes = [{"label": f"kept: box {i}", "group": "kept", "x": [0, 1], "y": [1, 2]} for i in range(30)]
    series = {"boxes": panel("Boxes", "x (px)", "y (px)", boxes, log_y=True)}
    figure = plots.render_figure("t", series)
    assert figure.axes[0].get_yscale() == "log"
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == ["kept"]
    assert not math.isnan(figure.get_size_inches()[1])
