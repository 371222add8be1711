// Parvis — the kitchen's counts follow late bookings and cancellations as they happen.
// The page is right on reload without this file; with it, the counts of the day shown
// are fetched again whenever one of its bookings changes, and the change is announced.
(function () {
  "use strict";

  function refresh(status, counts) {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("comptes");
        if (!fresh) { return; }
        counts.innerHTML = fresh.innerHTML;
        status.textContent = status.getAttribute("data-annonce");
      })
      .catch(function () { /* the next event, or a reload, brings the counts */ });
  }

  function live(status) {
    var counts = document.getElementById("comptes");
    if (!window.EventSource || !window.fetch || !counts) { return; }
    var source = new EventSource(status.getAttribute("data-flux"));
    source.onopen = function () { status.setAttribute("data-connecte", "oui"); };
    source.onerror = function () { status.removeAttribute("data-connecte"); };
    source.onmessage = function () { refresh(status, counts); };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.getElementById("comptes-direct");
    if (status) { live(status); }
  });
})();
