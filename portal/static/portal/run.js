/* DeepRecall portal: the live view of one demo run (/runs/<id>/).

   While the run is queued or running, this polls GET /api/demo-runs/<id>/ (the session's cookie authenticates it)
   about once a second: it moves the progress bar, shows the worker's message, and redraws the curves from whatever
   series the run holds so far (charts.js). When the run ends, the page reloads, and the server renders the result:
   the charts, the metrics, the summary and the graded prediction. Without JavaScript the page
   shows the state it was rendered with and a Refresh link. */
(function () {
  "use strict";

  var ACTIVE = { queued: true, running: true };
  var INTERVAL_MS = 1000;
  var MAX_INTERVAL_MS = 10000;

  function start(section) {
    if (!ACTIVE[section.getAttribute("data-status")]) {
      return;
    }
    var url = section.getAttribute("data-api-url");
    var bar = section.querySelector("[data-run-progress]");
    var percent = section.querySelector("[data-run-percent]");
    var message = section.querySelector("[data-run-message]");
    var status = section.querySelector("[data-run-status]");
    var charts = section.querySelector("[data-run-charts]");
    var live = section.querySelector("[data-run-live]");
    var lastSeries = null;
    var delay = INTERVAL_MS;
    if (live) {
      live.hidden = false;
    }

    function show(run) {
      var value = Math.round(100 * (run.progress || 0));
      if (bar) {
        bar.value = value;
        bar.textContent = value + " %";
      }
      if (percent) {
        percent.textContent = value + " %";
      }
      if (message && message.textContent !== run.message) {
        message.textContent = run.message;
      }
      if (status && run.status !== section.getAttribute("data-status")) {
        section.setAttribute("data-status", run.status);
        status.className = "run-status run-status--" + run.status;
        status.textContent = status.getAttribute("data-label-" + run.status) || run.status;
      }
      var text = run.series ? JSON.stringify(run.series) : "";
      if (text && text !== lastSeries && charts && DeepRecall.charts) {
        lastSeries = text;
        var empty = charts.querySelector(".charts__empty");
        if (empty) {
          empty.remove();
        }
        DeepRecall.charts.draw(charts, run.series);
      }
    }

    function poll() {
      DeepRecall.fetchJSON(url)
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          delay = INTERVAL_MS;
          show(response.data);
          if (ACTIVE[response.data.status]) {
            window.setTimeout(poll, delay);
          } else {
            window.location.reload();
          }
        })
        .catch(function () {
          // The server is unreachable or answered with an error: keep trying, less often.
          delay = Math.min(MAX_INTERVAL_MS, delay * 2);
          if (message) {
            message.textContent = message.getAttribute("data-offline") || message.textContent;
          }
          window.setTimeout(poll, delay);
        });
    }

    window.setTimeout(poll, INTERVAL_MS);
  }

  DeepRecall.register("run", start);
})();
