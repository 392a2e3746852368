"""Launching Debian's Chromium through Playwright, and loading a twin page.

Playwright cannot download its own browsers here, so it drives the system
Chromium (`/usr/bin/chromium`) with the flags recorded in the project notes.
Screenshots from this setup are byte-identical across launches.
"""
from __future__ import annotations

import base64
import io
import os
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

CHROMIUM = os.environ.get("ANNOSIM_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         # WebGL (the 3-D twin): with --disable-gpu Chromium renders WebGL2 with SwiftShader (ANGLE on
         # SwiftShader's Vulkan), which it allows only with this flag; Playwright adds it too, stated here
         # so we do not depend on that. It changes nothing for canvas 2D and CSS (software Skia).
         "--enable-unsafe-swiftshader",
         # ES modules (Three.js) from file:// pages: Chromium blocks them as cross-origin without it.
         "--allow-file-access-from-files"]
WEB = Path(__file__).parent / "web"


class BrowserMissing(RuntimeError):
    """Chromium or Playwright is not installed."""


class TwinError(RuntimeError):
    """A twin page failed to load or threw."""


def check_browser() -> None:
    """Raise BrowserMissing with one clear message when the browser stack is absent."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise BrowserMissing("playwright is not installed: pip install 'annosim[parity]' "
                             "(or pip install playwright)") from None
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        raise BrowserMissing(f"chromium not found at {CHROMIUM}: apt-get install chromium fonts-dejavu-core "
                             "(or set ANNOSIM_CHROMIUM to its path)")


class Browser:
    """One Chromium process with one page; use as a context manager."""

    def __init__(self) -> None:
        check_browser()
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        except Exception as exc:
            self._pw.stop()
            raise BrowserMissing(f"chromium at {CHROMIUM} failed to start: {exc}") from None
        self.page = self._browser.new_page(viewport={"width": 800, "height": 600}, device_scale_factor=1)
        self.errors: list[str] = []      # uncaught exceptions of the page, for clear failure messages
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._pw.stop()

    def load(self, html: Path, query: str = "") -> None:
        """Open a twin page and wait until it has registered with annosim.js."""
        from playwright.sync_api import Error as PlaywrightError

        self.errors.clear()
        self.page.goto(html.resolve().as_uri() + (f"?{query}" if query else ""))
        try:
            self.page.wait_for_function("window.annosimReady === true", timeout=15_000)
        except PlaywrightError:
            raise TwinError(f"{html.name} did not register with annosim.js within 15 s"
                            + (f"; page errors: {self.errors}" if self.errors else "")) from None

    def fit(self, width: int, height: int) -> None:
        """Make the viewport exactly the window, so a screenshot is the window."""
        vp = self.page.viewport_size
        if vp is None or (vp["width"], vp["height"]) != (width, height):
            self.page.set_viewport_size({"width": width, "height": height})

    def screenshot(self) -> np.ndarray:
        # Plain capture: twins have no animations or carets, and Playwright's options for
        # those inject styles and wait (3x slower: 124 vs 39 ms a frame).
        png = self.page.screenshot(type="png")
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def png_data_url(pixels: np.ndarray) -> str:
    """A uint8 [h,w] / [h,w,3] / [h,w,4] raster as a PNG data URL (fast compression: it only travels)."""
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
        raise ValueError(f"raster: expected uint8 [h,w] or [h,w,3|4], got {pixels.dtype} {pixels.shape}")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def jsonable(value):
    """`twin_data` output with every numpy raster turned into a PNG data URL."""
    if isinstance(value, np.ndarray):
        if value.dtype == np.uint8 and value.ndim in (2, 3):   # the convention: uint8 2-D/3-D = raster
            return png_data_url(value)
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
