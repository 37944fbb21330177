/* DeepRecall portal: a run's series drawn with uPlot, panel by panel, like demos/plots.py draws the SVG chart.

   Series shape (demos/trainings/base.py, DemoResult): {panel_id: {title, x_label, y_label, log_y, lines: [{label,
   x, y, group?, lo?, hi?, style?}], contour?, note?, aggregate?}}. A line's style comes from the server
   (demos.plots.styled_series) where the page has it; lines polled from the API carry none, and lineStyles() below
   computes it from the same data (demos.plots.CHART_STYLE, given in data-chart-style) with the same rules as
   demos.plots.line_styles (the browser tests check that the two agree).

   Each panel is a uPlot chart in "mode 2" (every line has its own x values, so paths that turn back, such as an
   optimizer's path on a 2D surface or the outline of a box, draw as they are). Bands, level lines and markers are
   drawn in uPlot's draw hooks; the legend is HTML under the panel. Usage:

     <div data-module="charts" data-series="{...}" data-chart-style="{...}"></div>   (drawn on load)
     DeepRecall.charts.draw(element, series)                                       (redraw with new data)
*/
(function () {
  "use strict";

  var INSIDE_LEGEND_ENTRIES = 4;
  var MAX_LEGEND_ENTRIES = 12;
  var AXIS_COLOUR = "#48505e";
  var GRID_COLOUR = "rgba(22, 26, 33, 0.1)";
  var FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var SVG_NS = "http://www.w3.org/2000/svg";

  /* demos.plots.line_styles, line for line. */
  function lineStyles(panel, chartStyle) {
    var lines = panel.lines || [];
    var groups = chartStyle.known_groups.filter(function (group) {
      return lines.some(function (line) { return line.group === group; });
    });
    lines.forEach(function (line) {
      if (line.group && groups.indexOf(line.group) === -1) {
        groups.push(line.group);
      }
    });
    var palette = chartStyle.palette;
    var dashes = chartStyle.dashes;
    var markers = chartStyle.markers;
    return lines.map(function (line, index) {
      var group = line.group;
      var slot = group ? groups.indexOf(group) : index;
      var points = (line.x || []).length;
      var few = points <= 12;
      var every = few ? 1 : Math.max(1, Math.floor(points / chartStyle.markers_per_line));
      return {
        color: palette[slot % palette.length],
        dash: dashes[slot % dashes.length].slice(),
        marker: group ? null : markers[slot % markers.length],
        marker_size: few ? Math.max(3.5, 7.5 - 0.8 * index) : 4.5,
        hollow: Boolean(index % 2),
        marker_every: every,
        marker_offset: few ? 0 : index % every,
        width: group ? (slot === 0 ? 2.2 : 1.2) : Math.max(1.5, 2.6 - 0.2 * slot),
        layer: group ? groups.length - slot : index,
      };
    });
  }

  function stylesOf(panel, chartStyle) {
    var computed = null;
    return panel.lines.map(function (line, index) {
      if (line.style) {
        return line.style;
      }
      computed = computed || lineStyles(panel, chartStyle);
      return computed[index];
    });
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  function usesLog(panel) {
    return Boolean(panel.log_y) && panel.lines.some(function (line) {
      return line.y.some(function (value) { return isNumber(value) && value > 0; });
    });
  }

  /* The x and y extents of the panel: lines, bands and the contour grid (the SVG's axes span the grid). */
  function extents(panel, logY) {
    var box = { x: [Infinity, -Infinity], y: [Infinity, -Infinity] };
    function add(axis, value) {
      if (isNumber(value) && !(axis === "y" && logY && value <= 0)) {
        box[axis][0] = Math.min(box[axis][0], value);
        box[axis][1] = Math.max(box[axis][1], value);
      }
    }
    if (panel.contour) {
      panel.contour.x.forEach(function (value) { add("x", value); });
      panel.contour.y.forEach(function (value) { add("y", value); });
      return box;
    }
    panel.lines.forEach(function (line) {
      line.x.forEach(function (value, k) {
        if (isNumber(line.y[k])) {
          add("x", value);
        }
      });
      ["y", "lo", "hi"].forEach(function (key) {
        (line[key] || []).forEach(function (value) { add("y", value); });
      });
    });
    return box;
  }

  function range(low, high, log) {
    if (!isFinite(low) || !isFinite(high)) {
      return log ? [0.1, 10] : [0, 1];
    }
    if (log) {
      return uPlot.rangeLog(low, high, 10, true);
    }
    if (low === high) {
      var pad = Math.abs(low) * 0.1 || 1;
      return [low - pad, high + pad];
    }
    var margin = (high - low) * 0.05;
    return [low - margin, high + margin];
  }

  function yValues(line, logY) {
    return line.y.map(function (value) {
      return isNumber(value) && !(logY && value <= 0) ? value : null;
    });
  }

  /* The widest tick label decides the axis size (so long labels such as 0.0001 are not cut off). */
  function axisSize(u, values, axisIndex, cycle) {
    var axis = u.axes[axisIndex];
    if (cycle > 1) {
      return axis._size;
    }
    var size = axis.ticks.size + axis.gap;
    var widest = (values || []).reduce(function (longest, value) {
      return String(value).length > longest.length ? String(value) : longest;
    }, "");
    if (widest) {
      u.ctx.font = axis.font[0];
      size += u.ctx.measureText(widest).width / devicePixelRatio;
    }
    return Math.ceil(size) + 4;
  }

  function withClip(u, draw) {
    var ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    draw(ctx);
    ctx.restore();
  }

  function drawBands(u, holder) {
    var logY = holder.logY;
    withClip(u, function (ctx) {
      holder.panel.lines.forEach(function (line, index) {
        if (!line.lo || !line.hi) {
          return;
        }
        var style = holder.styles[index];
        var points = [];
        line.x.forEach(function (x, k) {
          var lo = line.lo[k];
          var hi = line.hi[k];
          if (isNumber(x) && isNumber(lo) && isNumber(hi) && !(logY && (lo <= 0 || hi <= 0))) {
            points.push([u.valToPos(x, "x", true), u.valToPos(lo, "y", true), u.valToPos(hi, "y", true)]);
          }
        });
        if (points.length < 2) {
          return;
        }
        ctx.beginPath();
        points.forEach(function (p, k) { (k ? ctx.lineTo : ctx.moveTo).call(ctx, p[0], p[2]); });
        for (var k = points.length - 1; k >= 0; k--) {
          ctx.lineTo(points[k][0], points[k][1]);
        }
        ctx.closePath();
        ctx.globalAlpha = holder.chartStyle.band_opacity;
        ctx.fillStyle = style.color;
        ctx.fill();
        ctx.globalAlpha = 1;
      });
    });
  }

  /* Level lines of z (z[i][j] at x[j], y[i]) by marching squares: in each cell, the points where an edge crosses a
     level are joined in pairs. */
  function drawContour(u, holder) {
    var contour = holder.panel.contour;
    if (!contour) {
      return;
    }
    var xs = contour.x;
    var ys = contour.y;
    var z = contour.z;
    withClip(u, function (ctx) {
      ctx.strokeStyle = holder.chartStyle.contour_colour;
      ctx.lineWidth = 0.8 * devicePixelRatio;
      ctx.beginPath();
      contour.levels.forEach(function (level) {
        for (var i = 0; i + 1 < ys.length; i++) {
          for (var j = 0; j + 1 < xs.length; j++) {
            var corners = [[j, i], [j + 1, i], [j + 1, i + 1], [j, i + 1]];
            var crossings = [];
            for (var e = 0; e < 4; e++) {
              var a = corners[e];
              var b = corners[(e + 1) % 4];
              var za = z[a[1]][a[0]];
              var zb = z[b[1]][b[0]];
              if ((za - level) * (zb - level) < 0) {
                var t = (level - za) / (zb - za);
                var x = xs[a[0]] + t * (xs[b[0]] - xs[a[0]]);
                var y = ys[a[1]] + t * (ys[b[1]] - ys[a[1]]);
                crossings.push([u.valToPos(x, "x", true), u.valToPos(y, "y", true)]);
              }
            }
            for (var c = 0; c + 1 < crossings.length; c += 2) {
              ctx.moveTo(crossings[c][0], crossings[c][1]);
              ctx.lineTo(crossings[c + 1][0], crossings[c + 1][1]);
            }
          }
        }
      });
      ctx.stroke();
    });
  }

  /* Matplotlib's marker shapes, as paths around (0, 0) with radius r. */
  function markerPath(ctx, marker, x, y, r) {
    var k;
    ctx.beginPath();
    if (marker === "s") {
      ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
    } else if (marker === "^" || marker === "v") {
      var s = marker === "^" ? 1 : -1;
      ctx.moveTo(x, y - s * r);
      ctx.lineTo(x + r * 0.95, y + s * r * 0.7);
      ctx.lineTo(x - r * 0.95, y + s * r * 0.7);
      ctx.closePath();
    } else if (marker === "D") {
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r * 0.75, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r * 0.75, y);
      ctx.closePath();
    } else if (marker === "P" || marker === "X") {
      var arm = r * 0.35;
      var cross = [[-arm, -r], [arm, -r], [arm, -arm], [r, -arm], [r, arm], [arm, arm], [arm, r], [-arm, r],
        [-arm, arm], [-r, arm], [-r, -arm], [-arm, -arm]];
      var turn = marker === "X" ? Math.PI / 4 : 0;
      cross.forEach(function (p, index) {
        var px = x + p[0] * Math.cos(turn) - p[1] * Math.sin(turn);
        var py = y + p[0] * Math.sin(turn) + p[1] * Math.cos(turn);
        (index ? ctx.lineTo : ctx.moveTo).call(ctx, px, py);
      });
      ctx.closePath();
    } else if (marker === "*") {
      for (k = 0; k < 10; k++) {
        var radius = k % 2 ? r * 0.45 : r;
        var angle = -Math.PI / 2 + (k * Math.PI) / 5;
        (k ? ctx.lineTo : ctx.moveTo).call(ctx, x + radius * Math.cos(angle), y + radius * Math.sin(angle));
      }
      ctx.closePath();
    } else {
      ctx.arc(x, y, r * 0.8, 0, 2 * Math.PI);
    }
  }

  function drawMarkers(u, holder) {
    var logY = holder.logY;
    withClip(u, function (ctx) {
      holder.order.forEach(function (index) {
        var line = holder.panel.lines[index];
        var style = holder.styles[index];
        if (!style.marker) {
          return;
        }
        var r = (style.marker_size * 0.7 * devicePixelRatio);
        ctx.lineWidth = 1.2 * devicePixelRatio;
        ctx.strokeStyle = style.color;
        ctx.fillStyle = style.hollow ? "#ffffff" : style.color;
        for (var k = style.marker_offset; k < line.x.length; k += style.marker_every) {
          var y = line.y[k];
          if (!isNumber(line.x[k]) || !isNumber(y) || (logY && y <= 0)) {
            continue;
          }
          markerPath(ctx, style.marker, u.valToPos(line.x[k], "x", true), u.valToPos(y, "y", true), r);
          ctx.fill();
          ctx.stroke();
        }
      });
    });
  }

  function legendEntries(panel, styles, chartStyle) {
    var entries = [];
    var seen = {};
    panel.lines.forEach(function (line, index) {
      var label = line.group || line.label || "";
      if (label && !seen[label]) {
        seen[label] = true;
        entries.push({ label: label, style: styles[index] });
      }
    });
    if (panel.contour && panel.contour.label) {
      entries.push({ label: panel.contour.label, style: { color: chartStyle.contour_colour, dash: [], width: 0.8 } });
    }
    return entries;
  }

  function swatch(style) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", "32");
    svg.setAttribute("height", "12");
    svg.setAttribute("viewBox", "0 0 32 12");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var line = document.createElementNS(SVG_NS, "line");
    line.setAttribute("x1", "1");
    line.setAttribute("x2", "31");
    line.setAttribute("y1", "6");
    line.setAttribute("y2", "6");
    line.setAttribute("stroke", style.color);
    line.setAttribute("stroke-width", String(Math.max(1, style.width)));
    if (style.dash && style.dash.length) {
      line.setAttribute("stroke-dasharray", style.dash.map(function (d) { return d * style.width; }).join(" "));
    }
    svg.appendChild(line);
    if (style.marker) {
      var dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("cx", "16");
      dot.setAttribute("cy", "6");
      dot.setAttribute("r", "3");
      dot.setAttribute("stroke", style.color);
      dot.setAttribute("fill", style.hollow ? "#ffffff" : style.color);
      svg.appendChild(dot);
    }
    return svg;
  }

  function legend(entries) {
    var list = document.createElement("ul");
    list.className = "run-chart-legend";
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      item.appendChild(swatch(entry.style));
      var text = document.createElement("span");
      text.textContent = entry.label;
      text.lang = "en";
      item.appendChild(text);
      list.appendChild(item);
    });
    return list;
  }

  function sameEntries(a, b) {
    return a.length === b.length && a.every(function (entry, index) { return entry.label === b[index].label; });
  }

  function size(box) {
    var width = Math.max(200, Math.floor(box.clientWidth));
    return { width: width, height: Math.round(Math.min(340, Math.max(220, width * 0.7))) };
  }

  function plotData(holder) {
    var data = [null];
    holder.order.forEach(function (index) {
      var line = holder.panel.lines[index];
      data.push([line.x, yValues(line, holder.logY)]);
    });
    return data;
  }

  function makePlot(holder, box) {
    var panel = holder.panel;
    var series = [{}];
    holder.order.forEach(function (index) {
      var style = holder.styles[index];
      series.push({
        label: panel.lines[index].label || "",
        stroke: style.color,
        width: style.width,
        dash: (style.dash || []).map(function (d) { return d * style.width; }),
        spanGaps: true,
        points: { show: false },
        paths: uPlot.paths.linear(),
      });
    });
    var options = Object.assign(size(box), {
      mode: 2,
      series: series,
      legend: { show: false },
      cursor: { show: false },
      select: { show: false },
      scales: {
        x: { time: false, auto: true, range: function () { var e = extents(holder.panel, holder.logY); return range(e.x[0], e.x[1], false); } },
        y: Object.assign(holder.logY ? { distr: 3, log: 10 } : {}, {
          auto: true,
          range: function () { var e = extents(holder.panel, holder.logY); return range(e.y[0], e.y[1], holder.logY); },
        }),
      },
      axes: [axis(), axis()],
      hooks: {
        drawAxes: [function (u) { drawContour(u, holder); drawBands(u, holder); }],
        draw: [function (u) { drawMarkers(u, holder); }],
      },
    });
    return new uPlot(options, plotData(holder), box);
  }

  function axis() {
    return {
      stroke: AXIS_COLOUR,
      font: FONT,
      size: axisSize,
      grid: { stroke: GRID_COLOUR, width: 1 },
      ticks: { stroke: GRID_COLOUR, width: 1, size: 5 },
    };
  }

  function holderFor(panel, chartStyle) {
    var styles = stylesOf(panel, chartStyle);
    var order = panel.lines.map(function (_line, index) { return index; });
    order.sort(function (a, b) { return (styles[a].layer || 0) - (styles[b].layer || 0) || a - b; });
    return { panel: panel, styles: styles, order: order, logY: usesLog(panel), chartStyle: chartStyle };
  }

  function signature(series) {
    return JSON.stringify(Object.keys(series).map(function (key) {
      var panel = series[key];
      return [key, Boolean(panel.contour), usesLog(panel), panel.note || "", panel.lines.map(function (line) {
        return [line.label, line.group || "", Boolean(line.lo), (line.x || []).length <= 12];
      })];
    }));
  }

  function describe(panel) {
    var labels = panel.lines.map(function (line) { return line.group || line.label; }).filter(function (label, index, all) {
      return label && all.indexOf(label) === index;
    });
    return panel.title + ". " + (panel.y_label || "y") + " against " + (panel.x_label || "x") +
      (labels.length ? ". Lines: " + labels.join("; ") + "." : ".");
  }

  function axisLabel(className, text) {
    var label = document.createElement("p");
    label.className = className;
    label.lang = "en";
    label.textContent = text || "";
    label.setAttribute("aria-hidden", "true");  // the plot's own label (role img) names the axes
    return label;
  }

  function hasPoints(panel) {
    return panel.lines.some(function (line) { return (line.x || []).length > 0; });
  }

  function build(element, series, chartStyle) {
    element.replaceChildren();
    var grid = document.createElement("div");
    grid.className = "run-chart-grid";
    element.appendChild(grid);
    var keys = Object.keys(series);
    var entries = {};
    keys.forEach(function (key) {
      entries[key] = legendEntries(series[key], stylesOf(series[key], chartStyle), chartStyle);
    });
    var long = keys.filter(function (key) { return entries[key].length > INSIDE_LEGEND_ENTRIES; });
    var shared = long.length > 0 && long.every(function (key) { return sameEntries(entries[key], entries[long[0]]); });
    var state = { plots: {}, signature: signature(series) };
    keys.forEach(function (key) {
      var panel = series[key];
      var figure = document.createElement("figure");
      figure.className = "run-chart";
      var caption = document.createElement("figcaption");
      var title = document.createElement("span");
      title.className = "run-chart__title";
      title.lang = "en";
      title.textContent = panel.title || key;
      caption.appendChild(title);
      if (panel.note) {
        var note = document.createElement("span");
        note.className = "run-chart__note";
        note.lang = "en";
        note.textContent = panel.note;
        caption.appendChild(note);
      }
      figure.appendChild(caption);
      // The axis labels are HTML around the plot, so that long ones wrap instead of being cut at the plot's edge.
      figure.appendChild(axisLabel("run-chart__y-label", panel.y_label));
      var box = document.createElement("div");
      box.className = "run-chart__plot";
      box.setAttribute("role", "img");
      box.lang = "en";
      box.setAttribute("aria-label", describe(panel));
      figure.appendChild(box);
      figure.appendChild(axisLabel("run-chart__x-label", panel.x_label));
      var count = entries[key].length;
      if (count && (count <= INSIDE_LEGEND_ENTRIES || (!shared && count <= MAX_LEGEND_ENTRIES))) {
        figure.appendChild(legend(entries[key]));
      }
      grid.appendChild(figure);
      state.plots[key] = { holder: holderFor(panel, chartStyle), box: box, plot: null };
    });
    // Only once every figure is in the grid do the boxes have their final widths.
    keys.forEach(function (key) {
      var record = state.plots[key];
      if (hasPoints(record.holder.panel)) {
        record.plot = makePlot(record.holder, record.box);
      }
    });
    if (shared && entries[long[0]].length <= MAX_LEGEND_ENTRIES) {
      var sharedLegend = legend(entries[long[0]]);
      sharedLegend.classList.add("run-chart-legend--shared");
      element.appendChild(sharedLegend);
    }
    element.chartState = state;
    element.setAttribute("data-points", String(countPoints(series)));
    if (window.ResizeObserver && !element.chartResizeObserver) {
      // The width can change without a window resize (a scroll bar appears as the page grows).
      element.chartResizeObserver = new ResizeObserver(resizeSoon);
      element.chartResizeObserver.observe(element);
    }
  }

  function countPoints(series) {
    return Object.keys(series).reduce(function (total, key) {
      return total + series[key].lines.reduce(function (sum, line) { return sum + (line.x || []).length; }, 0);
    }, 0);
  }

  /* Draw (or redraw) the series into element; with the same panels and lines as before only the data changes. */
  function draw(element, series) {
    var chartStyle = JSON.parse(element.getAttribute("data-chart-style"));
    var state = element.chartState;
    if (!series || !Object.keys(series).length) {
      return;
    }
    if (!state || state.signature !== signature(series)) {
      build(element, series, chartStyle);
      return;
    }
    Object.keys(series).forEach(function (key) {
      var record = state.plots[key];
      record.holder = Object.assign(record.holder, holderFor(series[key], chartStyle));
      if (record.plot) {
        record.plot.setData(plotData(record.holder));
      } else if (hasPoints(series[key])) {
        record.plot = makePlot(record.holder, record.box);
      }
    });
    element.setAttribute("data-points", String(countPoints(series)));
  }

  function resizeAll() {
    document.querySelectorAll("[data-module=charts]").forEach(function (element) {
      var state = element.chartState;
      if (!state) {
        return;
      }
      Object.keys(state.plots).forEach(function (key) {
        var record = state.plots[key];
        if (record.plot) {
          var wanted = size(record.box);
          if (wanted.width !== record.plot.width || wanted.height !== record.plot.height) {
            record.plot.setSize(wanted);
          }
        }
      });
    });
  }

  var resizeTimer = null;
  function resizeSoon() {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(resizeAll, 100);
  }
  window.addEventListener("resize", resizeSoon);

  DeepRecall.charts = { draw: draw, lineStyles: lineStyles };
  DeepRecall.register("charts", function (element) {
    var text = element.getAttribute("data-series");
    if (text) {
      draw(element, JSON.parse(text));
    }
  });
})();
