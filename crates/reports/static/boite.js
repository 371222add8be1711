// Parvis — the agents' report inbox: live notices of new and changed reports, canned
// messages that fill the status form, and the phone's position on the field view.
// Every page works without this file.
(function () {
  "use strict";

  var MAX_NOTICES = 5;

  function notice(region, text, linkText, href) {
    var item = document.createElement("p");
    item.className = "avis-direct";
    item.appendChild(document.createTextNode(text + " — "));
    var link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    item.appendChild(link);
    region.insertBefore(item, region.firstChild);
    while (region.children.length > MAX_NOTICES) {
      region.removeChild(region.lastChild);
    }
  }

  function live(region) {
    if (!window.EventSource) { return; }
    var source = new EventSource(region.getAttribute("data-flux"));
    // Marks the region once connected (tests and styles may rely on it).
    source.onopen = function () { region.setAttribute("data-connecte", "oui"); };
    source.onerror = function () { region.removeAttribute("data-connecte"); };
    source.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      var here = window.location.pathname + window.location.search;
      var refresh = region.getAttribute("data-actualiser");
      if (data.event === "new") {
        notice(region, region.getAttribute("data-nouveau") + " " + data.reference +
          " (" + data.category + ")", region.getAttribute("data-afficher"), data.link);
      } else if (data.event === "gone") {
        notice(region, region.getAttribute("data-parti"), refresh, here);
      } else if (data.event === "refresh") {
        notice(region, region.getAttribute("data-change"), refresh, here);
      } else if (data.reference) {
        notice(region, region.getAttribute("data-change") + " " + data.reference,
          region.getAttribute("data-afficher"), data.link);
      }
    };
  }

  function canned(select) {
    var message = document.getElementById(select.getAttribute("data-message"));
    var status = document.getElementById(select.getAttribute("data-statut"));
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var text = option && option.getAttribute("data-texte");
      if (!text || !message) { return; }
      message.value = text;
      if (status) { status.value = option.getAttribute("data-statut"); }
      message.focus();
    });
  }

  function position(button) {
    var form = document.getElementById("position-terrain");
    var state = document.getElementById("ma-position-etat");
    if (!navigator.geolocation || !form) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (where) {
        form.elements.lat.value = where.coords.latitude.toFixed(6);
        form.elements.lon.value = where.coords.longitude.toFixed(6);
        form.elements.adresse.value = "";
        form.submit();
      }, function () {
        if (state) { state.textContent = button.getAttribute("data-erreur"); }
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("boite-direct");
    if (region) { live(region); }
    var select = document.getElementById("modele");
    if (select) { canned(select); }
    var button = document.getElementById("ma-position-terrain");
    if (button) { position(button); }
  });
})();
