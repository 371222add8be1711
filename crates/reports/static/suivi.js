// Live tracking of a report. When the commune changes it, the status and history are
// fetched again and the change is announced to screen readers. The page is complete
// without this file: reloading it shows the same.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("etat-signalement");
    if (!block || !block.dataset.flux || !window.EventSource || !window.fetch) { return; }
    var announce = document.getElementById("annonce-suivi");
    var source = new EventSource(block.dataset.flux);
    // Says the page is listening (the browser test waits for it before changing a status).
    source.addEventListener("open", function () { block.dataset.direct = "oui"; });
    source.addEventListener("changement", function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("etat-signalement");
          if (!fresh) { return; }
          block.innerHTML = fresh.innerHTML;
          var status = document.getElementById("statut-signalement");
          if (announce) {
            announce.textContent = block.dataset.annonce + (status ? " " + status.textContent : "");
          }
        })
        .catch(function () { window.location.reload(); });
    });
  });
})();
