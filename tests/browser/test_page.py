"""The page at ``/`` in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

One server and one browser for the module; a fresh page per test. Screenshots go to
``artifacts/screenshots/``. Without ``chromium`` (``.ci/run`` installs it) the module skips.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
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

Browser = Any
Page = Any
API_KEY = "browser-test-key"
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def server(start_training_server: Callable[[str], LiveServer]) -> Iterator[LiveServer]:
    live = start_training_server(API_KEY)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PageRun:
    """A page with its console errors, page errors and every URL it asked for."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def open_page(browser: Browser, server: LiveServer, width: int = 1280,
              height: int = 1000) -> Iterator[PageRun]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(30_000)
    run = PageRun(page)
    page.goto(f"{server.url}/")
    page.wait_for_selector("main[data-ready='true']")
    try:
        yield run
    finally:
        context.close()


@pytest.fixture
def ui(browser: Browser, server: LiveServer) -> Iterator[PageRun]:
    yield from open_page(browser, server)


@pytest.fixture
def phone(browser: Browser, server: LiveServer) -> Iterator[PageRun]:
    yield from open_page(browser, server, width=390, height=844)


def choose_model(ui: PageRun, name: str) -> None:
    ui.page.select_option("#model-select", name)
    ui.page.wait_for_function(
        "(name) => document.querySelector('#model-status').textContent.includes(name)", arg=name
    )


# -- loading -----------------------------------------------------------------------------------
def test_the_page_loads_with_no_console_errors_and_fetches_nothing_from_elsewhere(
    ui: PageRun, server: LiveServer
) -> None:
    page = ui.page
    assert page.title() == "genserve"
    page.wait_for_selector("#metrics-table tbody tr")
    assert page.locator("#model-select option").count() >= 3
    assert "Training data" in page.text_content("#model-info")
    ui.screenshot("page-desktop")
    assert ui.errors == []
    assert all(url.startswith((server.url, "data:", "blob:")) for url in ui.requests), ui.requests


def test_the_model_picker_shows_kind_shape_data_and_metrics(ui: PageRun) -> None:
    choose_model(ui, "digits-vae")
    info = ui.page.text_content("#model-info")
    assert "Variational auto-encoder" in info and "8 × 8" in info and "digits" in info
    assert "test log likelihood" in ui.page.text_content("#metrics-table")


# -- sampling ----------------------------------------------------------------------------------
def test_the_sample_grid_renders_the_requested_number_of_images(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "digits-vae")
    page.fill("#sample-count", "9")
    page.fill("#sample-seed", "3")
    page.fill("#sample-temperature", "0.8")
    page.click("#sample-button")
    page.wait_for_function("() => document.querySelectorAll('#sample-grid img').length === 9")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#sample-grid img')].every(i => i.naturalWidth === 8)"
    )
    assert "seed 3" in page.text_content("#sample-status")
    ui.screenshot("sample-grid")
    assert ui.errors == []


def test_a_busy_answer_is_retried_after_its_retry_after(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "digits-vae")
    asked: list[str] = []

    def busy_once(route: Any) -> None:
        asked.append(route.request.url)
        if len(asked) == 1:
            route.fulfill(status=429, headers={"Retry-After": "1"}, content_type="application/json",
                          body='{"error": {"type": "overloaded", "message": "the server is busy",'
                               ' "field": null, "rule": "heavy_budget"}, "errors": []}')
        else:
            route.continue_()

    page.route("**/sample", busy_once)
    page.fill("#sample-count", "4")
    page.click("#sample-button")
    page.wait_for_function("() => document.querySelectorAll('#sample-grid img').length === 4")
    assert len(asked) == 2  # refused once, then asked again after Retry-After


