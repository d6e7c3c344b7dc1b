/* Planning pages: the live progress bar, the person panel, printing. No framework, no build. */
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

  document.addEventListener("click", function (event) {
    var target = event.target;
    var seat = target.closest ? target.closest(".seat[data-why-url]") : null;
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
