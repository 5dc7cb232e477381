// Tidings: how long the reader looked at a story page, sent once as they leave it (a "read"
// with its dwell time, which the ranker learns from). Without script nothing is sent; the
// page itself already counted as an open.
(function () {
  "use strict";
  var page = document.querySelector("[data-dwell]");
  if (!page || !navigator.sendBeacon) { return; }
  var shown = 0;
  var since = document.visibilityState === "visible" ? Date.now() : 0;
  var sent = false;

  function pause() {
    if (since) { shown += Date.now() - since; since = 0; }
  }

  function send() {
    if (sent || shown < 1000) { return; }  // a glance is not a read
    sent = true;
    var body = new URLSearchParams({ ms: String(Math.min(shown, 86400000)) });
    navigator.sendBeacon(page.getAttribute("data-dwell"), body);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { pause(); send(); }
    else if (!sent) { since = Date.now(); }
  });
  window.addEventListener("pagehide", function () { pause(); send(); });
})();