def test_a_2d_mixture_shows_its_density_ellipses_and_samples(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "pinwheel-gmm")
    page.wait_for_function(
        "() => document.querySelectorAll('#density-overlay polygon.component').length === 10"
    )
    page.fill("#sample-count", "25")
    page.click("#sample-button")
    page.wait_for_function(
        "() => document.querySelectorAll('#density-overlay circle.sample-dot').length === 25"
    )
    assert page.is_visible("#density-canvas") and not page.is_visible("#sample-grid img")
    page.click("#density-canvas", position={"x": 300, "y": 200})
    page.wait_for_selector("#inspect-results:not([hidden])")
    page.wait_for_function(
        "() => document.querySelector('#loglik-summary').textContent.includes('nats (exact)')"
    )
    page.fill("#interp-steps", "7")
    page.click("#interp-button")
    page.wait_for_function("() => document.querySelectorAll('#interp-strip li').length === 7")
    assert page.locator("#density-overlay polyline.path").count() == 1
    assert "log p(x)" in page.text_content("#interp-large-values")
    ui.screenshot("density-2d-gmm")
    assert ui.errors == []


# -- drawing -----------------------------------------------------------------------------------
def draw_a_seven(page: Page) -> None:
    canvas = page.locator("#draw-canvas")
    canvas.scroll_into_view_if_needed()  # mouse events only reach what is in the viewport
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + 0.25 * w, y + 0.2 * h)
    page.mouse.down()
    for fx, fy in [(0.5, 0.2), (0.75, 0.2), (0.62, 0.5), (0.5, 0.8)]:
        page.mouse.move(x + fx * w, y + fy * h, steps=8)
    page.mouse.up()


def test_drawing_on_the_canvas_yields_a_reconstruction(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "digits-vae")
    draw_a_seven(page)
    page.wait_for_selector("#reconstruction:not([hidden])")
    page.wait_for_function(
        "() => document.querySelector('#reconstruction').src.startsWith('data:image/png')"
        " && document.querySelector('#reconstruction').naturalWidth === 8"
    )
    page.wait_for_selector("#latent-chart circle.highlight")
    summary = page.text_content("#loglik-summary")
    assert "nats (importance-weighted bound, k=100)" in summary and "held-out test" in summary
    assert page.locator("#loglik-chart line.marker").count() == 1
    ui.screenshot("draw-reconstruction")
    assert ui.errors == []


