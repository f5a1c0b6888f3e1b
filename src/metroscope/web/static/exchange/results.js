/* Results page: on narrow screens the filters start folded and keep their open/closed state
 * across htmx updates; the small map is resized when the filters unfold. */
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 899px)");
  var wasOpen = null;

  function filters() { return document.getElementById("filters"); }

  function watch(details) {
    details.addEventListener("toggle", function () {
      wasOpen = details.open;
      var map = document.getElementById("results-map");
      if (details.open && map && map._msMap) { map._msMap.map.invalidateSize(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var details = filters();
    if (!details) { return; }
    if (NARROW.matches) { details.open = false; }
    wasOpen = details.open;
    watch(details);
  });

  document.addEventListener("htmx:afterSettle", function () {
    var details = filters();
    if (!details) { return; }
    if (wasOpen !== null) { details.open = wasOpen; }
    watch(details);
  });
})();
