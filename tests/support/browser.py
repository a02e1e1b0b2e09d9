"""Headless Chromium for the page tests: a layout measurement and a screenshot per width.

Headless Chromium will not make a window narrower than 500 px, so the page is laid out in
an iframe of the wanted width (its `srcdoc`: the page exactly as rendered, CSP included;
media queries see the iframe's width). For a measurement, the wrapper's own script reads the
framed page's layout and writes it into the wrapper's DOM, which `--dump-dom` prints.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

MEASURE = """<script>
// the wrapper's load event comes after every frame's (a frame may load before this runs)
window.addEventListener("load", () => {
  const frames = [...document.querySelectorAll("iframe")];
  const result = {};
  for (const frame of frames) {
    const doc = frame.contentDocument, root = doc.documentElement;
    const limit = frame.contentWindow.innerWidth;
    const wide = [...doc.querySelectorAll("body *")]
      .filter(e => e.getBoundingClientRect().right > limit + 0.5 && !e.closest(".table-wrap"))
      .slice(0, 10).map(e => e.tagName.toLowerCase() + "." + e.className);
    result[frame.dataset.key] = {
      scrollWidth: root.scrollWidth, innerWidth: limit, scrollHeight: root.scrollHeight,
      wide: wide, scripts: doc.scripts.length, images: doc.images.length,
      links: [...doc.links].map(a => a.getAttribute("href")),
      code: doc.querySelectorAll("code").length, strong: doc.querySelectorAll("strong").length,
      details: doc.querySelectorAll("details").length,
      background: getComputedStyle(doc.body).backgroundColor,
    };
  }
  const out = document.createElement("pre");
  out.id = "measurement";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>"""
ANSWER = re.compile(r'<pre id="measurement">(.*?)</pre>', re.DOTALL)


def chromium() -> str:
    """The Chromium binary; the page tests fail (never skip) without one."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("Chromium is not installed: apt-get install -y chromium")


def _run(args: list[str], timeout: float = 90) -> str:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += ["--no-first-run", "--disable-extensions", "--mute-audio", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def _frame(page: str, width: int, height: int, shift: int = 0, key: str = "") -> str:
    return (
        f'<iframe data-key="{key}" style="border:0;display:block;width:{width}px;'
        f'height:{height}px;margin-top:-{shift}px" srcdoc="{html_lib.escape(page, quote=True)}">'
        "</iframe>"
    )


def framed(frames: list[str], script: str = "") -> str:
    body = "".join(frames)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="margin:0;overflow:hidden">{body}{script}</body></html>'
    )


def measure(
    pages: dict[str, str], widths: list[int], folder: Path, dark: bool = False
) -> dict[tuple[str, int], dict[str, Any]]:
    """Per page and width, in one Chromium run: the page's scrollWidth, innerWidth and
    scrollHeight, the first elements wider than the viewport, and what the browser parsed
    (scripts, images, links, code spans, ...)."""
    frames = [
        _frame(page, width, 900, key=f"{name}@{width}")
        for name, page in pages.items()
        for width in widths
    ]
    path = folder / "measure.html"
    path.write_text(framed(frames, MEASURE), encoding="utf-8")
    args = ["--window-size=1400,900", "--virtual-time-budget=5000", "--dump-dom", path.as_uri()]
    found = ANSWER.search(_run(["--force-dark-mode", *args] if dark else args))
    assert found, "no measurement in Chromium's DOM"
    result = json.loads(html_lib.unescape(found.group(1)))
    return {(key.rsplit("@", 1)[0], int(key.rsplit("@", 1)[1])): m for key, m in result.items()}


def screenshot(
    page: str, width: int, height: int, out: Path, shift: int = 0, dark: bool = False
) -> Path:
    """A PNG of `height` pixels of the page laid out at `width`, from `shift` pixels down."""
    wrapper = out.with_suffix(".html")
    wrapper.write_text(framed([_frame(page, width, height + shift, shift)]), encoding="utf-8")
    args = [f"--window-size={width},{height}", f"--screenshot={out}", wrapper.as_uri()]
    _run(["--force-dark-mode", *args] if dark else args)
    return out
