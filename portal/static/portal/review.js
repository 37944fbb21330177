/* DeepRecall review session (/review/): flip and rate the rendered cards in place, through the API.

   Keys: Space shows the answer, 1-4 rate it (Again, Hard, Good, Easy). Each rating is sent with
   POST /api/cards/<id>/review/ and a review_id made here. When the server cannot be reached, the rating is kept
   in localStorage and the session goes on; the queue is sent with POST /api/reviews/batch/ when the connection
   is back (on the "online" event, on a timer, and when a review page opens). The server applies a review_id
   once, so a rating that did reach the server before the connection dropped is not counted twice.
   Without this script the page works with plain links and forms (?show=<card>, POST /review/). */
(function () {
  "use strict";

  var RETRY_MS = 10000;

  /* A version 4 UUID. crypto.randomUUID exists only on secure origins; getRandomValues exists everywhere. */
  function uuid4() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* The queue of ratings not yet accepted by the server, per learner, in localStorage. */
  function Queue(owner) {
    this.key = "deeprecall.reviewQueue." + owner;
  }
  Queue.prototype.read = function () {
    try {
      var items = JSON.parse(window.localStorage.getItem(this.key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  };
  Queue.prototype.write = function (items) {
    if (items.length) {
      window.localStorage.setItem(this.key, JSON.stringify(items));
    } else {
      window.localStorage.removeItem(this.key);
    }
  };
  Queue.prototype.add = function (item) {
    var items = this.read();
    items.push(item);
    this.write(items);
  };
  Queue.prototype.remove = function (reviewIds) {
    this.write(this.read().filter(function (item) {
      return reviewIds.indexOf(item.review_id) === -1;
    }));
  };

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  DeepRecall.register("review", function (root) {
    var cards = Array.prototype.slice.call(root.querySelectorAll(".review-card"));
    var queue = new Queue(root.getAttribute("data-owner"));
    var reviewUrl = root.getAttribute("data-review-url");
    var batchUrl = root.getAttribute("data-batch-url");
    var dueUrl = root.getAttribute("data-due-url");
    var undoUrl = root.getAttribute("data-undo-url");
    var rated = []; /* this session's ratings, newest last: {card element, review_id} */
    var epoch = 0; /* bumped by every refresh and undo, so that a late answer to an older refresh is ignored */
    var left = parseInt(root.getAttribute("data-due"), 10) || 0;
    var progress = root.querySelector(".review__progress");
    var position = root.querySelector("[data-review-position]");
    var sessionTotal = root.querySelector("[data-review-total]");
    var leftText = root.querySelector("[data-review-left]");
    var sync = root.querySelector("[data-review-sync]");
    var errorBox = root.querySelector("[data-review-error]");
    var index = -1;
    var flipped = false;
    var shownAt = Date.now();
    var busy = false;
    var flushing = false;
    var retryTimer = null;

    function text(name, count) {
      var template = root.querySelector('template[data-review-text="' + name + '"]');
      return template ? template.content.textContent.trim().replace("{count}", String(count)) : "";
    }

    function say(box, message) {
      box.textContent = message;
      box.hidden = !message;
    }

    /* Cards rated in an earlier, offline visit are still due on the server until the queue is sent: skip them,
       so that they are not rated twice. */
    var pending = queue.read().map(function (item) {
      return String(item.card);
    });
    cards = cards.filter(function (card) {
      if (pending.indexOf(card.getAttribute("data-card")) !== -1) {
        card.remove();
        left = Math.max(0, left - 1);
        return false;
      }
      return true;
    });
    function counters() {
      if (progress) {
        progress.max = cards.length;
        progress.value = Math.min(index, cards.length);
        progress.textContent = Math.min(index, cards.length) + "/" + cards.length;
      }
      if (sessionTotal) {
        sessionTotal.textContent = String(cards.length);
      }
      if (leftText) {
        leftText.textContent = String(left);
      }
      if (index > 0) {
        /* the page's breakdown of the count is from before the session's ratings */
        root.querySelectorAll("[data-review-breakdown]").forEach(function (element) {
          element.hidden = true;
        });
      }
    }
    root.querySelectorAll("[data-review-keys]").forEach(function (hint) {
      hint.hidden = false;
    });

    function current() {
      return cards[index];
    }

    function show(next) {
      cards.forEach(function (card, i) {
        card.hidden = i !== next;
      });
      index = next;
      flipped = false;
      counters();
      var card = current();
      if (!card) {
        var done = root.querySelector("[data-review-done]");
        if (done) {
          done.hidden = false;
          done.focus();
        }
        return;
      }
      if (position) {
        position.textContent = String(next + 1);
      }
      card.querySelector("[data-review-back]").hidden = true;
      card.querySelector("[data-review-ratings]").hidden = true;
      card.querySelector("[data-review-flip-row]").hidden = false;
      shownAt = Date.now();
      if (next > 0) {
        card.querySelector("[data-review-flip]").focus();
      }
    }

    function flip() {
      var card = current();
      if (!card || flipped) {
        return;
      }
      flipped = true;
      card.querySelector("[data-review-flip-row]").hidden = true;
      card.querySelector("[data-review-ratings]").hidden = false;
      var back = card.querySelector("[data-review-back]");
      back.hidden = false;
      back.focus();
    }

    function rate(rating) {
      var card = current();
      if (!card || !flipped || busy) {
        return;
      }
      var item = {
        card: parseInt(card.getAttribute("data-card"), 10),
        rating: rating,
        review_id: uuid4(),
        reviewed_at: new Date().toISOString(),
        duration_ms: Math.min(Date.now() - shownAt, 3600000),
      };
      say(errorBox, "");
      if (queue.read().length) {
        /* Keep the time order: while older ratings wait, this one waits behind them. */
        queue.add(item);
        rated.push({ card: card, reviewId: item.review_id });
        advance();
        flush();
        return;
      }
      busy = true;
      DeepRecall.fetchJSON(reviewUrl.replace("{id}", item.card), {
        method: "POST",
        body: { rating: item.rating, review_id: item.review_id, duration_ms: item.duration_ms },
      })
        .then(function (result) {
          busy = false;
          if (result.ok) {
            rated.push({ card: card, reviewId: item.review_id });
            advance();
            refresh();
          } else if (result.status >= 500) {
            keep(item);
          } else {
            /* Refused for good (a suspended card, a card gone, the session ended): say why, go on. */
            var detail = result.data && result.data.detail ? " " + result.data.detail : "";
            say(errorBox, text(result.status === 403 ? "login" : "failed", 0) + detail);
            advance();
          }
        })
        .catch(function () {
          busy = false;
          keep(item);
        });
    }

    function keep(item) {
      rated.push({ card: current(), reviewId: item.review_id });
      queue.add(item);
      say(sync, text("queued", queue.read().length));
      advance();
      later();
    }

    /* Undo the last rating of this session: a rating still waiting in the browser is simply dropped; one the
       server applied is undone there (the card returns to its state before it). The card is shown again. */
    function undo() {
      var last = rated[rated.length - 1];
      if (!last || busy) {
        return;
      }
      var waiting = queue.read().some(function (item) {
        return item.review_id === last.reviewId;
      });
      if (waiting) {
        queue.remove([last.reviewId]);
        back(last);
        return;
      }
      busy = true;
      DeepRecall.fetchJSON(undoUrl, { method: "POST", body: {} })
        .then(function (result) {
          busy = false;
          if (result.ok) {
            back(last);
          } else {
            say(errorBox, result.data && result.data.detail ? result.data.detail : text("failed", 0));
          }
        })
        .catch(function () {
          busy = false;
          say(errorBox, text("failed", 0));
        });
    }

    function back(last) {
      epoch += 1;
      rated.pop();
      var at = cards.indexOf(last.card);
      if (at !== -1) {
        cards.splice(at, 1);
        if (at < index) {
          index -= 1;
        }
      }
      index = Math.max(index, 0);
      cards.splice(index, 0, last.card);
      left += 1;
      var done = root.querySelector("[data-review-done]");
      if (done) {
        done.hidden = true;
      }
      show(index);
      say(sync, text("undone", 0));
    }

    function advance() {
      left = Math.max(0, left - 1);
      show(index + 1);
    }

    /* After a rating, today's queue on the server may have changed (bury siblings hides the other cards of the
       rated card's concept until tomorrow): the session drops the cards the queue no longer holds, and takes the
       server's count of cards left today (headers X-Learning-Left, X-Review-Left, X-New-Left). */
    function refresh() {
      var asked = ++epoch;
      fetch(dueUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            return null;
          }
          var total = ["Learning", "Review", "New"].reduce(function (sum, kind) {
            return sum + (parseInt(response.headers.get("X-" + kind + "-Left"), 10) || 0);
          }, 0);
          return response.json().then(function (items) {
            return { ids: items.map(function (item) { return String(item.id); }), left: total };
          });
        })
        .then(function (queue) {
          if (!queue || asked !== epoch) {
            return; /* an undo (or a newer refresh) came after this question: its answer is stale */
          }
          var shown = current();
          cards = cards.filter(function (card, i) {
            /* Rated cards stay (for the count), and so does a card whose answer is already shown. */
            if (i < index || (i === index && flipped) || queue.ids.indexOf(card.getAttribute("data-card")) !== -1) {
              return true;
            }
            card.remove();
            return false;
          });
          left = queue.left;
          if (current() !== shown) {
            show(index);
          } else {
            counters();
          }
        })
        .catch(function () {
          /* offline: the session goes on as it is */
        });
    }

    function later() {
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(flush, RETRY_MS);
    }

    /* Send the saved ratings in one batch. The server applies them in time order, all or nothing, and names each
       item that fails ("reviews.3"): those can never be applied, so they are dropped and the rest is sent again. */
    function flush() {
      var items = queue.read();
      if (!items.length || flushing) {
        return;
      }
      flushing = true;
      DeepRecall.fetchJSON(batchUrl, { method: "POST", body: { reviews: items } })
        .then(function (result) {
          flushing = false;
          var sent = items.map(function (item) {
            return item.review_id;
          });
          if (result.ok) {
            queue.remove(sent);
            say(sync, queue.read().length ? text("queued", queue.read().length) : text("sent", 0));
            flush();
          } else if (result.status === 403 || result.status === 401) {
            say(sync, text("login", 0));
          } else if (result.status >= 500) {
            later();
          } else {
            var errors = (result.data && result.data.errors) || {};
            var bad = Object.keys(errors)
              .map(function (key) {
                return items[parseInt(key.split(".")[1], 10)];
              })
              .filter(Boolean);
            if (!bad.length) {
              bad = items; /* the batch as a whole was refused: it would be refused again */
            }
            queue.remove(bad.map(function (item) {
              return item.review_id;
            }));
            say(errorBox, text("dropped", bad.length) + " " + ((result.data && result.data.detail) || ""));
            flush();
          }
        })
        .catch(function () {
          flushing = false;
          say(sync, text("queued", queue.read().length));
          later();
        });
    }

    root.addEventListener("click", function (event) {
      var link = event.target.closest("[data-review-flip]");
      if (link) {
        event.preventDefault();
        flip();
      }
    });
    root.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      if (button && button.hasAttribute("data-review-undo")) {
        undo();
        return;
      }
      if (button && button.name === "rating") {
        rate(parseInt(button.value, 10));
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
        return;
      }
      if (event.key === "u" || event.key === "U") {
        event.preventDefault();
        undo(); /* also after the last card of the session */
        return;
      }
      if (!current()) {
        return;
      }
      if (event.key === " " || event.key === "Spacebar") {
        var onControl = event.target.closest && event.target.closest("button, a[href]");
        if (!flipped) {
          event.preventDefault();
          flip();
        } else if (!onControl) {
          event.preventDefault(); /* no page scroll while the answer is shown */
        }
      } else if (/^[1-4]$/.test(event.key) && flipped) {
        event.preventDefault();
        rate(parseInt(event.key, 10));
      }
    });
    window.addEventListener("online", flush);

    /* A page opened with ?show=<card> (the link without JavaScript) starts with that card's answer shown. */
    var startFlipped = cards.length > 0 && !cards[0].querySelector("[data-review-back]").hidden;
    show(0);
    if (startFlipped) {
      flip();
    }
    if (queue.read().length) {
      say(sync, text("queued", queue.read().length));
      flush();
    }
  });
})();
