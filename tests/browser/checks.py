"""What every page must pass in the browser: no console error, no control overlapping
another, nothing wider than a 360 px screen, 0 serious/critical axe-core violations; and a
screenshot of it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from tests.browser.conftest import SHOT_LIST, SHOTS

CONTROLS = 'a[href], button, input:not([type="hidden"]), select, textarea, summary'
OVERLAPS = """(selector) => {
  const boxes = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    if (el.tagName !== "SUMMARY" && el.closest("details:not([open])")) continue;
    const rects = [...el.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (rects.length) boxes.push([el, rects]);
  }
  const name = el => (el.tagName + " " + (el.textContent || el.value || "").trim()).slice(0, 60);
  const bad = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      for (const p of ra) for (const q of rb) {
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 1 && h > 1) { bad.push(name(a) + " ⟷ " + name(b)); }
      }
    }
  }
  return [...new Set(bad)].slice(0, 10);
}"""
WIDER = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && getComputedStyle(el).position !== "fixed") {
        out.push(el.tagName + "." + el.className + " right=" + Math.round(r.right));
      }
    }
    out.unshift("scrollWidth " + document.documentElement.scrollWidth + " > " + width);
  }
  return out.slice(0, 8);
}"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + " (" + v.impact + "): "
         + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


@dataclass
class Look:
    name: str
    width: int
    height: int
    scheme: str = "light"


DESKTOP = Look("desktop", 1280, 900)
PHONE = Look("phone", 390, 844)
DARK = Look("dark", 1280, 900, "dark")
DARK_PHONE = Look("dark-phone", 390, 844, "dark")


class Watch:
    """Console errors and uncaught exceptions of one page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


def inspect(page: Any, axe: str, look: Look, name: str) -> list[str]:
    """Every problem of the page as it stands, and its screenshot written."""
    problems = [f"overlap: {o}" for o in page.evaluate(OVERLAPS, CONTROLS)]
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe)  # through DevTools: our CSP (script-src 'self') stays as it is
    problems += [f"axe: {v}" for v in page.evaluate(AXE_RUN)]
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{look.name}-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    SHOT_LIST.append(shot)
    if os.environ.get("TIDINGS_BROWSER_TOP"):  # the first screenful too, to look at
        page.screenshot(path=str(shot.with_suffix(".top.png")))
    if look.width < 800:
        page.set_viewport_size({"width": 360, "height": 780})
        problems += [f"wider than 360 px: {w}" for w in page.evaluate(WIDER)]
        page.set_viewport_size({"width": look.width, "height": look.height})
    return problems
