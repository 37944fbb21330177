/* DeepRecall portal: the little JavaScript every page shares. No inline scripts anywhere (a strict CSP is coming):
   a page that needs code loads its own file in {% block scripts %} with defer, and registers a module:

     DeepRecall.register("review", function (element) { ... });   // runs for each <div data-module="review">

   Modules run once per element, on page load and on content that htmx swaps in. Pages must work without
   JavaScript where the issue says so (the knowledge base); scripts only enhance them. */
(function () {
  "use strict";

  var modules = {};

  /* The CSRF token: from Django's csrftoken cookie, else from a form on the page. */
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* fetch() for the JSON API with the session cookie and the CSRF header. Resolves to {ok, status, data}. */
  function fetchJSON(url, options) {
    options = options || {};
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    var init = Object.assign({}, options, { headers: headers, credentials: "same-origin" });
    if (options.body !== undefined && typeof options.body !== "string") {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (init.method && !/^(GET|HEAD|OPTIONS)$/i.test(init.method)) {
      headers["X-CSRFToken"] = csrfToken();
    }
    return fetch(url, init).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var body = type.indexOf("application/json") === -1 ? response.text() : response.json();
      return body.then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  var documentStarted = false;

  /* A module registered by a deferred script that runs after the page started is started at once. */
  function register(name, init) {
    modules[name] = init;
    if (documentStarted) {
      start(document);
    }
  }

  function start(root) {
    if (root === document) {
      documentStarted = true;
    }
    var scope = root && root.querySelectorAll ? root : document;
    var elements = Array.prototype.slice.call(scope.querySelectorAll("[data-module]"));
    if (scope.matches && scope.matches("[data-module]")) {
      elements.unshift(scope);
    }
    elements.forEach(function (element) {
      var init = modules[element.getAttribute("data-module")];
      if (init && !element.hasAttribute("data-module-started")) {
        element.setAttribute("data-module-started", "");
        init(element);
      }
    });
    markScrollableBoxes(scope);
  }

  /* Boxes that scroll sideways (wide formulas and tables on a phone) get a tab stop, so that keyboard users can
     scroll them too; boxes that fit get none. */
  function markScrollableBoxes(scope) {
    (scope || document).querySelectorAll(".scroll-x, .math.block").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }

  /* htmx sends Django's CSRF token with every request it makes. */
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  document.addEventListener("htmx:load", function (event) {
    start(event.target);
  });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      markScrollableBoxes(document);
    }, 150);
  });

  window.DeepRecall = { register: register, start: start, csrfToken: csrfToken, fetchJSON: fetchJSON };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      start(document);
    });
  } else {
    start(document);
  }
})();
