/* Planning pages: the live progress bar, the person panel, drag to move or swap, printing.
   No framework, no build. */
(function () {
  "use strict";

  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 1,
  });
  var percentFormat = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "percent",
    maximumFractionDigits: 1,
  });

  function show(id, value, format) {
    var element = document.getElementById(id);
    if (element) {
      element.textContent = value === null || value === undefined ? "—" : format.format(value);
    }
  }

  /* Poll the plan's progress every 500 ms; when the job has finished, reload to show the chart. */
  function watchProgress(panel) {
    var bar = document.getElementById("plan-progress");
    function poll() {
      fetch(panel.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.statusText); }
          return response.json();
        })
        .then(function (progress) {
          panel.dataset.state = progress.state;
          if (bar) { bar.value = progress.fraction; }
          show("plan-best", progress.best, numberFormat);
          show("plan-bound", progress.bound, numberFormat);
          show("plan-gap", progress.gap, percentFormat);
          show("plan-elapsed", progress.elapsed, numberFormat);
          if (progress.finished) {
            panel.dataset.finished = "true";
            window.location.reload();
          } else {
            window.setTimeout(poll, 500);
          }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 500);
  }

  /* Clicking a person shows the person panel in place; without script the link loads the page. */
  function openPerson(seat) {
    var slot = document.getElementById("why-slot");
    if (!slot || !seat.dataset.whyUrl) { return false; }
    fetch(seat.dataset.whyUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.statusText); }
        return response.text();
      })
      .then(function (html) {
        slot.innerHTML = html;
        document.querySelectorAll(".seat.selected").forEach(function (s) { s.classList.remove("selected"); });
        seat.classList.add("selected");
        var panel = document.getElementById("why-panel");
        if (panel) { panel.focus({ preventScroll: false }); }
        history.replaceState(null, "", seat.getAttribute("href"));
      })
      .catch(function () { window.location.href = seat.getAttribute("href"); });
    return true;
  }

  /* Drag a person onto another table to move them there, or onto a person to swap the two.
     The person panel's forms do the same without a mouse; this posts the same forms. */
  var drag = null;
  var justDragged = false;

  function dropTarget(event, seat) {
    var under = document.elementFromPoint(event.clientX, event.clientY);
    var other = under && under.closest(".seat[data-person-id]");
    var table = under && under.closest(".plan-table");
    if (other && other !== seat && other.dataset.round === seat.dataset.round &&
        other.dataset.tableId !== seat.dataset.tableId) {
      return { element: other, action: "swap", field: "other", value: other.dataset.personId };
    }
    if (!other && table && table.dataset.round === seat.dataset.round &&
        table.dataset.tableId !== seat.dataset.tableId) {
      return { element: table, action: "move", field: "target", value: table.dataset.tableId };
    }
    return null;
  }

  function mark(target) {
    document.querySelectorAll(".drop-target").forEach(function (e) { e.classList.remove("drop-target"); });
    if (target) { target.element.classList.add("drop-target"); }
  }

  function post(seat, target) {
    // A real form submission, so the page after the redirect shows the outcome and broken rules.
    var token = document.querySelector("input[name=csrf_token]");
    var form = document.createElement("form");
    form.method = "post";
    form.action = document.getElementById("plan-chart").dataset.adjustUrl.replace("ACTION", target.action);
    [["csrf_token", token ? token.value : ""], ["person", seat.dataset.personId],
     ["round", seat.dataset.round], [target.field, target.value]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  document.addEventListener("pointerdown", function (event) {
    var seat = event.target.closest && event.target.closest(".plan-table .seat[data-person-id]");
    if (seat && event.button === 0) {
      drag = { seat: seat, x: event.clientX, y: event.clientY, moving: false };
    }
  });
  document.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    if (!drag.moving && Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) > 8) {
      drag.moving = true;
      drag.seat.classList.add("dragging");
    }
    if (drag.moving) { mark(dropTarget(event, drag.seat)); }
  });
  document.addEventListener("pointerup", function (event) {
    if (!drag) { return; }
    var done = drag;
    drag = null;
    done.seat.classList.remove("dragging");
    mark(null);
    if (done.moving) {
      justDragged = true;  // the click that ends a drag must not open the person panel
      var target = dropTarget(event, done.seat);
      if (target) { post(done.seat, target); }
    }
  });

  document.addEventListener("pointercancel", function () {
    if (drag) { drag.seat.classList.remove("dragging"); }
    drag = null;
    mark(null);
  });
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".plan-table .seat")) { event.preventDefault(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    var seat = target.closest ? target.closest(".seat[data-why-url]") : null;
    if (justDragged) {
      justDragged = false;
      if (seat) { event.preventDefault(); return; }
    }
    if (seat && !event.ctrlKey && !event.metaKey && !event.shiftKey && openPerson(seat)) {
      event.preventDefault();
    }
    if (target.closest && target.closest("[data-print]")) {
      window.print();
    }
  });

  var panel = document.getElementById("plan-progress-panel");
  if (panel && panel.dataset.finished !== "true") {
    watchProgress(panel);
  }
})();
