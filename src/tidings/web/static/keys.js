// Tidings keyboard shortcuts. Every action is also a plain form or link on the page: this
// file only finds them. Press ? for the list.
(function () {
  "use strict";
  var items = [];
  var at = -1;
  var pendingG = false;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function select(index) {
    if (!items.length) { return; }
    if (at >= 0 && items[at]) { items[at].classList.remove("current"); items[at].removeAttribute("aria-current"); }
    at = Math.max(0, Math.min(items.length - 1, index));
    items[at].classList.add("current");
    items[at].setAttribute("aria-current", "true");
    items[at].scrollIntoView({ block: "nearest" });
  }

  // The selected item, else the page's own actions (an article or a story page).
  function scope() {
    return (at >= 0 && items[at]) || document.querySelector("[data-page]");
  }

  function submit(key) {
    var where = scope();
    var form = where && where.querySelector('form[data-key="' + key + '"]');
    if (!form) { return false; }
    var back = form.querySelector('input[name="back"]');
    if (back && where.id && back.value.charAt(0) === "/" && back.value.indexOf("#") < 0 && key !== "h") {
      back.value = back.value + "#" + where.id;  // come back to the same item
    }
    var button = form.querySelector("button");
    if (form.requestSubmit) { form.requestSubmit(button || undefined); } else { form.submit(); }
    return true;
  }

  function openItem() {
    var where = scope();
    var link = where && where.querySelector("a[data-open]");
    if (link) { window.location.assign(link.href); return true; }
    return false;
  }

  function openOriginal() {
    var where = scope();
    var url = where && where.getAttribute("data-original");
    if (url && /^https?:\/\//i.test(url)) { window.open(url, "_blank", "noopener,noreferrer"); return true; }
    return false;
  }

  function focusSearch() {
    var box = document.querySelector('input[type="search"], input[name="q"]');
    if (box) { box.focus(); box.select(); return true; }
    return false;
  }

  function toggleHelp() {
    var help = document.getElementById("keys");
    if (!help) { return false; }
    if (help.open) { help.close(); } else { help.showModal(); }
    return true;
  }

  var go = { f: "/", l: "/latest", s: "/starred" };
  var actions = {
    j: function () { select(at + 1); return items.length > 0; },
    k: function () { select(at < 0 ? 0 : at - 1); return items.length > 0; },
    o: openItem, Enter: openItem, v: openOriginal,
    m: function () { return submit("m"); }, s: function () { return submit("s"); },
    h: function () { return submit("h"); }, u: function () { return submit("u") || undoNow(); },
    "+": function () { return submit("+"); }, "-": function () { return submit("-"); },
    "/": focusSearch, "?": toggleHelp
  };

  function undoNow() {
    var button = document.querySelector('.undo button[data-key="u"]');
    if (!button) { return false; }
    var back = button.form.querySelector('input[name="back"]');
    if (back && window.location.hash && back.value.indexOf("#") < 0) { back.value += window.location.hash; }
    button.click();
    return true;
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var help = document.getElementById("keys");
    if (help && help.open && event.key !== "?") { return; }
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (go[key]) { event.preventDefault(); window.location.assign(go[key]); }
      return;
    }
    if (key === "g") { pendingG = true; return; }
    if (key === "Enter" && at < 0) { return; }  // Enter on a focused link or button is the browser's
    var act = actions[key];
    if (act && act()) { event.preventDefault(); }
  }

  function start() {
    items = Array.prototype.slice.call(document.querySelectorAll("[data-item]"));
    var wanted = window.location.hash.slice(1);
    for (var i = 0; wanted && i < items.length; i++) {
      if (items[i].id === wanted) { select(i); break; }
    }
    document.addEventListener("keydown", onKey);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