def test_an_uploaded_image_is_analysed_like_a_drawing(ui: PageRun, tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("L", (64, 64), 255)  # dark ink on light paper: the page inverts it
    ImageDraw.Draw(image).ellipse((16, 8, 48, 56), outline=0, width=7)
    path = tmp_path / "zero.png"
    image.save(path)
    choose_model(ui, "digits-gmm")
    ui.page.set_input_files("#draw-upload", str(path))
    ui.page.wait_for_function(
        "() => document.querySelector('#inspect-status').textContent.includes('inverted')"
    )
    ui.page.wait_for_function(  # a GMM's latent code: one bar per component
        "() => document.querySelectorAll('#latent-chart rect').length === 10"
    )
    assert "most likely component" in ui.page.text_content("#latent-values")
    assert ui.errors == []


@pytest.fixture(scope="module")
def unpromoted_ppca(server: LiveServer) -> str:
    """A PPCA model (no latent map among its views) whose only version was never promoted, so
    it has no stable alias. Trained before the test's page loads, so the page lists it."""
    name = "held-ppca"
    headers = {"Authorization": f"Bearer {API_KEY}"}
    queued = httpx.post(f"{server.url}/jobs", headers=headers, json={
        "kind": "ppca", "name": name, "dataset": "digits", "params": {"n_components": 5},
        "promote": "never",
    }).json()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = httpx.get(f"{server.url}/jobs/{queued['id']}", headers=headers).json()
        listed = {m["name"] for m in httpx.get(f"{server.url}/models").json()["models"]}
        if job["status"] == "succeeded" and name in listed:  # the watcher has loaded it too
            return name
        assert job["status"] in ("queued", "running", "succeeded"), job
        time.sleep(0.5)
    raise AssertionError("the PPCA job did not finish, or its model was not listed, in 120 s")


@pytest.fixture
def ui_with_ppca(browser: Browser, server: LiveServer, unpromoted_ppca: str
                 ) -> Iterator[PageRun]:
    yield from open_page(browser, server)


def test_a_model_without_a_latent_view_hides_the_last_models_latent_code(
    ui_with_ppca: PageRun, unpromoted_ppca: str
) -> None:
    page = ui_with_ppca.page
    choose_model(ui_with_ppca, "digits-vae")
    page.click("#draw-from-sample")
    page.wait_for_selector("#latent-chart circle.highlight")
    choose_model(ui_with_ppca, unpromoted_ppca)
    page.click("#draw-from-sample")
    page.wait_for_function(
        "() => document.querySelector('#inspect-status').textContent.startsWith('Analysed')"
    )
    assert page.is_visible("#reconstruction") and page.is_hidden("#latent-figure")
    assert page.locator("#latent-chart *").count() == 0
    assert page.text_content("#latent-values") == ""
    assert ui_with_ppca.errors == []


def test_a_version_is_labelled_stable_only_under_a_stable_alias(
    ui_with_ppca: PageRun, unpromoted_ppca: str
) -> None:
    page = ui_with_ppca.page
    choose_model(ui_with_ppca, unpromoted_ppca)
    labels = page.locator("#version-select option").all_text_contents()
    assert len(labels) == 1 and labels[0].startswith("1") and "stable" not in labels[0], labels
    choose_model(ui_with_ppca, "digits-vae")
    assert "(stable)" in " ".join(page.locator("#version-select option").all_text_contents())


# -- interpolation -----------------------------------------------------------------------------
def test_the_interpolation_strip_shows_the_requested_steps(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "digits-vae")
    page.fill("#interp-steps", "6")
    page.select_option("#interp-method", "slerp")
    page.click("#interp-button")
    page.wait_for_function("() => document.querySelectorAll('#interp-strip li img').length === 6")
    page.focus("#interp-slider")
    page.keyboard.press("End")
    assert page.text_content("#interp-slider-value").startswith("6 of 6")
    assert page.locator("#interp-strip li.current").get_attribute("data-step") == "5"
    ui.screenshot("interpolation")
    assert ui.errors == []


def test_interpolation_can_start_from_the_drawing(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "digits-vae")
    draw_a_seven(page)
    page.wait_for_selector("#reconstruction:not([hidden])")
    page.select_option("#interp-a-source", "drawing")
    page.fill("#interp-steps", "4")
    page.click("#interp-button")
    page.wait_for_function("() => document.querySelectorAll('#interp-strip li').length === 4")


# -- errors ------------------------------------------------------------------------------------
def test_a_bad_value_in_a_form_shows_the_apis_error(ui: PageRun, server: LiveServer) -> None:
    page = ui.page
    choose_model(ui, "digits-vae")
    page.fill("#sample-count", "0")
    page.click("#sample-button")
    page.wait_for_selector("#sample-error:not([hidden])")
    expected = httpx.post(f"{server.url}/sample", json={"model": "digits-vae", "n": 0}).json()
    assert page.text_content("#sample-error") == expected["error"]["message"]
    page.fill("#interp-steps", "1000")
    page.click("#interp-button")
    page.wait_for_selector("#interp-error:not([hidden])")
    assert "steps" in page.text_content("#interp-error")
    ui.screenshot("api-error")


def test_training_form_errors_are_shown_in_plain_words(ui: PageRun, server: LiveServer) -> None:
    page = ui.page
    page.fill("#api-key", "wrong-key")
    page.click("#train-button")
    page.wait_for_selector("#train-error:not([hidden])")
    assert "the API key is not valid" in page.text_content("#train-error")
    page.fill("#api-key", API_KEY)
    page.fill("#train-components", "0")
    page.click("#train-button")
    page.wait_for_function(
        "() => document.querySelector('#train-error').textContent.startsWith('params.n_components')"
    )
    page.fill("#train-components", "3")
    page.fill("#train-extra", "{not json")
    page.click("#train-button")
    page.wait_for_function(
        "() => document.querySelector('#train-error').textContent.includes('not valid JSON')"
    )


# -- training ----------------------------------------------------------------------------------
def start_job(page: Page, kind: str, name: str, dataset: str, fields: dict[str, str],
              extra: str = "") -> None:
    page.fill("#api-key", API_KEY)
    page.select_option("#train-kind", kind)
    page.fill("#train-name", name)
    page.fill("#train-dataset", dataset)
    for selector, text in fields.items():
        page.fill(selector, text)
    page.fill("#train-extra", extra)
    page.click("#train-button")


def curve_points(page: Page) -> int:
    return int(page.get_attribute("#loss-chart", "data-points") or 0)


def test_the_training_form_creates_a_job_whose_loss_curve_gains_points_and_cancels(
    ui: PageRun, server: LiveServer
) -> None:
    page = ui.page
    start_job(page, "vae", "page-vae", "pinwheel",
              {"#train-epochs": "5000", "#train-latent": "2", "#train-lr": "0.001"},
              '{"hidden_sizes": [16], "batch_size": 256}')
    page.wait_for_function(
        "() => Number(document.querySelector('#loss-chart').dataset.points || 0) > 0",
        timeout=60_000,
    )
    first = curve_points(page)
    deadline = time.monotonic() + 60
    while curve_points(page) <= first and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert curve_points(page) > first, "the loss curve did not gain points"
    assert page.locator("#loss-chart polyline.series").count() >= 1
    assert "running" in page.text_content("#train-status")
    ui.screenshot("training-live")
    page.click("#train-cancel")
    page.wait_for_function(
        "() => document.querySelector('#job-view').dataset.status === 'cancelled'",
        timeout=60_000,
    )
    jobs = httpx.get(f"{server.url}/jobs", headers={"Authorization": f"Bearer {API_KEY}"})
    newest = jobs.json()["jobs"][0]
    assert newest["name"] == "page-vae" and newest["status"] == "cancelled"
    assert httpx.get(f"{server.url}/models/page-vae").status_code == 404
    assert ui.errors == []


def test_a_finished_job_puts_its_new_version_in_the_model_list(
    ui: PageRun, server: LiveServer
) -> None:
    page = ui.page
    start_job(page, "gmm", "page-gmm", "pinwheel",
              {"#train-components": "4", "#train-max-iter": "30"})
    page.wait_for_function(
        "() => document.querySelector('#train-status').textContent.startsWith('Done')",
        timeout=90_000,
    )
    assert page.input_value("#model-select") == "page-gmm"
    assert page.input_value("#version-select") == "1"
    assert page.locator("#model-select option[value='page-gmm']").count() == 1
    page.wait_for_function(
        "() => document.querySelectorAll('#density-overlay polygon.component').length === 4"
    )
    ui.screenshot("training-done")
    page.click("#jobs-list-panel summary")
    page.wait_for_function(
        "() => document.querySelector('#jobs-table tbody').textContent.includes('test log-lik.')"
    )
    row = page.locator("#jobs-table tbody tr", has_text="page-gmm").first
    model, status, started, duration, metric, _ = row.locator("td").all_text_contents()
    assert status == "succeeded" and started not in ("not started", "—")
    assert duration.endswith(" s") and "nats" in metric, (started, duration, metric)
    ui.screenshot("recent-jobs")
    assert ui.errors == []


def test_a_plugin_kind_is_trained_from_a_form_built_from_its_schema(
    ui: PageRun, server: LiveServer
) -> None:
    page = ui.page
    page.wait_for_selector("#train-kind option[value='ppca']", state="attached")
    start_job(page, "ppca", "page-ppca", "digits",
              {"#train-other-fields [data-param='n_components']": "5"})
    assert page.is_hidden("#train-gmm-fields") and page.is_hidden("#train-vae-fields")
    page.wait_for_function(
        "() => document.querySelector('#train-status').textContent.startsWith('Done')",
        timeout=90_000,
    )
    config = httpx.get(f"{server.url}/models/page-ppca").json()["config"]
    assert config["kind"] == "ppca" and config["hyperparameters"]["n_components"] == 5
    assert page.input_value("#model-select") == "page-ppca"
    assert ui.errors == []


# -- access ------------------------------------------------------------------------------------
def test_every_control_has_a_label_and_every_action_is_a_button(ui: PageRun) -> None:
    unlabelled = ui.page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => !e.labels?.length && !e.getAttribute('aria-label'))
            .map(e => e.id)"""
    )
    assert unlabelled == []
    clickable_divs = ui.page.evaluate(
        "() => document.querySelectorAll('div[onclick], span[onclick], [role=button]').length"
    )
    assert clickable_divs == 0


def test_sampling_works_from_the_keyboard_alone(ui: PageRun) -> None:
    page = ui.page
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    choose_model(ui, "digits-vae")
    page.focus("#sample-count")
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#sample-grid img').length === 4")
    page.focus("#draw-from-sample")
    page.keyboard.press("Enter")
    page.wait_for_selector("#reconstruction:not([hidden])")


def test_the_page_fits_a_phone_screen(phone: PageRun) -> None:
    page = phone.page
    page.click("#sample-button")
    page.wait_for_function("() => document.querySelectorAll('#sample-grid img').length > 0")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    phone.screenshot("page-phone")
    assert phone.errors == []


# -- every shipped model's view ----------------------------------------------------------------
SHIPPED = sorted(p.name for p in (REPO_ROOT / "weights").iterdir() if not p.name.startswith("_"))
BROKEN_TEXT = ("undefined", "NaN", "[object Object]")


def show_everything(ui: PageRun, name: str) -> None:
    """Choose a model and bring every card to life: samples, an inspected input, a path."""
    page = ui.page
    choose_model(ui, name)
    page.wait_for_function(  # the Sample card fills itself, whatever the kind of model
        "() => document.querySelector('#sample-status').textContent.includes('samples')",
        timeout=60_000,
    )
    if page.is_visible("#draw-panel"):
        page.click("#draw-from-sample")
    else:
        page.click("#point-analyse")
    page.wait_for_selector("#inspect-results:not([hidden])", timeout=120_000)
    page.wait_for_function(
        "() => document.querySelector('#loglik-summary').textContent.includes('nats')",
        timeout=120_000,
    )
    page.fill("#interp-steps", "12")
    page.click("#interp-button")
    page.wait_for_function("() => document.querySelectorAll('#interp-strip li').length === 12")


@pytest.mark.parametrize("name", SHIPPED)
def test_no_card_shows_broken_values_for_a_shipped_model(ui: PageRun, name: str) -> None:
    show_everything(ui, name)
    text = ui.page.inner_text("main")
    assert not [word for word in BROKEN_TEXT if word in text], text
    ui.screenshot(f"model-{name}")
    assert ui.errors == []


@pytest.mark.parametrize("name", SHIPPED)
def test_every_chart_has_labelled_axes_with_ticks(ui: PageRun, name: str) -> None:
    show_everything(ui, name)
    charts = ui.page.evaluate(
        """() => [...document.querySelectorAll('svg.chart, svg.density-axes')]
            .filter(svg => svg.getClientRects().length && svg.querySelector('.axes'))
            .map(svg => ({
              id: svg.id,
              x: svg.querySelector('.x-label')?.textContent || '',
              y: svg.querySelector('.y-label')?.textContent || '',
              xTicks: svg.querySelectorAll('.tick[data-axis=x]').length,
              yTicks: svg.querySelectorAll('.tick[data-axis=y]').length,
              colourTicks: svg.querySelectorAll('.tick[data-axis=colour]').length,
              colourLabel: svg.querySelector('.colour-label')?.textContent || '',
            }))"""
    )
    drawn = {chart["id"] for chart in charts}
    assert {"latent-chart", "loglik-chart"} <= drawn or "loglik-chart" in drawn, charts
    for chart in charts:
        assert chart["x"].strip() and chart["y"].strip(), chart
        assert chart["xTicks"] >= 2 and chart["yTicks"] >= 2, chart
    density = [chart for chart in charts if chart["id"] == "density-axes"]
    if name.startswith("pinwheel"):
        assert density and density[0]["colourTicks"] >= 2, charts
        assert "nats" in density[0]["colourLabel"]
    bare = ui.page.evaluate(  # every visible chart was drawn with axes
        """() => [...document.querySelectorAll('svg.chart')]
            .filter(svg => svg.getClientRects().length && svg.childElementCount
                           && !svg.querySelector('.axes')).map(svg => svg.id)"""
    )
    assert bare == []


def sample_sources(page: Page) -> list[str]:
    return page.eval_on_selector_all("#sample-grid img", "images => images.map(i => i.src)")


def test_the_prior_selector_changes_the_samples(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "digits-gmm")
    assert not page.is_visible("#sample-prior")  # a mixture has no latent prior to choose
    choose_model(ui, "mnist-vae")
    page.wait_for_function("() => document.querySelectorAll('#sample-grid img').length > 0")
    options = page.eval_on_selector_all("#sample-prior option", "os => os.map(o => o.value)")
    assert set(options) == {"normal", "gmm"}
    page.select_option("#sample-prior", "normal")
    page.wait_for_function(
        "() => document.querySelector('#sample-status').textContent.includes('normal prior')"
    )
    normal = sample_sources(page)
    page.select_option("#sample-prior", "gmm")
    page.wait_for_function(
        "() => document.querySelector('#sample-status').textContent.includes('gmm prior')"
    )
    mixture = sample_sources(page)
    assert len(normal) == len(mixture) > 0 and normal != mixture
    ui.screenshot("prior-gmm")
    assert ui.errors == []


def test_the_model_card_shows_only_the_hyper_parameters_that_apply(ui: PageRun) -> None:
    choose_model(ui, "mnist-vae")
    rows = ui.page.eval_on_selector_all(
        "#hyper-table th", "cells => cells.map(c => c.textContent)"
    )
    assert "latent dim" in rows and "hidden sizes" in rows
    assert "channels" not in rows  # an MLP has no convolution channels
    assert "latent prior" in rows
    split = ui.page.text_content("#model-info")
    assert "published test split" in split


def test_the_gate_verdict_and_promote_button_show_when_the_api_has_them(ui: PageRun) -> None:
    """A shipped, stable version shows its aliases and no promote button; a held-back version
    (its verdict faked into the model's answer here) shows why, and a button to promote it."""
    page = ui.page
    choose_model(ui, "digits-gmm")
    assert "stable → 1" in page.text_content("#alias-info")
    assert not page.is_visible("#promote-button")
    promoted: list[Any] = []

    def with_gate(route: Any) -> None:
        if route.request.method == "PUT":
            promoted.append(route.request.post_data_json)
            route.fulfill(json={"aliases": {"stable": 2}})
            return
        answer = route.fetch().json()
        answer["gate"] = {"passed": False, "reasons": ["held-out log-likelihood below the "
                                                       "baseline"], "policy": "auto"}
        answer["aliases"] = {"stable": 1}
        route.fulfill(json=answer)

    page.route("**/models/digits-vae**", with_gate)
    choose_model(ui, "digits-vae")
    page.select_option("#version-select", "2")
    page.wait_for_selector("#promote-button")
    gate = page.text_content("#gate-info")
    assert "not passed" in gate and "below the baseline" in gate and "stable → 1" in gate
    page.click("#promote-button")
    page.wait_for_function("() => document.querySelector('#model-status').textContent"
                           ".includes('digits-vae, version 2')")
    assert promoted == [{"version": 2}]
    assert ui.errors == []


def test_hovering_the_density_map_reads_out_the_point_and_its_log_density(ui: PageRun) -> None:
    page = ui.page
    choose_model(ui, "pinwheel-gmm")
    page.wait_for_function(
        "() => document.querySelectorAll('#density-overlay polygon.component').length === 10"
    )
    page.hover("#density-canvas", position={"x": 100, "y": 100})
    page.wait_for_function(
        "() => document.querySelector('#density-readout').textContent.includes('log p(x) ≈')"
    )
    assert "nats" in page.text_content("#density-readout")
    assert ui.errors == []


def test_the_mnist_latent_scatter_is_coloured_by_digit_and_says_where_labels_come_from(
    ui: PageRun,
) -> None:
    """MNIST's data are not shipped: the shipped classifier's predicted digit colours the
    model's samples, with a legend of digits, and the caption says so."""
    page = ui.page
    choose_model(ui, "mnist-vae")
    page.wait_for_function(
        "() => document.querySelector('#sample-status').textContent.includes('samples')",
        timeout=60_000,
    )
    page.click("#draw-from-sample")
    page.wait_for_selector("#latent-chart circle.highlight", timeout=120_000)
    colours = page.eval_on_selector_all(
        "#latent-chart circle:not(.highlight):not(.legend-swatch)",
        "dots => [...new Set(dots.map(d => d.getAttribute('fill')))]",
    )
    assert len(colours) > 1, colours
    legend = page.eval_on_selector_all(
        "#latent-chart text.legend", "texts => texts.map(t => t.textContent)"
    )
    assert len(legend) > 1 and set(legend) <= {str(d) for d in range(10)}, legend
    caption = page.text_content("#latent-caption")
    assert "classifier prediction" in caption and "MNIST classifier" in caption, caption
    page.locator("#latent-chart").scroll_into_view_if_needed()
    ui.screenshot("latent-mnist-vae-by-digit")
    page.locator("#latent-chart").screenshot(path=str(SCREENSHOTS / "latent-mnist-vae-chart.png"))
    assert ui.errors == []


def test_the_model_card_lists_the_classes_of_labelled_training_data(ui: PageRun) -> None:
    """A model trained on labelled data keeps its class names in ``config.data.classes``; the
    card shows them (the shipped models predate labels, so the answer is given them here)."""
    page = ui.page

    def with_classes(route: Any) -> None:
        if not route.request.url.split("?")[0].endswith("/models/digits-vae"):
            route.continue_()  # its samples and reference go through untouched
            return
        answer = route.fetch().json()
        answer["config"]["data"]["classes"] = ["cat", "dog", "bird"]
        route.fulfill(json=answer)

    choose_model(ui, "digits-gmm")  # first another model, so the next choice asks afresh
    page.route("**/models/digits-vae**", with_classes)
    choose_model(ui, "digits-vae")
    page.wait_for_function(
        "() => document.querySelector('#model-info').textContent.includes('cat, dog, bird')"
    )
    terms = page.eval_on_selector_all("#model-info dt", "dts => dts.map(d => d.textContent)")
    assert "Classes" in terms
    assert ui.errors == []


def test_a_conditional_model_has_a_class_picker_and_shows_class_probabilities(
    ui: PageRun,
) -> None:
    page = ui.page
    choose_model(ui, "digits-vae")
    assert not page.is_visible("#sample-class")  # an unconditional model has no classes
    choose_model(ui, "digits-cgmm")
    page.wait_for_function("() => document.querySelectorAll('#sample-grid img').length > 0")
    options = page.eval_on_selector_all("#sample-class option", "os => os.map(o => o.value)")
    assert options == ["", *[str(d) for d in range(10)]]
    page.select_option("#sample-class", "7")
    page.wait_for_function(
        "() => document.querySelector('#sample-status').textContent.includes('class 7')"
    )
    draw_a_seven(page)
    page.wait_for_selector("#classify-figure:not([hidden])")
    page.wait_for_selector("#classify-chart rect", state="attached")  # p = 0 bars are flat
    assert page.locator("#classify-chart rect").count() >= 10
    assert "predicted class" in page.text_content("#classify-summary")
    ui.screenshot("classify-digits-cgmm")
    assert ui.errors == []
