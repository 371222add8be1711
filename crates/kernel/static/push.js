// Parvis — turns notifications on for this device, on the page /notifications. Without
// JavaScript the page still lists the devices and removes them.
(function () {
  "use strict";
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("activation-push");
    if (!panel) { return; }
    var needsScript = document.getElementById("push-sans-script");
    var status = document.getElementById("push-etat");
    var button = document.getElementById("push-activer");
    if (needsScript) { needsScript.hidden = true; }
    panel.hidden = false;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      button.hidden = true;
      status.textContent = panel.getAttribute("data-non-pris-en-charge");
      return;
    }
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = panel.getAttribute("data-en-cours");
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { throw new Error(panel.getAttribute("data-refuse")); }
        return navigator.serviceWorker.register("/sw.js");
      }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(panel.getAttribute("data-cle"))
          });
        });
      }).then(function (subscription) {
        return fetch("/notifications/appareils", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": panel.getAttribute("data-csrf") },
          body: JSON.stringify(subscription.toJSON())
        });
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error((body.error && body.error.message) || panel.getAttribute("data-echec"));
          }
          window.location.reload();
        });
      }).catch(function (error) {
        status.textContent = (error && error.message) || panel.getAttribute("data-echec");
        button.disabled = false;
      });
    });
  });
})();
