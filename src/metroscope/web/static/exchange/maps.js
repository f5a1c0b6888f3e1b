/* Metroscope exchange maps: Leaflet + markercluster, fed by GeoJSON.
 *
 * Every element with a data-map attribute becomes a map:
 *   data-map="cases"   clustered case markers, from data-geojson (a URL, normally
 *                      /api/cases.geojson?...) or data-points (id of a json_script element
 *                      holding a GeoJSON FeatureCollection);
 *   data-map="pin"     one marker at data-lat / data-lon labelled data-label.
 * Optional: data-bbox-input (id of a hidden input filled with "west,south,east,north" when the
 * "search this area" button, data-bbox-button, is pressed), data-zoom (initial zoom).
 *
 * OpenStreetMap tiles are the only online part: when they cannot load, the map switches to
 * vendored country outlines (Natural Earth via world-atlas) and says so; markers always show.
 */
(function () {
  "use strict";

  var STATIC = document.documentElement.getAttribute("data-static") || "/static/";
  var OUTLINES_URL = STATIC + "vendor/world-atlas/countries-50m.json";
  var outlinesPromise = null;

  function loadOutlines() {
    if (!outlinesPromise) {
      outlinesPromise = fetch(OUTLINES_URL)
        .then(function (r) { return r.json(); })
        .then(function (topo) { return unwrapAntimeridian(topojson.feature(topo, topo.objects.countries)); });
    }
    return outlinesPromise;
  }

  // The outlines are cut at +-180 deg; a ring that steps from 180 to -180 would be drawn
  // straight across the map. Keep each ring's longitudes continuous instead.
  function unwrapRing(ring) {
    for (var i = 1; i < ring.length; i++) {
      while (ring[i][0] - ring[i - 1][0] > 180) { ring[i][0] -= 360; }
      while (ring[i][0] - ring[i - 1][0] < -180) { ring[i][0] += 360; }
    }
  }

  function unwrapAntimeridian(collection) {
    collection.features.forEach(function (feature) {
      var g = feature.geometry;
      if (!g) { return; }
      var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      polygons.forEach(function (polygon) { polygon.forEach(unwrapRing); });
    });
    return collection;
  }

  function addBaseLayers(map, el) {
    var tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    });
    var fellBack = false;
    function fallBack() {
      if (fellBack) { return; }
      fellBack = true;
      map.removeLayer(tiles);
      el.classList.add("map-offline-mode");
      // country outlines say nothing at street level: keep enough land in view for context
      var cap = el.getAttribute("data-map") === "pin" ? 6 : 8;
      el._msOfflineZoom = cap;
      if (map.getZoom() > cap) { map.setZoom(cap); }
      loadOutlines().then(function (land) {
        L.geoJSON(land, {
          // canvas, not SVG: painting ~240 detailed country paths as SVG takes seconds to
          // minutes in software-rendered browsers on every zoom
          renderer: L.canvas({ padding: 0.2 }),
          interactive: false,
          style: { color: "#9fb0c0", weight: 0.8, fillColor: "#f6f5f0", fillOpacity: 1 },
          attribution: 'Country outlines: <a href="https://www.naturalearthdata.com/">Natural Earth</a>',
        }).addTo(map).bringToBack();
      }).catch(function () { /* the markers still show on the plain background */ });
      var note = document.createElement("div");
      note.className = "map-offline";
      note.textContent = "Offline: country outlines only";
      el.appendChild(note);
    }
    tiles.on("tileerror", fallBack);
    if (navigator.onLine === false) { fallBack(); } else { tiles.addTo(map); }
  }

  function caseUrl(props) {
    return props.url || ("/cases/" + encodeURIComponent(props.slug) + "/");
  }

  function placeLabel(props) {
    var city = props.city_name || props.city || "";
    if (city && typeof city === "object") { city = city.name || ""; }
    var country = props.country_name || props.country || "";
    return [city, country].filter(Boolean).join(", ");
  }

  function popupNode(props) {
    var box = document.createElement("div");
    var a = document.createElement("a");
    a.href = caseUrl(props);
    a.textContent = props.title || props.slug;
    box.appendChild(a);
    var place = placeLabel(props);
    var extra = [place, props.status].filter(Boolean).join(" · ");
    if (extra) {
      var p = document.createElement("div");
      p.className = "muted";
      p.textContent = extra;
      box.appendChild(p);
    }
    return box;
  }

  function markerFor(feature, latlng) {
    var m = L.circleMarker(latlng, {
      radius: 8, color: "#ffffff", weight: 2, fillColor: "#1d5b86", fillOpacity: 0.95,
    });
    m.bindPopup(popupNode(feature.properties || {}));
    if (feature.properties && feature.properties.title) {
      m.bindTooltip(feature.properties.title, { direction: "top", offset: [0, -6] });
    }
    return m;
  }

  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 34 : n < 50 ? 40 : 46;
    return L.divIcon({
      html: "<span>" + n + "</span>",
      className: "ms-cluster",
      iconSize: L.point(size, size),
    });
  }

  function setData(state, geojson) {
    state.cluster.clearLayers();
    var layer = L.geoJSON(geojson, { pointToLayer: markerFor });
    state.cluster.addLayers(layer.getLayers());
    state.el.setAttribute("data-marker-count", String(layer.getLayers().length));
    if (!state.keepView && layer.getLayers().length) {
      var bounds = layer.getBounds();
      if (state.context) { bounds.extend(state.context.getBounds()); }
      state.map.fitBounds(bounds, { padding: [30, 30], maxZoom: state.el._msOfflineZoom || 12 });
    }
    state.el.dispatchEvent(new CustomEvent("ms:markers", { bubbles: true }));
  }

  function loadUrl(state, url) {
    state.el.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("GeoJSON request failed: " + r.status); }
        return r.json();
      })
      .then(function (data) { setData(state, data); })
      .catch(function (err) { console.error(err); })
      .finally(function () { state.el.removeAttribute("aria-busy"); });
  }

  function initCases(el) {
    // explicit zoom range: the clusters are computed per zoom level and must not depend on
    // whether a tile layer (which would otherwise set the range) is present
    var map = L.map(el, {
      scrollWheelZoom: el.hasAttribute("data-scroll-zoom"), worldCopyJump: true, minZoom: 1, maxZoom: 18,
    })
      .setView([20, 10], 2);
    addBaseLayers(map, el);
    var cluster = L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: 45, iconCreateFunction: clusterIcon,
    });
    map.addLayer(cluster);
    var state = { el: el, map: map, cluster: cluster, keepView: false };
    el._msMap = state;

    var contextId = el.getAttribute("data-context");
    if (contextId && document.getElementById(contextId)) {
      // places for orientation (e.g. a metro's member municipalities): small, grey, unclustered
      state.context = L.geoJSON(JSON.parse(document.getElementById(contextId).textContent), {
        pointToLayer: function (feature, latlng) {
          var m = L.circleMarker(latlng, {
            radius: 4, color: "#6b7785", weight: 1, fillColor: "#ffffff", fillOpacity: 1,
          });
          var props = feature.properties || {};
          if (props.name) { m.bindTooltip(props.name, { direction: "top" }); }
          if (props.url) { m.on("click", function () { window.location.href = props.url; }); }
          return m;
        },
      }).addTo(map);
      map.fitBounds(state.context.getBounds(), { padding: [20, 20] });
    }
    var pointsId = el.getAttribute("data-points");
    if (pointsId) {
      var node = document.getElementById(pointsId);
      if (node) { setData(state, JSON.parse(node.textContent)); }
    } else if (el.getAttribute("data-geojson")) {
      loadUrl(state, el.getAttribute("data-geojson"));
    }

    var bboxInput = el.getAttribute("data-bbox-input");
    var button = document.getElementById(el.getAttribute("data-bbox-button") || "");
    if (bboxInput && button) {
      button.addEventListener("click", function () {
        var b = map.getBounds();
        var input = document.getElementById(bboxInput);
        var r = function (x) { return Math.round(x * 10000) / 10000; };
        input.value = [r(b.getWest()), r(b.getSouth()), r(b.getEast()), r(b.getNorth())].join(",");
        var form = input.form;
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      });
    }
    return state;
  }

  function initPin(el) {
    var lat = parseFloat(el.getAttribute("data-lat"));
    var lon = parseFloat(el.getAttribute("data-lon"));
    var zoom = parseInt(el.getAttribute("data-zoom") || "11", 10);
    var map = L.map(el, { scrollWheelZoom: false, minZoom: 1, maxZoom: 18 }).setView([lat, lon], zoom);
    addBaseLayers(map, el);
    var marker = L.marker([lat, lon], { title: el.getAttribute("data-label") || "" }).addTo(map);
    if (el.getAttribute("data-label")) { marker.bindPopup(el.getAttribute("data-label")); }
    el.setAttribute("data-marker-count", "1");
    el._msMap = { el: el, map: map };
  }

  var INIT = { cases: initCases, pin: initPin };

  function initAll(root) {
    if (typeof L === "undefined") { return; }
    (root || document).querySelectorAll("[data-map]").forEach(function (el) {
      if (el._msMap) { return; }
      var init = INIT[el.getAttribute("data-map")];
      if (init) { init(el); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });

  // Results page: after htmx swaps the results, refresh the preserved map's markers from the
  // new result set's GeoJSON address (carried by #results-region[data-geojson]).
  document.addEventListener("htmx:afterSettle", function () {
    var region = document.getElementById("results-region");
    var el = document.querySelector("[data-map][data-follow-results]");
    initAll(document);
    if (!region || !el || !el._msMap) { return; }
    var url = region.getAttribute("data-geojson");
    if (url && url !== el.getAttribute("data-geojson")) {
      el.setAttribute("data-geojson", url);
      el._msMap.keepView = region.hasAttribute("data-bbox-active");
      loadUrl(el._msMap, url);
    }
  });

  window.Metroscope = { initMaps: initAll };
})();
