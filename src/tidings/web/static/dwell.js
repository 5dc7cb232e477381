// Tidings: implicit feedback, sent once as the reader leaves a page (a beacon; without script
// nothing is sent). On a story page: how long it was in view (a "read" with its dwell time).
// On the feed: which stories were in view, at which position (impressions).
(function () {
  "use strict";
  if (!navigator.sendBeacon) { return; }
  var story = document.querySelector("[data-dwell]");
  var feed = document.querySelector("[data-impressions]");
  var shown = 0;
  var since = document.visibilityState === "visible" ? Date.now() : 0;
  var seen = {};
  var sent = false;

  function pause() {
    if (since) { shown += Date.now() - since; since = 0; }
  }

  function send() {
    if (sent) { return; }
    if (story && shown >= 1000) {  // a glance is not a read
      sent = true;
      navigator.sendBeacon(story.getAttribute("data-dwell"),
        new URLSearchParams({ ms: String(Math.min(shown, 86400000)) }));
    }
    var pairs = Object.keys(seen).slice(0, 100).map(function (id) { return id + ":" + seen[id]; });
    if (feed && pairs.length) {
      sent = true;
      navigator.sendBeacon(feed.getAttribute("data-impressions"),
        new URLSearchParams({ seen: pairs.join(",") }));
    }
  }

  if (feed && window.IntersectionObserver) {
    var watch = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        var id = e.target.getAttribute("data-story");
        if (e.isIntersecting && id && !(id in seen)) { seen[id] = e.target.getAttribute("data-position"); }
      });
    }, { threshold: 0.5 });
    Array.prototype.forEach.call(feed.querySelectorAll("[data-story][data-position]"),
      function (item) { watch.observe(item); });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { pause(); send(); }
    else if (!sent) { since = Date.now(); }
  });
  window.addEventListener("pagehide", function () { pause(); send(); });
})();
