// Parvis — the maps of problem reports, without any framework. Every page works without
// this file: the address field and the list of reports are always there, the map only
// adds a quicker way to point at a place or to look around.
//
// Three uses, by the id of the element the page provides:
// - #carte-signalement: reporting; a click, a tap or Enter places the pin and fills the
//   form's hidden `lat` and `lon` fields; the button #ma-position uses the phone's position;
// - #carte-signalements: the public map, markers read from `data-source` (GeoJSON);
// - #carte-lieu: one report's approximate place.
// Each element carries data-tile-url, data-attribution, data-lat, data-lon, data-zoom.
(function () {
  "use strict";

  var TILE = 256;
  var MIN_ZOOM = 3;
  var MAX_ZOOM = 19;
  var PAN_STEP = 96;
  var DRAG_THRESHOLD = 6;

  // ---------------------------------------------------------------- projection

  function worldSize(zoom) { return TILE * Math.pow(2, zoom); }

  // Web Mercator, normalised to [0, 1] on both axes (multiply by worldSize for pixels).
  function toUnit(lat, lon) {
    var sin = Math.sin(lat * Math.PI / 180);
    sin = Math.min(Math.max(sin, -0.9999), 0.9999);
    return {
      x: (lon + 180) / 360,
      y: 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)
    };
  }

  function fromUnit(x, y) {
    var n = Math.PI - 2 * Math.PI * y;
    return {
      lat: 180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n))),
      lon: x * 360 - 180
    };
  }

  function clamp(value, min, max) { return Math.min(Math.max(value, min), max); }

  function fill(template, name, value) { return template.split("{" + name + "}").join(value); }

  function element(tag, className, parent) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function hiddenText(parent, text) {
    var span = element("span", "visuellement-masque", parent);
    span.textContent = text;
    return span;
  }

  // ---------------------------------------------------------------- the map

  function SlippyMap(container, texts, options) {
    var self = this;
    this.container = container;
    this.texts = texts;
    this.options = options;
    this.tileUrl = container.getAttribute("data-tile-url") || "";
    var lat = parseFloat(container.getAttribute("data-lat"));
    var lon = parseFloat(container.getAttribute("data-lon"));
    this.center = toUnit(isFinite(lat) ? lat : 46.6, isFinite(lon) ? lon : 2.4);
    this.zoom = clamp(parseInt(container.getAttribute("data-zoom"), 10) || 15, MIN_ZOOM, MAX_ZOOM);
    this.tiles = {};
    this.markers = [];
    this.pin = null;
    this.pointers = {};
    this.frame = 0;

    // What the page showed without JavaScript gives way to the map.
    Array.prototype.forEach.call(container.querySelectorAll(".carte-sans-js"), function (node) {
      node.parentNode.removeChild(node);
    });
    container.classList.add("carte", "carte-active");
    if (!container.hasAttribute("role")) { container.setAttribute("role", "region"); }
    if (!container.hasAttribute("aria-label")) { container.setAttribute("aria-label", options.label || texts.map_label); }

    var frame = element("div", "carte-cadre", container);
    this.view = element("div", "carte-vue", frame);
    this.view.tabIndex = 0;
    this.view.setAttribute("role", "application");
    this.view.setAttribute("aria-roledescription", texts.map_role);
    this.view.setAttribute("aria-label", options.label || texts.map_label);
    var helpId = (container.id || "carte") + "-aide";
    this.view.setAttribute("aria-describedby", helpId);
    this.plane = element("div", "carte-plan", this.view);
    this.tileLayer = element("div", "carte-tuiles", this.plane);
    this.markerLayer = element("div", "carte-marqueurs", this.plane);
    // Markers are reached through the list next to the map; here they are for the eye
    // and the pointer.
    this.markerLayer.setAttribute("aria-hidden", "true");
    if (options.pick) {
      var sight = element("div", "carte-viseur", this.view);
      sight.setAttribute("aria-hidden", "true");
    }

    var controls = element("div", "carte-commandes", frame);
    this.zoomIn = this.button(controls, "+", texts.zoom_in, function () { self.zoomBy(1); });
    this.zoomOut = this.button(controls, "\u2212", texts.zoom_out, function () { self.zoomBy(-1); });

    var credit = element("p", "carte-credit", frame);
    credit.textContent = container.getAttribute("data-attribution") || "";

    var help = element("p", "carte-aide", container);
    help.id = helpId;
    help.textContent = options.pick ? texts.help_pick : texts.help;

    this.status = element("p", "carte-annonce visuellement-masque", container);
    this.status.setAttribute("aria-live", "polite");

    this.listen();
    this.render();
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () { self.schedule(); }).observe(this.view);
    } else {
      window.addEventListener("resize", function () { self.schedule(); });
    }
  }

  SlippyMap.prototype.button = function (parent, symbol, label, action) {
    var button = element("button", "carte-bouton", parent);
    button.type = "button";
    button.title = label;
    var visible = element("span", "", button);
    visible.setAttribute("aria-hidden", "true");
    visible.textContent = symbol;
    hiddenText(button, label);
    button.addEventListener("click", action);
    return button;
  };

  SlippyMap.prototype.announce = function (text) {
    var status = this.status;
    // Emptied first so that the same sentence twice is read twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  };

  SlippyMap.prototype.size = function () {
    return { w: this.view.clientWidth || 300, h: this.view.clientHeight || 300 };
  };

  // Top-left corner of the view, in world pixels at the current zoom.
  SlippyMap.prototype.origin = function () {
    var s = worldSize(this.zoom);
    var size = this.size();
    return { x: this.center.x * s - size.w / 2, y: this.center.y * s - size.h / 2 };
  };

  SlippyMap.prototype.pointAt = function (viewX, viewY) {
    var s = worldSize(this.zoom);
    var o = this.origin();
    return fromUnit((o.x + viewX) / s, (o.y + viewY) / s);
  };

  SlippyMap.prototype.bounds = function () {
    var size = this.size();
    var sw = this.pointAt(0, size.h);
    var ne = this.pointAt(size.w, 0);
    return [sw.lon, sw.lat, ne.lon, ne.lat];
  };

  SlippyMap.prototype.tileSource = function (z, x, y) {
    var subdomains = "abc";
    var url = fill(this.tileUrl, "z", String(z));
    url = fill(url, "x", String(x));
    url = fill(url, "y", String(y));
    url = fill(url, "s", subdomains.charAt(Math.abs(x + y) % subdomains.length));
    return fill(url, "r", "");
  };

  SlippyMap.prototype.schedule = function () {
    var self = this;
    if (this.frame) { return; }
    this.frame = window.requestAnimationFrame(function () {
      self.frame = 0;
      self.render();
    });
  };

  SlippyMap.prototype.render = function () {
    var size = this.size();
    var o = this.origin();
    var s = worldSize(this.zoom);
    var count = Math.pow(2, this.zoom);
    var wanted = {};
    var x0 = Math.floor(o.x / TILE);
    var x1 = Math.floor((o.x + size.w) / TILE);
    var y0 = Math.max(0, Math.floor(o.y / TILE));
    var y1 = Math.min(count - 1, Math.floor((o.y + size.h) / TILE));
    for (var x = x0; x <= x1; x++) {
      for (var y = y0; y <= y1; y++) {
        var key = this.zoom + "/" + x + "/" + y;
        wanted[key] = true;
        var tile = this.tiles[key];
        if (!tile) {
          tile = element("img", "carte-tuile", this.tileLayer);
          tile.alt = "";
          tile.draggable = false;
          tile.decoding = "async";
          tile.addEventListener("error", function () { this.classList.add("carte-tuile-absente"); });
          tile.src = this.tileSource(this.zoom, ((x % count) + count) % count, y);
          this.tiles[key] = tile;
        }
        tile.style.transform = "translate(" + Math.round(x * TILE - o.x) + "px," + Math.round(y * TILE - o.y) + "px)";
      }
    }
    for (var k in this.tiles) {
      if (Object.prototype.hasOwnProperty.call(this.tiles, k) && !wanted[k]) {
        this.tileLayer.removeChild(this.tiles[k]);
        delete this.tiles[k];
      }
    }
    var margin = 40;
    this.markers.concat(this.pin ? [this.pin] : []).forEach(function (m) {
      var px = m.unit.x * s - o.x;
      var py = m.unit.y * s - o.y;
      var inside = px > -margin && py > -margin && px < size.w + margin && py < size.h + margin;
      m.node.hidden = !inside;
      if (inside) { m.node.style.transform = "translate(" + Math.round(px) + "px," + Math.round(py) + "px)"; }
    });
    this.zoomIn.disabled = this.zoom >= MAX_ZOOM;
    this.zoomOut.disabled = this.zoom <= MIN_ZOOM;
  };

  SlippyMap.prototype.moveBy = function (dx, dy) {
    var s = worldSize(this.zoom);
    this.center = {
      x: this.center.x + dx / s,
      y: clamp(this.center.y + dy / s, 0, 1)
    };
    this.schedule();
  };

  SlippyMap.prototype.zoomBy = function (delta) {
    var zoom = clamp(this.zoom + delta, MIN_ZOOM, MAX_ZOOM);
    if (zoom === this.zoom) { return; }
    this.zoom = zoom;
    this.render();
    this.changed();
  };

  SlippyMap.prototype.centerOn = function (lat, lon, zoom) {
    this.center = toUnit(lat, lon);
    if (zoom) { this.zoom = clamp(zoom, MIN_ZOOM, MAX_ZOOM); }
    this.render();
    this.changed();
  };

  SlippyMap.prototype.changed = function () {
    var self = this;
    if (!this.options.onMove) { return; }
    window.clearTimeout(this.moveTimer);
    this.moveTimer = window.setTimeout(function () { self.options.onMove(self); }, 250);
  };

  SlippyMap.prototype.setMarkers = function (features) {
    var layer = this.markerLayer;
    while (layer.firstChild) { layer.removeChild(layer.firstChild); }
    this.markers = features.map(function (f) {
      var p = f.properties || {};
      var c = (f.geometry && f.geometry.coordinates) || [0, 0];
      var link = element("a", "carte-marqueur carte-marqueur-" + (p.open ? "ouvert" : "resolu"), layer);
      link.href = p.url;
      link.tabIndex = -1;
      link.draggable = false;
      link.title = p.label || "";
      var icon = element("img", "", link);
      icon.src = "/static/signalements/icones/" + encodeURIComponent(p.icon || "autre") + ".svg";
      icon.alt = "";
      icon.draggable = false;
      icon.width = 20;
      icon.height = 20;
      hiddenText(link, p.label || "");
      return { node: link, unit: toUnit(c[1], c[0]) };
    });
    this.render();
  };

  SlippyMap.prototype.placePin = function (lat, lon) {
    if (!this.pin) {
      var node = element("img", "carte-repere", this.markerLayer);
      node.src = "/static/signalements/icones/repere.svg";
      node.alt = "";
      node.width = 32;
      node.height = 40;
      this.pin = { node: node, unit: null };
    }
    this.pin.unit = toUnit(lat, lon);
    this.render();
  };

  SlippyMap.prototype.pick = function (lat, lon) {
    this.placePin(lat, lon);
    if (this.options.onPick) { this.options.onPick(lat, lon); }
  };

  SlippyMap.prototype.listen = function () {
    var self = this;
    var view = this.view;
    var start = null;
    var moved = false;
    var pinch = null;
    var justDragged = false;

    function local(event) {
      var rect = view.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }
    function distance() {
      var ids = Object.keys(self.pointers);
      if (ids.length < 2) { return 0; }
      var a = self.pointers[ids[0]];
      var b = self.pointers[ids[1]];
      return Math.sqrt(Math.pow(a.x - b.x, 2) + Math.pow(a.y - b.y, 2));
    }

    view.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      self.pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      var count = Object.keys(self.pointers).length;
      if (count === 1) {
        start = { x: event.clientX, y: event.clientY, id: event.pointerId };
        moved = false;
      } else if (count === 2) {
        pinch = distance();
        moved = true;
      }
    });

    view.addEventListener("pointermove", function (event) {
      var last = self.pointers[event.pointerId];
      if (!last) { return; }
      var dx = event.clientX - last.x;
      var dy = event.clientY - last.y;
      self.pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      if (pinch) {
        var now = distance();
        if (now > pinch * 1.6) { self.zoomBy(1); pinch = now; }
        else if (now < pinch / 1.6) { self.zoomBy(-1); pinch = now; }
        return;
      }
      if (!moved && start && Math.abs(event.clientX - start.x) + Math.abs(event.clientY - start.y) > DRAG_THRESHOLD) {
        moved = true;
        // Captured only once it is a drag, so that a plain click still reaches a marker.
        if (view.setPointerCapture) { view.setPointerCapture(event.pointerId); }
        view.classList.add("carte-glisse");
      }
      if (moved) { self.moveBy(-dx, -dy); }
    });

    function release(event) {
      if (!self.pointers[event.pointerId]) { return; }
      delete self.pointers[event.pointerId];
      var left = Object.keys(self.pointers).length;
      if (left > 0) { return; }
      view.classList.remove("carte-glisse");
      if (moved) {
        justDragged = true;
        window.setTimeout(function () { justDragged = false; }, 0);
        self.changed();
      } else if (event.type === "pointerup" && self.options.pick && start) {
        var at = local(event);
        var point = self.pointAt(at.x, at.y);
        self.pick(point.lat, point.lon);
      }
      pinch = null;
      start = null;
      moved = false;
    }
    view.addEventListener("pointerup", release);
    view.addEventListener("pointercancel", release);

    // A drag that ends over a marker is not a click on it.
    view.addEventListener("click", function (event) {
      if (justDragged) { event.preventDefault(); event.stopPropagation(); }
    }, true);

    view.addEventListener("keydown", function (event) {
      var handled = true;
      switch (event.key) {
        case "ArrowLeft": self.moveBy(-PAN_STEP, 0); self.changed(); break;
        case "ArrowRight": self.moveBy(PAN_STEP, 0); self.changed(); break;
        case "ArrowUp": self.moveBy(0, -PAN_STEP); self.changed(); break;
        case "ArrowDown": self.moveBy(0, PAN_STEP); self.changed(); break;
        case "+": case "=": self.zoomBy(1); break;
        case "-": case "_": self.zoomBy(-1); break;
        case "Enter": case " ":
          if (self.options.pick) {
            var size = self.size();
            var point = self.pointAt(size.w / 2, size.h / 2);
            self.pick(point.lat, point.lon);
          } else {
            handled = false;
          }
          break;
        default: handled = false;
      }
      if (handled) { event.preventDefault(); }
    });
  };

  // ---------------------------------------------------------------- the three uses

  function getJson(url) {
    return window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  function mapAllowed(container) {
    return container && container.getAttribute("data-tile-url");
  }

  // Reporting: the pin fills the form's `lat` and `lon`, then the nearest street is shown.
  function setUpReporting(texts) {
    var container = document.getElementById("carte-signalement");
    var locate = document.getElementById("ma-position");
    var form = (container && container.closest("form")) || (locate && locate.closest("form"));
    if (!form) { return; }
    var latField = form.querySelector("input[name='lat']");
    var lonField = form.querySelector("input[name='lon']");
    if (!latField || !lonField) { return; }
    var anchor = container || locate;
    var place = document.getElementById("carte-signalement-lieu");
    if (!place) {
      place = document.createElement("p");
      place.id = "carte-signalement-lieu";
      place.className = "carte-lieu-choisi";
      place.setAttribute("aria-live", "polite");
      anchor.parentNode.insertBefore(place, anchor.nextSibling);
    }
    var map = null;

    function chosen(lat, lon) {
      latField.value = lat.toFixed(6);
      lonField.value = lon.toFixed(6);
      [latField, lonField].forEach(function (field) {
        field.dispatchEvent(new Event("change", { bubbles: true }));
      });
      place.textContent = texts.pin_placed;
      getJson("/signalements/adresse-proche?lat=" + encodeURIComponent(latField.value) + "&lon=" + encodeURIComponent(lonField.value))
        .then(function (answer) {
          if (answer && answer.label) { place.textContent = texts.pin_placed + " " + fill(texts.near, "place", answer.label); }
        })
        .catch(function () { /* The pin is placed; the street name is only a help. */ });
    }

    if (mapAllowed(container)) {
      map = new SlippyMap(container, texts, { pick: true, label: texts.pick_label, onPick: chosen });
      var lat = parseFloat(latField.value);
      var lon = parseFloat(lonField.value);
      if (isFinite(lat) && isFinite(lon) && latField.value !== "" && lonField.value !== "") {
        map.centerOn(lat, lon, Math.max(map.zoom, 17));
        map.placePin(lat, lon);
      }
    }

    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        locate.disabled = true;
        place.textContent = texts.locating;
        navigator.geolocation.getCurrentPosition(function (position) {
          locate.disabled = false;
          var lat = position.coords.latitude;
          var lon = position.coords.longitude;
          if (map) {
            map.centerOn(lat, lon, Math.max(map.zoom, 17));
            map.pick(lat, lon);
          } else {
            chosen(lat, lon);
          }
        }, function (error) {
          locate.disabled = false;
          place.textContent = error && error.code === 1 ? texts.locate_denied : texts.locate_failed;
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }

  // The public map: markers of the area shown, read again after each move.
  function setUpPublicMap(texts) {
    var container = document.getElementById("carte-signalements");
    if (!mapAllowed(container)) { return; }
    var source = container.getAttribute("data-source") || "/signalements/carte.json";
    var request = 0;
    var map = new SlippyMap(container, texts, { label: texts.map_label, onMove: load });
    load(map);
    function load(shown) {
      var mine = ++request;
      var bbox = shown.bounds().map(function (n) { return n.toFixed(6); }).join(",");
      var separator = source.indexOf("?") === -1 ? "?" : "&";
      getJson(source + separator + "bbox=" + bbox)
        .then(function (data) {
          if (mine !== request) { return; }
          var features = (data && data.features) || [];
          shown.setMarkers(features);
          var sentence = fill(texts.shown, "count", String(features.length));
          if (data.truncated) { sentence += " " + texts.truncated; }
          shown.announce(sentence);
        })
        .catch(function () { if (mine === request) { shown.announce(texts.load_failed); } });
    }
  }

  // One report's place: a marker, nothing to pick.
  function setUpPlace(texts) {
    var container = document.getElementById("carte-lieu");
    if (!mapAllowed(container)) { return; }
    var map = new SlippyMap(container, texts, { label: texts.place_label });
    var lat = parseFloat(container.getAttribute("data-lat"));
    var lon = parseFloat(container.getAttribute("data-lon"));
    if (isFinite(lat) && isFinite(lon)) { map.placePin(lat, lon); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var wanted = document.getElementById("carte-signalement") || document.getElementById("ma-position") ||
      document.getElementById("carte-signalements") || document.getElementById("carte-lieu");
    if (!wanted || !window.fetch) { return; }
    var lang = document.documentElement.getAttribute("lang") || "fr";
    getJson("/signalements/carte/textes.json?langue=" + encodeURIComponent(lang))
      .then(function (texts) {
        setUpReporting(texts);
        setUpPublicMap(texts);
        setUpPlace(texts);
      })
      .catch(function () { /* Without its texts the map stays off; the page works as is. */ });
  });
})();
