"""Domain errors, and the one place they become HTTP responses.

    ServiceError                 any error a client caused; carries status, field and rule
    ├── ModelNotFound            404: unknown model or version
    ├── UnsupportedOperation     400: the model kind cannot do this (or not in this format)
    ├── InvalidInput             422: the request is well-formed but its values are not
    ├── LimitExceeded            413/422: a configured limit was passed
    ├── Overloaded               429 + Retry-After: over the admission budgets (app.admission)
    └── RequestTimedOut          408: the work passed the per-request timeout

Storage faults are the server's, not the client's: a full data folder answers 507 and a
read-only one 503, each saying which, instead of a bare 500 (``_storage_error``).

Every 4xx has the same JSON shape: ``{"error": {"type", "message", "field", "rule"}, "errors": []}``
with one entry per failing field in ``errors``.
"""

from __future__ import annotations

import errno
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "ECHO_LIMIT",
    "InvalidInput",
    "LimitExceeded",
    "RequestTimedOut",
    "ModelNotFound",
    "ServiceError",
    "UnsupportedOperation",
    "clip",
    "exception_text",
    "install_error_handlers",
]

logger = logging.getLogger("genserve.errors")


class ServiceError(Exception):
    status_code = 400
    error_type = "bad_request"
    headers: dict[str, str] | None = None  # e.g. Retry-After on a 429

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.rule = rule


class ModelNotFound(ServiceError):
    status_code = 404
    error_type = "model_not_found"


class UnsupportedOperation(ServiceError):
    status_code = 400
    error_type = "unsupported_operation"


class InvalidInput(ServiceError):
    status_code = 422
    error_type = "invalid_input"


class LimitExceeded(ServiceError):
    status_code = 422
    error_type = "limit_exceeded"


class RequestTimedOut(ServiceError):
    """The request's work passed ``GENSERVE_REQUEST_TIMEOUT_S``."""

    status_code = 408
    error_type = "request_timeout"


_OBJECT_REPR = re.compile(r"<[^\n]*? at 0x[0-9a-fA-F]+>")


def exception_text(exc: BaseException, limit: int = 300) -> str:
    """A library's exception message fit for a client: object reprs (which print memory
    addresses) replaced, at most ``limit`` characters."""
    return (_OBJECT_REPR.sub("the data", str(exc)) or type(exc).__name__)[:limit]


ECHO_LIMIT = 100
"""Characters of a client's value that an error message repeats: enough to recognise it."""
MESSAGE_LIMIT = 2000
"""No message is longer, whatever it quotes: a 3 MB value never makes a 6 MB error."""


def clip(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` as text for an error message: its first ``limit`` characters, then an ellipsis
    saying how much was left out."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def _unechoed(message: str, value: object) -> str:
    """``message`` with a long string ``value`` it quotes (as is or as its repr) clipped."""
    if not isinstance(value, str) or len(value) <= ECHO_LIMIT:
        return message
    return message.replace(repr(value), repr(clip(value))).replace(value, clip(value))


def error_body(
    error_type: str, message: str, field: str | None, rule: str | None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    message = clip(message, MESSAGE_LIMIT)
    entry = {"type": error_type, "message": message, "field": field, "rule": rule}
    return {"error": entry, "errors": errors if errors is not None else [entry]}


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location if p != "body"]
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or "body"


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for item in exc.errors():
        location = tuple(item.get("loc", ()))
        named = (item.get("ctx") or {}).get("field")  # a model validator's field, when it says
        if isinstance(named, str) and _field_path(location) == "body":
            location += (named,)
        field = clip(_field_path(location))  # a key of the client's, at times
        message = f"{field}: {_unechoed(str(item.get('msg', 'invalid value')), item.get('input'))}"
        if item.get("type") == "json_invalid":  # loc is ("body", position)
            position, reason = field.strip("[]"), (item.get("ctx") or {}).get("error", "")
            field = "body"
            message = f"body: invalid JSON at character {position}: {reason}"
        errors.append(
            {"type": "validation_error", "message": clip(message, MESSAGE_LIMIT),
             "field": field, "rule": item.get("type")}
        )
    first = errors[0] if errors else {"message": "invalid request", "field": None, "rule": None}
    body = error_body(
        "validation_error", str(first["message"]), first["field"], first["rule"], errors
    )
    return JSONResponse(status_code=422, content=body)


async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
    body = error_body(exc.error_type, exc.message, exc.field, exc.rule)
    return JSONResponse(status_code=exc.status_code, content=body, headers=exc.headers)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    body = error_body(  # a middleware's refusal may name its type, field and rule
        getattr(exc, "error_type", "http_error"), str(exc.detail), getattr(exc, "field", None),
        getattr(exc, "rule", None),
    )
    return JSONResponse(status_code=exc.status_code, content=body, headers=exc.headers)


_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def _storage_fault(exc: BaseException) -> tuple[int, str] | None:
    """(status, explanation) when ``exc`` says the disk is full or read-only, else None."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return 507, "the server's data folder is full; free space and retry"
    if isinstance(exc, OSError) and exc.errno in _READ_ONLY:
        return 503, "the server's data folder is read-only; nothing was written"
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        if "full" in text:
            return 507, "the job database's disk is full; free space and retry"
        if "readonly" in text or "read-only" in text:
            return 503, "the job database is read-only; nothing was written"
    return None


async def _storage_error(request: Request, exc: Exception) -> JSONResponse:
    fault = _storage_fault(exc)
    if fault is None:
        return await _unexpected_error(request, exc)
    status, message = fault
    logger.error("storage fault on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(status_code=status, content=error_body("storage", message, None, None))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    body = error_body("internal_error", "internal server error", None, None)
    return JSONResponse(status_code=500, content=body)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(OSError, _storage_error)
    app.add_exception_handler(OperationalError, _storage_error)
    app.add_exception_handler(Exception, _unexpected_error)
