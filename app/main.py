"""The ASGI app: ``uvicorn app.main:app``. ``create_app(settings)`` lets tests build their own."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
import torch
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import operations
from app.admission import ClientIdentity
from app.auth import InferenceAccess, ensure_api_key
from app.batching import running_batcher, serving_threads
from app.config import Settings
from app.errors import error_body, install_error_handlers
from app.fast_path import InferenceFastPath
from app.inference import InferenceService, JSONBytesResponse
from app.jobs.runtime import jobs_runtime
from app.observability import RequestContext, configure_logging
from app.registry import ModelRegistry, resolve_device
from app.routers import datasets, health, inference, jobs, models, monitoring, page, visual
from app.schemas import ERROR_RESPONSES

__all__ = ["GC_THRESHOLDS", "app", "create_app"]

logger = logging.getLogger("genserve")
DOCS_ASSETS = "/docs-assets"
"""Where Swagger UI's and ReDoc's scripts are served from (fastapi-offline's copies)."""
REDOC_JS = "/redoc-assets/redoc.standalone.js"
ICON = "/static/icon.svg"
GC_THRESHOLDS = (10_000, 20, 20)
"""``gc.set_threshold`` once startup is frozen: young collections rare while serving."""


def _add_redoc(app: FastAPI) -> None:
    """``/redoc`` from fastapi-offline's ReDoc, with the one image ReDoc still fetches from its
    CDN (the "API docs by Redocly" logo) pointed at genserve's icon: offline, nothing fails."""
    bundle = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
    script = bundle.read_bytes().replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg", ICON.encode())

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_script() -> Response:
        return Response(script, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/redoc", include_in_schema=False)
    async def redoc_page() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url or "/openapi.json",
                              title=f"{app.title} - ReDoc", redoc_js_url=REDOC_JS,
                              redoc_favicon_url=ICON, with_google_fonts=False)


class BodySizeLimit:
    """Refuses bodies over ``limit`` bytes with a 413 before they are read into memory, and
    with a 408 bodies that stall (no next piece within ``read_timeout`` seconds) or that are not
    whole ``body_timeout`` seconds after the request reached the app: a body trickled a byte at
    a time never stalls, and would hold its connection for ever (QA F5)."""

    def __init__(
        self, app: ASGIApp, limit: int, path_limits: dict[str, tuple[int, str]] | None = None,
        read_timeout: float | None = None, body_timeout: float | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.path_limits = path_limits or {}  # path -> (limit, setting), e.g. uploads
        self.read_timeout = read_timeout
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.path_limits.get(scope["path"], (self.limit, "max_body_bytes"))
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, _BodyTooLarge(limit, setting))
            return
        received = 0
        complete = False
        loop = asyncio.get_running_loop()
        deadline = None if self.body_timeout is None else loop.time() + self.body_timeout

        async def counting_receive() -> Message:
            nonlocal received, complete
            if complete:  # past the body: waiting for a disconnect may take any time
                return await receive()
            wait, whole = self.read_timeout, False
            if deadline is not None and (wait is None or deadline - loop.time() < wait):
                # past the deadline, pieces already buffered are still taken (a wait of 0)
                wait, whole = max(deadline - loop.time(), 0.0), True
            try:
                async with asyncio.timeout(wait):
                    message = await receive()
            except TimeoutError:
                if whole:
                    raise _BodyTooSlow(self.body_timeout or 0.0) from None
                raise _BodyTimedOut(self.read_timeout or 0.0) from None
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLarge(limit, setting)
            complete = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyRefused as refusal:
            await self._refuse(scope, receive, send, refusal)

    @staticmethod
    async def _refuse(
        scope: Scope, receive: Receive, send: Send, refusal: _BodyRefused
    ) -> None:
        body = error_body(refusal.error_type, str(refusal.detail), refusal.field, refusal.rule)
        await JSONBytesResponse(body, status_code=refusal.status_code, headers=refusal.headers)(
            scope, receive, send
        )


class _BodyRefused(StarletteHTTPException):
    """Raised from ``receive``: an HTTPException, so FastAPI's body parsing passes it on (it
    turns any other exception into a 400 "error parsing the body", issue 17 #13) and the app's
    handler answers it in the project's error shape with these fields."""

    error_type = "limit_exceeded"
    field: str | None = "body"
    rule = ""


class _BodyTooLarge(_BodyRefused):
    def __init__(self, limit: int, setting: str) -> None:
        super().__init__(
            413, f"request body is over the limit of {limit} bytes (GENSERVE_{setting.upper()})"
        )
        self.rule = setting


_CLOSE = {"Connection": "close"}
"""A body cut short leaves the rest of it on the connection: closed, not kept alive for the
client to go on trickling into (until the head deadline)."""


class _BodyTimedOut(_BodyRefused):
    error_type = "request_timeout"

    def __init__(self, timeout: float) -> None:
        super().__init__(
            408, f"no part of the request body arrived for {timeout:g} s "
            "(GENSERVE_BODY_READ_TIMEOUT_S)", headers=_CLOSE,
        )
        self.rule = "body_read_timeout_s"


class _BodyTooSlow(_BodyRefused):
    error_type = "request_timeout"

    def __init__(self, timeout: float) -> None:
        super().__init__(
            408, f"the request body was not complete {timeout:g} s after its headers "
            "(GENSERVE_BODY_TIMEOUT_S)", headers=_CLOSE,
        )
        self.rule = "body_timeout_s"


class DefaultModelNotLoaded(RuntimeError):
    """GENSERVE_DEFAULT_MODEL names no model that loaded: refused at start-up, since a typo would
    otherwise quietly serve another model to every request that names none."""


def check_default_model(name: str | None, registry: ModelRegistry) -> None:
    """Raise :class:`DefaultModelNotLoaded` unless ``name`` (the setting) is None or loaded."""
    if name is None or name in registry.names():
        return
    failed = {key: why for key, why in registry.failed.items() if key.split("/")[0] == name}
    why = f" (it failed to load: {failed})" if failed else ""
    raise DefaultModelNotLoaded(
        f"GENSERVE_DEFAULT_MODEL={name!r} is not a loaded model{why}; the loaded models are "
        f"{registry.names()}: set it to one of them, or unset it to default to the first "
        "servable one in alphabetical order"
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        torch.set_num_threads(serving_threads(settings))  # leaves the event loop a core
        registry = ModelRegistry(
            settings.weights_dir, resolve_device(settings.device), settings.default_model,
            store_dir=settings.model_store_dir,
        )
        registry.refresh()
        check_default_model(settings.default_model, registry)
        registry.start_watching()  # new versions and moved aliases, off the event loop
        app.state.api_key = ensure_api_key(settings.api_key, settings.data_dir)
        app.state.registry = registry
        with running_batcher(settings) as batcher:  # dynamic batching's worker, if enabled
            app.state.inference = InferenceService(registry, settings, batcher)
            logger.info("serving %d model(s) from %s and %s", len(registry.names()),
                        settings.weights_dir, settings.model_store_dir)
            async with jobs_runtime(app, settings):  # job records, queue, embedded worker, reloads
                # What startup built (modules, models, routes: ~260k objects) lives as long as the
                # process. Frozen, a full collection scans only what came later, instead of
                # stalling every request in flight for 60-160 ms (measured under load).
                gc.freeze()
                # A request's garbage dies by reference counting; at the default threshold (700)
                # the young generation was still collected ~50 times a second at c = 64, with
                # pauses of up to 12 ms once a collection reached the older generations (issue
                # 18, measured with gc.callbacks). At 10,000 it ran once in 4 s, for 1.3 ms.
                gc.set_threshold(*GC_THRESHOLDS)
                try:
                    yield
                finally:
                    registry.stop_watching()

    # /docs (Swagger UI) and /redoc from scripts installed with the package, not a CDN
    app = FastAPIOffline(
        static_url=DOCS_ASSETS, favicon_url=ICON, redoc_url=None,
        title="genserve",
        summary="Train and serve generative models: a VAE and a Gaussian mixture.",
        version="0.1.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # innermost of genserve's middleware: well-formed inference requests skip FastAPI's routing
    app.add_middleware(InferenceFastPath, routes=inference.router.routes, access=InferenceAccess)
    app.add_middleware(ClientIdentity)  # who asks, for admission's per-client fairness
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
            allow_headers=["*"], expose_headers=["X-Request-ID"],
        )
    app.add_middleware(
        BodySizeLimit, limit=settings.max_body_bytes,
        path_limits={"/datasets": (settings.max_upload_bytes, "max_upload_bytes")},
        read_timeout=settings.body_read_timeout_s, body_timeout=settings.body_timeout_s,
    )
    # outermost: request id, access log, metrics
    app.add_middleware(RequestContext, model_paths=operations.paths())
    app.include_router(health.router)
    app.include_router(models.router)
    app.include_router(inference.router)
    app.include_router(jobs.router)
    app.include_router(jobs.kinds_router)
    app.include_router(datasets.router)
    app.include_router(visual.router)
    app.include_router(monitoring.router)
    app.include_router(page.router)
    app.mount("/static", page.static_files(), name="static")
    _add_redoc(app)
    return app


app = create_app()
