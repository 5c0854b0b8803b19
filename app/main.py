"""The ASGI app: ``uvicorn app.main:app``. ``create_app(settings)`` lets tests build their own."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import torch
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth import ensure_api_key
from app.config import Settings
from app.errors import error_body, install_error_handlers
from app.inference import InferenceService, JSONBytesResponse
from app.registry import ModelRegistry, resolve_device
from app.routers import health, inference, models

__all__ = ["app", "create_app"]

logger = logging.getLogger("genserve")


class BodySizeLimit:
    """Refuses bodies over ``limit`` bytes with a 413 before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"request body is over the limit of {self.limit} bytes (GENSERVE_MAX_BODY_BYTES)"
        body = error_body("limit_exceeded", message, "body", "max_body_bytes")
        await JSONBytesResponse(body, status_code=413)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.torch_threads:
            torch.set_num_threads(settings.torch_threads)
        registry = ModelRegistry(
            settings.weights_dir, resolve_device(settings.device), settings.default_model
        )
        registry.refresh()
        app.state.api_key = ensure_api_key(settings.api_key, settings.data_dir)
        app.state.registry = registry
        app.state.inference = InferenceService(registry, settings)
        logger.info("serving %d model(s) from %s", len(registry.names()), settings.weights_dir)
        yield

    app = FastAPI(
        title="genserve",
        summary="Train and serve generative models: a VAE and a Gaussian mixture.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(models.router)
    app.include_router(inference.router)
    return app


app = create_app()
