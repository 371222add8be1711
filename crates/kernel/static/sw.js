// Parvis — service worker. It only shows the notifications the server pushes and opens
// the page they lead to; it caches nothing, so every page still comes from the server.
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  if (event.data) {
    try { data = event.data.json(); } catch (e) { data = { body: event.data.text() }; }
  }
  event.waitUntil(self.registration.showNotification(data.title || "Parvis", {
    body: data.body || "",
    tag: data.tag || undefined,
    lang: "fr",
    data: { url: data.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  // Notifications lead inside the site, never elsewhere.
  if (target.origin !== self.location.origin) { target = new URL("/", self.location.origin); }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target.href && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(target.href);
  }));
});
