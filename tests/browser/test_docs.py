"""/docs (Swagger UI) and /redoc in headless Chromium with no network beyond the loopback:
both render every operation from assets served by genserve, and log no failed load."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.browser.test_page import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, playwright_api
from tests.conftest import LiveServer

LOOPBACK = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def server(start_server: Callable[..., LiveServer]) -> Iterator[LiveServer]:
    live = start_server()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def operations(server: LiveServer) -> set[tuple[str, str]]:
    spec = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    return {(method.upper(), path) for path, item in spec["paths"].items() for method in item}


class Loaded:
    """A page opened with every request off the loopback refused, and what went wrong."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        page.route("**/*", self._only_loopback)

    def _only_loopback(self, route: Any) -> None:
        if route.request.url.startswith(LOOPBACK):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


@pytest.fixture
def loaded() -> Iterator[Loaded]:
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield Loaded(page)
        browser.close()


def test_swagger_ui_lists_every_operation_offline(
    loaded: Loaded, server: LiveServer, operations: set[tuple[str, str]]
) -> None:
    page = loaded.page
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".opblock")
    shown = {
        (block.get_attribute("class").split("opblock-")[-1].split()[0].upper(),
         block.locator(".opblock-summary-path").get_attribute("data-path"))
        for block in page.locator(".opblock").all()
    }
    assert shown == operations
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "docs-swagger.png"))
    assert loaded.problems == [] and loaded.outside == []


def test_redoc_renders_every_operation_offline(
    loaded: Loaded, server: LiveServer, operations: set[tuple[str, str]]
) -> None:
    page = loaded.page
    page.goto(f"{server.url}/redoc")
    page.wait_for_selector("[data-section-id^='operation/']")
    assert page.locator("[data-section-id^='operation/']").count() == len(operations)
    assert "genserve" in page.locator("h1").first.text_content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "docs-redoc.png"))
    assert loaded.problems == [] and loaded.outside == []
