"""The TypeScript client's ES-module build, imported as it is by a page in headless Chromium:
no bundler, no import map (``clients/typescript/dist``, served here under the server's origin).
"""

from __future__ import annotations

import mimetypes
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, LiveServer

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(
        "Debian's chromium is not installed: apt-get install chromium (.ci/run does this)",
        allow_module_level=True,
    )

DIST = REPO_ROOT / "clients" / "typescript" / "dist"
PREFIX = "/ts-client/"
PAGE = """<!doctype html><meta charset="utf-8"><title>client</title><canvas width="64"
height="64"></canvas>"""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


@pytest.fixture(scope="module")
def server(start_server: Callable[..., LiveServer]) -> Iterator[LiveServer]:
    live = start_server()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def page(server: LiveServer) -> Iterator[Any]:
    """A page on the server's origin whose ``/ts-client/*`` are the files of ``dist/``."""

    def serve_dist(route: Any) -> None:
        path = route.request.url.split(PREFIX, 1)[1].split("?", 1)[0]
        if path == "index.html":
            route.fulfill(status=200, body=PAGE, content_type="text/html")
            return
        file = (DIST / path).resolve()
        if DIST not in file.parents or not file.is_file():
            route.fulfill(status=404, body="")
            return
        kind = "text/javascript" if file.suffix == ".js" else mimetypes.guess_type(file.name)[0]
        route.fulfill(status=200, body=file.read_bytes(), content_type=kind or "text/plain")

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(f"**{PREFIX}**", serve_dist)
        page.goto(f"{server.url}{PREFIX}index.html")
        yield page
        browser.close()
        assert errors == []


def test_a_page_imports_the_build_and_draws_a_sampled_grid(page: Any) -> None:
    drawn = page.evaluate(
        """async () => {
          const { GenserveClient, toImageBitmap, canMakeImageBitmap } =
            await import("/ts-client/index.js");
          const gs = new GenserveClient();
          const grid = await gs.sampleGrid({ model: "digits-vae", n: 4, seed: 0 });
          const bitmap = await toImageBitmap(grid);
          const ctx = document.querySelector("canvas").getContext("2d");
          ctx.drawImage(bitmap, 0, 0, 64, 64);
          const pixels = ctx.getImageData(0, 0, 64, 64).data;
          let lit = 0;
          for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 0) lit++;
          return { canBitmap: canMakeImageBitmap(), width: bitmap.width, type: grid.type, lit };
        }"""
    )
    assert drawn["canBitmap"] is True and drawn["type"] == "image/png"
    assert drawn["width"] > 8  # two 8x8 digits side by side, at least
    assert 0 < drawn["lit"] < 64 * 64  # something drawn, not a blank or a white square


def test_a_page_gets_typed_arrays_and_errors_from_the_build(page: Any) -> None:
    answer = page.evaluate(
        """async () => {
          const { GenserveClient, GenserveError } = await import("/ts-client/index.js");
          const gs = new GenserveClient();
          const packed = await gs.sample({ model: "pinwheel-gmm", n: 3, seed: 1 });
          const npy = await gs.sample({ model: "pinwheel-gmm", n: 3, seed: 1, format: "npy" });
          let error = null;
          try { await gs.sample({ n: 0 }); } catch (e) {
            error = { isGenserve: e instanceof GenserveError, field: e.field, status: e.status };
          }
          return {
            float32: packed.samples.data instanceof Float32Array,
            shape: packed.samples.shape,
            same: packed.samples.data.every((v, i) => v === npy.data[i]),
            error,
          };
        }"""
    )
    assert answer["float32"] and answer["same"] and answer["shape"] == [3, 2]
    assert answer["error"] == {"isGenserve": True, "field": "n", "status": 422}
