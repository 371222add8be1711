// Parvis — small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so that screen reader users hear it first.
    var summary = document.getElementById("resume-erreurs");
    if (summary) { summary.focus(); }
    // Ask for confirmation before actions marked as such.
    document.querySelectorAll("form[data-confirmer]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirmer"))) { event.preventDefault(); }
      });
    });
  });
})();
