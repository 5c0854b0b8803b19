"""The ASGI app: ``uvicorn app.main:app``. ``create_app(settings)`` lets tests build their own."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import torch
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

__all__ = ["app", "create_app"]

logger = logging.getLogger("genserve")


class BodySizeLimit:
    """Refuses bodies over ``limit`` bytes with a 413 before they are read into memory."""

    def __init__(
        self, app: ASGIApp, limit: int, path_limits: dict[str, tuple[int, str]] | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.path_limits = path_limits or {}  # path -> (limit, setting), e.g. uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.path_limits.get(scope["path"], (self.limit, "max_body_bytes"))
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit, setting)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await self._refuse(scope, receive, send, limit, setting)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: int, setting: str
    ) -> None:
        message = (
            f"request body is over the limit of {limit} bytes (GENSERVE_{setting.upper()})"
        )
        body = error_body("limit_exceeded", message, "body", setting)
        await JSONBytesResponse(body, status_code=413)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


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
                try:
                    yield
                finally:
                    registry.stop_watching()

    app = FastAPI(
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
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
            allow_headers=["*"], expose_headers=["X-Request-ID"],
        )
    app.add_middleware(
        BodySizeLimit, limit=settings.max_body_bytes,
        path_limits={"/datasets": (settings.max_upload_bytes, "max_upload_bytes")},
    )
    app.add_middleware(RequestContext)  # outermost: request id, access log, metrics
    app.include_router(health.router)
    app.include_router(models.router)
    app.include_router(inference.router)
    app.include_router(jobs.router)
    app.include_router(datasets.router)
    app.include_router(visual.router)
    app.include_router(monitoring.router)
    app.include_router(page.router)
    app.mount("/static", page.static_files(), name="static")
    return app


app = create_app()
